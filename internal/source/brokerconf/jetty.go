package brokerconf

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mqguard/mqguard/internal/brokeruri"
	"github.com/mqguard/mqguard/internal/model"
)

// JettyFacts is what an ActiveMQ jetty.xml (the web console's Spring file) declares.
type JettyFacts struct {
	// Listeners are the console's addresses: the jettyPort bean (host Default 0.0.0.0 and port
	// Default 8161 when its properties are absent, as WebConsolePort has them; Unknown when a
	// property is an expression such as #{systemProperties['jetty.host']} or ${...}) and every
	// ServerConnector built with an SslContextFactory that sets its own port. Protocol is
	// "http"; TLS is Explicit true for the connectors with an SslContextFactory, and for the
	// jettyPort listener only when every ServerConnector has one.
	Listeners []model.Listener
	// Authenticate is Explicit false when a security Constraint bean sets authenticate=false,
	// Explicit true when the constraints set it true, Unknown (located at the file) when no
	// constraint says.
	Authenticate model.Bool
	// FileServer is Explicit true at a WebAppContext whose war, resourceBase or contextPath
	// names the fileserver web application, Explicit false (at the file) otherwise.
	FileServer model.Bool
}

type jettyBean struct {
	id, class string
	start     int
	tag       model.Range
	props     map[string]jettyProp
	ssl       bool // an SslContextFactory is nested in it
}

type jettyProp struct {
	value string
	has   bool
	at    model.Range
}

// ParseJetty reads an ActiveMQ jetty.xml. file is the display path put in every range; an error
// (*ParseError) names the line and never quotes the document.
func ParseJetty(data []byte, file string) (*JettyFacts, error) {
	if len(data) > MaxDocumentSize {
		return nil, &ParseError{File: file, Line: 1, Msg: fmt.Sprintf("document is larger than %d bytes", MaxDocumentSize)}
	}
	p := &parser{file: file, firstLine: 1, lineStarts: lineStarts(data)}
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	dec.CharsetReader = func(label string, input io.Reader) (io.Reader, error) {
		switch strings.ToLower(label) {
		case "us-ascii", "ascii", "utf8", "utf-8":
			return input, nil
		}
		return nil, errors.New("unsupported encoding")
	}
	whole := model.Range{File: file, StartLine: 1, EndLine: p.lineOf(int64(len(data)))}
	facts := &JettyFacts{
		Authenticate: model.UnknownBool(whole),
		FileServer:   model.ExplicitBool(false, whole),
	}
	var stack []*jettyBean // open beans (nil entries for other elements)
	var beans []*jettyBean
	depth := 0
	for {
		startOff := dec.InputOffset()
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			if depth > 0 {
				return nil, p.errorf(p.lineOf(int64(len(data))), "unexpected end of document: an element is not closed")
			}
			break
		}
		if err != nil {
			return nil, p.syntaxError(err, startOff)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth > MaxDepth {
				return nil, p.errorf(p.lineOf(startOff), "elements are nested deeper than %d levels", MaxDepth)
			}
			line := p.lineOf(startOff)
			tag := p.rng(line, p.lineOf(dec.InputOffset()-1))
			var cur *jettyBean
			for i := len(stack) - 1; i >= 0; i-- {
				if stack[i] != nil {
					cur = stack[i]
					break
				}
			}
			switch t.Name.Local {
			case "bean":
				b := &jettyBean{start: line, tag: tag, props: map[string]jettyProp{}}
				b.id, _ = attr(t, "id")
				b.class, _ = attr(t, "class")
				if strings.HasSuffix(b.class, "SslContextFactory") || strings.Contains(b.class, "SslContextFactory$") {
					for _, o := range stack {
						if o != nil {
							o.ssl = true
						}
					}
				}
				beans = append(beans, b)
				stack = append(stack, b)
				continue
			case "property":
				if cur != nil {
					n, _ := attr(t, "name")
					v, has := attr(t, "value")
					if _, dup := cur.props[n]; !dup {
						cur.props[n] = jettyProp{value: v, has: has, at: tag}
					}
				}
			}
			stack = append(stack, nil)
		case xml.EndElement:
			depth--
			if len(stack) > 0 {
				if b := stack[len(stack)-1]; b != nil {
					b.tag = p.rng(b.start, p.lineOf(dec.InputOffset()-1))
				}
				stack = stack[:len(stack)-1]
			}
		case xml.Directive:
			if isEntityDeclaration(t) {
				return nil, p.errorf(p.lineOf(startOff), "DTD/entity declarations are not allowed")
			}
		}
	}

	plainConnectors, tlsConnectors := 0, 0
	for _, b := range beans {
		switch {
		case strings.HasSuffix(b.class, "security.Constraint"):
			if pr, ok := b.props["authenticate"]; ok && pr.has {
				switch strings.ToLower(strings.TrimSpace(pr.value)) {
				case "false":
					facts.Authenticate = model.ExplicitBool(false, pr.at)
				case "true":
					if !facts.Authenticate.Known() {
						facts.Authenticate = model.ExplicitBool(true, pr.at)
					}
				}
			}
		case strings.HasSuffix(b.class, "WebAppContext"):
			for _, k := range []string{"war", "resourceBase", "contextPath"} {
				if pr, ok := b.props[k]; ok && strings.Contains(strings.ToLower(pr.value), "fileserver") {
					facts.FileServer = model.ExplicitBool(true, b.tag)
				}
			}
		case strings.HasSuffix(b.class, "ServerConnector") || strings.HasSuffix(b.class, "SelectChannelConnector") || strings.HasSuffix(b.class, "SslSocketConnector"):
			if b.ssl || strings.Contains(b.class, "Ssl") {
				tlsConnectors++
				if pr, ok := b.props["port"]; ok && pr.has && !isExpression(pr.value) {
					l := jettyListener(b, true)
					facts.Listeners = append(facts.Listeners, l)
				}
			} else {
				plainConnectors++
			}
		}
	}
	for _, b := range beans {
		if b.id == "jettyPort" || strings.HasSuffix(b.class, "WebConsolePort") {
			l := jettyListener(b, plainConnectors == 0 && tlsConnectors > 0)
			l.Name = "jettyPort"
			facts.Listeners = append([]model.Listener{l}, facts.Listeners...)
			break
		}
	}
	return facts, nil
}

