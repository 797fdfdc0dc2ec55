variable "name" {
  description = "Prefix of every resource name of this deployment."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the cluster."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets (two zones at least)."
  type        = list(string)
}

variable "allowed_security_group_ids" {
  description = "Security groups allowed to connect on 5432 (web, worker, Lambda)."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "Customer-managed key for storage, Performance Insights, logs and secrets."
  type        = string
}

variable "engine_version" {
  description = "Aurora PostgreSQL version (16.x; Serverless v2 capable)."
  type        = string
  default     = "16.6"
}

variable "database_name" {
  description = "Database created in the cluster."
  type        = string
  default     = "pcs"
}

variable "master_username" {
  description = "Master user (the app connects as this user)."
  type        = string
  default     = "pcs"
}

variable "min_acu" {
  description = "Aurora Serverless v2 minimum capacity in ACUs (the always-on floor you pay for)."
  type        = number
}

variable "max_acu" {
  description = "Aurora Serverless v2 maximum capacity in ACUs."
  type        = number
}

variable "instances" {
  description = "Serverless v2 instances: 1 writer, plus readers for a faster failover."
  type        = number
  default     = 1
}

variable "backup_retention_days" {
  description = "Days of automated backups (point-in-time recovery window)."
  type        = number
  default     = 14
}

variable "iam_database_authentication" {
  description = "Allow IAM database authentication in addition to the password."
  type        = bool
  default     = true
}

variable "deletion_protection" {
  description = "Refuse to delete the cluster."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Retention of the PostgreSQL log group."
  type        = number
}
