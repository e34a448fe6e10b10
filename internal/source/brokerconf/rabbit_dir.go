package brokerconf

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

// rabbitInput is what the files of one RabbitMQ broker said, before it is built.
type rabbitInput struct {
	// name is the directory's base name (or the manifest's name), the broker's default name.
	name     string
	nameAt   model.Range
	explName bool
	main     string
	mainAt   model.Range
	files    []string

	conf       map[string]model.String
	confRead   bool
	confBroken bool
	mainBroken string

	plugins model.StringList

	defs       []*Definitions
	defsBroken bool
	// defsMissing: load_definitions names a file that was not found, and no definitions file
	// was read in its place.
	defsMissing bool

	creds []model.CredentialRef

	// kube is set for a Kubernetes or Helm file.
	kube *kubeFacts
	diag []model.Diagnostic
}

// kubeFacts is what a Kubernetes manifest or Helm values file says beyond RabbitMQ's files.
type kubeFacts struct {
	replicas model.Int
	// generatedUser: the operator or chart creates the default user with generated
	// credentials unless the configuration names them.
	generatedUser bool
	helmUser      *model.BrokerUser
}

func (in *rabbitInput) errorDiag(err error, file string) {
	var pe *ParseError
	d := model.Diagnostic{Severity: model.DiagError, Source: model.SourceBrokerConf, At: model.Range{File: file}, Message: err.Error()}
	if errors.As(err, &pe) {
		d.At = model.Range{File: pe.File, StartLine: pe.Line, EndLine: pe.Line}
		d.Message = pe.Msg
	}
	in.diag = append(in.diag, d)
}

func (in *rabbitInput) mergeConf(s *model.RabbitMQSettings, creds []model.CredentialRef) {
	if in.conf == nil {
		in.conf = map[string]model.String{}
	}
	for k, v := range s.Conf {
		in.conf[k] = v
	}
	in.confRead = true
	in.creds = append(in.creds, creds...)
}

func lineCount(data []byte) int {
	n := bytes.Count(data, []byte("\n")) + 1
	if len(data) > 0 && data[len(data)-1] == '\n' {
		n--
	}
	return max(n, 1)
}

// rabbitMainRank orders a directory's files for the choice of the main file: rabbitmq.conf,
// then rabbitmq.config, then definitions.json, then advanced.config.
func rabbitMainRank(p string, k FileKind) int {
	base := strings.ToLower(path.Base(p))
	switch {
	case k == RabbitConf && strings.HasPrefix(base, "rabbitmq.conf"):
		return 0
	case k == RabbitConf:
		return 1
	case k == RabbitErlang && strings.HasPrefix(base, "rabbitmq.config"):
		return 2
	case k == RabbitErlang && !strings.HasPrefix(base, "advanced.config"):
		return 3
	case k == RabbitDefinitions && strings.HasPrefix(base, "definitions"):
		return 4
	case k == RabbitDefinitions:
		return 5
	}
	return 6
}

