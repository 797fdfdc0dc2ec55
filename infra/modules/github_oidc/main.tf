# GitHub Actions reaches AWS through OIDC: no long-lived keys. Two roles:
# - plan: assumed by workflow runs on the main branch; builds and pushes the image, runs
#   `terraform plan` (reads everything Terraform refreshes, writes only the state lock);
# - apply: assumed only by jobs running in the protected GitHub environment (required reviewers),
#   runs `terraform apply`. It creates this whole stack, IAM roles included, so it is as powerful as
#   an administrator of the account in practice: it is held by the environment's approval, its IAM
#   rights are limited to this deployment's role names, and it cannot change the deploy roles.
#   Give each environment its own AWS account (AWS's own advice) to bound it further.
# Neither role can read the files users stored. Changes to this module are applied by an
# administrator (`terraform apply -target=module.github_oidc`), since the workflow cannot.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account       = data.aws_caller_identity.current.account_id
  arn           = data.aws_partition.current.partition
  provider_arn  = var.create_provider ? aws_iam_openid_connect_provider.github[0].arn : var.existing_provider_arn
  provider_host = "token.actions.githubusercontent.com"
}

resource "aws_iam_openid_connect_provider" "github" {
  count          = var.create_provider ? 1 : 0
  url            = "https://${local.provider_host}"
  client_id_list = ["sts.amazonaws.com"]
  # AWS validates GitHub's tokens against its own trust store; the list is kept for older tooling.
  thumbprint_list = [
    "6938fd4d98bab03faadb97b34396831e3780aea1",
    "1c58a3a8518e8759bf075b76b750d4f2df264fcd",
  ]
}

data "aws_iam_policy_document" "trust_plan" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.provider_host}:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.provider_host}:sub"
      values   = ["repo:${var.github_repository}:ref:refs/heads/${var.branch}"]
    }
  }
}

data "aws_iam_policy_document" "trust_apply" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.provider_host}:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.provider_host}:sub"
      values   = ["repo:${var.github_repository}:environment:${var.environment_name}"]
    }
  }
}

resource "aws_iam_role" "plan" {
  name                 = "${var.name}-github-plan"
  assume_role_policy   = data.aws_iam_policy_document.trust_plan.json
  max_session_duration = 3600
}

resource "aws_iam_role" "apply" {
  name                 = "${var.name}-github-apply"
  assume_role_policy   = data.aws_iam_policy_document.trust_apply.json
  max_session_duration = 3600
}

# Terraform refreshes every resource type of the stack before planning.
resource "aws_iam_role_policy_attachment" "plan_read" {
  role       = aws_iam_role.plan.name
  policy_arn = "arn:${local.arn}:iam::aws:policy/ReadOnlyAccess"
}

resource "aws_iam_role_policy_attachment" "apply_power_user" {
  role       = aws_iam_role.apply.name
  policy_arn = "arn:${local.arn}:iam::aws:policy/PowerUserAccess"
}

