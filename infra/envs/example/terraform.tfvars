# Example environment. Replace every "example" value; the sizing below is what infra/README.md's cost
# table prices (pcs_app/services/costs.py's Sizing defaults must equal it: tests/infra checks).

name   = "pcs-example"
region = "us-east-1"

domain_name                = "files.example.com"
origin_domain_name         = "origin.files.example.com"
cloudfront_certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
alb_certificate_arn        = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
route53_zone_id            = ""

mail_domain = "example.com"
mail_from   = "pcs@example.com"

alarm_emails = ["ops@example.com"]

github_repository = "example/pcs"
state_bucket_arn  = "arn:aws:s3:::pcs-terraform-state-123456789012"
state_kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"

# --- sizing ---
availability_zones = ["us-east-1a", "us-east-1b"]
nat_gateways       = 1

web_cpu           = 1024
web_memory        = 2048
web_desired_count = 2
web_min_count     = 2
web_max_count     = 6

worker_cpu           = 512
worker_memory        = 2048
worker_desired_count = 1
worker_min_count     = 1
worker_max_count     = 3

aurora_min_acu   = 0.5
aurora_max_acu   = 4
aurora_instances = 1

opensearch_instance_type  = "t3.small.search"
opensearch_instance_count = 1
opensearch_volume_gb      = 10

cache_node_type = "cache.t4g.micro"
cache_nodes     = 1

lambda_memory_mb   = 2048
log_retention_days = 365
