output "execution_role_arn" {
  description = "Task execution role."
  value       = aws_iam_role.execution.arn
}

output "web_task_role_arn" {
  description = "Role of the web tasks."
  value       = aws_iam_role.web.arn
}

output "worker_task_role_arn" {
  description = "Role of the worker tasks."
  value       = aws_iam_role.worker.arn
}
