# PCS_SECRET_KEY: the server secret (share-link tokens are derived from it, so a database dump alone
# opens no link). Generated once; replacing it invalidates every share link.

resource "random_password" "secret_key" {
  length  = 64
  special = false
}

resource "aws_secretsmanager_secret" "secret_key" {
  #checkov:skip=CKV2_AWS_57: rotating the server secret invalidates every share link, so it is replaced on purpose (terraform apply -replace=module.app_secret.random_password.secret_key), not on a schedule
  name                    = "${var.name}/secret-key"
  description             = "PCS_SECRET_KEY of ${var.name}"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "secret_key" {
  secret_id     = aws_secretsmanager_secret.secret_key.id
  secret_string = random_password.secret_key.result
}
