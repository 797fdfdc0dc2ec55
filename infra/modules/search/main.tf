# OpenSearch domain inside the VPC for PCS_OPENSEARCH_URL. Fine-grained access control with an
# internal master user does the authentication (HTTP basic auth over TLS), so the client needs no
# SigV4 signing; the resource policy only opens the HTTP API, which the security group limits to the
# app's tasks and the Lambda function.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  domain_name = substr(var.name, 0, 28)
  domain_arn  = "arn:${data.aws_partition.current.partition}:es:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:domain/${local.domain_name}"
  multi_az    = var.instance_count > 1
  log_types   = ["INDEX_SLOW_LOGS", "SEARCH_SLOW_LOGS", "ES_APPLICATION_LOGS", "AUDIT_LOGS"]
}

resource "random_password" "master" {
  # Fine-grained access control wants upper, lower, digit and symbol; '-' and '_' need no URL escaping.
  length           = 32
  special          = true
  override_special = "-_"
  min_upper        = 1
  min_lower        = 1
  min_numeric      = 1
  min_special      = 1
}

resource "aws_security_group" "this" {
  name        = "${var.name}-opensearch"
  description = "OpenSearch of ${var.name}: HTTPS from the app's tasks and Lambda only"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "clients" {
  count                        = length(var.allowed_security_group_ids)
  security_group_id            = aws_security_group.this.id
  description                  = "HTTPS from an app security group"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = var.allowed_security_group_ids[count.index]
}

# A VPC domain needs this role once per account; set create_service_linked_role = false if the
# account already has it (the apply then fails with "has been taken in this account").
resource "aws_iam_service_linked_role" "opensearch" {
  count            = var.create_service_linked_role ? 1 : 0
  aws_service_name = "opensearchservice.amazonaws.com"
}

resource "aws_cloudwatch_log_group" "this" {
  for_each          = toset(local.log_types)
  name              = "/aws/opensearch/${local.domain_name}/${lower(each.value)}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

data "aws_iam_policy_document" "logs" {
  statement {
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [for g in aws_cloudwatch_log_group.this : "${g.arn}:*"]
    principals {
      type        = "Service"
      identifiers = ["es.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_cloudwatch_log_resource_policy" "this" {
  policy_name     = "${var.name}-opensearch-logs"
  policy_document = data.aws_iam_policy_document.logs.json
}

data "aws_iam_policy_document" "access" {
  #checkov:skip=CKV_AWS_283: fine-grained access control authenticates every request (internal users, HTTP basic auth over TLS); naming IAM principals here would refuse those unsigned requests. Only the app's security groups reach the domain, inside the VPC
  statement {
    actions   = ["es:ESHttp*"]
    resources = ["${local.domain_arn}/*"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}

resource "aws_opensearch_domain" "this" {
  #checkov:skip=CKV2_AWS_59: the example sizing has no dedicated master nodes (one small data node); add them with more data nodes for production-grade availability
  #checkov:skip=CKV_AWS_318: the example sizing runs one data node without dedicated masters; set opensearch_instance_count >= 2 (zone awareness turns on) and add dedicated masters for production-grade availability
  domain_name     = local.domain_name
  engine_version  = var.engine_version
  access_policies = data.aws_iam_policy_document.access.json

  cluster_config {
    instance_type          = var.instance_type
    instance_count         = var.instance_count
    zone_awareness_enabled = local.multi_az
    dynamic "zone_awareness_config" {
      for_each = local.multi_az ? [1] : []
      content {
        availability_zone_count = 2
      }
    }
  }

  ebs_options {
    ebs_enabled = true
    volume_type = "gp3"
    volume_size = var.volume_gb
  }

  encrypt_at_rest {
    enabled    = true
    kms_key_id = var.kms_key_arn
  }

  node_to_node_encryption {
    enabled = true
  }

  domain_endpoint_options {
    enforce_https       = true
    tls_security_policy = "Policy-Min-TLS-1-2-PFS-2023-10"
  }

  advanced_security_options {
    enabled                        = true
    anonymous_auth_enabled         = false
    internal_user_database_enabled = true
    master_user_options {
      master_user_name     = var.master_username
      master_user_password = random_password.master.result
    }
  }

  vpc_options {
    subnet_ids         = slice(var.subnet_ids, 0, local.multi_az ? 2 : 1)
    security_group_ids = [aws_security_group.this.id]
  }

  software_update_options {
    auto_software_update_enabled = true
  }

  log_publishing_options {
    log_type                 = "INDEX_SLOW_LOGS"
    cloudwatch_log_group_arn = aws_cloudwatch_log_group.this["INDEX_SLOW_LOGS"].arn
    enabled                  = true
  }
  log_publishing_options {
    log_type                 = "SEARCH_SLOW_LOGS"
    cloudwatch_log_group_arn = aws_cloudwatch_log_group.this["SEARCH_SLOW_LOGS"].arn
    enabled                  = true
  }
  log_publishing_options {
    log_type                 = "ES_APPLICATION_LOGS"
    cloudwatch_log_group_arn = aws_cloudwatch_log_group.this["ES_APPLICATION_LOGS"].arn
    enabled                  = true
  }
  log_publishing_options {
    log_type                 = "AUDIT_LOGS"
    cloudwatch_log_group_arn = aws_cloudwatch_log_group.this["AUDIT_LOGS"].arn
    enabled                  = true
  }

  depends_on = [aws_iam_service_linked_role.opensearch, aws_cloudwatch_log_resource_policy.this]
}

resource "aws_secretsmanager_secret" "url" {
  #checkov:skip=CKV2_AWS_57: the master password is Terraform-managed (rotate with terraform apply -replace=module.search.random_password.master, then redeploy)
  name                    = "${var.name}/opensearch-url"
  description             = "PCS_OPENSEARCH_URL of ${var.name} (with the master user's credentials)"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "url" {
  secret_id     = aws_secretsmanager_secret.url.id
  secret_string = local.url
}

locals {
  url = "https://${var.master_username}:${random_password.master.result}@${aws_opensearch_domain.this.endpoint}:443"
}
