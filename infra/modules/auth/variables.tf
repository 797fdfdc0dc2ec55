variable "name" {
  description = "Prefix of every resource name of this deployment."
  type        = string
}

variable "signup_open" {
  description = "Whether people may sign themselves up (false: administrators create accounts)."
  type        = bool
  default     = true
}

variable "password_min_length" {
  description = "Shortest accepted password."
  type        = number
  default     = 12
}

variable "ses_identity_arn" {
  description = "Verified SES identity to send Cognito's mails from; empty: Cognito's own (rate-limited) mailer."
  type        = string
  default     = ""
}

variable "from_email" {
  description = "From address of Cognito's mails when SES is used."
  type        = string
  default     = ""
}

variable "deletion_protection" {
  description = "Refuse to delete the user pool."
  type        = bool
  default     = true
}
