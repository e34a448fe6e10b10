package brokerconf

import (
	"bytes"
	"errors"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/mqguard/mqguard/internal/brokeruri"
	"github.com/mqguard/mqguard/internal/model"
)

// amqLoad is the reading of one ActiveMQ XML document with its companion files.
type amqLoad struct {
	fsys  fs.FS
	dir   string
	opts  Options
	diags []model.Diagnostic
	files []string
	read  map[string]bool
}

// loadActiveMQDir reads the ActiveMQ XML documents xmlFiles of directory dir, with the files the
// catalog lists beside them, into one broker each.
func loadActiveMQDir(fsys fs.FS, dir string, xmlFiles []string, opts Options) ([]*model.Broker, []model.Diagnostic) {
	var brokers []*model.Broker
	var diags []model.Diagnostic
	for _, x := range xmlFiles {
		l := &amqLoad{fsys: fsys, dir: dir, opts: opts, read: map[string]bool{}}
		if b := l.broker(x); b != nil {
			brokers = append(brokers, b)
		}
		diags = append(diags, l.diags...)
	}
	return brokers, diags
}

func (l *amqLoad) display(p string) string { return l.opts.Display(p) }

// errorAt adds an error diagnostic; a *ParseError gives its own file and line.
func (l *amqLoad) errorAt(p string, err error) {
	d := model.Diagnostic{Severity: model.DiagError, Source: model.SourceBrokerConf,
		At: model.Range{File: l.display(p)}, Message: err.Error()}
	var pe *ParseError
	switch {
	case errors.As(err, &pe):
		d.At = model.Range{File: pe.File, StartLine: pe.Line, EndLine: pe.Line}
		d.Message = pe.Msg
	case errors.Is(err, errTooLarge):
		d.Message = "file is too large"
	default:
		d.Message = "cannot read the file"
	}
	l.diags = append(l.diags, d)
}

// readCompanion reads a companion file; ok is false when it is absent (nothing is said) or
// unreadable (an error is added).
func (l *amqLoad) readCompanion(p string, limit int64) ([]byte, bool) {
	if !fs.ValidPath(p) {
		return nil, false
	}
	data, err := readFile(l.fsys, p, limit)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, false
		}
		l.errorAt(p, err)
		return nil, false
	}
	if !l.read[p] {
		l.read[p] = true
		l.files = append(l.files, l.display(p))
	}
	return data, true
}

// propsFile is a parsed companion properties file; failed says it is there but did not parse.
type propsFile struct {
	path    string
	display string
	props   Properties
	failed  bool
	present bool
	whole   model.Range
}

func (l *amqLoad) properties(p string) propsFile {
	pf := propsFile{path: p, display: l.display(p)}
	data, ok := l.readCompanion(p, MaxPropertiesSize)
	if !ok {
		return pf
	}
	pf.present = true
	pf.whole = wholeRange(pf.display, data)
	props, err := ParseProperties(data, pf.display)
	if err != nil {
		l.errorAt(p, err)
		pf.failed = true
		return pf
	}
	pf.props = props
	return pf
}

func (pf propsFile) at(line int) model.Range {
	return model.Range{File: pf.display, StartLine: line, EndLine: line}
}

func wholeRange(file string, data []byte) model.Range {
	return model.Range{File: file, StartLine: 1, EndLine: lineCount(data)}
}

// propertyPath maps a PropertyPlaceholderConfigurer location to a path in fsys; ok is false
// when it cannot be found from the scanned tree (an absolute path, a URL).
func (l *amqLoad) propertyPath(loc string) (string, bool) {
	loc = strings.TrimSpace(loc)
	switch {
	case strings.HasPrefix(loc, "classpath:"):
		// ActiveMQ puts its conf directory on the class path.
		return path.Join(l.dir, strings.TrimPrefix(strings.TrimPrefix(loc, "classpath:"), "/")), true
	case strings.HasPrefix(loc, "file:"):
		rest := strings.TrimPrefix(loc, "file:")
		for _, pre := range []string{"${activemq.conf}/", "${activemq.base}/conf/", "${activemq.home}/conf/"} {
			if strings.HasPrefix(rest, pre) {
				return path.Join(l.dir, strings.TrimPrefix(rest, pre)), true
			}
		}
		return "", false
	case !strings.Contains(loc, ":") && !strings.HasPrefix(loc, "/"):
		return path.Join(l.dir, loc), true
	}
	return "", false
}

