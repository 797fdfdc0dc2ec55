variable "name" {
  description = "Prefix of every resource name of this deployment (the roles may only manage IAM roles with it)."
  type        = string
}

variable "github_repository" {
  description = "owner/name of the GitHub repository allowed to deploy."
  type        = string
}

variable "branch" {
  description = "Branch whose workflow runs may plan and push images."
  type        = string
  default     = "main"
}

variable "environment_name" {
  description = "GitHub environment (with required reviewers) whose jobs may apply."
  type        = string
  default     = "production"
}

variable "create_provider" {
  description = "Create the account's GitHub OIDC provider (false when it already exists)."
  type        = bool
  default     = true
}

variable "existing_provider_arn" {
  description = "ARN of an existing GitHub OIDC provider when create_provider is false."
  type        = string
  default     = ""
}

variable "state_bucket_arn" {
  description = "Bucket holding the Terraform state."
  type        = string
}

variable "state_key_prefix" {
  description = "Key prefix of this deployment's state in that bucket."
  type        = string
}

variable "state_kms_key_arn" {
  description = "KMS key of the state bucket."
  type        = string
}

variable "app_kms_key_arn" {
  description = "The deployment's customer-managed key (secrets, ECR)."
  type        = string
}

variable "ecr_repository_arn" {
  description = "Repository the image is pushed to."
  type        = string
}

variable "files_bucket_arn" {
  description = "Bucket of users' files, which neither role may read."
  type        = string
}
