vpc_id             = "vpc-0a1b2c3d4e5f60718"
vpc_cidr           = "10.20.0.0/16"
private_subnet_ids = ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"]

# Example only: a literal password in a tfvars file is exactly what MQG013 reports.
partner_mq_password = "Example-Not-A-Real-Pw-1"

tenants = {
  billing = {
    owner            = "team-billing"
    data_class       = "confidential"
    highly_available = true
  }
  search = {
    owner            = "team-search"
    data_class       = "internal"
    highly_available = false
  }
}

enable_sandbox = true
