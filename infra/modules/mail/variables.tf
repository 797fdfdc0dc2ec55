variable "name" {
  description = "Prefix of every resource name of this deployment (names the configuration set)."
  type        = string
}

variable "domain" {
  description = "Domain mail is sent from (the From address of PCS_MAIL_FROM is at this domain)."
  type        = string
}

variable "mail_from_subdomain" {
  description = "Subdomain used as the envelope sender (MAIL FROM)."
  type        = string
  default     = "mail"
}

variable "dmarc_policy" {
  description = "DMARC record; start with p=none and tighten once reports look clean."
  type        = string
  default     = "v=DMARC1; p=none;"
}

variable "route53_zone_id" {
  description = "Route 53 hosted zone of the domain; empty: create the DNS records yourself (see output dns_records)."
  type        = string
  default     = ""
}
