package rules

import (
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

// defaultCredentialRealms are the files where ActiveMQ ships default credentials.
var defaultCredentialRealms = []string{"jetty-realm.properties", "users.properties", "jmx.password", "credentials.properties"}

var mqg034 = &Rule{
	ID:       "MQG034",
	Slug:     "default-console-credentials",
	Title:    "Web console or Jolokia with default credentials",
	Severity: Critical,
	Engines:  []string{model.EngineActiveMQ},
	Rationale: "ActiveMQ ships admin/admin and user/user for its web console (jetty-realm.properties in 5.x, " +
		"users.properties in 6.x), admin/activemq for JMX and system/manager for its own tools. The console and " +
		"Jolokia (/api/jolokia) give full control of the broker, and Jolokia's addNetworkConnector is the " +
		"remote code execution of CVE-2026-34197: default credentials there are the first thing attackers try.",
	Remediation: map[model.SourceKind]string{
		model.SourceBrokerConf: "Change the shipped passwords in jetty-realm.properties (5.x), users.properties " +
			"(6.x), jmx.password and credentials.properties (or remove the users you do not need), keep the " +
			"real passwords out of the repository (templated from a secrets store), and restart the broker.",
		model.SourceProbe: "Change the web console's admin and user passwords (jetty-realm.properties or " +
			"users.properties) and restart; bind the console to loopback if it is not needed remotely.",
		model.SourceTerraform: "Amazon MQ has no shipped console credentials; nothing to change in code.",
	},
	SelfManaged: true,
	Check:       checkDefaultConsoleCredentials,
	Examples: []Example{
		{
			Kind: model.SourceBrokerConf, Address: "conf/activemq.xml", Want: Fail,
			Note: "The stock jetty-realm.properties with admin: admin, admin.",
			Files: map[string]string{
				"conf/activemq.xml": activeMQXML(""),
				"conf/jetty-realm.properties": `## ---------------------------------------------------------------------------
## Licensed to the Apache Software Foundation (ASF) under one or more
## contributor license agreements.
## ---------------------------------------------------------------------------
# Defines users that can access the web (console, demo, etc.)
# username: password [,rolename ...]
admin: admin, admin
user: user, user
`,
			},
		},
		{
			Kind: model.SourceBrokerConf, Address: "conf/activemq.xml", Want: Pass,
			Note: "jetty-realm.properties with changed, hashed passwords.",
			Files: map[string]string{
				"conf/activemq.xml": activeMQXML(""),
				"conf/jetty-realm.properties": `# username: password [,rolename ...]
ops-admin: MD5:5f2b9e4bc0a8d6f1e3c7a9b2d4e6f8a1, admin
`,
			},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: NotApplicable,
			Note:  "Amazon MQ has no shipped console credentials.",
			Files: map[string]string{"main.tf": tfPlainBroker},
		},
	},
}

func checkDefaultConsoleCredentials(b *model.Broker, _ *Context) []Result {
	sm := b.SelfManaged
	if sm == nil {
		return notApplicable("Amazon MQ has no shipped console credentials.", b.ID.At)
	}
	var fails []Result
	for i, u := range sm.Users {
		if !u.DefaultPassword || !containsFold(defaultCredentialRealms, u.Realm) {
			continue
		}
		name, subject := brokerUserLabel(u, i)
		fails = append(fails, Result{Status: Fail, At: firstRange(u.Password.At, u.At), ValueFrom: model.Explicit,
			Subject: u.Realm + ":" + subject,
			Message: "User " + name + " in " + u.Realm + " still has the password ActiveMQ ships for it."})
	}
	if c := sm.Console; c != nil {
		for _, name := range c.DefaultCredentials {
			if !strings.EqualFold(name, "admin") && !strings.EqualFold(name, "user") {
				continue
			}
			fails = append(fails, Result{Status: Fail, At: firstRange(model.Range{Ref: c.URL}, b.ID.At), ValueFrom: model.Explicit,
				Subject: "probe:" + strings.ToLower(name),
				Message: "The console at " + c.URL + " accepted " + name + " with its shipped default password."})
		}
	}
	switch {
	case len(fails) > 0:
		return uniqueSubjects(fails)
	case sm.UsersState != model.Unknown:
		return one(Pass, "No console, JMX or tool user keeps the password ActiveMQ ships.", b.ID.At, model.Explicit)
	case sm.Console != nil && sm.Console.DefaultCredentialsTested:
		return one(Pass, "The console refused the shipped default credentials.", firstRange(model.Range{Ref: sm.Console.URL}, b.ID.At), model.Explicit)
	case b.ID.Source == model.SourceProbe:
		return notApplicable("The probe did not try the default credentials (--probe-default-credentials).", b.ID.At)
	}
	return unknownResult("The broker's console and JMX users", b.ID.At)
}
