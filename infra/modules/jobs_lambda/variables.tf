variable "name" {
  description = "Prefix of every resource name of this deployment (the function is <name>-jobs)."
  type        = string
}

variable "image_uri" {
  description = "Container image (ECR URL and tag)."
  type        = string
}

variable "environment" {
  description = "Environment of the function (PCS_* settings)."
  type        = map(string)
  sensitive   = true
}

variable "subnet_ids" {
  description = "Private subnets."
  type        = list(string)
}

variable "security_group_ids" {
  description = "Security groups of the function."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "Customer-managed key (environment, logs, bucket, queues)."
  type        = string
}

variable "queue_arn" {
  description = "The S3-event queue."
  type        = string
}

variable "dlq_arn" {
  description = "The dead-letter queue."
  type        = string
}

variable "bucket_arn" {
  description = "The files bucket."
  type        = string
}

variable "ses_identity_arn" {
  description = "SES identity mail is sent from."
  type        = string
}

variable "ses_configuration_set_arn" {
  description = "SES configuration set mail is sent with."
  type        = string
}

variable "mail_from_address" {
  description = "The only From address the function may send as."
  type        = string
}

variable "memory_mb" {
  description = "Memory of the function (CPU grows with it)."
  type        = number
}

variable "timeout_seconds" {
  description = "Longest run of one batch (the queue's visibility timeout must be 6 times this)."
  type        = number
  default     = 120
}

variable "ephemeral_storage_mb" {
  description = "Size of /tmp."
  type        = number
  default     = 4096
}

variable "reserved_concurrency" {
  description = "Concurrency reserved for (and capping) the function."
  type        = number
  default     = 10
}

variable "max_concurrency" {
  description = "Most concurrent invocations the queue starts (at least 2)."
  type        = number
  default     = 5
}

variable "batch_size" {
  description = "Messages per invocation (1: one thumbnail per run, so one slow file cannot push a batch past the timeout)."
  type        = number
  default     = 1
}

variable "log_retention_days" {
  description = "Retention of the function's log group."
  type        = number
}
