locals {
  region = data.aws_region.current.region
  alb    = var.alb_arn_suffix
  web_tg = var.web_target_group_arn_suffix

  widgets = [
    {
      title = "Requests and errors (load balancer)"
      metrics = [
        ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", local.alb, { stat = "Sum" }],
        [".", "HTTPCode_Target_5XX_Count", ".", ".", { stat = "Sum" }],
        [".", "HTTPCode_ELB_5XX_Count", ".", ".", { stat = "Sum" }],
        [".", "HTTPCode_Target_4XX_Count", ".", ".", { stat = "Sum" }],
      ]
    },
    {
      title = "Response time p50 / p95 (app target group)"
      metrics = [
        ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", local.alb, "TargetGroup", local.web_tg, { stat = "p50" }],
        ["...", { stat = "p95" }],
      ]
    },
    {
      title = "ECS CPU and memory (%)"
      metrics = [
        ["AWS/ECS", "CPUUtilization", "ClusterName", var.cluster_name, "ServiceName", var.web_service_name],
        [".", "MemoryUtilization", ".", ".", ".", "."],
        [".", "CPUUtilization", ".", ".", ".", var.worker_service_name],
        [".", "MemoryUtilization", ".", ".", ".", "."],
      ]
    },
    {
      title = "Running tasks and healthy web targets"
      metrics = [
        ["ECS/ContainerInsights", "RunningTaskCount", "ClusterName", var.cluster_name, "ServiceName", var.web_service_name],
        ["...", var.worker_service_name],
        ["AWS/ApplicationELB", "HealthyHostCount", "LoadBalancer", local.alb, "TargetGroup", local.web_tg, { stat = "Minimum" }],
      ]
    },
    {
      title = "S3 events: backlog, oldest age (s), dead letters"
      metrics = [
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.queue_name, { stat = "Maximum" }],
        [".", "ApproximateAgeOfOldestMessage", ".", ".", { stat = "Maximum", yAxis = "right" }],
        [".", "ApproximateNumberOfMessagesVisible", ".", var.dlq_name, { stat = "Maximum" }],
      ]
    },
    {
      title = "Jobs: Lambda runs, errors, duration (ms); jobs failed for good"
      metrics = [
        ["AWS/Lambda", "Invocations", "FunctionName", var.lambda_function_name, { stat = "Sum" }],
        [".", "Errors", ".", ".", { stat = "Sum" }],
        [".", "Duration", ".", ".", { stat = "p95", yAxis = "right" }],
        ["PCS/${var.name}", "FailedJobs", { stat = "Sum" }],
      ]
    },
    {
      title = "Aurora: capacity (ACU), connections, CPU %"
      metrics = [
        ["AWS/RDS", "ServerlessDatabaseCapacity", "DBClusterIdentifier", var.db_cluster_id],
        [".", "DatabaseConnections", ".", "."],
        [".", "CPUUtilization", ".", ".", { yAxis = "right" }],
      ]
    },
    {
      title = "OpenSearch and Valkey"
      metrics = [
        ["AWS/ES", "CPUUtilization", "DomainName", var.opensearch_domain_name, "ClientId", data.aws_caller_identity.current.account_id],
        [".", "FreeStorageSpace", ".", ".", ".", ".", { yAxis = "right" }],
        ["AWS/ElastiCache", "EngineCPUUtilization", "CacheClusterId", var.cache_cluster_id],
        [".", "DatabaseMemoryUsagePercentage", ".", "."],
      ]
    },
    {
      title = "S3 requests and errors (files bucket)"
      metrics = [
        ["AWS/S3", "AllRequests", "BucketName", var.bucket_name, "FilterId", var.bucket_metric_filter_id, { stat = "Sum" }],
        [".", "4xxErrors", ".", ".", ".", ".", { stat = "Sum" }],
        [".", "5xxErrors", ".", ".", ".", ".", { stat = "Sum" }],
      ]
    },
  ]
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name
  dashboard_body = jsonencode({
    widgets = [
      for i, w in local.widgets : {
        type   = "metric"
        x      = (i % 3) * 8
        y      = floor(i / 3) * 6
        width  = 8
        height = 6
        properties = {
          title   = w.title
          region  = local.region
          view    = "timeSeries"
          stacked = false
          period  = 300
          metrics = w.metrics
        }
      }
    ]
  })
}
