variable "name" {
  description = "Repository name."
  type        = string
}

variable "kms_key_arn" {
  description = "Customer-managed key encrypting the images."
  type        = string
}

variable "keep_images" {
  description = "Images kept for rollbacks."
  type        = number
  default     = 15
}
