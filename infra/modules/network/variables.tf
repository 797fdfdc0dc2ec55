variable "name" {
  description = "Prefix of every resource name of this deployment."
  type        = string
}

variable "cidr" {
  description = "CIDR block of the VPC (a /16 leaves room for /24 public and /20 private subnets)."
  type        = string
  default     = "10.40.0.0/16"
}

variable "availability_zones" {
  description = "Availability zones used, by name (2 or 3, e.g. [\"us-east-1a\", \"us-east-1b\"])."
  type        = list(string)
  validation {
    condition     = length(var.availability_zones) >= 2 && length(var.availability_zones) <= 3
    error_message = "Name 2 or 3 availability zones (the load balancer and Aurora need two)."
  }
}

variable "nat_gateways" {
  description = "NAT gateways: 1 (cheaper) or one per availability zone (survives a zone outage)."
  type        = number
  default     = 1
  validation {
    condition     = var.nat_gateways >= 1 && var.nat_gateways <= 3
    error_message = "nat_gateways must be between 1 and 3."
  }
}

variable "flow_logs_bucket_arn" {
  description = "ARN of the log bucket that receives the VPC flow logs."
  type        = string
}
