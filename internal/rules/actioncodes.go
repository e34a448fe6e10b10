package rules

// actionCode explains one Amazon MQ action required code (DescribeBroker ActionsRequired) and how
// to resolve it. Codes are listed in the Amazon MQ developer guide, "Troubleshooting: Amazon MQ
// action required codes".
type actionCode struct {
	// Meaning completes "The broker reports <CODE>: ..." in one clause.
	Meaning string
	// Fix is the recommended action, one or two sentences.
	Fix string
}

// actionCodes is the table of known action required codes (checked November 2026). A code not in
// the table still fails MQG022, with a generic explanation.
var actionCodes = map[string]actionCode{
	"BROKER_ENI_DELETED": {
		Meaning: "the elastic network interface Amazon MQ created for the broker was deleted, so clients cannot reach it",
		Fix: "Reboot the broker (`aws mq reboot-broker --broker-id <id>`) so Amazon MQ recreates the interface, " +
			"then find who deleted it in CloudTrail (DeleteNetworkInterface) and stop automation from deleting " +
			"requester-managed interfaces.",
	},
	"BROKER_OOM": {
		Meaning: "the ActiveMQ broker is in a restart loop because it runs out of memory",
		Fix: "Drain or purge large queues (the dead-letter queue included), reduce connections, consumers and " +
			"destinations, and move to a larger host instance type; watch HeapUsage and TotalMessageCount in CloudWatch.",
	},
	"RABBITMQ_MEMORY_ALARM": {
		Meaning: "RabbitMQ raised its high memory alarm and blocks every publishing client",
		Fix: "Consume or purge queue backlogs, close idle connections and channels, and move to a larger host " +
			"instance type; Amazon MQ refuses to reboot the broker while the alarm lasts.",
	},
	"RABBITMQ_DISK_ALARM": {
		Meaning: "RabbitMQ raised its free disk alarm and blocks every publishing client",
		Fix: "Consume or purge the queues holding the most messages and set queue length or TTL limits by " +
			"policy; move to a larger host instance type if the backlog is normal load.",
	},
	"RABBITMQ_INVALID_KMS_KEY": {
		Meaning: "the customer managed KMS key of the broker is disabled, scheduled for deletion or no longer grants the broker access, so the broker is quarantined",
		Fix: "Re-enable the key (`aws kms enable-key`) or cancel its deletion (`aws kms cancel-key-deletion`), " +
			"and restore the key policy and the broker's grants; the broker leaves quarantine once the key is usable.",
	},
	"RABBITMQ_QUORUM_QUEUES_NOT_SUPPORTED_ON_CURRENT_VERSION": {
		Meaning: "clients declared quorum queues, which the broker's RabbitMQ version does not support",
		Fix:     "Delete the quorum queues and declare classic queues, or upgrade the broker to RabbitMQ 3.13 or later.",
	},
}

// unknownActionCode explains a code missing from actionCodes.
var unknownActionCode = actionCode{
	Meaning: "Amazon MQ reports that the broker needs action to return to a healthy state",
	Fix:     "Look the code up in the Amazon MQ developer guide (Troubleshooting: action required codes) and follow its steps.",
}
