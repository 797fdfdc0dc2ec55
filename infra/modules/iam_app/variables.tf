variable "name" {
  description = "Prefix of every resource name of this deployment."
  type        = string
}

variable "kms_key_arn" {
  description = "The deployment's customer-managed key."
  type        = string
}

variable "ecr_repository_arn" {
  description = "Repository the tasks' image comes from."
  type        = string
}

variable "log_group_prefix" {
  description = "Name prefix of the tasks' log groups (e.g. /ecs/pcs-example-)."
  type        = string
}

variable "secret_arns" {
  description = "Secrets injected into the tasks' environment."
  type        = list(string)
}

variable "bucket_arn" {
  description = "The files bucket."
  type        = string
}

variable "user_pool_arn" {
  description = "The Cognito user pool."
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
  description = "The only From address the app may send as (PCS_MAIL_FROM)."
  type        = string
}

variable "opensearch_domain_arn" {
  description = "The OpenSearch domain."
  type        = string
}

variable "enable_execute_command" {
  description = "Grant what ECS Exec needs."
  type        = bool
  default     = false
}

variable "exec_log_group_arn" {
  description = "Log group of ECS Exec sessions."
  type        = string
}