// loadRabbitDir reads the RabbitMQ files of directory dir (rabbitmq.conf, rabbitmq.config,
// advanced.config, definitions exports, with enabled_plugins beside them) into one broker.
func loadRabbitDir(fsys fs.FS, dir string, files map[string]FileKind, opts Options) (*model.Broker, []model.Diagnostic) {
	if len(files) == 0 {
		return nil, nil
	}
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Slice(paths, func(i, j int) bool {
		ri, rj := rabbitMainRank(paths[i], files[paths[i]]), rabbitMainRank(paths[j], files[paths[j]])
		if ri != rj {
			return ri < rj
		}
		return paths[i] < paths[j]
	})
	in := &rabbitInput{name: path.Base(dir), main: opts.Display(paths[0])}
	if dir == "." {
		in.name = path.Base(in.main)
	}
	in.mainAt = model.Range{File: in.main}
	// Configuration files first (classic, then rabbitmq.conf, then advanced.config overriding
	// both), then definitions, whose file may be named by the configuration.
	confOrder := func(p string) int {
		base := strings.ToLower(path.Base(p))
		switch {
		case strings.HasPrefix(base, "advanced.config"):
			return 2
		case files[p] == RabbitErlang:
			return 0
		}
		return 1
	}
	var confFiles, defFiles []string
	for _, p := range paths {
		if files[p] == RabbitDefinitions {
			defFiles = append(defFiles, p)
		} else {
			confFiles = append(confFiles, p)
		}
	}
	sort.SliceStable(confFiles, func(i, j int) bool { return confOrder(confFiles[i]) < confOrder(confFiles[j]) })
	for _, p := range paths {
		in.files = append(in.files, opts.Display(p))
	}
	for _, p := range confFiles {
		disp := opts.Display(p)
		data, err := readFile(fsys, p, MaxRabbitConfSize)
		if err != nil {
			in.confBroken = true
			in.errorDiag(err, disp)
			if p == paths[0] {
				in.mainBroken = err.Error()
			}
			continue
		}
		if p == paths[0] {
			in.mainAt = model.Range{File: disp, StartLine: 1, EndLine: lineCount(data)}
		}
		var s *model.RabbitMQSettings
		var creds []model.CredentialRef
		if files[p] == RabbitErlang {
			s, creds, err = ParseRabbitErlang(data, disp, 1)
		} else {
			s, creds, err = ParseRabbitConf(data, disp, 1)
		}
		if err != nil {
			in.confBroken = true
			in.errorDiag(err, disp)
			if p == paths[0] {
				in.mainBroken = "the file does not parse"
			}
			continue
		}
		in.mergeConf(s, creds)
	}
	// enabled_plugins beside the configuration.
	pp := path.Join(dir, "enabled_plugins")
	if data, err := readFile(fsys, pp, MaxRabbitConfSize); err == nil {
		disp := opts.Display(pp)
		in.files = append(in.files, disp)
		if pl, err := ParseEnabledPlugins(data, disp, 1); err != nil {
			in.errorDiag(err, disp)
		} else {
			in.plugins = pl
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		in.errorDiag(err, opts.Display(pp))
	}
	// The definitions file the configuration names, when it is in the scanned tree.
	if target, ok := in.loadDefinitionsTarget(fsys, dir); ok {
		if !slices.Contains(defFiles, target) {
			defFiles = append(defFiles, target)
			in.files = append(in.files, opts.Display(target))
		}
	} else if in.loadDefinitionsSet() && len(defFiles) == 0 {
		in.defsMissing = true
	}
	for _, p := range defFiles {
		in.readDefinitions(fsys, p, opts.Display(p), p == paths[0])
	}
	return buildRabbitBroker(in), in.diag
}

func (in *rabbitInput) loadDefinitionsSet() bool {
	for _, k := range []string{"load_definitions", "management.load_definitions"} {
		if v, ok := in.conf[k]; ok && v.V != "" {
			return true
		}
	}
	return false
}

// loadDefinitionsTarget finds the file load_definitions names in fsys: a relative path from dir,
// an absolute path inside the FS, or a file of that name in dir (the file is mounted there).
func (in *rabbitInput) loadDefinitionsTarget(fsys fs.FS, dir string) (string, bool) {
	for _, k := range []string{"load_definitions", "management.load_definitions"} {
		v, ok := in.conf[k]
		if !ok || v.V == "" {
			continue
		}
		name := strings.Trim(v.V, `"'`)
		var cands []string
		if strings.HasPrefix(name, "/") {
			cands = append(cands, strings.TrimPrefix(path.Clean(name), "/"), path.Join(dir, path.Base(name)))
		} else {
			cands = append(cands, path.Join(dir, name))
		}
		for _, c := range cands {
			if !fs.ValidPath(c) {
				continue
			}
			if fi, err := fs.Stat(fsys, c); err == nil && fi.Mode().IsRegular() {
				return c, true
			}
		}
	}
	return "", false
}

func (in *rabbitInput) readDefinitions(fsys fs.FS, p, disp string, isMain bool) {
	f, err := fsys.Open(p)
	if err != nil {
		in.defsBroken = true
		in.errorDiag(err, disp)
		return
	}
	defer f.Close()
	lc := &lineCounter{r: f}
	d, err := ReadDefinitions(lc, disp, 1)
	if isMain {
		_, _ = io.Copy(io.Discard, lc)
		in.mainAt = model.Range{File: disp, StartLine: 1, EndLine: max(lc.lines(), 1)}
	}
	if err != nil {
		in.defsBroken = true
		in.errorDiag(err, disp)
		if isMain {
			in.mainBroken = "the file does not parse"
		}
		return
	}
	in.defs = append(in.defs, d)
	in.creds = append(in.creds, d.Credentials...)
}

// lineCounter counts the lines of what is read through it.
type lineCounter struct {
	r    io.Reader
	nl   int
	last byte
	any  bool
}

func (l *lineCounter) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	if n > 0 {
		l.nl += bytes.Count(p[:n], []byte("\n"))
		l.last = p[n-1]
		l.any = true
	}
	return n, err
}

