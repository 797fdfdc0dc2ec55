# SES for PCS_MAIL_BACKEND=ses: the sending domain with Easy DKIM, a custom MAIL FROM subdomain (so
# SPF aligns for DMARC) and a configuration set that requires TLS. With route53_zone_id set, the DNS
# records are created too; otherwise output dns_records lists them for your DNS provider.
# New SES accounts are in the sandbox (verified recipients only): request production access once.

resource "aws_sesv2_configuration_set" "this" {
  configuration_set_name = var.name

  delivery_options {
    tls_policy = "REQUIRE"
  }

  reputation_options {
    reputation_metrics_enabled = true
  }

  sending_options {
    sending_enabled = true
  }
}

resource "aws_sesv2_email_identity" "domain" {
  email_identity         = var.domain
  configuration_set_name = aws_sesv2_configuration_set.this.configuration_set_name
}

resource "aws_sesv2_email_identity_mail_from_attributes" "domain" {
  email_identity         = aws_sesv2_email_identity.domain.email_identity
  mail_from_domain       = "${var.mail_from_subdomain}.${var.domain}"
  behavior_on_mx_failure = "USE_DEFAULT_VALUE"
}

data "aws_region" "current" {}

locals {
  mail_from_domain = "${var.mail_from_subdomain}.${var.domain}"
  dkim_records = [
    for t in aws_sesv2_email_identity.domain.dkim_signing_attributes[0].tokens : {
      name  = "${t}._domainkey.${var.domain}"
      type  = "CNAME"
      value = "${t}.dkim.amazonses.com"
    }
  ]
  other_records = [
    { name = local.mail_from_domain, type = "MX", value = "10 feedback-smtp.${data.aws_region.current.region}.amazonses.com" },
    { name = local.mail_from_domain, type = "TXT", value = "v=spf1 include:amazonses.com ~all" },
    { name = "_dmarc.${var.domain}", type = "TXT", value = var.dmarc_policy },
  ]
  create_dns = var.route53_zone_id != ""
}

resource "aws_route53_record" "dkim" {
  count   = local.create_dns ? 3 : 0
  zone_id = var.route53_zone_id
  name    = local.dkim_records[count.index].name
  type    = "CNAME"
  ttl     = 1800
  records = [local.dkim_records[count.index].value]
}

resource "aws_route53_record" "mail_from_mx" {
  count   = local.create_dns ? 1 : 0
  zone_id = var.route53_zone_id
  name    = local.mail_from_domain
  type    = "MX"
  ttl     = 1800
  records = [local.other_records[0].value]
}

resource "aws_route53_record" "mail_from_spf" {
  count   = local.create_dns ? 1 : 0
  zone_id = var.route53_zone_id
  name    = local.mail_from_domain
  type    = "TXT"
  ttl     = 1800
  records = [local.other_records[1].value]
}

resource "aws_route53_record" "dmarc" {
  count   = local.create_dns ? 1 : 0
  zone_id = var.route53_zone_id
  name    = "_dmarc.${var.domain}"
  type    = "TXT"
  ttl     = 1800
  records = [var.dmarc_policy]
}
