variable "name" {
  description = "Prefix of every resource name of this deployment."
  type        = string
}

variable "kms_key_arn" {
  description = "Customer-managed key encrypting the alarm topic."
  type        = string
}

variable "alarm_emails" {
  description = "Addresses subscribed to the alarm topic."
  type        = list(string)
  default     = []
}

variable "alb_arn_suffix" {
  description = "LoadBalancer dimension."
  type        = string
}

variable "web_target_group_arn_suffix" {
  description = "TargetGroup dimension of the app's target group."
  type        = string
}

variable "cluster_name" {
  description = "ECS cluster name."
  type        = string
}

variable "web_service_name" {
  description = "ECS service running web."
  type        = string
}

variable "worker_service_name" {
  description = "ECS service running worker."
  type        = string
}

variable "worker_log_group_name" {
  description = "Log group of the worker (for the failed-jobs metric filter)."
  type        = string
}

variable "queue_name" {
  description = "The S3-event queue."
  type        = string
}

variable "dlq_name" {
  description = "Its dead-letter queue."
  type        = string
}

variable "lambda_function_name" {
  description = "The job Lambda function."
  type        = string
}

variable "bucket_name" {
  description = "The files bucket."
  type        = string
}

variable "bucket_metric_filter_id" {
  description = "FilterId of the bucket's request metrics."
  type        = string
}

variable "db_cluster_id" {
  description = "Aurora cluster identifier."
  type        = string
}

variable "opensearch_domain_name" {
  description = "OpenSearch domain name."
  type        = string
}

variable "cache_cluster_id" {
  description = "ElastiCache node (CacheClusterId) to chart."
  type        = string
}

variable "http_5xx_percent" {
  description = "Alarm when more than this share of requests fail with 5xx."
  type        = number
  default     = 5
}

variable "p95_latency_seconds" {
  description = "Alarm when the app's p95 response time exceeds this."
  type        = number
  default     = 2
}

variable "queue_depth_threshold" {
  description = "Alarm when more S3 events than this wait."
  type        = number
  default     = 500
}

variable "queue_age_seconds" {
  description = "Alarm when the oldest S3 event is older than this (redeliveries wait the 720 s visibility timeout)."
  type        = number
  default     = 1800
}

variable "s3_4xx_threshold" {
  description = "Alarm when S3 answers more 4xx than this in 5 minutes."
  type        = number
  default     = 100
}