var jarVersion = regexp.MustCompile(`^activemq-(broker|all|client)-([0-9]+\.[0-9]+\.[0-9]+[0-9A-Za-z.\-]*)\.jar$`)

// version finds the installation's version from its jars.
func (l *amqLoad) version(main model.Range) model.String {
	dirs := []string{path.Join(l.dir, "..", "lib"), path.Join(l.dir, "lib")}
	// Debian: /etc/activemq/instances-available/NAME with the jars in /usr/share/java.
	if i := strings.Index(l.dir, "etc/activemq/instances-"); i >= 0 {
		root := l.dir[:i]
		dirs = append(dirs, path.Join(root, "usr/share/activemq/lib"), path.Join(root, "usr/share/java"))
	}
	rank := map[string]int{"broker": 0, "all": 1, "client": 2}
	best, bestRank, bestPath := "", 99, ""
	for _, d := range dirs {
		if !fs.ValidPath(d) {
			continue
		}
		entries, err := fs.ReadDir(l.fsys, d)
		if err != nil {
			continue
		}
		for _, e := range entries {
			m := jarVersion.FindStringSubmatch(e.Name())
			if len(m) < 3 || strings.HasSuffix(m[2], "-sources") || strings.HasSuffix(m[2], "-tests") {
				continue
			}
			if r := rank[m[1]]; r < bestRank {
				best, bestRank, bestPath = m[2], r, path.Join(d, e.Name())
			}
		}
		if best != "" {
			break
		}
	}
	if best == "" {
		return model.UnknownString(main)
	}
	return model.ExplicitString(best, model.Range{File: l.display(bestPath)})
}

// mgmtDefaultEnabled is createConnector's code default for a version: true up to 5.15.x,
// false from 5.16.0.
func mgmtDefaultEnabled(v model.String, at model.Range) model.Bool {
	if !v.Known() {
		return model.UnknownBool(at)
	}
	parts := strings.SplitN(v.V, ".", 3)
	if len(parts) < 2 {
		return model.UnknownBool(at)
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return model.UnknownBool(at)
	}
	return model.DefaultBool(major < 5 || major == 5 && minor <= 15, at)
}

