output "cluster_id" {
  description = "Cluster identifier (DBClusterIdentifier dimension)."
  value       = aws_rds_cluster.this.cluster_identifier
}

output "cluster_arn" {
  description = "ARN of the cluster."
  value       = aws_rds_cluster.this.arn
}

output "endpoint" {
  description = "Writer endpoint."
  value       = aws_rds_cluster.this.endpoint
}

output "security_group_id" {
  description = "Security group of the cluster."
  value       = aws_security_group.this.id
}

output "database_url_secret_arn" {
  description = "Secret holding PCS_DATABASE_URL."
  value       = aws_secretsmanager_secret.database_url.arn
}

output "master_secret_arn" {
  description = "Secret holding the master credentials."
  value       = aws_secretsmanager_secret.master.arn
}

output "database_url" {
  description = "PCS_DATABASE_URL (for the Lambda environment, which cannot reference secrets)."
  value       = local.database_url
  sensitive   = true
}
