variable "name" {
  description = "Prefix of every resource name of this deployment."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the load balancer."
  type        = string
}

variable "vpc_cidr" {
  description = "CIDR block of the VPC (the targets live inside it)."
  type        = string
}

variable "public_subnet_ids" {
  description = "Public subnets (two zones at least)."
  type        = list(string)
}

variable "certificate_arn" {
  description = "ACM certificate, in the deployment's region, covering the origin domain name."
  type        = string
}

variable "log_bucket_id" {
  description = "Bucket receiving the access logs (prefix alb/)."
  type        = string
}

variable "container_port" {
  description = "Port of the web containers."
  type        = number
  default     = 3000
}

variable "health_check_path" {
  description = "Health check path of the app."
  type        = string
  default     = "/api/v1/health"
}

variable "idle_timeout" {
  description = "Seconds an idle connection (e.g. the UI's websocket) stays open."
  type        = number
  default     = 3600
}

variable "deregistration_delay" {
  description = "Seconds a draining target keeps its in-flight requests (long-polls end within 50 s)."
  type        = number
  default     = 60
}

variable "origin_verify_header_name" {
  description = "Header CloudFront adds to prove a request came through this deployment's distribution."
  type        = string
  default     = "X-Origin-Verify"
}

variable "origin_verify_header_value" {
  description = "Secret value of that header."
  type        = string
  sensitive   = true
}

variable "extra_ingress_cidrs" {
  description = "Networks allowed to reach the load balancer directly, besides CloudFront (normally none; e.g. for debugging with curl, which must still send the origin header)."
  type        = list(string)
  default     = []
}

variable "deletion_protection" {
  description = "Refuse to delete the load balancer."
  type        = bool
  default     = true
}