func (l *lineCounter) lines() int {
	if !l.any {
		return 1
	}
	if l.last == '\n' {
		return l.nl
	}
	return l.nl + 1
}

// buildRabbitBroker builds the broker the files describe.
func buildRabbitBroker(in *rabbitInput) *model.Broker {
	mainAt := in.mainAt
	id := model.Identity{Source: model.SourceBrokerConf, Scope: in.main, Address: in.main, Type: "rabbitmq", At: mainAt}
	settings := &model.RabbitMQSettings{Conf: in.conf, ConfState: model.Unknown, PluginsState: model.Unknown}
	if settings.Conf == nil {
		settings.Conf = map[string]model.String{}
	}
	confKnown := in.confRead && !in.confBroken
	if confKnown {
		settings.ConfState = model.Explicit
	}
	if in.plugins.State != model.Unknown {
		settings.Plugins = in.plugins
		settings.PluginsState = model.Explicit
	}
	defsKnown := len(in.defs) > 0 && !in.defsBroken && !in.defsMissing
	for _, d := range in.defs {
		settings.Policies = append(settings.Policies, d.Policies...)
		settings.Queues = append(settings.Queues, d.Queues...)
		settings.VHosts = append(settings.VHosts, d.VHosts...)
	}
	if defsKnown {
		settings.PoliciesState = model.Explicit
		settings.QueuesState = model.Explicit
	}
	sm := &model.SelfManaged{Files: in.files, RabbitMQ: settings, Credentials: in.creds}
	b := &model.Broker{ID: id, Engine: model.ExplicitString(model.EngineRabbitMQ, mainAt), SelfManaged: sm}

	// Name and version.
	switch {
	case settings.Conf["cluster_name"].V != "":
		b.Name = settings.Conf["cluster_name"]
	case in.explName:
		b.Name = model.ExplicitString(in.name, in.nameAt)
	default:
		b.Name = model.DefaultString(in.name, mainAt)
	}
	b.EngineVersion = model.UnknownString(mainAt)
	for _, d := range in.defs {
		if d.Version.Known() && d.Version.V != "" {
			b.EngineVersion = d.Version
		}
	}
	sm.Version = b.EngineVersion

	// Configuration.
	cfg := &model.Configuration{
		ID:     model.Identity{Source: model.SourceBrokerConf, Scope: in.main, Address: in.main, Type: "rabbitmq.conf", At: mainAt},
		Engine: model.ExplicitString(model.EngineRabbitMQ, mainAt), Data: model.Explicit, DataAt: mainAt, RabbitMQ: settings,
		EngineVersion: b.EngineVersion,
	}
	if in.mainBroken != "" {
		cfg.Data = model.Unknown
		cfg.DataWhy = in.mainBroken
	}
	b.Configuration = &model.ConfigurationRef{Config: cfg, At: mainAt}

	// Listeners.
	sm.Listeners = rabbitListeners(settings, mainAt)
	sm.ListenersState = model.Explicit
	if in.confBroken {
		sm.ListenersState = model.Unknown
	}

	// Users.
	in.users(sm, settings, defsKnown, mainAt)

	// Clustered.
	sm.Clustered = rabbitClustered(settings, mainAt)
	if in.confBroken {
		sm.Clustered = model.UnknownBool(mainAt)
	}
	if in.kube != nil && in.kube.replicas.Known() {
		r := in.kube.replicas
		if r.V > 1 {
			sm.Clustered = model.ExplicitBool(true, r.At)
		} else if !sm.Clustered.V || sm.Clustered.State != model.Explicit {
			sm.Clustered = model.ExplicitBool(false, r.At)
		}
	}

	// LDAP.
	rabbitLDAP(b, settings)
	return b
}

