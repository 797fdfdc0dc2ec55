variable "name" {
  description = "Prefix of every resource name of this deployment (at most 40 characters here)."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the cache."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets."
  type        = list(string)
}

variable "allowed_security_group_ids" {
  description = "Security groups allowed to connect on 6379."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "Customer-managed key for data at rest, the slow log and the secret."
  type        = string
}

variable "engine_version" {
  description = "Valkey version."
  type        = string
  default     = "8.0"
}

variable "node_type" {
  description = "Cache node type."
  type        = string
}

variable "nodes" {
  description = "Nodes (1 primary + replicas); 2 or more turns on automatic failover and Multi-AZ."
  type        = number
}

variable "snapshot_retention_days" {
  description = "Daily snapshots kept (UI state and queued jobs; the database holds what matters)."
  type        = number
  default     = 1
}

variable "log_retention_days" {
  description = "Retention of the slow-log group."
  type        = number
}
