# Alarms notify one SNS topic (encrypted with the deployment's key; CloudWatch may use the key through
# its key-policy statement). Subscribe people with alarm_emails (each confirms once by mail).

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = var.kms_key_arn
}

data "aws_iam_policy_document" "alarms" {
  statement {
    sid       = "CloudWatchAlarmsOfThisAccount"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_sns_topic_policy" "alarms" {
  arn    = aws_sns_topic.alarms.arn
  policy = data.aws_iam_policy_document.alarms.json
}

resource "aws_sns_topic_subscription" "email" {
  for_each  = toset(var.alarm_emails)
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

# The worker logs "job NAME(ARGS) failed for good after N attempts" when a job exhausts its retries
# (pcs_app/adapters/queue.py); each such line counts one failed job.
resource "aws_cloudwatch_log_metric_filter" "failed_jobs" {
  name           = "${var.name}-failed-jobs"
  log_group_name = var.worker_log_group_name
  pattern        = "\"failed for good\""

  metric_transformation {
    name          = "FailedJobs"
    namespace     = "PCS/${var.name}"
    value         = "1"
    default_value = "0"
    unit          = "Count"
  }
}