data "aws_iam_policy_document" "state" {
  statement {
    sid       = "StateBucket"
    actions   = ["s3:ListBucket"]
    resources = [var.state_bucket_arn]
  }
  statement {
    sid       = "StateAndLockObjects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${var.state_bucket_arn}/${var.state_key_prefix}*"]
  }
  statement {
    sid       = "StateEncryption"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = [var.state_kms_key_arn]
  }
  # Refreshing aws_secretsmanager_secret_version reads the value (it is in the state anyway).
  statement {
    sid       = "RefreshTheDeploymentsSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = ["arn:${local.arn}:secretsmanager:*:${local.account}:secret:${var.name}/*"]
  }
  statement {
    sid       = "DecryptTheDeploymentsSecrets"
    actions   = ["kms:Decrypt"]
    resources = [var.app_kms_key_arn]
  }
  statement {
    sid       = "NeverReadUsersFiles"
    effect    = "Deny"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = ["${var.files_bucket_arn}/*"]
  }
}

data "aws_iam_policy_document" "push_image" {
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
  statement {
    sid = "PushToTheRepository"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:CompleteLayerUpload",
      "ecr:DescribeImages",
      "ecr:InitiateLayerUpload",
      "ecr:PutImage",
      "ecr:UploadLayerPart",
    ]
    resources = [var.ecr_repository_arn]
  }
  statement {
    sid       = "EncryptLayers"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.app_kms_key_arn]
  }
}

data "aws_iam_policy_document" "plan" {
  source_policy_documents = [
    data.aws_iam_policy_document.state.json,
    data.aws_iam_policy_document.push_image.json,
  ]
}

resource "aws_iam_role_policy" "plan" {
  name   = "state-and-image"
  role   = aws_iam_role.plan.id
  policy = data.aws_iam_policy_document.plan.json
}

# PowerUserAccess excludes IAM; the stack's own roles, policies and service-linked roles are added
# back, by name, so the apply role cannot touch other IAM principals of the account.
data "aws_iam_policy_document" "apply" {
  source_policy_documents = [data.aws_iam_policy_document.state.json]
  statement {
    sid = "ManageThisDeploymentsRoles"
    actions = [
      "iam:AttachRolePolicy",
      "iam:CreateRole",
      "iam:DeleteRole",
      "iam:DeleteRolePolicy",
      "iam:DetachRolePolicy",
      "iam:GetRole",
      "iam:GetRolePolicy",
      "iam:ListAttachedRolePolicies",
      "iam:ListInstanceProfilesForRole",
      "iam:ListRolePolicies",
      "iam:ListRoleTags",
      "iam:PassRole",
      "iam:PutRolePolicy",
      "iam:TagRole",
      "iam:UntagRole",
      "iam:UpdateAssumeRolePolicy",
      "iam:UpdateRole",
    ]
    resources = ["arn:${local.arn}:iam::${local.account}:role/${var.name}-*"]
  }
  statement {
    sid = "ManageTheGithubProvider"
    actions = [
      "iam:GetOpenIDConnectProvider",
      "iam:ListOpenIDConnectProviderTags",
      "iam:TagOpenIDConnectProvider",
      "iam:UntagOpenIDConnectProvider",
      "iam:UpdateOpenIDConnectProviderThumbprint",
      "iam:AddClientIDToOpenIDConnectProvider",
    ]
    resources = ["arn:${local.arn}:iam::${local.account}:oidc-provider/${local.provider_host}"]
  }
  statement {
    sid       = "ServiceLinkedRolesTheStackNeeds"
    actions   = ["iam:CreateServiceLinkedRole"]
    resources = ["arn:${local.arn}:iam::${local.account}:role/aws-service-role/*"]
    condition {
      test     = "StringEquals"
      variable = "iam:AWSServiceName"
      values = [
        "ecs.amazonaws.com",
        "elasticache.amazonaws.com",
        "elasticloadbalancing.amazonaws.com",
        "opensearchservice.amazonaws.com",
        "rds.amazonaws.com",
        "ecs.application-autoscaling.amazonaws.com",
      ]
    }
  }
  statement {
    sid       = "ReadServiceLinkedRoles"
    actions   = ["iam:GetRole"]
    resources = ["arn:${local.arn}:iam::${local.account}:role/aws-service-role/*"]
  }
  # The deploy roles themselves are changed by an administrator, never by a workflow run.
  statement {
    sid    = "NeverChangeTheDeployRoles"
    effect = "Deny"
    actions = [
      "iam:AttachRolePolicy",
      "iam:DeleteRole",
      "iam:DeleteRolePolicy",
      "iam:DetachRolePolicy",
      "iam:PutRolePolicy",
      "iam:UpdateAssumeRolePolicy",
      "iam:UpdateRole",
    ]
    resources = [aws_iam_role.plan.arn, aws_iam_role.apply.arn]
  }
}

resource "aws_iam_role_policy" "apply" {
  name   = "state-and-own-iam"
  role   = aws_iam_role.apply.id
  policy = data.aws_iam_policy_document.apply.json
}