// users fills the broker's users: the definitions', or the default user RabbitMQ creates on a
// blank node.
func (in *rabbitInput) users(sm *model.SelfManaged, s *model.RabbitMQSettings, defsKnown bool, mainAt model.Range) {
	hasDefUsers := false
	for _, d := range in.defs {
		if d.HasUsers {
			hasDefUsers = true
			sm.Users = append(sm.Users, d.Users...)
		}
	}
	switch {
	case hasDefUsers:
		sm.UsersState = model.Explicit
		if !defsKnown {
			sm.UsersState = model.Unknown
		}
		return
	case in.defsBroken || in.defsMissing:
		sm.UsersState = model.Unknown
		return
	}
	sm.UsersState = model.Explicit
	if in.confBroken {
		sm.UsersState = model.Unknown
	}
	if in.kube != nil && in.kube.helmUser != nil {
		sm.Users = append(sm.Users, *in.kube.helmUser)
		return
	}
	u := model.BrokerUser{Realm: "default_user", At: mainAt,
		Tags:     model.StringList{V: []string{"administrator"}, State: model.Default, At: mainAt},
		Username: model.DefaultString("guest", mainAt),
		Password: model.Secret{Origin: model.SecretLiteral, At: mainAt},
	}
	generated := in.kube != nil && in.kube.generatedUser
	if v, ok := s.Conf["default_user"]; ok {
		u.Username = v
		u.At = v.At
	} else if generated {
		u.Username = model.UnknownString(mainAt)
	}
	passGuest := !generated
	if v, ok := s.Conf["default_pass"]; ok {
		u.Password = model.Secret{Origin: model.SecretLiteral, At: v.At, LiteralAt: v.At}
		passGuest = v.V == "guest"
	} else if generated {
		u.Password = model.Secret{Origin: model.SecretGenerated, At: mainAt}
	}
	u.DefaultPassword = u.Username.Known() && u.Username.V == "guest" && passGuest
	vhost := "/"
	if v, ok := s.Conf["default_vhost"]; ok {
		vhost = v.V
	}
	perm := model.Permission{VHost: vhost, Configure: ".*", Write: ".*", Read: ".*", At: mainAt}
	if v, ok := s.Conf["default_permissions.configure"]; ok {
		perm.Configure = v.V
	}
	if v, ok := s.Conf["default_permissions.write"]; ok {
		perm.Write = v.V
	}
	if v, ok := s.Conf["default_permissions.read"]; ok {
		perm.Read = v.V
	}
	u.Permissions = []model.Permission{perm}
	sm.Users = append(sm.Users, u)
}