func (l *amqLoad) broker(x string) *model.Broker {
	disp := l.display(x)
	data, err := readFile(l.fsys, x, MaxDocumentSize)
	if err != nil {
		l.errorAt(x, err)
		return nil
	}
	l.read[x] = true
	l.files = append(l.files, disp)
	whole := wholeRange(disp, data)
	raw, first, err := ParseActiveMQInstall(data, disp, 1, nil)
	if err != nil {
		l.errorAt(x, err)
		return nil
	}

	// Property placeholders, as Spring resolves them: the files the placeholder beans name
	// (later ones override earlier ones), then the installation's own directories.
	confDisp := l.display(l.dir)
	values := map[string]string{}
	var locs []string
	for _, loc := range first.PropertyLocations {
		if p, ok := l.propertyPath(loc.V); ok {
			locs = append(locs, p)
		}
	}
	creds := path.Join(l.dir, "credentials.properties")
	if !slices.Contains(locs, creds) {
		locs = append([]string{creds}, locs...)
	}
	var credFile propsFile
	for _, p := range locs {
		pf := l.properties(p)
		if p == creds {
			credFile = pf
		}
		for _, pr := range pf.props {
			values[pr.Key] = pr.Value
		}
	}
	builtins := map[string]string{"activemq.conf": confDisp, "activemq.base": path.Dir(confDisp),
		"activemq.home": path.Dir(confDisp), "activemq.data": path.Join(path.Dir(confDisp), "data")}
	resolve := func(name string) (string, bool) {
		if v, ok := values[name]; ok {
			return v, true
		}
		v, ok := builtins[name]
		return v, ok
	}
	// A document without placeholders reads the same with the resolver: parsed once.
	cfg, facts := raw, first
	if bytes.Contains(data, []byte("${")) {
		if cfg, facts, err = ParseActiveMQInstall(data, disp, 1, resolve); err != nil {
			l.errorAt(x, err)
			return nil
		}
	}

	id := model.Identity{Source: model.SourceBrokerConf, Scope: disp, Address: disp, Type: "activemq", At: whole}
	b := &model.Broker{ID: id, Engine: model.ExplicitString(model.EngineActiveMQ, whole)}
	switch {
	case facts.BrokerName.Known() || !facts.BrokerName.At.IsZero():
		b.Name = facts.BrokerName
	default:
		b.Name = model.DefaultString(path.Base(l.dir), whole)
	}
	b.EngineVersion = l.version(whole)
	conf := &model.Configuration{
		ID:            model.Identity{Source: model.SourceBrokerConf, Scope: disp, Address: disp, Type: "activemq.xml", At: whole},
		Engine:        model.ExplicitString(model.EngineActiveMQ, whole),
		EngineVersion: b.EngineVersion,
		Data:          model.Explicit,
		DataAt:        whole,
		ActiveMQ:      cfg,
	}
	b.Configuration = &model.ConfigurationRef{Config: conf, At: whole}

	sm := &model.SelfManaged{Version: b.EngineVersion, ListenersState: model.Explicit, UsersState: model.Explicit,
		Clustered: model.DefaultBool(false, whole)}
	b.SelfManaged = sm
	inst := &model.ActiveMQInstall{
		ManagementContext:      facts.ManagementContext,
		Authentication:         facts.Authentication,
		AnonymousAccessAllowed: facts.AnonymousAccessAllowed,
		Placeholders:           facts.Placeholders,
		FileServer:             model.UnknownBool(whole),
		ConsoleLogin:           model.UnknownBool(whole),
	}
	if !inst.AnonymousAccessAllowed.Known() && inst.AnonymousAccessAllowed.At.IsZero() {
		inst.AnonymousAccessAllowed = model.DefaultBool(false, whole)
	}
	if m := inst.ManagementContext; m != nil && !m.Enabled.Known() {
		m.Enabled = mgmtDefaultEnabled(b.EngineVersion, m.At)
	}
	sm.ActiveMQ = inst

	// Listeners: the transport connectors (the first parse, without placeholders resolved, keeps
	// the URIs as written, so an unresolved host still gives the scheme and port).
	for i, tc := range cfg.TransportConnectors {
		uri := tc.URI
		if !uri.Known() && i < len(raw.TransportConnectors) {
			uri = raw.TransportConnectors[i].URI
			uri.State = model.Unknown
		}
		if lst, ok := connectorListener(tc, uri); ok {
			sm.Listeners = append(sm.Listeners, lst)
		}
	}

	usersUnknown := false
	// users.properties and groups.properties (the JAAS PropertiesLoginModule files; login.config
	// may name others).
	userFile, groupFile := "users.properties", "groups.properties"
	ldapOptions := map[int]map[string]JAASOption{} // login module line -> options
	inst.LoginModulesState = model.Default
	if data, ok := l.readCompanion(path.Join(l.dir, "login.config"), MaxPropertiesSize); ok {
		lp := path.Join(l.dir, "login.config")
		entries, err := ParseLoginConfig(data, l.display(lp))
		if err != nil {
			l.errorAt(lp, err)
			inst.LoginModulesState = model.Unknown
		} else {
			inst.LoginModulesState = model.Explicit
			ldisp := l.display(lp)
			for _, e := range entries {
				for _, m := range e.Modules {
					opts := map[string]JAASOption{}
					for _, o := range m.Options {
						opts[o.Name] = o
					}
					ldapOptions[m.Line] = opts
					lm := model.LoginModule{Entry: e.Name, Class: m.Class, At: model.Range{File: ldisp, StartLine: m.Line, EndLine: m.Line}}
					if o, ok := m.Option("connectionURL"); ok {
						lm.URL = model.ExplicitString(brokeruri.Redact(o.Value), model.Range{File: ldisp, StartLine: o.Line, EndLine: o.Line})
					}
					if o, ok := m.Option("org.apache.activemq.jaas.properties.user"); ok && isPlainName(o.Value) {
						userFile = o.Value
					}
					if o, ok := m.Option("org.apache.activemq.jaas.properties.group"); ok && isPlainName(o.Value) {
						groupFile = o.Value
					}
					inst.LoginModules = append(inst.LoginModules, lm)
				}
			}
		}
	}
	groups := l.properties(path.Join(l.dir, groupFile))
	users := l.properties(path.Join(l.dir, userFile))
	if users.failed {
		usersUnknown = true
	}
	for _, pr := range users.props {
		u := model.BrokerUser{Username: model.ExplicitString(pr.Key, users.at(pr.Line)), Realm: "users.properties",
			Password: literalSecret(pr.Value, users.at(pr.Line)), DefaultPassword: pr.Key == "admin" && pr.Value == "admin",
			At: users.at(pr.Line)}
		u.Groups = groupsOf(pr.Key, groups)
		sm.Users = append(sm.Users, u)
	}

	// jetty-realm.properties: user: password, role...
	realm := l.properties(path.Join(l.dir, "jetty-realm.properties"))
	if realm.failed {
		usersUnknown = true
	}
	for _, pr := range realm.props {
		items := strings.Split(pr.Value, ",")
		pw := strings.TrimSpace(items[0])
		var roles []string
		for _, r := range items[1:] {
			if r = strings.TrimSpace(r); r != "" {
				roles = append(roles, r)
			}
		}
		at := realm.at(pr.Line)
		sm.Users = append(sm.Users, model.BrokerUser{Username: model.ExplicitString(pr.Key, at), Realm: "jetty-realm.properties",
			Groups: model.StringList{V: roles, State: model.Explicit, At: at}, Password: literalSecret(pw, at),
			DefaultPassword: (pr.Key == "admin" && pw == "admin") || (pr.Key == "user" && pw == "user"), At: at})
	}

	// simpleAuthenticationPlugin users.
	sm.Users = append(sm.Users, facts.Users...)

	// jmx.password (user password) with jmx.access (user readonly|readwrite).
	jmxPW := l.properties(path.Join(l.dir, "jmx.password"))
	jmxAccess := l.properties(path.Join(l.dir, "jmx.access"))
	if jmxPW.failed {
		usersUnknown = true
	}
	for _, pr := range jmxPW.props {
		at := jmxPW.at(pr.Line)
		u := model.BrokerUser{Username: model.ExplicitString(pr.Key, at), Realm: "jmx.password",
			Password: literalSecret(pr.Value, at), DefaultPassword: pr.Key == "admin" && pr.Value == "activemq", At: at}
		switch {
		case jmxAccess.failed:
			u.Groups = model.StringList{State: model.Unknown, At: jmxAccess.whole}
		case jmxAccess.present:
			if a, ok := jmxAccess.props.Get(pr.Key); ok {
				u.Groups = model.StringList{V: strings.Fields(a.Value), State: model.Explicit, At: jmxAccess.at(a.Line)}
			} else {
				u.Groups = model.StringList{State: model.Explicit, At: jmxAccess.whole}
			}
		default:
			u.Groups = model.StringList{State: model.Default, At: at}
		}
		sm.Users = append(sm.Users, u)
	}

	// credentials.properties: the user the web console and other components connect with.
	if credFile.failed {
		usersUnknown = true
	}
	if un, ok := credFile.props.Get("activemq.username"); ok {
		at := credFile.at(un.Line)
		u := model.BrokerUser{Username: model.ExplicitString(un.Key, at), Realm: "credentials.properties", At: at,
			Password: model.Secret{Origin: model.SecretAbsent, At: at}, Groups: model.StringList{State: model.Default, At: at}}
		u.Username.V = un.Value
		if pw, ok := credFile.props.Get("activemq.password"); ok {
			u.Password = literalSecret(pw.Value, credFile.at(pw.Line))
			u.DefaultPassword = un.Value == "system" && pw.Value == "manager"
		}
		sm.Users = append(sm.Users, u)
	}
	if usersUnknown {
		sm.UsersState = model.Unknown
	}

	// jetty.xml: the console's listener, login and web applications, when activemq.xml imports it.
	jp := path.Join(l.dir, "jetty.xml")
	imported := false
	for _, im := range facts.Imports {
		if path.Base(strings.TrimPrefix(im.V, "classpath:")) == "jetty.xml" {
			imported = true
		}
	}
	if jdata, ok := l.readCompanion(jp, MaxDocumentSize); ok {
		jf, err := ParseJetty(jdata, l.display(jp))
		switch {
		case err != nil:
			l.errorAt(jp, err)
			if imported {
				// The console's listener is in the file that did not parse.
				sm.ListenersState = model.Unknown
			}
		case imported:
			sm.Listeners = append(sm.Listeners, jf.Listeners...)
			inst.FileServer = jf.FileServer
			inst.ConsoleLogin = jf.Authenticate
		default:
			// jetty.xml is there but not imported: no console runs, no web application either.
			inst.FileServer = model.ExplicitBool(false, whole)
		}
	}

	// The JVM's own JMX agent (bin/env, bin/setenv, Debian's per-instance options file).
	envFiles := []string{path.Join(l.dir, "..", "bin", "env"), path.Join(l.dir, "..", "bin", "setenv"), path.Join(l.dir, "env"), path.Join(l.dir, "options")}
	for _, p := range envFiles {
		if edata, ok := l.readCompanion(p, MaxPropertiesSize); ok {
			if a := jvmAgent(string(edata), l.display(p)); a != nil && inst.JVMAgent == nil {
				inst.JVMAgent = a
			}
		}
	}

	// LDAP servers: authorization maps, ldapNetworkConnector, JAAS LDAPLoginModule. The service
	// account is the first map's, else the first login module's with a connectionURL.
	var ldapURLs []model.String
	ldapURLs = append(ldapURLs, facts.LDAPURLs...)
	ldapUser, ldapPassword := facts.LDAPUser, facts.LDAPPassword
	for _, lm := range inst.LoginModules {
		if lm.URL.Known() && lm.URL.V != "" {
			if len(ldapURLs) == 0 {
				ldapUser, ldapPassword = model.DefaultString("", lm.At), model.Secret{Origin: model.SecretAbsent, At: lm.At}
				if o, ok := ldapOptions[lm.At.StartLine]["connectionUsername"]; ok {
					ldapUser = model.ExplicitString(o.Value, model.Range{File: lm.At.File, StartLine: o.Line, EndLine: o.Line})
				}
				if o, ok := ldapOptions[lm.At.StartLine]["connectionPassword"]; ok {
					ldapPassword = literalSecret(o.Value, model.Range{File: lm.At.File, StartLine: o.Line, EndLine: o.Line})
				}
			}
			ldapURLs = append(ldapURLs, lm.URL)
		}
	}
	if len(ldapURLs) > 0 {
		hosts := model.StringList{State: model.Explicit, At: ldapURLs[0].At}
		for _, u := range ldapURLs {
			if !u.Known() {
				hosts.State = model.Unknown
				continue
			}
			hosts.V = append(hosts.V, splitLDAPURLs(u.V)...)
		}
		if ldapUser.At.IsZero() {
			// An ldapNetworkConnector names no service account of its own.
			ldapUser = model.UnknownString(ldapURLs[0].At)
			ldapPassword = model.Secret{Origin: model.SecretUnknown, At: ldapURLs[0].At}
		}
		b.LDAP = &model.LDAP{Hosts: hosts, At: ldapURLs[0].At, ServiceAccountUsername: ldapUser, ServiceAccountPassword: ldapPassword}
	}

	sm.Files = l.files
	return b
}

