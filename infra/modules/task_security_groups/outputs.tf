output "web_security_group_id" {
  description = "Security group of the web tasks."
  value       = aws_security_group.this["web"].id
}

output "worker_security_group_id" {
  description = "Security group of the worker tasks."
  value       = aws_security_group.this["worker"].id
}

output "lambda_security_group_id" {
  description = "Security group of the job Lambda function."
  value       = aws_security_group.this["lambda"].id
}
