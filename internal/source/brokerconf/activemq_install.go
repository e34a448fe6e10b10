package brokerconf

import (
	"encoding/xml"
	"sort"
	"strconv"
	"strings"

	"github.com/mqguard/mqguard/internal/brokeruri"
	"github.com/mqguard/mqguard/internal/model"
)

// Resolver resolves a ${name} placeholder of an activemq.xml; ok is false when no properties
// file (nor the installation's own properties such as activemq.conf) defines it.
type Resolver func(name string) (value string, ok bool)

// ActiveMQFacts are the facts of a self-managed installation that an activemq.xml declares
// beyond model.ActiveMQConfig. Values carry the range of the element that sets them.
type ActiveMQFacts struct {
	// BrokerName is <broker brokerName>; State Unknown with a zero At when no broker names
	// itself (Unknown with a range when the name is an unresolved placeholder).
	BrokerName model.String
	// UseJMX is <broker useJmx>; Unknown with a zero At when absent (the default is true).
	UseJMX model.Bool
	// BrokerAt is the first <broker> element.
	BrokerAt model.Range
	// ManagementContext is nil when there is no <managementContext> element and useJmx is not
	// false (useJmx="false" alone gives one with Enabled Explicit false). Its Enabled is
	// Explicit from createConnector (Explicit false when useJmx is false) and Unknown when the
	// attribute is absent: its default depends on the version, which the loader knows.
	// Authenticated is Explicit true when the environment map names both
	// jmx.remote.x.password.file and jmx.remote.x.access.file, Explicit false when it names only
	// one, Default false when it names neither. Host is connectorHost (Default "" for all
	// interfaces), Port connectorPort (Default 1099).
	ManagementContext *model.JMXConnector
	// Authentication lists the plugins under <plugins> whose name ends in AuthenticationPlugin.
	Authentication []model.PluginRef
	// AnonymousAccessAllowed is simpleAuthenticationPlugin anonymousAccessAllowed (Default false
	// at the plugin when absent); Unknown with a zero At when there is no such plugin.
	AnonymousAccessAllowed model.Bool
	// Users are the simpleAuthenticationPlugin users (Realm "simpleAuthenticationPlugin"), their
	// passwords located, never kept.
	Users []model.BrokerUser
	// JAASConfigurations are the configuration attributes of the JAAS authentication plugins
	// (the login.config entries they use; "activemq" when absent, as a Default).
	JAASConfigurations []model.String
	// LDAPURLs are the connectionURL of LDAP authorization maps and the uri of
	// ldapNetworkConnector elements.
	LDAPURLs []model.String
	// LDAPUser and LDAPPassword are the connectionUsername and connectionPassword of the first
	// LDAP authorization map that has a connectionURL (the password located, never kept); zero
	// when there is none.
	LDAPUser     model.String
	LDAPPassword model.Secret
	// PropertyLocations are the locations of the PropertyPlaceholderConfigurer beans (and
	// <context:property-placeholder>), as written (file:${activemq.conf}/x.properties,
	// classpath:x.properties).
	PropertyLocations []model.String
	// Imports are the <import resource> of the document (jetty.xml).
	Imports []model.String
	// Placeholders are the ${...} references, in the attributes read, that resolve did not know;
	// sorted, each once.
	Placeholders []string
}

// installState is the parser's state for ActiveMQFacts.
type installState struct {
	mgmtDepth int
	// placeholderBean counts open PropertyPlaceholderConfigurer beans.
	placeholderBean int
	// text collects the character data of the element being captured (a <value>).
	text         *strings.Builder
	envPassword  bool
	envAccess    bool
	envAt        model.Range
	placeholders map[string]bool
}