// splitLDAPURLs splits a JNDI provider URL list ("ldap://a:389 ldap://b:389").
func splitLDAPURLs(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' })
}

// isPlainName reports whether a login.config file option names a file beside it.
func isPlainName(s string) bool {
	return s != "" && !strings.ContainsAny(s, "/\\:$") && s != "." && s != ".."
}

func literalSecret(v string, at model.Range) model.Secret {
	if strings.TrimSpace(v) == "" {
		return model.Secret{Origin: model.SecretAbsent, At: at}
	}
	return model.Secret{Origin: model.SecretLiteral, At: at, LiteralAt: at}
}

// groupsOf returns the groups of groups.properties (group=user1,user2) that list user.
func groupsOf(user string, groups propsFile) model.StringList {
	switch {
	case groups.failed:
		return model.StringList{State: model.Unknown, At: groups.whole}
	case !groups.present:
		return model.StringList{State: model.Default, At: model.Range{}}
	}
	out := model.StringList{State: model.Explicit, At: groups.whole}
	for _, g := range groups.props {
		for _, m := range splitList(g.Value) {
			if m == user {
				out.V = append(out.V, g.Key)
				if len(out.V) == 1 {
					out.At = groups.at(g.Line)
				}
			}
		}
	}
	sort.Strings(out.V)
	return out
}

