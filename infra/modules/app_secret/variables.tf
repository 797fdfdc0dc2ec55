variable "name" {
  description = "Prefix of every resource name of this deployment."
  type        = string
}

variable "kms_key_arn" {
  description = "Customer-managed key encrypting the secret."
  type        = string
}
