# The example environment: every module wired together. Copy this folder per environment and change
# terraform.tfvars (sizing, names, certificates); infra/README.md walks through a first deployment.

locals {
  public_url     = "https://${var.domain_name}"
  image          = "${module.ecr.repository_url}:${var.image_tag}"
  container_port = 3000
  in_us_east_1   = var.region == "us-east-1"

  # Settings shared by every process (names exactly as in pcs_app/settings.py).
  common_environment = {
    PCS_DATA_DIR             = "/tmp/pcs"
    PCS_S3_ENDPOINT          = "" # empty: Amazon S3 through the task role, no access keys
    PCS_S3_BUCKET            = module.storage.bucket_id
    PCS_S3_REGION            = var.region
    PCS_PUBLIC_URL           = local.public_url
    PCS_ALLOWED_ORIGINS      = join(",", var.extra_allowed_origins)
    PCS_SIGNUP_OPEN          = tostring(var.signup_open)
    PCS_AUTH                 = "cognito"
    PCS_COGNITO_USER_POOL_ID = module.auth.user_pool_id
    PCS_COGNITO_CLIENT_ID    = module.auth.client_id
    PCS_COGNITO_REGION       = var.region
    PCS_MAIL_BACKEND         = "ses"
    PCS_MAIL_FROM            = var.mail_from
    PCS_SES_REGION           = var.region
  }

  web_environment = merge(local.common_environment, {
    PCS_HOST = "0.0.0.0"
    PCS_PORT = tostring(local.container_port)
    # S3 events feed the job Lambda, so uploads do not also queue thumbnails in huey.
    PCS_JOBS_ENQUEUE = "false"
    # CloudFront gives up on an origin after 60 s (origin_read_timeout); long-polls end before.
    PCS_LONGPOLL_MAX_SECONDS = "50"
    # One server process per vCPU, not Reflex's 2 x CPUs + 1: each process batches the uploads it
    # holds into one transaction, so fewer processes make fewer, larger commits (make bench's cluster
    # run on 2 cores: 105 small uploads/s with 1 process, 96 with 2, 62-79 with 5).
    GRANIAN_WORKERS = tostring(max(1, floor(var.web_cpu / 1024)))
    # ElastiCache refuses CONFIG SET; the parameter group sets the keyspace notifications instead.
    REFLEX_IGNORE_REDIS_CONFIG_ERROR = "true"
    # Only the load balancer reaches the tasks (security group), so gunicorn may trust its
    # X-Forwarded-For/-Proto: the app then sees the client's address and https.
    FORWARDED_ALLOW_IPS = "*"
    PCS_TRUSTED_PROXIES = module.network.vpc_cidr
  })

  worker_environment = merge(local.common_environment, {
    PCS_JOBS_WORKERS = "2"
    HOME             = "/tmp" # the worker's root filesystem is read-only
  })

  web_secrets = {
    PCS_DATABASE_URL   = module.database.database_url_secret_arn
    PCS_REDIS_URL      = module.cache.url_secret_arn
    REFLEX_REDIS_URL   = module.cache.url_secret_arn
    PCS_OPENSEARCH_URL = module.search.url_secret_arn
    PCS_SECRET_KEY     = module.app_secret.secret_key_arn
  }

  worker_secrets = {
    PCS_DATABASE_URL   = module.database.database_url_secret_arn
    PCS_REDIS_URL      = module.cache.url_secret_arn
    PCS_OPENSEARCH_URL = module.search.url_secret_arn
    PCS_SECRET_KEY     = module.app_secret.secret_key_arn
  }

  # Lambda cannot reference Secrets Manager in its environment; the values are encrypted with the
  # deployment's key (kms_key_arn of the function) and visible only to who may decrypt with it.
  lambda_environment = merge(local.common_environment, {
    PYTHONPATH         = "/app" # the image's code, whatever directory the runtime client starts in
    PCS_JOBS_ENQUEUE   = "false"
    PCS_DATABASE_URL   = module.database.database_url
    PCS_REDIS_URL      = module.cache.url
    PCS_OPENSEARCH_URL = module.search.url
  })

  app_security_groups = [
    module.task_security_groups.web_security_group_id,
    module.task_security_groups.worker_security_group_id,
    module.task_security_groups.lambda_security_group_id,
  ]
}

resource "random_password" "origin_verify" {
  length  = 48
  special = false
}

module "kms" {
  source = "../../modules/kms"
  name   = var.name
}

module "log_bucket" {
  source         = "../../modules/log_bucket"
  name           = var.name
  retention_days = 90
}

module "network" {
  source               = "../../modules/network"
  name                 = var.name
  availability_zones   = var.availability_zones
  nat_gateways         = var.nat_gateways
  flow_logs_bucket_arn = module.log_bucket.bucket_arn
}

