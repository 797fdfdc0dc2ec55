# Application Load Balancer: the CloudFront origin. Only CloudFront's origin-facing addresses may
# connect (managed prefix list), and only requests carrying the secret header CloudFront adds are
# forwarded: anyone else's distribution gets a 403. The long idle timeout keeps the Reflex websocket
# (/_event) open between events. The change feed's long-polls get their own target group, so the
# latency alarm on the main one is not skewed by requests that wait on purpose.

data "aws_ec2_managed_prefix_list" "cloudfront" {
  name = "com.amazonaws.global.cloudfront.origin-facing"
}

resource "aws_security_group" "this" {
  name        = "${var.name}-alb"
  description = "Load balancer of ${var.name}: HTTPS from CloudFront only"
  vpc_id      = var.vpc_id
}

# One rule: the prefix list counts as ~55 entries against the 60-rules-per-group quota.
resource "aws_vpc_security_group_ingress_rule" "cloudfront" {
  security_group_id = aws_security_group.this.id
  description       = "HTTPS from CloudFront origin-facing addresses"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  prefix_list_id    = data.aws_ec2_managed_prefix_list.cloudfront.id
}

# Networks allowed to reach the load balancer directly (normally none): 80 (redirected) and 443.
resource "aws_vpc_security_group_ingress_rule" "extra" {
  count             = length(var.extra_ingress_cidrs) * 2
  security_group_id = aws_security_group.this.id
  description       = "HTTP/HTTPS from an extra allowed network"
  ip_protocol       = "tcp"
  from_port         = [80, 443][count.index % 2]
  to_port           = [80, 443][count.index % 2]
  cidr_ipv4         = var.extra_ingress_cidrs[floor(count.index / 2)]
}

resource "aws_vpc_security_group_egress_rule" "targets" {
  security_group_id = aws_security_group.this.id
  description       = "App port of the tasks"
  ip_protocol       = "tcp"
  from_port         = var.container_port
  to_port           = var.container_port
  cidr_ipv4         = var.vpc_cidr
}

resource "aws_lb" "this" {
  #checkov:skip=CKV2_AWS_28: the web ACL sits on the CloudFront distribution; this ALB only accepts CloudFront's addresses carrying the origin secret
  name                       = substr(var.name, 0, 32)
  internal                   = false
  load_balancer_type         = "application"
  security_groups            = [aws_security_group.this.id]
  subnets                    = var.public_subnet_ids
  idle_timeout               = var.idle_timeout
  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection
  enable_http2               = true

  access_logs {
    bucket  = var.log_bucket_id
    prefix  = "alb"
    enabled = true
  }
}

locals {
  target_groups = {
    web      = "${substr(var.name, 0, 24)}-web"
    longpoll = "${substr(var.name, 0, 24)}-poll"
  }
}

resource "aws_lb_target_group" "this" {
  #checkov:skip=CKV_AWS_378: TLS ends at the load balancer; the hop to the task stays inside the VPC's private subnets
  for_each             = local.target_groups
  name                 = each.value
  target_type          = "ip"
  protocol             = "HTTP"
  protocol_version     = "HTTP1"
  port                 = var.container_port
  vpc_id               = var.vpc_id
  deregistration_delay = var.deregistration_delay

  health_check {
    path                = var.health_check_path
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn

  default_action {
    type = "fixed-response"
    fixed_response {
      content_type = "text/plain"
      message_body = "Forbidden"
      status_code  = "403"
    }
  }
}

resource "aws_lb_listener_rule" "longpoll" {
  listener_arn = aws_lb_listener.https.arn
  priority     = 10
  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this["longpoll"].arn
  }
  condition {
    http_header {
      http_header_name = var.origin_verify_header_name
      values           = [var.origin_verify_header_value]
    }
  }
  condition {
    path_pattern {
      values = ["/api/v1/changes", "/api/v1/changes/*"]
    }
  }
}

resource "aws_lb_listener_rule" "app" {
  listener_arn = aws_lb_listener.https.arn
  priority     = 20
  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this["web"].arn
  }
  condition {
    http_header {
      http_header_name = var.origin_verify_header_name
      values           = [var.origin_verify_header_value]
    }
  }
}

# Viewers are redirected to HTTPS by CloudFront; this listener does the same for the extra networks.
resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"
    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}
