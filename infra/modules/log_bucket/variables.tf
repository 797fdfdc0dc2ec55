variable "name" {
  description = "Prefix of every resource name of this deployment."
  type        = string
}

variable "retention_days" {
  description = "Days delivered log files are kept."
  type        = number
  default     = 90
}