module "storage" {
  source               = "../../modules/storage"
  name                 = var.name
  kms_key_arn          = module.kms.key_arn
  log_bucket_id        = module.log_bucket.bucket_id
  cors_allowed_origins = concat([local.public_url], var.extra_allowed_origins)
}

module "ecr" {
  source      = "../../modules/ecr"
  name        = var.name
  kms_key_arn = module.kms.key_arn
}

module "app_secret" {
  source      = "../../modules/app_secret"
  name        = var.name
  kms_key_arn = module.kms.key_arn
}

module "alb" {
  source                     = "../../modules/alb"
  name                       = var.name
  vpc_id                     = module.network.vpc_id
  vpc_cidr                   = module.network.vpc_cidr
  public_subnet_ids          = module.network.public_subnet_ids
  certificate_arn            = var.alb_certificate_arn
  log_bucket_id              = module.log_bucket.bucket_id
  container_port             = local.container_port
  origin_verify_header_value = random_password.origin_verify.result
  deletion_protection        = var.deletion_protection
}

module "task_security_groups" {
  source                = "../../modules/task_security_groups"
  name                  = var.name
  vpc_id                = module.network.vpc_id
  vpc_cidr              = module.network.vpc_cidr
  alb_security_group_id = module.alb.security_group_id
  container_port        = local.container_port
}

module "database" {
  source                     = "../../modules/database"
  name                       = var.name
  vpc_id                     = module.network.vpc_id
  subnet_ids                 = module.network.private_subnet_ids
  allowed_security_group_ids = local.app_security_groups
  kms_key_arn                = module.kms.key_arn
  min_acu                    = var.aurora_min_acu
  max_acu                    = var.aurora_max_acu
  instances                  = var.aurora_instances
  deletion_protection        = var.deletion_protection
  log_retention_days         = var.log_retention_days
}

module "search" {
  source                     = "../../modules/search"
  name                       = var.name
  vpc_id                     = module.network.vpc_id
  subnet_ids                 = module.network.private_subnet_ids
  allowed_security_group_ids = local.app_security_groups
  kms_key_arn                = module.kms.key_arn
  instance_type              = var.opensearch_instance_type
  instance_count             = var.opensearch_instance_count
  volume_gb                  = var.opensearch_volume_gb
  create_service_linked_role = var.create_opensearch_service_linked_role
  log_retention_days         = var.log_retention_days
}

module "cache" {
  source                     = "../../modules/cache"
  name                       = var.name
  vpc_id                     = module.network.vpc_id
  subnet_ids                 = module.network.private_subnet_ids
  allowed_security_group_ids = local.app_security_groups
  kms_key_arn                = module.kms.key_arn
  node_type                  = var.cache_node_type
  nodes                      = var.cache_nodes
  log_retention_days         = var.log_retention_days
}

module "mail" {
  source          = "../../modules/mail"
  name            = var.name
  domain          = var.mail_domain
  route53_zone_id = var.route53_zone_id
}

module "auth" {
  source              = "../../modules/auth"
  name                = var.name
  signup_open         = var.signup_open
  ses_identity_arn    = var.cognito_mail_via_ses ? module.mail.identity_arn : ""
  from_email          = var.mail_from
  deletion_protection = var.deletion_protection
}

module "cdn" {
  source = "../../modules/cdn"
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }
  name                       = var.name
  domain_names               = [var.domain_name]
  certificate_arn            = var.cloudfront_certificate_arn
  origin_domain_name         = var.origin_domain_name
  origin_verify_header_value = random_password.origin_verify.result
  log_bucket_domain_name     = module.log_bucket.bucket_domain_name
  waf_rate_limit             = var.waf_rate_limit
  create_waf_log_key         = !local.in_us_east_1
  waf_log_kms_key_arn        = local.in_us_east_1 ? module.kms.key_arn : ""
  log_retention_days         = var.log_retention_days
}

module "ecs_cluster" {
  source             = "../../modules/ecs_cluster"
  name               = var.name
  kms_key_arn        = module.kms.key_arn
  log_retention_days = var.log_retention_days
}

module "iam_app" {
  source                    = "../../modules/iam_app"
  name                      = var.name
  kms_key_arn               = module.kms.key_arn
  ecr_repository_arn        = module.ecr.repository_arn
  log_group_prefix          = "/ecs/${var.name}-"
  secret_arns               = distinct(concat(values(local.web_secrets), values(local.worker_secrets)))
  bucket_arn                = module.storage.bucket_arn
  user_pool_arn             = module.auth.user_pool_arn
  ses_identity_arn          = module.mail.identity_arn
  ses_configuration_set_arn = module.mail.configuration_set_arn
  mail_from_address         = var.mail_from
  opensearch_domain_arn     = module.search.domain_arn
  enable_execute_command    = var.enable_execute_command
  exec_log_group_arn        = module.ecs_cluster.exec_log_group_arn
}