// expand resolves the ${...} placeholders of an attribute value; known is false when one is not
// resolved (the name is recorded). With no resolver the value is kept as written.
func (p *parser) expand(s string) (string, bool) {
	if p.resolve == nil || !strings.Contains(s, "${") {
		return s, true
	}
	var b strings.Builder
	known := true
	rest := s
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			b.WriteString(rest)
			break
		}
		j := strings.IndexByte(rest[i+2:], '}')
		if j < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:i])
		ref := rest[i+2 : i+2+j]
		name, def, hasDef := strings.Cut(ref, ":")
		if v, ok := p.resolve(name); ok {
			b.WriteString(v)
		} else if hasDef {
			b.WriteString(def)
		} else {
			known = false
			if p.install.placeholders == nil {
				p.install.placeholders = map[string]bool{}
			}
			p.install.placeholders["${"+name+"}"] = true
		}
		rest = rest[i+2+j+1:]
	}
	return b.String(), known
}

// attrString reads an attribute with its placeholders resolved: Explicit at r, Unknown at r when
// a placeholder is unresolved; ok is false when the attribute is absent.
func (p *parser) attrString(el xml.StartElement, name string, r model.Range) (model.String, bool) {
	v, ok := attr(el, name)
	if !ok {
		return model.String{}, false
	}
	v, known := p.expand(v)
	if !known {
		return model.UnknownString(r), true
	}
	return model.ExplicitString(strings.TrimSpace(v), r), true
}

// attrBool reads a boolean attribute (true/false, any case); another value is Unknown.
func (p *parser) attrBool(el xml.StartElement, name string, r model.Range) (model.Bool, bool) {
	s, ok := p.attrString(el, name, r)
	if !ok {
		return model.Bool{}, false
	}
	if !s.Known() {
		return model.UnknownBool(r), true
	}
	switch strings.ToLower(s.V) {
	case "true":
		return model.ExplicitBool(true, r), true
	case "false":
		return model.ExplicitBool(false, r), true
	}
	return model.UnknownBool(r), true
}

// attrInt reads an integer attribute; a value that is not a number is Unknown.
func (p *parser) attrInt(el xml.StartElement, name string, r model.Range) (model.Int, bool) {
	s, ok := p.attrString(el, name, r)
	if !ok {
		return model.Int{}, false
	}
	if !s.Known() {
		return model.Int{State: model.Unknown, At: r}, true
	}
	n, err := strconv.ParseInt(s.V, 10, 32)
	if err != nil || n < 0 {
		return model.Int{State: model.Unknown, At: r}, true
	}
	return model.Int{V: n, State: model.Explicit, At: r}, true
}

func isPlaceholderBean(el xml.StartElement) bool {
	if el.Name.Local == "property-placeholder" {
		return true
	}
	if el.Name.Local != "bean" {
		return false
	}
	class, _ := attr(el, "class")
	return strings.HasSuffix(class, "PropertyPlaceholderConfigurer") || strings.HasSuffix(class, "PropertySourcesPlaceholderConfigurer")
}

