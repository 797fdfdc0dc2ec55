output "service_name" {
  description = "Service name (ServiceName dimension)."
  value       = aws_ecs_service.this.name
}

output "task_definition_arn" {
  description = "Current task definition."
  value       = aws_ecs_task_definition.this.arn
}

output "log_group_name" {
  description = "Log group of the service."
  value       = aws_cloudwatch_log_group.this.name
}

output "log_group_arn" {
  description = "ARN of the service's log group."
  value       = aws_cloudwatch_log_group.this.arn
}
