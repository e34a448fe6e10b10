package rules

import (
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

var mqg032 = &Rule{
	ID:       "MQG032",
	Slug:     "management-cors-wildcard",
	Title:    "Management API accepts cross-origin requests from anywhere",
	Severity: Medium,
	Engines:  []string{model.EngineRabbitMQ},
	Rationale: "With `management.cors.allow_origins = *`, any web page an operator visits may call the RabbitMQ " +
		"management API from the operator's browser: a malicious page can then read queues and definitions " +
		"or, with a session or basic-auth credentials cached, create users and policies. Only the origins of " +
		"the dashboards that need the API belong in the list.",
	Remediation: map[model.SourceKind]string{
		model.SourceBrokerConf: "Replace `management.cors.allow_origins.1 = *` with the exact origins that need the " +
			"API (`management.cors.allow_origins.1 = https://dashboard.example.com`), or remove the key to disable CORS.",
		model.SourceProbe: "Remove the wildcard from management.cors.allow_origins in the node's configuration and " +
			"restart the management plugin.",
		model.SourceTerraform: "Remove the wildcard from management.cors.allow_origins in the aws_mq_configuration data.",
		model.SourceCloudFormation: "Remove the wildcard from management.cors.allow_origins in the " +
			"AWS::AmazonMQ::Configuration Data.",
		model.SourceAWS: "Create a configuration revision without the wildcard CORS origin and apply it with a reboot.",
	},
	SelfManaged: true,
	Check:       checkManagementCORSWildcard,
	Examples: []Example{
		{
			Kind: model.SourceBrokerConf, Address: "rabbitmq.conf", Want: Fail,
			Note: "The management API allows every origin.",
			Files: map[string]string{"rabbitmq.conf": `listeners.tcp = none
listeners.ssl.default = 5671
management.ssl.port = 15671
management.cors.allow_origins.1 = *
management.cors.max_age = 3600
`},
		},
		{
			Kind: model.SourceBrokerConf, Address: "rabbitmq.conf", Want: Pass,
			Note: "CORS limited to the operations dashboard.",
			Files: map[string]string{"rabbitmq.conf": `listeners.tcp = none
listeners.ssl.default = 5671
management.ssl.port = 15671
management.cors.allow_origins.1 = https://dashboard.example.com
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: NotApplicable,
			Note:  "A RabbitMQ broker with no configuration body to read.",
			Files: map[string]string{"main.tf": strings.NewReplacer(`"ActiveMQ"`, `"RabbitMQ"`, `"5.18"`, `"3.13"`).Replace(tfPlainBroker)},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Pass,
			Note:  "A RabbitMQ configuration body without CORS origins.",
			Files: map[string]string{"main.tf": tfRabbitBroker},
		},
	},
}

func checkManagementCORSWildcard(b *model.Broker, _ *Context) []Result {
	s := rabbitSettings(b)
	if s == nil {
		if b.IsSelfManaged() {
			return unknownResult("The management API's CORS origins (the node's configuration was not read)", b.ID.At)
		}
		return notApplicable("The broker's RabbitMQ configuration is not part of this input.", b.ID.At)
	}
	var fails []Result
	for _, k := range s.WithPrefix("management.cors.allow_origins") {
		if v := s.Conf[k]; strings.Trim(strings.TrimSpace(v.V), `"'`) == "*" {
			fails = append(fails, Result{Status: Fail, At: v.At, ValueFrom: v.State, Subject: k,
				Message: k + " allows cross-origin requests to the management API from every origin."})
		}
	}
	if s.CORSAnyOrigin.Known() && s.CORSAnyOrigin.V {
		fails = append(fails, Result{Status: Fail, At: firstRange(s.CORSAnyOrigin.At, b.ID.At), ValueFrom: s.CORSAnyOrigin.State,
			Subject: "probe", Message: "The management API answered a preflight from an arbitrary origin with " +
				"Access-Control-Allow-Origin: *."})
	}
	switch {
	case len(fails) > 0:
		return fails
	case s.ConfState != model.Unknown:
		return one(Pass, "The management API's CORS origins do not include *.", settingsAt(b), model.Explicit)
	case s.CORSAnyOrigin.Known():
		return one(Pass, "The management API did not allow a preflight from an arbitrary origin.", firstRange(s.CORSAnyOrigin.At, b.ID.At), s.CORSAnyOrigin.State)
	}
	return unknownResult("The management API's CORS origins", b.ID.At)
}