// installStart reads the installation facts of a start tag; it returns the functions to run at
// its end tag.
func (p *parser) installStart(el xml.StartElement, parent string, line, tagEnd int) []func(model.Range) {
	name := el.Name.Local
	tag := p.rng(line, tagEnd)
	f := p.facts
	var ends []func(model.Range)

	switch {
	case name == "import" && p.brokerDepth == 0:
		if res, ok := attr(el, "resource"); ok {
			f.Imports = append(f.Imports, model.ExplicitString(strings.TrimSpace(res), tag))
		}
	case isPlaceholderBean(el):
		p.install.placeholderBean++
		if loc, ok := attr(el, "location"); ok {
			p.addLocations(loc, tag)
		}
		ends = append(ends, func(model.Range) { p.install.placeholderBean-- })
	case p.install.placeholderBean > 0 && name == "property":
		if n, _ := attr(el, "name"); n == "location" || n == "locations" {
			if v, ok := attr(el, "value"); ok {
				p.addLocations(v, tag)
			}
		}
	case p.install.placeholderBean > 0 && name == "value":
		p.install.text = &strings.Builder{}
		ends = append(ends, func(r model.Range) {
			if p.install.text != nil {
				p.addLocations(p.install.text.String(), r)
			}
			p.install.text = nil
		})
	}

	if name == "broker" {
		if f.BrokerAt.IsZero() {
			f.BrokerAt = tag
			ends = append(ends, func(r model.Range) { f.BrokerAt = r })
		}
		if !f.BrokerName.Known() && f.BrokerName.At.IsZero() {
			if s, ok := p.attrString(el, "brokerName", tag); ok {
				f.BrokerName = s
			}
		}
		if !f.UseJMX.Known() && f.UseJMX.At.IsZero() {
			if b, ok := p.attrBool(el, "useJmx", tag); ok {
				f.UseJMX = b
			}
		}
	}
	if p.brokerDepth == 0 {
		return ends
	}

	switch {
	case name == "managementContext":
		ends = append(ends, p.startManagementContext(el, tag))
	case p.install.mgmtDepth > 0 && name == "entry":
		key, _ := attr(el, "key")
		switch strings.TrimSpace(key) {
		case "jmx.remote.x.password.file":
			p.install.envPassword = true
			p.install.envAt = tag
		case "jmx.remote.x.access.file":
			p.install.envAccess = true
			p.install.envAt = tag
		}
	case isLDAPAuthorizationMap(name):
		if s, ok := p.attrString(el, "connectionURL", tag); ok {
			if len(f.LDAPURLs) == 0 {
				f.LDAPUser = model.DefaultString("", tag)
				if u, ok := p.attrString(el, "connectionUsername", tag); ok {
					f.LDAPUser = u
				}
				f.LDAPPassword = model.Secret{Origin: model.SecretAbsent, At: tag}
				if pw, ok := attr(el, "connectionPassword"); ok && strings.TrimSpace(pw) != "" {
					if _, known := p.expand(pw); known {
						f.LDAPPassword = model.Secret{Origin: model.SecretLiteral, At: tag, LiteralAt: tag}
					} else {
						f.LDAPPassword = model.Secret{Origin: model.SecretUnknown, At: tag}
					}
				}
			}
			f.LDAPURLs = append(f.LDAPURLs, redactString(s))
		}
	case name == "ldapNetworkConnector":
		if s, ok := p.attrString(el, "uri", tag); ok {
			f.LDAPURLs = append(f.LDAPURLs, redactString(s))
		}
	}

	if parent == "plugins" && strings.HasSuffix(name, "AuthenticationPlugin") {
		ends = append(ends, func(r model.Range) {
			f.Authentication = append(f.Authentication, model.PluginRef{Name: name, At: r})
		})
		if strings.HasPrefix(name, "jaas") {
			if s, ok := p.attrString(el, "configuration", tag); ok {
				f.JAASConfigurations = append(f.JAASConfigurations, s)
			} else {
				f.JAASConfigurations = append(f.JAASConfigurations, model.DefaultString("activemq", tag))
			}
		}
		if name == "simpleAuthenticationPlugin" {
			if b, ok := p.attrBool(el, "anonymousAccessAllowed", tag); ok {
				if f.AnonymousAccessAllowed.At.IsZero() || b.V {
					f.AnonymousAccessAllowed = b
				}
			} else if f.AnonymousAccessAllowed.At.IsZero() {
				f.AnonymousAccessAllowed = model.DefaultBool(false, tag)
			}
		}
	}

	if name == "authenticationUser" && p.authnDepth > 0 {
		ends = append(ends, p.startAuthenticationUser(el, tag))
	}
	return ends
}

func redactString(s model.String) model.String {
	if s.Known() {
		s.V = brokeruri.Redact(s.V)
	}
	return s
}

func isLDAPAuthorizationMap(name string) bool {
	return strings.HasSuffix(name, "AuthorizationMap") && strings.Contains(strings.ToLower(name), "ldap")
}

// addLocations records the comma-separated property locations of a placeholder bean.
func (p *parser) addLocations(v string, r model.Range) {
	for _, loc := range strings.FieldsFunc(v, func(c rune) bool { return c == ',' || c == '\n' || c == '\t' || c == ' ' || c == '\r' }) {
		p.facts.PropertyLocations = append(p.facts.PropertyLocations, model.ExplicitString(loc, r))
	}
}

