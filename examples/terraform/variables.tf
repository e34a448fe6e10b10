variable "region" {
  description = "AWS region of the brokers."
  type        = string
  default     = "eu-west-1"
}

variable "vpc_id" {
  description = "VPC the brokers live in."
  type        = string
}

variable "vpc_cidr" {
  description = "CIDR of the VPC; the only network allowed to reach private brokers."
  type        = string
}

variable "private_subnet_ids" {
  description = "Two private subnets in different Availability Zones."
  type        = list(string)
}

variable "partner_mq_password" {
  description = "Password of the partner integration user."
  type        = string
  sensitive   = true
}

variable "tenants" {
  description = "RabbitMQ brokers to create, one per tenant team."
  type = map(object({
    owner            = string
    data_class       = string
    highly_available = bool
  }))
  default = {}
}

variable "enable_sandbox" {
  description = "Create the developers' sandbox broker."
  type        = bool
  default     = false
}
