output "replication_group_id" {
  description = "Replication group id."
  value       = aws_elasticache_replication_group.this.id
}

output "primary_cluster_id" {
  description = "Cache cluster id of the first node (CacheClusterId dimension)."
  value       = tolist(aws_elasticache_replication_group.this.member_clusters)[0]
}

output "primary_endpoint" {
  description = "Primary endpoint address."
  value       = aws_elasticache_replication_group.this.primary_endpoint_address
}

output "security_group_id" {
  description = "Security group of the cache."
  value       = aws_security_group.this.id
}

output "url_secret_arn" {
  description = "Secret holding the rediss:// URL."
  value       = aws_secretsmanager_secret.url.arn
}

output "url" {
  description = "The rediss:// URL (for the Lambda environment)."
  value       = local.url
  sensitive   = true
}