// startManagementContext reads a <managementContext> (the property element or the bean inside
// it: both are named so); the returned function closes it.
func (p *parser) startManagementContext(el xml.StartElement, tag model.Range) func(model.Range) {
	f := p.facts
	outer := p.install.mgmtDepth == 0
	if outer && f.ManagementContext == nil {
		f.ManagementContext = &model.JMXConnector{At: tag}
	}
	m := f.ManagementContext
	p.install.mgmtDepth++
	if b, ok := p.attrBool(el, "createConnector", tag); ok {
		m.Enabled = b
	}
	if s, ok := p.attrString(el, "connectorHost", tag); ok {
		m.Host = s
	}
	if n, ok := p.attrInt(el, "connectorPort", tag); ok {
		m.Port = n
	}
	return func(r model.Range) {
		p.install.mgmtDepth--
		if outer {
			m.At = r
		}
	}
}

// startAuthenticationUser reads a simpleAuthenticationPlugin user; the returned function adds it.
func (p *parser) startAuthenticationUser(el xml.StartElement, tag model.Range) func(model.Range) {
	u := model.BrokerUser{Realm: "simpleAuthenticationPlugin"}
	username, hasUser := p.attrString(el, "username", tag)
	groups, hasGroups := p.attrString(el, "groups", tag)
	pw, hasPW := attr(el, "password")
	pwKnown := true
	if hasPW {
		_, pwKnown = p.expand(pw)
	}
	return func(r model.Range) {
		u.At = r
		u.Username = model.UnknownString(r)
		if hasUser {
			u.Username = username
		}
		u.Groups = model.StringList{State: model.Default, At: r}
		if hasGroups {
			u.Groups = model.StringList{V: splitList(groups.V), State: groups.State, At: groups.At}
		}
		switch {
		case !hasPW || strings.TrimSpace(pw) == "":
			u.Password = model.Secret{Origin: model.SecretAbsent, At: r}
		case !pwKnown:
			u.Password = model.Secret{Origin: model.SecretUnknown, At: tag}
		default:
			u.Password = model.Secret{Origin: model.SecretLiteral, At: tag, LiteralAt: tag}
		}
		p.facts.Users = append(p.facts.Users, u)
	}
}

// finishFacts completes the facts once the document is read.
func (p *parser) finishFacts() {
	f := p.facts
	if f.ManagementContext == nil && f.UseJMX.Known() && !f.UseJMX.V {
		// No JMX at all: no connector either.
		at := f.BrokerAt
		f.ManagementContext = &model.JMXConnector{At: at, Enabled: model.ExplicitBool(false, f.UseJMX.At),
			Authenticated: model.DefaultBool(false, at), Host: model.DefaultString("", at),
			Port: model.Int{V: 1099, State: model.Default, At: at}}
	} else if m := f.ManagementContext; m != nil {
		p.finishManagementContext(m)
	}
	for ph := range p.install.placeholders {
		f.Placeholders = append(f.Placeholders, ph)
	}
	sort.Strings(f.Placeholders)
}

// finishManagementContext applies useJmx and the defaults to a <managementContext>.
func (p *parser) finishManagementContext(m *model.JMXConnector) {
	f := p.facts
	if f.UseJMX.Known() && !f.UseJMX.V {
		m.Enabled = model.ExplicitBool(false, f.UseJMX.At)
	}
	if m.Enabled.At.IsZero() {
		m.Enabled = model.UnknownBool(m.At)
	}
	switch {
	case p.install.envPassword && p.install.envAccess:
		m.Authenticated = model.ExplicitBool(true, p.install.envAt)
	case p.install.envPassword || p.install.envAccess:
		m.Authenticated = model.ExplicitBool(false, p.install.envAt)
	default:
		m.Authenticated = model.DefaultBool(false, m.At)
	}
	if m.Host.At.IsZero() {
		m.Host = model.DefaultString("", m.At)
	}
	if m.Port.At.IsZero() {
		m.Port = model.Int{V: 1099, State: model.Default, At: m.At}
	}
}
