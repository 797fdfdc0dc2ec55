# Security groups of the compute: web tasks (reached by the load balancer only), worker tasks and the
# Lambda function (reached by nothing). All three may talk to the data stores inside the VPC and to
# AWS APIs over HTTPS (S3 through the gateway endpoint, the rest through NAT).

locals {
  groups = {
    web    = "web tasks of ${var.name}: port ${var.container_port} from the load balancer"
    worker = "worker tasks of ${var.name}: no inbound traffic"
    lambda = "job Lambda of ${var.name}: no inbound traffic"
  }
  # (group, port, what) for egress inside the VPC.
  vpc_egress = flatten([
    for g in keys(local.groups) : [
      { group = g, port = 5432, what = "Aurora PostgreSQL" },
      { group = g, port = 6379, what = "Valkey" },
      { group = g, port = 443, what = "OpenSearch" },
    ]
  ])
}

resource "aws_security_group" "this" {
  #checkov:skip=CKV2_AWS_5: attached to the ECS services and the Lambda function through module outputs (envs/*/services.tf), which checkov's graph does not follow across modules
  for_each    = local.groups
  name        = "${var.name}-${each.key}"
  description = each.value
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "web_from_alb" {
  security_group_id            = aws_security_group.this["web"].id
  description                  = "App port from the load balancer"
  ip_protocol                  = "tcp"
  from_port                    = var.container_port
  to_port                      = var.container_port
  referenced_security_group_id = var.alb_security_group_id
}

resource "aws_vpc_security_group_egress_rule" "https" {
  for_each          = local.groups
  security_group_id = aws_security_group.this[each.key].id
  description       = "HTTPS to AWS APIs (S3 endpoint, ECR, Secrets Manager, Cognito, SES, CloudWatch)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "vpc" {
  for_each          = { for e in local.vpc_egress : "${e.group}-${e.port}" => e }
  security_group_id = aws_security_group.this[each.value.group].id
  description       = "${each.value.what} inside the VPC"
  ip_protocol       = "tcp"
  from_port         = each.value.port
  to_port           = each.value.port
  cidr_ipv4         = var.vpc_cidr
}
