variable "name" {
  description = "Cluster name."
  type        = string
}

variable "kms_key_arn" {
  description = "Customer-managed key for ECS Exec sessions and their log group."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the ECS Exec log group."
  type        = number
}
