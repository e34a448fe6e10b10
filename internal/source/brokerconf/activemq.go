// Package brokerconf reads the configuration files of the brokers themselves (ActiveMQ XML) into
// the model.
package brokerconf

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"github.com/mqguard/mqguard/internal/brokeruri"
	"io"
	"sort"
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

// Limits applied to untrusted documents.
const (
	// MaxDocumentSize is the largest ActiveMQ document ParseActiveMQ reads.
	MaxDocumentSize = 4 << 20
	// MaxDepth is the deepest element nesting ParseActiveMQ accepts.
	MaxDepth = 256
)

// ParseError is a document ParseActiveMQ cannot read. Msg never quotes attribute values.
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// ErrorAt is what a source reports of a parse error of a configuration body it holds: the line
// the error names (fallback when it names none) and ": message" (empty when there is none).
// The parsers' messages never quote a value.
func ErrorAt(err error, fallback int) (line int, detail string) {
	line = fallback
	var pe *ParseError
	if errors.As(err, &pe) {
		if pe.Line > 0 {
			line = pe.Line
		}
		if pe.Msg != "" {
			detail = ": " + pe.Msg
		}
	}
	return line, detail
}

// ParseActiveMQ parses an ActiveMQ broker configuration (the <broker> document Amazon MQ takes in
// aws_mq_configuration / AWS::AmazonMQ::Configuration, or a self-managed activemq.xml, which wraps
// <broker> in Spring <beans>). file is the display path put in every Range; firstLine is the line
// number, in that file, of the document's first line (so an XML heredoc inside a .tf file reports
// .tf lines). It returns a *ParseError (with File, Line, Msg; implements error) for a document that
// is not well-formed XML or has no <broker> element.
//
// Connector URIs are kept with their credentials redacted (see brokeruri.Redact). Elements are matched
// by local name, whatever their namespace; attributes by their exact name.
// Connectors, plugins, the authorization map and users are read inside <broker> elements (several
// brokers in one file are merged); embedded credentials are reported wherever they appear in the
// file. A firstLine below 1 is taken as 1.
func ParseActiveMQ(data []byte, file string, firstLine int) (*model.ActiveMQConfig, error) {
	cfg, _, err := parseActiveMQ(data, file, firstLine, nil)
	return cfg, err
}

// ParseActiveMQInstall parses a self-managed activemq.xml as ParseActiveMQ does and also returns
// the facts of the installation it declares (see ActiveMQFacts). resolve, when not nil, resolves
// ${name} placeholders (as Spring's PropertyPlaceholderConfigurer does, from the properties files
// the loader read): an attribute whose placeholder resolve does not know is Unknown (a connector
// URI "tcp://${host}:61616" has an Unknown URI) and the placeholder is listed in
// ActiveMQFacts.Placeholders. With a nil resolve, attributes are kept as written.
func ParseActiveMQInstall(data []byte, file string, firstLine int, resolve Resolver) (*model.ActiveMQConfig, *ActiveMQFacts, error) {
	return parseActiveMQ(data, file, firstLine, resolve)
}

func parseActiveMQ(data []byte, file string, firstLine int, resolve Resolver) (*model.ActiveMQConfig, *ActiveMQFacts, error) {
	if firstLine < 1 {
		firstLine = 1
	}
	if len(data) > MaxDocumentSize {
		return nil, nil, &ParseError{File: file, Line: firstLine,
			Msg: fmt.Sprintf("document is larger than %d bytes", MaxDocumentSize)}
	}
	p := &parser{
		file:       file,
		firstLine:  firstLine,
		lineStarts: lineStarts(data),
		cfg:        &model.ActiveMQConfig{},
		mapsByID:   map[string]*model.AuthorizationMap{},
		resolve:    resolve,
		facts:      &ActiveMQFacts{},
	}
	if err := p.run(data); err != nil {
		return nil, nil, err
	}
	if !p.sawBroker {
		return nil, nil, &ParseError{File: file, Line: firstLine, Msg: "no <broker> element"}
	}
	p.resolveMapRefs()
	p.finishFacts()
	return p.cfg, p.facts, nil
}

