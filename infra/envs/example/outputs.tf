output "public_url" {
  description = "Where users open PCS."
  value       = local.public_url
}

output "cloudfront_domain_name" {
  description = "CloudFront domain: point domain_name at it (CNAME or alias)."
  value       = module.cdn.domain_name
}

output "cloudfront_distribution_id" {
  description = "Distribution id (for cache invalidations)."
  value       = module.cdn.distribution_id
}

output "alb_dns_name" {
  description = "Load balancer DNS name: point origin_domain_name at it (CNAME or alias)."
  value       = module.alb.dns_name
}

output "ecr_repository_url" {
  description = "Push images here (tag: the git commit id)."
  value       = module.ecr.repository_url
}

output "cognito_user_pool_id" {
  description = "PCS_COGNITO_USER_POOL_ID."
  value       = module.auth.user_pool_id
}

output "cognito_client_id" {
  description = "PCS_COGNITO_CLIENT_ID."
  value       = module.auth.client_id
}

output "cognito_issuer" {
  description = "Issuer of the pool's tokens."
  value       = module.auth.issuer
}

output "files_bucket" {
  description = "PCS_S3_BUCKET."
  value       = module.storage.bucket_id
}

output "ecs_cluster" {
  description = "ECS cluster (for ECS Exec: create-admin)."
  value       = module.ecs_cluster.cluster_name
}

output "web_service" {
  description = "ECS service running web."
  value       = module.web.service_name
}

output "jobs_lambda" {
  description = "Lambda function running the jobs."
  value       = module.jobs_lambda.function_name
}

output "dashboard_url" {
  description = "CloudWatch dashboard."
  value       = "https://${var.region}.console.aws.amazon.com/cloudwatch/home?region=${var.region}#dashboards/dashboard/${module.monitoring.dashboard_name}"
}

output "alarm_topic_arn" {
  description = "SNS topic of the alarms."
  value       = module.monitoring.alarm_topic_arn
}

output "ses_dns_records" {
  description = "DNS records SES needs (created for you when route53_zone_id is set)."
  value       = module.mail.dns_records
}

output "github_plan_role_arn" {
  description = "GitHub variable AWS_PLAN_ROLE_ARN."
  value       = module.github_oidc.plan_role_arn
}

output "github_apply_role_arn" {
  description = "GitHub variable AWS_APPLY_ROLE_ARN."
  value       = module.github_oidc.apply_role_arn
}
