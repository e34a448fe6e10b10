// Package policy reads the .mqguard.yaml policy file: rule overrides, the failure threshold,
// the organisation's settings (required tags, what production means, default user names),
// approved exceptions, the baseline's path, and the running brokers to inspect with the file of
// their credentials.
//
// The file is read as YAML nodes, not decoded into structs, so that every error names the file,
// the line and the field: a policy is written by people, and "cannot unmarshal" helps nobody.
// Unknown keys are errors, since a misspelt key would otherwise silently weaken the policy.
package policy

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/mqguard/mqguard/internal/brokeruri"
	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/rules"
)

// FileName is the policy file discovered in the current directory.
const FileName = ".mqguard.yaml"

// maxFileSize bounds the file read: a policy is a few kilobytes.
const maxFileSize = 4 << 20

// Policy is a parsed policy file.
type Policy struct {
	// Path is the file as the user named it.
	Path string
	// Rules are the per-rule overrides, in file order.
	Rules []RuleOverride
	// FailOn and AllowUnknown are nil when the file does not set them.
	FailOn       *rules.Severity
	AllowUnknown *bool
	// RequiredTags is nil when the file does not set required_tags.
	RequiredTags []RequiredTag
	Production   *Production
	// DefaultUsernames are added to the catalog's list.
	DefaultUsernames []string
	// MaxAdministrators is MQG030's threshold; 0 when the file does not set it.
	MaxAdministrators int
	// MaxExceptionDays caps how far ahead an exception may expire; 0 means no cap.
	MaxExceptionDays int
	MaxExceptionLine int
	Exceptions       []Exception
	// Baseline is the baseline file, relative to the policy file's directory; "" when unset.
	Baseline     string
	BaselineLine int
	// Brokers are the running brokers the policy names for live inspection (brokers:),
	// probed with scan --probe; --broker URL replaces them.
	Brokers []Broker
	// BrokerSecrets is the file of the brokers' credentials (broker_secrets:), relative to the
	// policy file's directory; "" when unset. See LoadBrokerSecrets.
	BrokerSecrets     string
	BrokerSecretsLine int
}

// Broker is a running broker named in the policy file. It never holds credentials: those are
// in the broker_secrets file, under Credentials.
type Broker struct {
	// URL is the endpoint, checked by brokeruri.CheckTarget.
	URL string
	// Engine is model.EngineActiveMQ or model.EngineRabbitMQ when given, "" to let the probe
	// tell.
	Engine string
	// Name is the broker's display name; "" for the probe's default.
	Name string
	// Credentials is the key of the broker's entry in the broker_secrets file; "" to look it
	// up by Name, then by URL.
	Credentials string
	Line        int
}

// RuleOverride changes one rule.
type RuleOverride struct {
	// Name is the rule as written; Rule the rule it designates.
	Name     string
	Rule     *rules.Rule
	Enabled  *bool
	Severity *rules.Severity
	Line     int
}

// RequiredTag is a governance tag key, with the values it may take (any when empty).
type RequiredTag struct {
	Key    string
	Values []string
}

// Production says what marks a broker as production. An empty list keeps the catalog default.
type Production struct {
	TagKeys, TagValues, NamePatterns []string
}

// Exception is an approved, expiring exception to rules on a scope.
type Exception struct {
	// Names are the rules as written; Rules the rules they designate, in catalog order.
	Names []string
	Rules []*rules.Rule
	Scope Scope
	// Reason and ApprovedBy are required, Ticket optional.
	Reason, ApprovedBy, Ticket string
	// Expires is the last day the exception holds (inclusive).
	Expires     time.Time
	ExpiresLine int
	// Line is where the exception starts in the policy file.
	Line int
}

// Scope is what an exception covers. Every kind that is set must match; within a kind, any
// entry may. Resources, ARNs and Paths are globs (rules.MatchGlob).
type Scope struct {
	Resources []string
	ARNs      []string
	Accounts  []string
	Regions   []string
	// Tags must all be present with these values (keys case-insensitive, values exact).
	Tags  map[string]string
	Paths []string
}