// lineStarts returns the byte offset at which each line of data starts.
func lineStarts(data []byte) []int {
	starts := make([]int, 1, bytes.Count(data, []byte{'\n'})+1)
	for i, c := range data {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// frame is an open element.
type frame struct {
	name      string
	startLine int
	// onEnd, when set, runs at the element's end tag with the element's full range.
	onEnd func(r model.Range)
}

type parser struct {
	file       string
	firstLine  int
	lineStarts []int
	dec        *xml.Decoder
	cfg        *model.ActiveMQConfig
	stack      []frame
	sawBroker  bool

	brokerDepth int                     // open <broker> elements
	pluginDepth int                     // open <authorizationPlugin> elements (inside a broker)
	authnDepth  int                     // open <simpleAuthenticationPlugin> elements (inside a broker)
	curMap      *model.AuthorizationMap // innermost open authorization map, if any
	mapsByID    map[string]*model.AuthorizationMap
	// mapRef is the id named by <authorizationPlugin map="#id"> when the plugin declares no
	// inline map (Spring style, the map being a separate bean).
	mapRef string

	// resolve resolves ${...} placeholders (nil: attributes are kept as written).
	resolve Resolver
	facts   *ActiveMQFacts
	install installState
}

// lineOf maps a byte offset in the document to a line in the file.
func (p *parser) lineOf(off int64) int {
	i := sort.Search(len(p.lineStarts), func(i int) bool { return int64(p.lineStarts[i]) > off })
	if i < 1 {
		i = 1
	}
	return p.firstLine + i - 1
}

func (p *parser) errorf(line int, format string, args ...any) *ParseError {
	return &ParseError{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) run(data []byte) error {
	p.dec = xml.NewDecoder(bytes.NewReader(data))
	p.dec.Strict = true
	p.dec.CharsetReader = func(label string, input io.Reader) (io.Reader, error) {
		// ASCII is a subset of UTF-8: read it as is. Other encodings would shift byte offsets
		// and therefore line numbers, so they are refused.
		switch strings.ToLower(label) {
		case "us-ascii", "ascii", "utf8":
			return input, nil
		}
		return nil, errors.New("unsupported encoding")
	}
	for {
		startOff := p.dec.InputOffset()
		tok, err := p.dec.Token()
		if errors.Is(err, io.EOF) {
			if len(p.stack) > 0 {
				return p.errorf(p.lineOf(int64(len(data))), "unexpected end of document: <%s> is not closed", p.stack[len(p.stack)-1].name)
			}
			return nil
		}
		if err != nil {
			return p.syntaxError(err, startOff)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(p.stack) >= MaxDepth {
				return p.errorf(p.lineOf(startOff), "elements are nested deeper than %d levels", MaxDepth)
			}
			p.start(t, p.lineOf(startOff), p.lineOf(p.dec.InputOffset()-1))
		case xml.EndElement:
			if len(p.stack) == 0 {
				return p.errorf(p.lineOf(startOff), "unexpected end element")
			}
			f := p.stack[len(p.stack)-1]
			p.stack = p.stack[:len(p.stack)-1]
			endLine := p.lineOf(p.dec.InputOffset() - 1)
			if f.onEnd != nil {
				f.onEnd(p.rng(f.startLine, endLine))
			}
		case xml.CharData:
			if p.install.text != nil {
				p.install.text.Write(t)
			}
		case xml.Directive:
			if isEntityDeclaration(t) {
				return p.errorf(p.lineOf(startOff), "DTD/entity declarations are not allowed")
			}
		}
	}
}

// isEntityDeclaration reports whether a <!...> directive declares or contains an entity.
func isEntityDeclaration(d xml.Directive) bool {
	return bytes.Contains(bytes.ToUpper(d), []byte("ENTITY"))
}

// syntaxError turns a decoder error into a ParseError without quoting the document: a decoder
// message may carry part of an attribute value (an undefined entity inside a password).
func (p *parser) syntaxError(err error, startOff int64) error {
	var se *xml.SyntaxError
	if !errors.As(err, &se) {
		if strings.Contains(err.Error(), "charset") {
			return p.errorf(p.lineOf(startOff), "unsupported encoding declared (use UTF-8)")
		}
		return p.errorf(p.lineOf(startOff), "malformed document")
	}
	line := p.firstLine + se.Line - 1
	if se.Line < 1 {
		line = p.lineOf(startOff)
	}
	return p.errorf(line, "XML syntax error: %s", safeSyntaxMessage(se.Msg))
}

// structuralMessages are the prefixes of the decoder messages that describe structure only
// (element names, expected tokens). Other messages may quote document text.
var structuralMessages = []string{
	"element <", "unexpected end element", "unexpected EOF", "expected ", "attribute name without =",
	"unquoted or missing attribute value", "unescaped ", "invalid UTF-8", "illegal character code",
	"invalid sequence", "invalid <![", "invalid characters between", "invalid XML name",
}

// safeSyntaxMessage keeps the decoder messages that only describe structure and replaces those
// that can quote document text.
func safeSyntaxMessage(msg string) string {
	if strings.Contains(msg, "entity") {
		return "invalid character entity"
	}
	for _, prefix := range structuralMessages {
		if strings.HasPrefix(msg, prefix) {
			if len(msg) > 120 {
				msg = msg[:120] + "..."
			}
			return msg
		}
	}
	return "malformed document"
}

func (p *parser) rng(start, end int) model.Range {
	return model.Range{File: p.file, StartLine: start, EndLine: end}
}

// parent returns the local name of the innermost open element, or "".
func (p *parser) parent() string {
	if len(p.stack) == 0 {
		return ""
	}
	return p.stack[len(p.stack)-1].name
}

// start handles a start tag written from line to tagEnd; it pushes the element's frame.
func (p *parser) start(el xml.StartElement, line, tagEnd int) {
	name := el.Name.Local
	parent := p.parent()
	f := frame{name: name, startLine: line}
	var ends []func(model.Range)

	p.scanCredentials(el, p.rng(line, tagEnd))

	if p.brokerDepth > 0 {
		switch {
		case name == "networkConnector" || name == "multicastNetworkConnector":
			nc := p.connectorFields(el)
			ends = append(ends, func(r model.Range) {
				p.cfg.NetworkConnectors = append(p.cfg.NetworkConnectors, model.NetworkConnector{
					Name: nc.name(r, "bridge"), URI: nc.uri(r), At: r})
			})
		case name == "transportConnector":
			tc := p.connectorFields(el)
			ends = append(ends, func(r model.Range) {
				p.cfg.TransportConnectors = append(p.cfg.TransportConnectors, model.TransportConnector{
					Name: tc.name(r, ""), URI: tc.uri(r), At: r})
			})
		case name == "authorizationPlugin":
			ends = append(ends, p.startAuthorizationPlugin(el))
		case name == "simpleAuthenticationPlugin":
			p.authnDepth++
			ends = append(ends, func(model.Range) { p.authnDepth-- })
		case name == "authenticationUser" && p.authnDepth > 0:
			user, hasUser := attr(el, "username")
			userKnown := false
			if hasUser {
				user, userKnown = p.expand(user)
			}
			groups, _ := attr(el, "groups")
			groups, groupsKnown := p.expand(groups)
			ends = append(ends, func(r model.Range) {
				u := model.ConfigUser{Username: model.UnknownString(r), Groups: splitList(groups), GroupsUnknown: !groupsKnown, At: r}
				if hasUser && userKnown {
					u.Username = model.ExplicitString(user, r)
				}
				p.cfg.Users = append(p.cfg.Users, u)
			})
		}
		if parent == "plugins" {
			ends = append(ends, func(r model.Range) {
				p.cfg.Plugins = append(p.cfg.Plugins, model.PluginRef{Name: name, At: r})
			})
		}
	}

	switch {
	case name == "broker":
		p.sawBroker = true
		p.brokerDepth++
		ends = append(ends, func(model.Range) { p.brokerDepth-- })
	case isAuthorizationMap(name):
		ends = append(ends, p.startAuthorizationMap(el))
	case p.curMap != nil && (name == "authorizationEntry" || isTempEntry(el, parent)):
		m := p.curMap
		entry := authorizationEntry(el)
		ends = append(ends, func(r model.Range) {
			entry.At = r
			m.Entries = append(m.Entries, entry)
		})
	}

	ends = append(ends, p.installStart(el, parent, line, tagEnd)...)

	switch len(ends) {
	case 0:
	case 1:
		f.onEnd = ends[0]
	default:
		f.onEnd = func(r model.Range) {
			for _, end := range ends {
				end(r)
			}
		}
	}
	p.stack = append(p.stack, f)
}

// startAuthorizationPlugin opens an <authorizationPlugin>; the returned function closes it.
func (p *parser) startAuthorizationPlugin(el xml.StartElement) func(model.Range) {
	first := p.cfg.AuthorizationPlugin == nil
	if first {
		p.cfg.AuthorizationPlugin = &model.AuthorizationPlugin{}
	}
	if ref, ok := attr(el, "map"); ok && p.mapRef == "" {
		p.mapRef = strings.TrimPrefix(strings.TrimSpace(ref), "#")
	}
	p.pluginDepth++
	return func(r model.Range) {
		p.pluginDepth--
		if first {
			p.cfg.AuthorizationPlugin.At = r
		}
	}
}

// startAuthorizationMap opens an authorization map element; the returned function closes it.
// Inside an authorizationPlugin the map becomes the plugin's map (the first one does); elsewhere
// it is kept by id for <authorizationPlugin map="#id">.
func (p *parser) startAuthorizationMap(el xml.StartElement) func(model.Range) {
	m := &model.AuthorizationMap{}
	if p.pluginDepth > 0 && p.cfg.AuthorizationPlugin.Map == nil {
		p.cfg.AuthorizationPlugin.Map = m
	}
	if id, ok := attr(el, "id"); ok && id != "" {
		if _, dup := p.mapsByID[id]; !dup {
			p.mapsByID[id] = m
		}
	}
	outer := p.curMap
	p.curMap = m
	return func(r model.Range) {
		m.At = r
		p.curMap = outer
	}
}

// resolveMapRefs links an authorizationPlugin that names its map by id to that map.
func (p *parser) resolveMapRefs() {
	ap := p.cfg.AuthorizationPlugin
	if ap == nil || ap.Map != nil || p.mapRef == "" {
		return
	}
	if m, ok := p.mapsByID[p.mapRef]; ok {
		ap.Map = m
	}
}

// isAuthorizationMap reports whether an element is an authorization map: authorizationMap,
// cachedLDAPAuthorizationMap, lDAPAuthorizationMap, simpleAuthorizationMap and the like.
func isAuthorizationMap(name string) bool {
	return name == "authorizationMap" || strings.HasSuffix(name, "AuthorizationMap")
}

// isTempEntry reports whether el is a tempDestinationAuthorizationEntry that carries permissions.
// Amazon MQ nests one inside a property element of the same name; the outer one holds none.
func isTempEntry(el xml.StartElement, parent string) bool {
	if el.Name.Local != "tempDestinationAuthorizationEntry" {
		return false
	}
	if parent == "tempDestinationAuthorizationEntry" {
		return true
	}
	for _, a := range []string{"read", "write", "admin"} {
		if _, ok := attr(el, a); ok {
			return true
		}
	}
	return false
}

// authorizationEntry reads the destination and permissions of an entry element (At is set by the
// caller at the end tag).
func authorizationEntry(el xml.StartElement) model.AuthorizationEntry {
	var e model.AuthorizationEntry
	read, _ := attr(el, "read")
	write, _ := attr(el, "write")
	admin, _ := attr(el, "admin")
	e.Read, e.Write, e.Admin = splitList(read), splitList(write), splitList(admin)
	if el.Name.Local == "tempDestinationAuthorizationEntry" {
		e.Kind = "temp"
		return e
	}
	if q, ok := attr(el, "queue"); ok {
		e.Kind, e.Destination = "queue", q
	} else if t, ok := attr(el, "topic"); ok {
		e.Kind, e.Destination = "topic", t
	} else if isTrue(el, "tempQueue") || isTrue(el, "tempTopic") {
		e.Kind = "temp"
	}
	return e
}

func isTrue(el xml.StartElement, name string) bool {
	v, ok := attr(el, name)
	return ok && strings.EqualFold(strings.TrimSpace(v), "true")
}

// connector holds the attributes of a connector element until its end tag gives its range.
type connector struct {
	nameV, uriV         string
	hasName, hasURI     bool
	nameKnown, uriKnown bool
}

func (p *parser) connectorFields(el xml.StartElement) connector {
	var c connector
	c.nameV, c.hasName = attr(el, "name")
	name := "uri"
	c.uriV, c.hasURI = attr(el, name)
	if !c.hasURI {
		// multicastNetworkConnector names its remote side remoteURI.
		name = "remoteURI"
		c.uriV, c.hasURI = attr(el, name)
	}
	if c.hasURI {
		c.uriV, c.uriKnown = p.expand(c.uriV)
	}
	if c.hasName {
		c.nameV, c.nameKnown = p.expand(c.nameV)
	}
	return c
}

// name is the connector name, or the ActiveMQ default when the attribute is absent.
func (c connector) name(r model.Range, def string) model.String {
	if c.hasName {
		if !c.nameKnown {
			return model.UnknownString(r)
		}
		return model.ExplicitString(c.nameV, r)
	}
	return model.DefaultString(def, r)
}

// uri is the connector URI with its credentials redacted; Unknown when absent (a discovery
// agent element may supply it).
func (c connector) uri(r model.Range) model.String {
	if c.hasURI {
		if !c.uriKnown {
			return model.UnknownString(r)
		}
		return model.ExplicitString(brokeruri.Redact(c.uriV), r)
	}
	return model.UnknownString(r)
}

// scanCredentials records every credential an element embeds: a password attribute
// (password, keyStorePassword, connectionPassword ...), a URI or URL attribute carrying
// user:password@ or a password parameter, and the Spring form <property name="password"
// value="..."/>. Values are never kept. tag is the range of the start tag, where attributes sit.
func (p *parser) scanCredentials(el xml.StartElement, tag model.Range) {
	label := el.Name.Local
	switch label {
	case "networkConnector", "multicastNetworkConnector", "transportConnector":
		if n, ok := attr(el, "name"); ok {
			label += " " + fmt.Sprintf("%q", n)
		}
	case "property":
		if n, ok := attr(el, "name"); ok {
			if v, ok := attr(el, "value"); ok && credentialValue(n, v) {
				p.addCredential(fmt.Sprintf("property %q value", n), tag)
			}
		}
		return
	}
	for _, a := range el.Attr {
		if a.Name.Space != "" && a.Name.Space != el.Name.Space {
			continue
		}
		if credentialValue(a.Name.Local, a.Value) {
			p.addCredential(label+" "+a.Name.Local, tag)
		}
	}
}

// credentialValue reports whether an attribute or property named name with value v embeds a
// credential.
func credentialValue(name, v string) bool {
	if brokeruri.IsPasswordKey(name) {
		return brokeruri.IsSecretValue(v)
	}
	lower := strings.ToLower(name)
	if strings.HasSuffix(lower, "uri") || strings.HasSuffix(lower, "url") {
		return brokeruri.HasCredentials(v)
	}
	return false
}

func (p *parser) addCredential(where string, at model.Range) {
	p.cfg.Credentials = append(p.cfg.Credentials, model.CredentialRef{Where: where, At: at})
}

// attr returns the value of the attribute with the given name and no namespace prefix.
func attr(el xml.StartElement, name string) (string, bool) {
	for _, a := range el.Attr {
		if a.Name.Local == name && (a.Name.Space == "" || a.Name.Space == el.Name.Space) {
			return a.Value, true
		}
	}
	return "", false
}

// splitList splits a comma-separated list, trimming blanks and dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
