output "bucket_id" {
  description = "Name of the log bucket."
  value       = aws_s3_bucket.this.id
  # Services check they may write before they start delivering: hand the bucket out once it allows it.
  depends_on = [aws_s3_bucket_policy.this, aws_s3_bucket_ownership_controls.this]
}

output "bucket_arn" {
  description = "ARN of the log bucket."
  value       = aws_s3_bucket.this.arn
  depends_on  = [aws_s3_bucket_policy.this, aws_s3_bucket_ownership_controls.this]
}

output "bucket_domain_name" {
  description = "Domain name of the log bucket (CloudFront standard logging wants this form)."
  value       = aws_s3_bucket.this.bucket_domain_name
  depends_on  = [aws_s3_bucket_policy.this, aws_s3_bucket_ownership_controls.this]
}
