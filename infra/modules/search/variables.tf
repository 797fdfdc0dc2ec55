variable "name" {
  description = "Prefix of every resource name of this deployment (the domain name is its first 28 characters)."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the domain."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets; one is used for a single node, two with zone awareness."
  type        = list(string)
}

variable "allowed_security_group_ids" {
  description = "Security groups allowed to reach the domain on 443."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "Customer-managed key for encryption at rest, logs and the secret."
  type        = string
}

variable "engine_version" {
  description = "OpenSearch version."
  type        = string
  default     = "OpenSearch_2.17"
}

variable "instance_type" {
  description = "Data node instance type."
  type        = string
}

variable "instance_count" {
  description = "Data nodes (2 or more turns zone awareness on)."
  type        = number
}

variable "volume_gb" {
  description = "gp3 volume per data node, in GB."
  type        = number
}

variable "master_username" {
  description = "Internal master user of fine-grained access control (the app signs in as it)."
  type        = string
  default     = "pcs"
}

variable "create_service_linked_role" {
  description = "Create the OpenSearch service-linked role (false when the account already has it)."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Retention of the domain's log groups."
  type        = number
}
