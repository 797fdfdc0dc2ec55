output "bucket_id" {
  description = "Name of the files bucket (PCS_S3_BUCKET)."
  value       = aws_s3_bucket.files.id
}

output "bucket_arn" {
  description = "ARN of the files bucket."
  value       = aws_s3_bucket.files.arn
}

output "bucket_metric_filter_id" {
  description = "FilterId dimension of the bucket's request metrics."
  value       = aws_s3_bucket_metric.files.name
}

output "queue_arn" {
  description = "ARN of the S3-event queue."
  value       = aws_sqs_queue.events.arn
}

output "queue_name" {
  description = "Name of the S3-event queue."
  value       = aws_sqs_queue.events.name
}

output "dlq_arn" {
  description = "ARN of the dead-letter queue."
  value       = aws_sqs_queue.dlq.arn
}

output "dlq_name" {
  description = "Name of the dead-letter queue."
  value       = aws_sqs_queue.dlq.name
}
