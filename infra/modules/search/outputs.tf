output "domain_name" {
  description = "Domain name (DomainName dimension)."
  value       = aws_opensearch_domain.this.domain_name
}

output "domain_arn" {
  description = "ARN of the domain."
  value       = aws_opensearch_domain.this.arn
}

output "endpoint" {
  description = "VPC endpoint of the domain."
  value       = aws_opensearch_domain.this.endpoint
}

output "security_group_id" {
  description = "Security group of the domain."
  value       = aws_security_group.this.id
}

output "url_secret_arn" {
  description = "Secret holding PCS_OPENSEARCH_URL."
  value       = aws_secretsmanager_secret.url.arn
}

output "url" {
  description = "PCS_OPENSEARCH_URL (for the Lambda environment)."
  value       = local.url
  sensitive   = true
}
