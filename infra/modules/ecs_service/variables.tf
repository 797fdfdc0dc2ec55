variable "name" {
  description = "Service, task family, container and log group name (e.g. pcs-example-web)."
  type        = string
}

variable "cluster_arn" {
  description = "ECS cluster."
  type        = string
}

variable "cluster_name" {
  description = "ECS cluster name (for the autoscaling resource id)."
  type        = string
}

variable "image" {
  description = "Container image (ECR URL and tag)."
  type        = string
}

variable "command" {
  description = "Command of the container, e.g. [\"python\", \"-m\", \"pcs_app.cli\", \"web\"]."
  type        = list(string)
}

variable "cpu" {
  description = "Task CPU units (1024 = 1 vCPU)."
  type        = number
}

variable "memory" {
  description = "Task memory in MiB."
  type        = number
}

variable "desired_count" {
  description = "Tasks started with the service (autoscaling takes over afterwards)."
  type        = number
}

variable "min_count" {
  description = "Fewest tasks autoscaling keeps."
  type        = number
}

variable "max_count" {
  description = "Most tasks autoscaling starts."
  type        = number
}

variable "environment" {
  description = "Plain environment variables."
  type        = map(string)
  default     = {}
}

variable "secrets" {
  description = "Environment variables read from Secrets Manager at start: name => secret ARN."
  type        = map(string)
  default     = {}
}

variable "execution_role_arn" {
  description = "Role ECS uses to pull the image, read the secrets and write logs."
  type        = string
}

variable "task_role_arn" {
  description = "Role the application runs as."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the tasks."
  type        = list(string)
}

variable "security_group_ids" {
  description = "Security groups of the tasks."
  type        = list(string)
}

variable "container_port" {
  description = "Port the container listens on; 0 for none."
  type        = number
  default     = 0
}

variable "target_group_arns" {
  description = "Load balancer target groups the tasks register with."
  type        = list(string)
  default     = []
}

variable "health_check_command" {
  description = "Container health check command (empty: none)."
  type        = list(string)
  default     = []
}

variable "health_check_start_period" {
  description = "Seconds after start before failed container health checks count."
  type        = number
  default     = 120
}

variable "health_check_grace_period" {
  description = "Seconds after start before failed load balancer health checks count (web builds its frontend at start)."
  type        = number
  default     = 180
}

variable "readonly_root_filesystem" {
  description = "Mount the root filesystem read-only (/tmp stays writable)."
  type        = bool
  default     = true
}

variable "stop_timeout" {
  description = "Seconds between SIGTERM and SIGKILL."
  type        = number
  default     = 30
}

variable "enable_execute_command" {
  description = "Allow ECS Exec into the tasks."
  type        = bool
  default     = false
}

variable "cpu_target_percent" {
  description = "Average CPU autoscaling aims for."
  type        = number
  default     = 60
}

variable "requests_per_target" {
  description = "Requests per task per minute autoscaling aims for (0: no request-based scaling)."
  type        = number
  default     = 0
}

variable "request_count_resource_label" {
  description = "app/<lb>/<id>/targetgroup/<tg>/<id> for ALBRequestCountPerTarget."
  type        = string
  default     = ""
}

variable "kms_key_arn" {
  description = "Customer-managed key of the log group."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the service's log group."
  type        = number
}
