variable "name" {
  description = "Prefix of every resource name of this deployment."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the groups."
  type        = string
}

variable "vpc_cidr" {
  description = "CIDR block of the VPC (data stores live inside it)."
  type        = string
}

variable "alb_security_group_id" {
  description = "Security group of the load balancer."
  type        = string
}

variable "container_port" {
  description = "Port the web container listens on (PCS_PORT)."
  type        = number
  default     = 3000
}
