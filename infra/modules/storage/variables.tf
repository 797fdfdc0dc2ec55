variable "name" {
  description = "Prefix of every resource name of this deployment."
  type        = string
}

variable "bucket_name" {
  description = "Name of the files bucket (PCS_S3_BUCKET); empty: <name>-files-<account id>."
  type        = string
  default     = ""
}

variable "kms_key_arn" {
  description = "Customer-managed key for the bucket and the queues."
  type        = string
}

variable "log_bucket_id" {
  description = "Bucket receiving the S3 server access logs."
  type        = string
}

variable "cors_allowed_origins" {
  description = "Origins allowed to PUT parts to presigned URLs (the app's public URL)."
  type        = list(string)
}

variable "abort_incomplete_multipart_days" {
  description = "Days after which unfinished multipart uploads are aborted (keep above PCS_UPLOAD_SESSION_TTL_SECONDS)."
  type        = number
  default     = 2
}

variable "noncurrent_version_days" {
  description = "Days a deleted or overwritten object's old version is kept."
  type        = number
  default     = 30
}

variable "visibility_timeout_seconds" {
  description = "SQS visibility timeout: at least 6 times the Lambda timeout, as AWS recommends."
  type        = number
  default     = 720
}

variable "max_receive_count" {
  description = "Deliveries of one S3 event before it moves to the DLQ (the thumbnails job allows 5 retries)."
  type        = number
  default     = 6
}
