terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }
}

provider "aws" {
  region = var.region

  # Tags every resource of this root module inherits.
  default_tags {
    tags = {
      owner       = "platform-messaging"
      cost-center = "cc-4711"
      managed-by  = "terraform"
    }
  }
}
