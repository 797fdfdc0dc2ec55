output "state_bucket" {
  description = "Pass as -backend-config=bucket=... (GitHub variable TF_STATE_BUCKET)."
  value       = aws_s3_bucket.state.id
}

output "state_bucket_arn" {
  description = "ARN of the state bucket (variable state_bucket_arn of an environment)."
  value       = aws_s3_bucket.state.arn
}

output "state_kms_key_arn" {
  description = "Pass as -backend-config=kms_key_id=... and as variable state_kms_key_arn."
  value       = aws_kms_key.state.arn
}