// Empty reports whether the scope sets nothing.
func (s Scope) Empty() bool {
	return len(s.Resources)+len(s.ARNs)+len(s.Accounts)+len(s.Regions)+len(s.Tags)+len(s.Paths) == 0
}

// Error is a configuration error: the file, the line and the field it concerns.
type Error struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Load reads and parses the policy file at path (shown as display in errors).
func Load(path, display string) (*Policy, error) {
	// Stat before opening: opening a named pipe nobody writes to would block.
	if st, err := os.Stat(path); err != nil || !st.Mode().IsRegular() {
		msg := "not a regular file"
		var pe *os.PathError
		if errors.As(err, &pe) {
			msg = pe.Err.Error()
		}
		return nil, &Error{File: display, Msg: msg}
	}
	f, err := os.Open(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &Error{File: display, Msg: err.Error()}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, &Error{File: display, Msg: err.Error()}
	}
	if !st.Mode().IsRegular() {
		return nil, &Error{File: display, Msg: "not a regular file"}
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, &Error{File: display, Msg: err.Error()}
	}
	if len(data) > maxFileSize {
		return nil, &Error{File: display, Msg: fmt.Sprintf("larger than %d MiB: not a policy file", maxFileSize>>20)}
	}
	return Parse(display, data)
}

// Parse parses a policy file's content; file names it in errors, which are *Error.
func Parse(file string, data []byte) (*Policy, error) {
	p := &parser{file: file, pol: &Policy{Path: file}}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, p.yamlError(err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		// An empty file is an empty policy.
		return p.pol, nil
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return p.pol, nil
	}
	if err := p.document(root); err != nil {
		return nil, err
	}
	return p.pol, nil
}

type parser struct {
	file string
	pol  *Policy
}

func (p *parser) errorf(n *yaml.Node, field, format string, a ...any) error {
	line := 0
	if n != nil {
		line = n.Line
	}
	return &Error{File: p.file, Line: line, Field: field, Msg: fmt.Sprintf(format, a...)}
}

// yamlError turns a YAML syntax error into an *Error with its line.
func (p *parser) yamlError(err error) error {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		num, tail, _ := strings.Cut(rest, ":")
		if n, err := strconv.Atoi(num); err == nil {
			line, msg = n, strings.TrimSpace(tail)
		}
	}
	return &Error{File: p.file, Line: line, Msg: "invalid YAML: " + msg}
}

// mapping checks that n is a mapping of known keys and calls f for each entry, in file order.
// A key given twice is an error: YAML would keep one of the two silently.
func (p *parser) mapping(n *yaml.Node, field string, known []string, f func(key string, k, v *yaml.Node) error) error {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		return p.errorf(n, field, "want a mapping, got %s", kindName(n))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], deref(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			return p.errorf(k, field, "keys must be strings")
		}
		name := join(field, k.Value)
		if known != nil && !contains(known, k.Value) {
			return p.errorf(k, name, "unknown key (want one of %s)", strings.Join(known, ", "))
		}
		if seen[k.Value] {
			return p.errorf(k, name, "given twice")
		}
		seen[k.Value] = true
		if err := f(k.Value, k, v); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) document(root *yaml.Node) error {
	pol := p.pol
	return p.mapping(root, "", []string{"rules", "fail_on", "allow_unknown", "required_tags", "production",
		"default_usernames", "max_administrators", "max_exception_days", "exceptions", "baseline", "brokers",
		"broker_secrets"}, func(key string, k, v *yaml.Node) error {
		switch key {
		case "rules":
			return p.rules(v)
		case "fail_on":
			s, err := p.scalar(v, key)
			if err != nil {
				return err
			}
			sev, ok := rules.ParseSeverity(s)
			if !ok {
				return p.errorf(v, key, "%q: want info, low, medium, high or critical", s)
			}
			pol.FailOn = &sev
		case "allow_unknown":
			b, err := p.boolean(v, key)
			if err != nil {
				return err
			}
			pol.AllowUnknown = &b
		case "required_tags":
			return p.requiredTags(v)
		case "production":
			return p.production(v)
		case "default_usernames":
			list, err := p.strings(v, key)
			if err != nil {
				return err
			}
			pol.DefaultUsernames = list
		case "max_administrators":
			s, err := p.scalar(v, key)
			if err != nil {
				return err
			}
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 {
				return p.errorf(v, key, "%q: want a whole number of users, at least 1", s)
			}
			pol.MaxAdministrators = n
		case "max_exception_days":
			s, err := p.scalar(v, key)
			if err != nil {
				return err
			}
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 {
				return p.errorf(v, key, "%q: want a whole number of days, at least 1", s)
			}
			pol.MaxExceptionDays, pol.MaxExceptionLine = n, v.Line
		case "exceptions":
			return p.exceptions(v)
		case "baseline":
			s, err := p.scalar(v, key)
			if err != nil {
				return err
			}
			if s == "" {
				return p.errorf(v, key, "want a file path")
			}
			pol.Baseline, pol.BaselineLine = s, v.Line
		case "brokers":
			return p.brokers(v)
		case "broker_secrets":
			s, err := p.scalar(v, key)
			if err != nil {
				return err
			}
			if s == "" {
				return p.errorf(v, key, "want a file path")
			}
			pol.BrokerSecrets, pol.BrokerSecretsLine = s, v.Line
		}
		return nil
	})
}

