# ElastiCache (Valkey, Redis-compatible) for PCS_REDIS_URL (change broker, huey job queue) and
# REFLEX_REDIS_URL (Reflex's state manager, so any web task can serve any user's websocket).

resource "random_password" "auth_token" {
  # ElastiCache auth tokens: 16-128 printable characters without '@', '"' or '/'; letters and digits
  # also need no escaping inside the rediss:// URL.
  length  = 64
  special = false
}

resource "aws_elasticache_subnet_group" "this" {
  name       = var.name
  subnet_ids = var.subnet_ids
}

resource "aws_security_group" "this" {
  name        = "${var.name}-valkey"
  description = "Valkey of ${var.name}: reachable from the app's tasks and Lambda only"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "clients" {
  count                        = length(var.allowed_security_group_ids)
  security_group_id            = aws_security_group.this.id
  description                  = "Valkey (TLS) from an app security group"
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  referenced_security_group_id = var.allowed_security_group_ids[count.index]
}

# Reflex's Redis state manager waits for lock releases through keyspace notifications and tries to
# switch them on with CONFIG SET, which ElastiCache refuses: they are set here instead, and the tasks
# get REFLEX_IGNORE_REDIS_CONFIG_ERROR=true.
resource "aws_elasticache_parameter_group" "this" {
  name        = "${var.name}-valkey8"
  family      = "valkey8"
  description = "PCS: keyspace notifications for Reflex's state locks"

  parameter {
    name  = "notify-keyspace-events"
    value = "K$sgxe"
  }
}

resource "aws_cloudwatch_log_group" "slow" {
  name              = "/aws/elasticache/${var.name}/slow-log"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_elasticache_replication_group" "this" {
  #checkov:skip=CKV2_AWS_50: failover and Multi-AZ turn on with cache_nodes >= 2; the example runs one node because the cache holds only UI state, the broker and queued jobs, which the app rebuilds
  replication_group_id       = var.name
  description                = "PCS ${var.name}: broker, job queue and UI state"
  engine                     = "valkey"
  engine_version             = var.engine_version
  node_type                  = var.node_type
  num_cache_clusters         = var.nodes
  port                       = 6379
  parameter_group_name       = aws_elasticache_parameter_group.this.name
  subnet_group_name          = aws_elasticache_subnet_group.this.name
  security_group_ids         = [aws_security_group.this.id]
  at_rest_encryption_enabled = true
  kms_key_id                 = var.kms_key_arn
  transit_encryption_enabled = true
  transit_encryption_mode    = "required"
  auth_token                 = random_password.auth_token.result
  automatic_failover_enabled = var.nodes > 1
  multi_az_enabled           = var.nodes > 1
  snapshot_retention_limit   = var.snapshot_retention_days
  snapshot_window            = "02:00-03:00"
  maintenance_window         = "sun:05:30-sun:06:30"
  auto_minor_version_upgrade = true
  apply_immediately          = false

  log_delivery_configuration {
    destination      = aws_cloudwatch_log_group.slow.name
    destination_type = "cloudwatch-logs"
    log_format       = "json"
    log_type         = "slow-log"
  }
}

resource "aws_secretsmanager_secret" "url" {
  #checkov:skip=CKV2_AWS_57: the auth token is Terraform-managed (rotate with terraform apply -replace=module.cache.random_password.auth_token, then redeploy)
  name                    = "${var.name}/redis-url"
  description             = "PCS_REDIS_URL and REFLEX_REDIS_URL of ${var.name}"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "url" {
  secret_id     = aws_secretsmanager_secret.url.id
  secret_string = local.url
}

locals {
  url = "rediss://:${random_password.auth_token.result}@${aws_elasticache_replication_group.this.primary_endpoint_address}:6379/0"
}
