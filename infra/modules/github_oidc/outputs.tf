output "plan_role_arn" {
  description = "Role for the build and plan jobs (GitHub variable AWS_PLAN_ROLE_ARN)."
  value       = aws_iam_role.plan.arn
}

output "apply_role_arn" {
  description = "Role for the apply job (GitHub variable AWS_APPLY_ROLE_ARN)."
  value       = aws_iam_role.apply.arn
}

output "provider_arn" {
  description = "The GitHub OIDC provider."
  value       = local.provider_arn
}