// brokers reads brokers: a list of {url, engine, name, credentials}.
func (p *parser) brokers(n *yaml.Node) error {
	if n.Kind != yaml.SequenceNode {
		return p.errorf(n, "brokers", "want a list, got %s", kindName(n))
	}
	p.pol.Brokers = []Broker{}
	for i, item := range n.Content {
		item = deref(item)
		field := fmt.Sprintf("brokers[%d]", i)
		b := Broker{Line: item.Line}
		var urlNode *yaml.Node
		err := p.mapping(item, field, []string{"url", "engine", "name", "credentials"}, func(key string, _, v *yaml.Node) error {
			f := field + "." + key
			s, err := p.scalar(v, f)
			if err != nil {
				return err
			}
			switch key {
			case "url":
				urlNode = v
				u, err := brokeruri.CheckTarget(s)
				if err != nil {
					return p.errorf(v, f, "%v", err)
				}
				b.URL = u
			case "engine":
				switch e := model.NormalizeEngine(s); e {
				case model.EngineActiveMQ, model.EngineRabbitMQ:
					b.Engine = e
				default:
					return p.errorf(v, f, "%q: want ActiveMQ or RabbitMQ", s)
				}
			case "name":
				if s == "" {
					return p.errorf(v, f, "may not be empty")
				}
				b.Name = s
			case "credentials":
				if s == "" {
					return p.errorf(v, f, "want the key of the broker's entry in the broker_secrets file")
				}
				b.Credentials = s
			}
			return nil
		})
		if err != nil {
			return err
		}
		if urlNode == nil {
			return p.errorf(item, field+".url", "required: the broker's URL, such as https://rabbit.internal:15671")
		}
		for _, prev := range p.pol.Brokers {
			if prev.URL == b.URL {
				return p.errorf(urlNode, field+".url", "%s is already listed at line %d", b.URL, prev.Line)
			}
		}
		p.pol.Brokers = append(p.pol.Brokers, b)
	}
	return nil
}