func rabbitClustered(s *model.RabbitMQSettings, mainAt model.Range) model.Bool {
	nodes := s.WithPrefix("cluster_formation.classic_config.nodes.")
	if len(nodes) >= 2 {
		return model.ExplicitBool(true, s.Conf[nodes[0]].At)
	}
	if v, ok := s.Conf["cluster_formation.peer_discovery_backend"]; ok {
		be := strings.TrimPrefix(strings.ToLower(v.V), "rabbit_peer_discovery_")
		switch be {
		case "k8s", "consul", "etcd", "aws":
			return model.ExplicitBool(true, v.At)
		}
	}
	return model.DefaultBool(false, mainAt)
}

func rabbitLDAP(b *model.Broker, s *model.RabbitMQSettings) {
	ldap := false
	for _, k := range s.WithPrefix("auth_backends.") {
		if strings.Contains(strings.ToLower(s.Conf[k].V), "ldap") {
			ldap = true
		}
	}
	if !ldap {
		return
	}
	servers := s.WithPrefix("auth_ldap.servers.")
	if len(servers) == 0 {
		return
	}
	port := "389"
	if v, ok := s.Conf["auth_ldap.port"]; ok && v.V != "" {
		port = v.V
	}
	first := s.Conf[servers[0]].At
	hosts := model.StringList{State: model.Explicit, At: first}
	for _, k := range servers {
		h := s.Conf[k].V
		if strings.Contains(h, "{{") || strings.Contains(h, "${") {
			hosts.State = model.Unknown
			continue
		}
		hosts.V = append(hosts.V, "ldap://"+joinHostPort(h, port))
	}
	l := &model.LDAP{Hosts: hosts, At: first, ServiceAccountPassword: model.Secret{Origin: model.SecretAbsent, At: first}}
	for _, p := range []string{"auth_ldap.dn_lookup_bind", "auth_ldap.other_bind"} {
		if v, ok := s.Conf[p+".user_dn"]; ok && !l.ServiceAccountUsername.Known() {
			l.ServiceAccountUsername = v
		}
		if v, ok := s.Conf[p+".password"]; ok && l.ServiceAccountPassword.Origin == model.SecretAbsent {
			l.ServiceAccountPassword = model.Secret{Origin: model.SecretLiteral, At: v.At, LiteralAt: v.At}
		}
	}
	b.LDAP = l
	sslV, sslOK := s.Conf["auth_ldap.use_ssl"]
	tlsV, tlsOK := s.Conf["auth_ldap.use_starttls"]
	switch {
	case sslOK && isTrueValue(sslV.V):
		b.SelfManaged.LDAPTLS = model.ExplicitBool(true, sslV.At)
	case tlsOK && isTrueValue(tlsV.V):
		b.SelfManaged.LDAPTLS = model.ExplicitBool(true, tlsV.At)
	case sslOK && !isBoolValue(sslV.V), tlsOK && !isBoolValue(tlsV.V):
		at := sslV.At
		if !sslOK || isBoolValue(sslV.V) {
			at = tlsV.At
		}
		b.SelfManaged.LDAPTLS = model.UnknownBool(at)
	case sslOK:
		b.SelfManaged.LDAPTLS = model.ExplicitBool(false, sslV.At)
	case tlsOK:
		b.SelfManaged.LDAPTLS = model.ExplicitBool(false, tlsV.At)
	default:
		b.SelfManaged.LDAPTLS = model.DefaultBool(false, first)
	}
}

func isTrueValue(v string) bool { return strings.EqualFold(strings.TrimSpace(v), "true") }

func isBoolValue(v string) bool {
	v = strings.ToLower(strings.TrimSpace(v))
	return v == "true" || v == "false"
}

func joinHostPort(h, port string) string {
	if strings.Contains(h, ":") && !strings.HasPrefix(h, "[") {
		return "[" + h + "]:" + port
	}
	return h + ":" + port
}

// loadRabbitKube reads a Kubernetes manifest or Helm values file that embeds RabbitMQ
// configuration into one broker.
func loadRabbitKube(fsys fs.FS, p string, opts Options) (*model.Broker, []model.Diagnostic) {
	return readRabbitKube(fsys, p, opts)
}
