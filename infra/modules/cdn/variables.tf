variable "name" {
  description = "Prefix of every resource name of this deployment."
  type        = string
}

variable "domain_names" {
  description = "Public host names of the app (the distribution's aliases)."
  type        = list(string)
}

variable "certificate_arn" {
  description = "ACM certificate in us-east-1 covering the public host names."
  type        = string
}

variable "origin_domain_name" {
  description = "Host name of the load balancer that its certificate covers (CloudFront checks it)."
  type        = string
}

variable "origin_verify_header_name" {
  description = "Header added to every origin request to prove it came through this distribution."
  type        = string
  default     = "X-Origin-Verify"
}

variable "origin_verify_header_value" {
  description = "Secret value of that header."
  type        = string
  sensitive   = true
}

variable "origin_read_timeout" {
  description = "Seconds CloudFront waits for the origin (60 without a quota increase; keep PCS_LONGPOLL_MAX_SECONDS below it)."
  type        = number
  default     = 60
}

variable "price_class" {
  description = "Edge locations used (PriceClass_100: North America and Europe)."
  type        = string
  default     = "PriceClass_100"
}

variable "log_bucket_domain_name" {
  description = "Bucket (domain name form) receiving the standard logs."
  type        = string
}

variable "waf_rate_limit" {
  description = "Requests per client address per 5 minutes before the address is blocked for a while."
  type        = number
  default     = 3000
}

variable "create_waf_log_key" {
  description = "Create a KMS key in us-east-1 for the WAF log group (when the deployment is elsewhere)."
  type        = bool
  default     = false
}

variable "waf_log_kms_key_arn" {
  description = "KMS key in us-east-1 encrypting the WAF log group (ignored when create_waf_log_key)."
  type        = string
  default     = ""
}

variable "log_retention_days" {
  description = "Retention of the WAF log group."
  type        = number
}
