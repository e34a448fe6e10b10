// Package rules is the catalog of built-in rules. A rule reads only the model: it never sees HCL,
// YAML or SDK types, so a rule written once works for every source.
package rules

import (
	"strings"
	"time"

	"github.com/mqguard/mqguard/internal/model"
)

// Status is the outcome of a rule on one resource.
type Status uint8

// Statuses, in the order reports sort them.
const (
	Fail Status = iota
	Unknown
	Pass
	NotApplicable
)

func (s Status) String() string {
	return [...]string{"FAIL", "UNKNOWN", "PASS", "N/A"}[s]
}

// Severity of a rule or a result.
type Severity uint8

// Severities from lowest to highest.
const (
	Info Severity = iota
	Low
	Medium
	High
	Critical
)

var severityNames = [...]string{"INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL"}

func (s Severity) String() string { return severityNames[s] }

// ParseSeverity reads a severity name, case-insensitively.
func ParseSeverity(s string) (Severity, bool) {
	for i, n := range severityNames {
		if strings.EqualFold(n, s) {
			return Severity(i), true
		}
	}
	return 0, false
}

// Alias is another tool's or framework's identifier for the same check.
type Alias struct {
	// Tool: checkov, trivy, tfsec, kics, prowler, securityhub, config, controltower, conformity,
	// cloudsploit, terrascan.
	Tool string
	ID   string
}

// Example is a good or bad case of a rule in one input kind. The generic examples test runs it
// through the real source and checks that the rule's result for the named resource is Want.
type Example struct {
	Kind model.SourceKind
	// Files maps a relative path to its content.
	Files map[string]string
	// Address of the broker (or configuration) the result is checked on.
	Address string
	Want    Status
	// Note says what the example shows, for the generated docs.
	Note string
}

// Rule is one check of the catalog.
type Rule struct {
	ID       string
	Slug     string
	Title    string
	Severity Severity
	// Engines the rule applies to; empty means every engine.
	Engines   []string
	Rationale string
	// Remediation by input kind. The "" key is the fallback.
	Remediation map[model.SourceKind]string
	// ReplacementRequired: the fix cannot be applied in place; a new broker is needed.
	ReplacementRequired bool
	// SelfManaged: the rule applies to self-managed brokers (read from their own files or
	// reached with --broker) as well as to Amazon MQ ones. A rule without it is about Amazon
	// MQ's own settings and is N/A on a self-managed broker (see Rule.NotApplicableTo).
	SelfManaged bool
	Aliases     []Alias
	// Controls are compliance framework references (e.g. "Security Hub MQ.2").
	Controls []string
	// Check evaluates the rule on one broker.
	Check func(b *model.Broker, ctx *Context) []Result
	// CheckConfiguration, when set, evaluates the rule on a configuration no broker uses (an
	// unused configuration is its own resource). Findings on used configurations are reported
	// on each broker that uses them, through Check.
	CheckConfiguration func(c *model.Configuration, ctx *Context) []Result
	Examples           []Example
}

// Result is the outcome of a rule on a resource. A check returns one result per finding
// (e.g. one per offending user), or a single Pass/NotApplicable/Unknown.
type Result struct {
	Status  Status
	Message string
	// At is the offending attribute (or the block, for defaults).
	At model.Range
	// ValueFrom says whether the decisive value was explicit, a default or unknown.
	ValueFrom model.State
	// Severity overrides the rule's severity when non-nil (MQG010 grades by date).
	Severity *Severity
	// Subject distinguishes several results of one rule on one resource (a username, a
	// security group rule); it is part of the fingerprint. Empty for a single result.
	Subject string
}

// Context carries what checks need beyond the broker: the whole inventory, the date rules are
// judged at, and the user's settings.
type Context struct {
	Inventory *model.Inventory
	AsOf      time.Time
	Settings  Settings
}

// Settings are the user-configurable parts of rules. DefaultSettings gives RULES.md's defaults.
type Settings struct {
	// ProductionTagKeys and ProductionTagValues define a production broker (case-insensitive).
	ProductionTagKeys   []string
	ProductionTagValues []string
	// ProductionNamePatterns are globs (see MatchGlob) on the broker name that also mark a
	// production broker, case-insensitively.
	ProductionNamePatterns []string
	// RequiredTags are the governance tag keys of MQG011 (case-insensitive). AllowedTagValues
	// optionally restricts the values of a required key (lower-case key).
	RequiredTags     []string
	AllowedTagValues map[string][]string
	// DefaultUsernames is MQG014's list.
	DefaultUsernames []string
	// MaxAdministrators is MQG030's threshold: more administrators than this fail (0: the
	// catalog's default, 3).
	MaxAdministrators int
}

// DefaultSettings returns the catalog's defaults.
func DefaultSettings() Settings {
	return Settings{
		ProductionTagKeys:   []string{"environment", "env", "stage"},
		ProductionTagValues: []string{"prod", "production", "prd", "live"},
		RequiredTags:        []string{"owner", "application", "data-sensitivity"},
		DefaultUsernames: []string{"admin", "administrator", "root", "guest", "user", "test", "mq",
			"activemq", "rabbitmq", "broker", "system", "default", "manager", "sa"},
		MaxAdministrators: defaultMaxAdministrators,
	}
}