// connectorListener is the listener a transport connector opens; ok is false for in-JVM
// transports (vm://) and connectors without a URI.
func connectorListener(tc model.TransportConnector, uri model.String) (model.Listener, bool) {
	l := model.Listener{Name: tc.Name.V, At: tc.At}
	if uri.V == "" {
		return l, false
	}
	scheme, rest, ok := strings.Cut(uri.V, "://")
	if !ok {
		return l, false
	}
	scheme = strings.ToLower(scheme)
	if scheme == "vm" {
		return l, false
	}
	if strings.Contains(scheme, "${") {
		l.TLS = model.UnknownBool(tc.At)
		l.Host = model.UnknownString(tc.At)
		l.Port = model.Int{State: model.Unknown, At: tc.At}
		l.Loopback = model.UnknownBool(tc.At)
		return l, true
	}
	l.Protocol = protocolOf(scheme)
	l.TLS = model.ExplicitBool(brokeruri.IsTLS(scheme), tc.At)
	authority := rest
	if i := strings.IndexAny(authority, "/?#"); i >= 0 {
		authority = authority[:i]
	}
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		authority = authority[i+1:]
	}
	host, port := splitHostPort(authority)
	if strings.Contains(host, "${") {
		l.Host = model.UnknownString(tc.At)
	} else {
		l.Host = model.ExplicitString(host, tc.At)
	}
	if n, err := strconv.Atoi(port); err == nil && n >= 0 && n <= 65535 && !strings.Contains(port, "${") {
		l.Port = model.Int{V: int64(n), State: model.Explicit, At: tc.At}
	} else {
		l.Port = model.Int{State: model.Unknown, At: tc.At}
	}
	l.Loopback = loopback(l.Host)
	return l, true
}