// isExpression reports whether a property value is computed at run time.
func isExpression(v string) bool {
	return strings.Contains(v, "${") || strings.Contains(v, "#{")
}

// jettyListener builds the listener of a jettyPort bean or connector.
func jettyListener(b *jettyBean, tls bool) model.Listener {
	l := model.Listener{Protocol: "http", Name: b.id, At: b.tag, TLS: model.ExplicitBool(tls, b.tag)}
	if pr, ok := b.props["host"]; ok && pr.has {
		if isExpression(pr.value) {
			l.Host = model.UnknownString(pr.at)
		} else {
			l.Host = model.ExplicitString(strings.TrimSpace(pr.value), pr.at)
		}
	} else {
		l.Host = model.DefaultString("0.0.0.0", b.tag)
	}
	if pr, ok := b.props["port"]; ok && pr.has {
		n, err := strconv.Atoi(strings.TrimSpace(pr.value))
		if isExpression(pr.value) || err != nil || n < 0 || n > 65535 {
			l.Port = model.Int{State: model.Unknown, At: pr.at}
		} else {
			l.Port = model.Int{V: int64(n), State: model.Explicit, At: pr.at}
		}
	} else {
		l.Port = model.Int{V: 8161, State: model.Default, At: b.tag}
	}
	l.Loopback = loopback(l.Host)
	return l
}

// loopback says whether a bind host accepts loopback connections only.
func loopback(h model.String) model.Bool {
	if !h.Known() {
		return model.UnknownBool(h.At)
	}
	return model.Bool{V: brokeruri.IsLoopbackHost(h.V), State: h.State, At: h.At}
}
