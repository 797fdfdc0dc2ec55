output "arn" {
  description = "ARN of the load balancer."
  value       = aws_lb.this.arn
}

output "arn_suffix" {
  description = "LoadBalancer dimension of its CloudWatch metrics."
  value       = aws_lb.this.arn_suffix
}

output "dns_name" {
  description = "DNS name of the load balancer (point the origin domain name at it)."
  value       = aws_lb.this.dns_name
}

output "zone_id" {
  description = "Hosted zone of the load balancer (for Route 53 alias records)."
  value       = aws_lb.this.zone_id
}

output "security_group_id" {
  description = "Security group of the load balancer."
  value       = aws_security_group.this.id
}

# ECS refuses to register a service with a target group no listener forwards to yet.
output "web_target_group_arn" {
  description = "Target group of the app."
  value       = aws_lb_target_group.this["web"].arn
  depends_on  = [aws_lb_listener_rule.app]
}

output "web_target_group_arn_suffix" {
  description = "TargetGroup dimension of the app's target group."
  value       = aws_lb_target_group.this["web"].arn_suffix
}

output "longpoll_target_group_arn" {
  description = "Target group of the change feed's long-polls."
  value       = aws_lb_target_group.this["longpoll"].arn
  depends_on  = [aws_lb_listener_rule.longpoll]
}