// splitHostPort splits host:port, [v6]:port and a bare host.
func splitHostPort(a string) (string, string) {
	if strings.HasPrefix(a, "[") {
		if i := strings.Index(a, "]"); i >= 0 {
			host := a[:i+1]
			port := strings.TrimPrefix(a[i+1:], ":")
			return host, port
		}
	}
	if strings.Count(a, ":") > 1 && !strings.Contains(a, "${") {
		// A bare IPv6 address without brackets has no port.
		return a, ""
	}
	if i := strings.LastIndexByte(a, ':'); i >= 0 && !strings.Contains(a[i:], "}") {
		return a[:i], a[i+1:]
	}
	return a, ""
}

// protocolOf names the protocol of a transport scheme.
func protocolOf(scheme string) string {
	base := strings.SplitN(scheme, "+", 2)[0]
	switch base {
	case "tcp", "nio", "ssl", "auto", "udp":
		return "openwire"
	case "amqp", "stomp", "mqtt":
		return base
	case "ws", "wss":
		return "ws"
	case "http", "https":
		return "http"
	}
	return base
}

var jmxFlag = regexp.MustCompile(`-D(com\.sun\.management\.jmxremote(?:\.[A-Za-z.]+)?|java\.rmi\.server\.hostname)(?:=([^\s"']*))?`)

// jvmAgent reads the JVM's remote JMX agent options from a shell file (ACTIVEMQ_SUNJMX_START,
// ACTIVEMQ_OPTS): nil when no uncommented line sets com.sun.management.jmxremote.port.
func jvmAgent(text, file string) *model.JMXConnector {
	var a *model.JMXConnector
	var authAt, pwAt model.Range
	authFalse, authTrue, hasPW := false, false, false
	for i, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		at := model.Range{File: file, StartLine: i + 1, EndLine: i + 1}
		for _, m := range jmxFlag.FindAllStringSubmatch(t, -1) {
			switch m[1] {
			case "com.sun.management.jmxremote.port":
				n, err := strconv.Atoi(m[2])
				if a == nil {
					a = &model.JMXConnector{At: at, Enabled: model.ExplicitBool(true, at)}
				}
				if err == nil && n >= 0 && n <= 65535 {
					a.Port = model.Int{V: int64(n), State: model.Explicit, At: at}
				} else {
					a.Port = model.Int{State: model.Unknown, At: at}
				}
			case "com.sun.management.jmxremote.authenticate":
				authAt = at
				if strings.EqualFold(m[2], "false") {
					authFalse = true
				} else if strings.EqualFold(m[2], "true") {
					authTrue = true
				}
			case "com.sun.management.jmxremote.password.file":
				hasPW, pwAt = true, at
			case "com.sun.management.jmxremote.host", "java.rmi.server.hostname":
				if a == nil {
					a = &model.JMXConnector{}
				}
				if strings.Contains(m[2], "$") {
					a.Host = model.UnknownString(at)
				} else {
					a.Host = model.ExplicitString(m[2], at)
				}
			}
		}
	}
	if a == nil || a.Port.At.IsZero() {
		return nil
	}
	switch {
	case authFalse:
		a.Authenticated = model.ExplicitBool(false, authAt)
	case authTrue:
		a.Authenticated = model.ExplicitBool(true, authAt)
	case hasPW:
		a.Authenticated = model.ExplicitBool(true, pwAt)
	default:
		// The JVM agent authenticates unless told otherwise.
		a.Authenticated = model.DefaultBool(true, a.At)
	}
	if a.Host.At.IsZero() {
		a.Host = model.DefaultString("", a.At)
	}
	return a
}
