# Roles of the ECS tasks, each with only the actions and resources it uses:
# - execution: what ECS itself does before the app runs (pull the image, read the secrets, write logs);
# - web: the app's UI + API (files bucket, deleting Cognito accounts, SES, OpenSearch, ECS Exec);
# - worker: the job consumer (files bucket, SES, OpenSearch).

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  account = data.aws_caller_identity.current.account_id
  region  = data.aws_region.current.region
  arn     = data.aws_partition.current.partition
}

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
    # Only ECS acting for this account may assume the roles (confused-deputy guard).
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.arn}:ecs:${local.region}:${local.account}:*"]
    }
  }
}

# --- execution role -------------------------------------------------------------------------------

resource "aws_iam_role" "execution" {
  name               = "${var.name}-ecs-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
  statement {
    sid       = "PullTheImage"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    resources = [var.ecr_repository_arn]
  }
  statement {
    sid       = "WriteTaskLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["arn:${local.arn}:logs:${local.region}:${local.account}:log-group:${var.log_group_prefix}*:log-stream:*"]
  }
  statement {
    sid       = "ReadTheTasksSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = var.secret_arns
  }
  statement {
    sid       = "DecryptImageAndSecrets"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${local.region}.amazonaws.com", "ecr.${local.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "execution"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# --- what both app roles need ------------------------------------------------------------------

data "aws_iam_policy_document" "app_common" {
  statement {
    sid = "FileBytesAndThumbnails"
    actions = [
      "s3:GetObject",
      "s3:PutObject",
      "s3:DeleteObject",
      "s3:AbortMultipartUpload",
      "s3:ListMultipartUploadParts",
    ]
    resources = ["${var.bucket_arn}/*"]
  }
  statement {
    sid       = "ListAndCheckTheBucket"
    actions   = ["s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:GetBucketLocation"]
    resources = [var.bucket_arn]
  }
  statement {
    sid       = "SseKmsForTheBucket"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com"]
    }
  }
  statement {
    sid       = "SendMailFromTheAppAddress"
    actions   = ["ses:SendEmail", "ses:SendRawEmail"]
    resources = [var.ses_identity_arn, var.ses_configuration_set_arn]
    condition {
      test     = "StringEquals"
      variable = "ses:FromAddress"
      values   = [var.mail_from_address]
    }
  }
  statement {
    sid       = "SearchIndex"
    actions   = ["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut", "es:ESHttpDelete"]
    resources = ["${var.opensearch_domain_arn}/*"]
  }
}

data "aws_iam_policy_document" "exec" {
  # ECS Exec (SSM session channels); these actions have no resource-level scoping.
  statement {
    sid = "EcsExecChannels"
    actions = [
      "ssmmessages:CreateControlChannel",
      "ssmmessages:CreateDataChannel",
      "ssmmessages:OpenControlChannel",
      "ssmmessages:OpenDataChannel",
    ]
    resources = ["*"]
  }
  statement {
    sid       = "EcsExecSessionLogs"
    actions   = ["logs:DescribeLogGroups", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = [var.exec_log_group_arn, "${var.exec_log_group_arn}:log-stream:*"]
  }
  statement {
    sid       = "EcsExecSessionEncryption"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }
}

# --- web task role --------------------------------------------------------------------------------

resource "aws_iam_role" "web" {
  name               = "${var.name}-web-task"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "web" {
  source_policy_documents = concat(
    [data.aws_iam_policy_document.app_common.json],
    var.enable_execute_command ? [data.aws_iam_policy_document.exec.json] : [],
  )
  # Sign-up, sign-in and a user's own account go through Cognito's public (unsigned) operations;
  # the only signed call the app makes is deleting an account (pcs_app/adapters/auth/cognito.py).
  statement {
    sid       = "DeleteAccountsOfThePool"
    actions   = ["cognito-idp:AdminDeleteUser"]
    resources = [var.user_pool_arn]
  }
}

resource "aws_iam_role_policy" "web" {
  name   = "app"
  role   = aws_iam_role.web.id
  policy = data.aws_iam_policy_document.web.json
}

# --- worker task role -----------------------------------------------------------------------------

resource "aws_iam_role" "worker" {
  name               = "${var.name}-worker-task"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "worker" {
  source_policy_documents = concat(
    [data.aws_iam_policy_document.app_common.json],
    var.enable_execute_command ? [data.aws_iam_policy_document.exec.json] : [],
  )
}

resource "aws_iam_role_policy" "worker" {
  name   = "app"
  role   = aws_iam_role.worker.id
  policy = data.aws_iam_policy_document.worker.json
}
