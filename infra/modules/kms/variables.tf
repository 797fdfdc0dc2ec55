variable "name" {
  description = "Prefix of every resource name of this deployment (e.g. pcs-example)."
  type        = string
}

variable "deletion_window_days" {
  description = "Days a scheduled key deletion can still be cancelled."
  type        = number
  default     = 30
}
