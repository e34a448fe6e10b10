variable "name" {
  description = "Broker name."
  type        = string
}

variable "owner" {
  description = "Owning team, for the owner tag."
  type        = string
}

variable "data_sensitivity" {
  description = "Data classification, for the data-sensitivity tag."
  type        = string
}

variable "highly_available" {
  description = "Run a three-node cluster across Availability Zones instead of one instance."
  type        = bool
  default     = true
}

variable "subnet_ids" {
  description = "Private subnets; the first one is used for a single instance."
  type        = list(string)
}

variable "security_group_ids" {
  description = "Security groups attached to the broker."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for data at rest."
  type        = string
}
