output "secret_key_arn" {
  description = "ARN of the secret holding PCS_SECRET_KEY."
  value       = aws_secretsmanager_secret.secret_key.arn
}
