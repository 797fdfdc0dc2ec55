terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }

  # Partial configuration: bucket, region and kms_key_id come from -backend-config (infra/README.md).
  backend "s3" {
    key          = "pcs/example/terraform.tfstate"
    encrypt      = true
    use_lockfile = true
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = { Project = "pcs", Environment = var.name, ManagedBy = "terraform" }
  }
}

# CloudFront's web ACL and its log group must be created in us-east-1 whatever the region.
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"
  default_tags {
    tags = { Project = "pcs", Environment = var.name, ManagedBy = "terraform" }
  }
}