func (p *parser) rules(n *yaml.Node) error {
	catalog := rules.All()
	return p.mapping(n, "rules", nil, func(name string, k, v *yaml.Node) error {
		field := "rules." + name
		r, err := p.rule(k, field, name, catalog)
		if err != nil {
			return err
		}
		o := RuleOverride{Name: name, Rule: r, Line: k.Line}
		err = p.mapping(v, field, []string{"enabled", "severity"}, func(key string, _, v *yaml.Node) error {
			switch key {
			case "enabled":
				b, err := p.boolean(v, field+".enabled")
				if err != nil {
					return err
				}
				o.Enabled = &b
			case "severity":
				s, err := p.scalar(v, field+".severity")
				if err != nil {
					return err
				}
				sev, ok := rules.ParseSeverity(s)
				if !ok || sev == rules.Info {
					return p.errorf(v, field+".severity", "%q: want LOW, MEDIUM, HIGH or CRITICAL", s)
				}
				o.Severity = &sev
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, prev := range p.pol.Rules {
			if prev.Rule == r {
				return p.errorf(k, field, "%s is already configured at line %d", r.ID, prev.Line)
			}
		}
		p.pol.Rules = append(p.pol.Rules, o)
		return nil
	})
}

// rule resolves one rule name: any name rules.Rule.Matches accepts, designating one rule.
func (p *parser) rule(n *yaml.Node, field, name string, catalog []*rules.Rule) (*rules.Rule, error) {
	found, err := rules.Resolve(catalog, []string{name})
	if err != nil || len(found) == 0 {
		return nil, p.errorf(n, field, "unknown rule %q (see 'mqguard rules')", name)
	}
	if len(found) > 1 {
		// Another tool's ID may map to several rules; an override must say which.
		return nil, p.errorf(n, field, "%q designates several rules; name one by its mqguard ID", name)
	}
	return found[0], nil
}

func (p *parser) requiredTags(n *yaml.Node) error {
	const field = "required_tags"
	p.pol.RequiredTags = []RequiredTag{}
	add := func(at *yaml.Node, key string, values []string) error {
		if strings.TrimSpace(key) == "" {
			return p.errorf(at, field, "a tag key may not be empty")
		}
		for _, t := range p.pol.RequiredTags {
			if strings.EqualFold(t.Key, key) {
				return p.errorf(at, field, "tag %q given twice", key)
			}
		}
		p.pol.RequiredTags = append(p.pol.RequiredTags, RequiredTag{Key: key, Values: values})
		return nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		// owner: [] or data-sensitivity: [public, internal]
		return p.mapping(n, field, nil, func(key string, k, v *yaml.Node) error {
			var values []string
			if !isNull(v) {
				var err error
				if values, err = p.strings(v, field+"."+key); err != nil {
					return err
				}
			}
			return add(k, key, values)
		})
	case yaml.SequenceNode:
		// - owner, or - {key: data-sensitivity, values: [public, internal]}
		for i, item := range n.Content {
			item = deref(item)
			itemField := fmt.Sprintf("%s[%d]", field, i)
			if item.Kind == yaml.ScalarNode {
				if err := add(item, item.Value, nil); err != nil {
					return err
				}
				continue
			}
			var key string
			var values []string
			err := p.mapping(item, itemField, []string{"key", "values"}, func(k string, _, v *yaml.Node) error {
				var err error
				if k == "key" {
					key, err = p.scalar(v, itemField+".key")
				} else {
					values, err = p.strings(v, itemField+".values")
				}
				return err
			})
			if err != nil {
				return err
			}
			if key == "" {
				return p.errorf(item, itemField+".key", "required")
			}
			if err := add(item, key, values); err != nil {
				return err
			}
		}
		return nil
	}
	return p.errorf(n, field, "want a list of tag keys or a mapping of keys to allowed values, got %s", kindName(n))
}

func (p *parser) production(n *yaml.Node) error {
	pr := &Production{}
	p.pol.Production = pr
	return p.mapping(n, "production", []string{"tag_keys", "tag_values", "name_patterns"}, func(key string, _, v *yaml.Node) error {
		list, err := p.strings(v, "production."+key)
		if err != nil {
			return err
		}
		switch key {
		case "tag_keys":
			pr.TagKeys = list
		case "tag_values":
			pr.TagValues = list
		case "name_patterns":
			pr.NamePatterns = list
		}
		return nil
	})
}

func (p *parser) exceptions(n *yaml.Node) error {
	if n.Kind != yaml.SequenceNode {
		return p.errorf(n, "exceptions", "want a list, got %s", kindName(n))
	}
	catalog := rules.All()
	for i, item := range n.Content {
		item = deref(item)
		field := fmt.Sprintf("exceptions[%d]", i)
		ex := Exception{Line: item.Line}
		var ruleNode, expiresNode *yaml.Node
		err := p.mapping(item, field, []string{"rule", "resources", "arns", "accounts", "regions", "tags", "paths",
			"reason", "approved_by", "ticket", "expires"}, func(key string, _, v *yaml.Node) error {
			f := field + "." + key
			var err error
			switch key {
			case "rule":
				ruleNode = v
				ex.Names, err = p.strings(v, f)
			case "resources":
				ex.Scope.Resources, err = p.strings(v, f)
			case "arns":
				ex.Scope.ARNs, err = p.strings(v, f)
			case "accounts":
				ex.Scope.Accounts, err = p.strings(v, f)
			case "regions":
				ex.Scope.Regions, err = p.strings(v, f)
			case "paths":
				ex.Scope.Paths, err = p.strings(v, f)
			case "tags":
				ex.Scope.Tags = map[string]string{}
				err = p.mapping(v, f, nil, func(tk string, _, tv *yaml.Node) error {
					val, err := p.scalar(tv, f+"."+tk)
					ex.Scope.Tags[tk] = val
					return err
				})
			case "reason":
				ex.Reason, err = p.scalar(v, f)
			case "approved_by":
				ex.ApprovedBy, err = p.scalar(v, f)
			case "ticket":
				ex.Ticket, err = p.scalar(v, f)
			case "expires":
				expiresNode = v
				var s string
				if s, err = p.scalar(v, f); err == nil {
					ex.Expires, err = time.Parse(time.DateOnly, s)
					if err != nil {
						err = p.errorf(v, f, "%q: want a date YYYY-MM-DD", s)
					}
					ex.ExpiresLine = v.Line
				}
			}
			return err
		})
		if err != nil {
			return err
		}
		switch {
		case ruleNode == nil || len(ex.Names) == 0:
			return p.errorf(item, field+".rule", "required: the rule ID or slug (or a list of them) the exception is for")
		case ex.Scope.Empty():
			return p.errorf(item, field, "a scope is required (resources, arns, accounts, regions, tags or paths); to turn a rule off everywhere use rules: {ID: {enabled: false}}")
		case strings.TrimSpace(ex.Reason) == "":
			return p.errorf(item, field+".reason", "required: why the exception is accepted")
		case strings.TrimSpace(ex.ApprovedBy) == "":
			return p.errorf(item, field+".approved_by", "required: who approved the exception")
		case expiresNode == nil:
			return p.errorf(item, field+".expires", "required: the last day the exception holds, YYYY-MM-DD")
		}
		for _, name := range ex.Names {
			found, err := rules.Resolve(catalog, []string{name})
			if err != nil {
				return p.errorf(ruleNode, field+".rule", "unknown rule %q (see 'mqguard rules')", name)
			}
			for _, r := range found {
				if !containsRule(ex.Rules, r) {
					ex.Rules = append(ex.Rules, r)
				}
			}
		}
		p.pol.Exceptions = append(p.pol.Exceptions, ex)
	}
	return nil
}

// CheckExpiry checks the exceptions against max_exception_days on the day asOf: an exception
// may not be approved further ahead than the cap.
func (pol *Policy) CheckExpiry(asOf time.Time) error {
	if pol.MaxExceptionDays == 0 {
		return nil
	}
	day := time.Date(asOf.Year(), asOf.Month(), asOf.Day(), 0, 0, 0, 0, time.UTC)
	limit := day.AddDate(0, 0, pol.MaxExceptionDays)
	for i, ex := range pol.Exceptions {
		if ex.Expires.After(limit) {
			return &Error{File: pol.Path, Line: ex.ExpiresLine, Field: fmt.Sprintf("exceptions[%d].expires", i),
				Msg: fmt.Sprintf("%s is more than max_exception_days (%d, line %d) after %s", ex.Expires.Format(time.DateOnly),
					pol.MaxExceptionDays, pol.MaxExceptionLine, day.Format(time.DateOnly))}
		}
	}
	return nil
}

// Settings returns base with the policy's settings applied: required tags and production
// replace the catalog's when set, default user names are added to it.
func (pol *Policy) Settings(base rules.Settings) rules.Settings {
	s := base
	if pol.RequiredTags != nil {
		s.RequiredTags = nil
		s.AllowedTagValues = nil
		for _, t := range pol.RequiredTags {
			s.RequiredTags = append(s.RequiredTags, t.Key)
			if len(t.Values) > 0 {
				if s.AllowedTagValues == nil {
					s.AllowedTagValues = map[string][]string{}
				}
				s.AllowedTagValues[strings.ToLower(t.Key)] = t.Values
			}
		}
	}
	if pr := pol.Production; pr != nil {
		if len(pr.TagKeys) > 0 {
			s.ProductionTagKeys = pr.TagKeys
		}
		if len(pr.TagValues) > 0 {
			s.ProductionTagValues = pr.TagValues
		}
		if len(pr.NamePatterns) > 0 {
			s.ProductionNamePatterns = pr.NamePatterns
		}
	}
	if len(pol.DefaultUsernames) > 0 {
		s.DefaultUsernames = append(append([]string(nil), base.DefaultUsernames...), pol.DefaultUsernames...)
	}
	if pol.MaxAdministrators > 0 {
		s.MaxAdministrators = pol.MaxAdministrators
	}
	return s
}

// BaselinePath returns the baseline file named by the policy, resolved against the policy
// file's directory; "" when the policy names none.
func (pol *Policy) BaselinePath() string {
	return pol.relative(pol.Baseline)
}

// BrokerSecretsPath returns the broker_secrets file named by the policy, resolved against the
// policy file's directory; "" when the policy names none.
func (pol *Policy) BrokerSecretsPath() string {
	return pol.relative(pol.BrokerSecrets)
}

func (pol *Policy) relative(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(filepath.Dir(pol.Path), p)
}

// scalar reads a string scalar.
func (p *parser) scalar(n *yaml.Node, field string) (string, error) {
	n = deref(n)
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", p.errorf(n, field, "want a single value, got %s", kindName(n))
	}
	return strings.TrimSpace(n.Value), nil
}

func (p *parser) boolean(n *yaml.Node, field string) (bool, error) {
	n = deref(n)
	if n.Kind == yaml.ScalarNode {
		switch strings.ToLower(n.Value) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, p.errorf(n, field, "want true or false")
}

// strings reads a list of strings; a single value is a list of one.
func (p *parser) strings(n *yaml.Node, field string) ([]string, error) {
	n = deref(n)
	if n.Kind == yaml.ScalarNode {
		s, err := p.scalar(n, field)
		if err != nil {
			return nil, err
		}
		if s == "" {
			return nil, p.errorf(n, field, "may not be empty")
		}
		return []string{s}, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, p.errorf(n, field, "want a value or a list of values, got %s", kindName(n))
	}
	out := make([]string, 0, len(n.Content))
	for i, item := range n.Content {
		s, err := p.scalar(item, fmt.Sprintf("%s[%d]", field, i))
		if err != nil {
			return nil, err
		}
		if s == "" {
			return nil, p.errorf(item, fmt.Sprintf("%s[%d]", field, i), "may not be empty")
		}
		out = append(out, s)
	}
	return out, nil
}

// deref follows an alias. yaml.v3 bounds alias expansion itself (billion laughs); a policy is
// only walked, never expanded, so an alias is read once per reference.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	if n == nil {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"}
	}
	return n
}

func isNull(n *yaml.Node) bool {
	n = deref(n)
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	case yaml.AliasNode:
		return "an alias"
	}
	return "nothing"
}

func join(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func containsRule(list []*rules.Rule, r *rules.Rule) bool {
	for _, v := range list {
		if v == r {
			return true
		}
	}
	return false
}
