output "broker_id" {
  description = "ID of the broker."
  value       = aws_mq_broker.this.id
}
