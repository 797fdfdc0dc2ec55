variable "region" {
  description = "Region of the state bucket (normally the deployments' region)."
  type        = string
  default     = "us-east-1"
}
