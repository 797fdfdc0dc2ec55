# --- identity and addresses ------------------------------------------------------------------------

variable "name" {
  description = "Prefix of every resource name (lowercase letters, digits and '-'; at most 20 characters)."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,19}$", var.name))
    error_message = "name must be 2-20 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "region" {
  description = "AWS region of the deployment."
  type        = string
}

variable "image_tag" {
  description = "Tag of the image in ECR to run (the deploy workflow passes the git commit id)."
  type        = string
}

variable "domain_name" {
  description = "Host name users open (PCS_PUBLIC_URL is https://<this>)."
  type        = string
}

variable "origin_domain_name" {
  description = "Host name of the load balancer, covered by alb_certificate_arn (CloudFront connects to it over TLS)."
  type        = string
}

variable "cloudfront_certificate_arn" {
  description = "ACM certificate in us-east-1 for domain_name."
  type        = string
}

variable "alb_certificate_arn" {
  description = "ACM certificate in the deployment's region for origin_domain_name."
  type        = string
}

variable "route53_zone_id" {
  description = "Route 53 zone to create the DNS records in; empty: create them yourself (see outputs)."
  type        = string
  default     = ""
}

variable "extra_allowed_origins" {
  description = "Origins besides the public URL allowed to call the API from a browser (PCS_ALLOWED_ORIGINS)."
  type        = list(string)
  default     = []
}

variable "mail_domain" {
  description = "Domain mail is sent from (verified in SES with DKIM)."
  type        = string
}

variable "mail_from" {
  description = "From address of the app's mail (PCS_MAIL_FROM), at mail_domain."
  type        = string
}

variable "cognito_mail_via_ses" {
  description = "Send Cognito's verification mails through SES (set after the SES identity is verified)."
  type        = bool
  default     = false
}

variable "signup_open" {
  description = "Whether people may create accounts themselves."
  type        = bool
  default     = true
}

variable "alarm_emails" {
  description = "Addresses notified of alarms."
  type        = list(string)
  default     = []
}

# --- deployment pipeline -------------------------------------------------------------------------------

variable "github_repository" {
  description = "owner/name of the GitHub repository that deploys."
  type        = string
}

variable "github_environment" {
  description = "GitHub environment (with required reviewers) allowed to apply."
  type        = string
  default     = "production"
}

variable "create_github_oidc_provider" {
  description = "Create the account's GitHub OIDC provider (false if the account has one)."
  type        = bool
  default     = true
}

variable "state_bucket_arn" {
  description = "State bucket made by infra/bootstrap."
  type        = string
}

variable "state_kms_key_arn" {
  description = "KMS key of the state bucket."
  type        = string
}

# --- switches ----------------------------------------------------------------------------------------

variable "deletion_protection" {
  description = "Protect the load balancer, Aurora and Cognito from deletion."
  type        = bool
  default     = true
}

variable "enable_execute_command" {
  description = "Allow ECS Exec into the tasks (used to create the first administrator)."
  type        = bool
  default     = true
}

variable "create_opensearch_service_linked_role" {
  description = "Create the OpenSearch service-linked role (false if the account has it)."
  type        = bool
  default     = true
}

variable "waf_rate_limit" {
  description = "Requests per client address per 5 minutes before it is blocked."
  type        = number
  default     = 3000
}

variable "log_retention_days" {
  description = "Retention of every CloudWatch log group."
  type        = number
  default     = 365
}

# --- sizing (pcs_app/services/costs.py's Sizing mirrors these; a test keeps them equal) -------------

variable "availability_zones" {
  description = "Availability zones used, by name (2 or 3)."
  type        = list(string)
}

variable "nat_gateways" {
  description = "NAT gateways (1, or one per zone for zone-outage tolerance)."
  type        = number
  default     = 1
}

variable "web_cpu" {
  description = "CPU units of a web task (1024 = 1 vCPU)."
  type        = number
}

variable "web_memory" {
  description = "Memory of a web task, MiB."
  type        = number
}

variable "web_desired_count" {
  description = "Web tasks started with the service."
  type        = number
}

variable "web_min_count" {
  description = "Fewest web tasks."
  type        = number
}

variable "web_max_count" {
  description = "Most web tasks."
  type        = number
}

variable "web_requests_per_target" {
  description = "Requests per web task per minute that autoscaling aims for."
  type        = number
  default     = 1000
}

variable "worker_cpu" {
  description = "CPU units of a worker task."
  type        = number
}

variable "worker_memory" {
  description = "Memory of a worker task, MiB."
  type        = number
}

variable "worker_desired_count" {
  description = "Worker tasks started with the service."
  type        = number
}

variable "worker_min_count" {
  description = "Fewest worker tasks."
  type        = number
}

variable "worker_max_count" {
  description = "Most worker tasks."
  type        = number
}

variable "aurora_min_acu" {
  description = "Aurora Serverless v2 minimum ACUs."
  type        = number
}

variable "aurora_max_acu" {
  description = "Aurora Serverless v2 maximum ACUs."
  type        = number
}

variable "aurora_instances" {
  description = "Aurora Serverless v2 instances (1 writer + readers)."
  type        = number
}

variable "opensearch_instance_type" {
  description = "OpenSearch data node type."
  type        = string
}

variable "opensearch_instance_count" {
  description = "OpenSearch data nodes."
  type        = number
}

variable "opensearch_volume_gb" {
  description = "gp3 storage per OpenSearch node, GB."
  type        = number
}

variable "cache_node_type" {
  description = "ElastiCache node type."
  type        = string
}

variable "cache_nodes" {
  description = "ElastiCache nodes (2+ for automatic failover)."
  type        = number
}

variable "lambda_memory_mb" {
  description = "Memory of the job Lambda function, MB."
  type        = number
}
