# The WAF log group lives in us-east-1 and needs a key there: the deployment's own key when the
# deployment is in us-east-1, else a small key created here (create_waf_log_key, a plain bool so
# the count is known at plan time).

data "aws_caller_identity" "current" {}

locals {
  create_key  = var.create_waf_log_key
  waf_log_key = local.create_key ? aws_kms_key.waf_logs[0].arn : var.waf_log_kms_key_arn
}

data "aws_iam_policy_document" "waf_logs_key" {
  #checkov:skip=CKV_AWS_109: a key policy's Resource "*" means this key only; the account-root statement is AWS's default key policy, which delegates access to IAM policies
  #checkov:skip=CKV_AWS_111: same: key policy, Resource "*" is the key itself, write access is delegated to IAM
  #checkov:skip=CKV_AWS_356: same: in a key policy "*" cannot name anything but this key
  statement {
    sid       = "AccountAdministersTheKeyThroughIAM"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
  statement {
    sid       = "CloudWatchLogsInUsEast1"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.us-east-1.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:aws:logs:us-east-1:${data.aws_caller_identity.current.account_id}:log-group:*"]
    }
  }
}

resource "aws_kms_key" "waf_logs" {
  count                   = local.create_key ? 1 : 0
  provider                = aws.us_east_1
  description             = "${var.name}: WAF logs in us-east-1"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.waf_logs_key.json
}
