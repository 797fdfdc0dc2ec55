# The processes of the Procfile on AWS: `web` and `worker` as Fargate services (same image,
# different command), and the job functions as a Lambda fed by S3 events. `s3` has no counterpart:
# Amazon S3 replaces the embedded SeaweedFS.

module "web" {
  source                       = "../../modules/ecs_service"
  name                         = "${var.name}-web"
  cluster_arn                  = module.ecs_cluster.cluster_arn
  cluster_name                 = module.ecs_cluster.cluster_name
  image                        = local.image
  command                      = ["python", "-m", "pcs_app.cli", "web"]
  cpu                          = var.web_cpu
  memory                       = var.web_memory
  desired_count                = var.web_desired_count
  min_count                    = var.web_min_count
  max_count                    = var.web_max_count
  environment                  = local.web_environment
  secrets                      = local.web_secrets
  execution_role_arn           = module.iam_app.execution_role_arn
  task_role_arn                = module.iam_app.web_task_role_arn
  subnet_ids                   = module.network.private_subnet_ids
  security_group_ids           = [module.task_security_groups.web_security_group_id]
  container_port               = local.container_port
  target_group_arns            = [module.alb.web_target_group_arn, module.alb.longpoll_target_group_arn]
  health_check_command         = ["CMD", "python", "/app/infra/docker/healthcheck.py"]
  readonly_root_filesystem     = false
  enable_execute_command       = var.enable_execute_command
  requests_per_target          = var.web_requests_per_target
  request_count_resource_label = "${module.alb.arn_suffix}/${module.alb.web_target_group_arn_suffix}"
  kms_key_arn                  = module.kms.key_arn
  log_retention_days           = var.log_retention_days
}

module "worker" {
  source                   = "../../modules/ecs_service"
  name                     = "${var.name}-worker"
  cluster_arn              = module.ecs_cluster.cluster_arn
  cluster_name             = module.ecs_cluster.cluster_name
  image                    = local.image
  command                  = ["python", "-m", "pcs_app.cli", "worker"]
  cpu                      = var.worker_cpu
  memory                   = var.worker_memory
  desired_count            = var.worker_desired_count
  min_count                = var.worker_min_count
  max_count                = var.worker_max_count
  environment              = local.worker_environment
  secrets                  = local.worker_secrets
  execution_role_arn       = module.iam_app.execution_role_arn
  task_role_arn            = module.iam_app.worker_task_role_arn
  subnet_ids               = module.network.private_subnet_ids
  security_group_ids       = [module.task_security_groups.worker_security_group_id]
  readonly_root_filesystem = true
  enable_execute_command   = var.enable_execute_command
  stop_timeout             = 10
  kms_key_arn              = module.kms.key_arn
  log_retention_days       = var.log_retention_days
}

module "jobs_lambda" {
  source                    = "../../modules/jobs_lambda"
  name                      = var.name
  image_uri                 = local.image
  environment               = local.lambda_environment
  subnet_ids                = module.network.private_subnet_ids
  security_group_ids        = [module.task_security_groups.lambda_security_group_id]
  kms_key_arn               = module.kms.key_arn
  queue_arn                 = module.storage.queue_arn
  dlq_arn                   = module.storage.dlq_arn
  bucket_arn                = module.storage.bucket_arn
  ses_identity_arn          = module.mail.identity_arn
  ses_configuration_set_arn = module.mail.configuration_set_arn
  mail_from_address         = var.mail_from
  memory_mb                 = var.lambda_memory_mb
  log_retention_days        = var.log_retention_days
}

module "monitoring" {
  source                      = "../../modules/monitoring"
  name                        = var.name
  kms_key_arn                 = module.kms.key_arn
  alarm_emails                = var.alarm_emails
  alb_arn_suffix              = module.alb.arn_suffix
  web_target_group_arn_suffix = module.alb.web_target_group_arn_suffix
  cluster_name                = module.ecs_cluster.cluster_name
  web_service_name            = module.web.service_name
  worker_service_name         = module.worker.service_name
  worker_log_group_name       = module.worker.log_group_name
  queue_name                  = module.storage.queue_name
  dlq_name                    = module.storage.dlq_name
  lambda_function_name        = module.jobs_lambda.function_name
  bucket_name                 = module.storage.bucket_id
  bucket_metric_filter_id     = module.storage.bucket_metric_filter_id
  db_cluster_id               = module.database.cluster_id
  opensearch_domain_name      = module.search.domain_name
  cache_cluster_id            = module.cache.primary_cluster_id
}

module "github_oidc" {
  source             = "../../modules/github_oidc"
  name               = var.name
  github_repository  = var.github_repository
  environment_name   = var.github_environment
  create_provider    = var.create_github_oidc_provider
  state_bucket_arn   = var.state_bucket_arn
  state_key_prefix   = "pcs/example/"
  state_kms_key_arn  = var.state_kms_key_arn
  app_kms_key_arn    = module.kms.key_arn
  ecr_repository_arn = module.ecr.repository_arn
  files_bucket_arn   = module.storage.bucket_arn
}

# --- DNS (only with a Route 53 zone; otherwise create the two records where your DNS lives) ------

resource "aws_route53_record" "app" {
  for_each = var.route53_zone_id == "" ? toset([]) : toset(["A", "AAAA"])
  zone_id  = var.route53_zone_id
  name     = var.domain_name
  type     = each.value
  alias {
    name                   = module.cdn.domain_name
    zone_id                = module.cdn.hosted_zone_id
    evaluate_target_health = false
  }
}

resource "aws_route53_record" "origin" {
  count   = var.route53_zone_id == "" ? 0 : 1
  zone_id = var.route53_zone_id
  name    = var.origin_domain_name
  type    = "A"
  alias {
    name                   = module.alb.dns_name
    zone_id                = module.alb.zone_id
    evaluate_target_health = true
  }
}
