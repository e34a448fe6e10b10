package tfplan

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"sort"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/source/brokerconf"
)

// interesting are the resource types mapped to the model.
var interesting = map[string]bool{
	"aws_mq_broker": true, "aws_mq_configuration": true, "aws_security_group": true,
	"aws_security_group_rule": true, "aws_vpc_security_group_ingress_rule": true, "aws_kms_key": true,
}

// awsManagedMQKey is the alias of the AWS managed key of Amazon MQ.
const awsManagedMQKey = "alias/aws/mq"

// instance is one resource instance the plan will leave in place.
type instance struct {
	addr   string
	typ    string
	name   string
	module []moduleStep
	key    string // instance key: "", "[0]" or `["blue"]`
	o      *obj
}

// mapper turns one plan into model objects.
type mapper struct {
	plan  *tfjson.Plan
	idx   *planIndex
	file  string
	inv   *model.Inventory
	diags []model.Diagnostic

	instances []*instance
	byConfig  map[string][]*instance // "module|type.name" -> instances

	sgs    map[*instance]*model.SecurityGroup
	keys   map[*instance]*model.Key
	cfgs   map[*instance]*model.Configuration
	sgByID map[string]*model.SecurityGroup
	keyID  map[string]*model.Key
	cfgID  map[string]*model.Configuration
}

func newMapper(plan *tfjson.Plan, idx *planIndex, file string) *mapper {
	return &mapper{plan: plan, idx: idx, file: file, inv: &model.Inventory{},
		byConfig: map[string][]*instance{},
		sgs:      map[*instance]*model.SecurityGroup{}, keys: map[*instance]*model.Key{},
		cfgs:   map[*instance]*model.Configuration{},
		sgByID: map[string]*model.SecurityGroup{}, keyID: map[string]*model.Key{},
		cfgID: map[string]*model.Configuration{}}
}

func (m *mapper) run() {
	m.collect()
	byType := func(typ string, fn func(*instance)) {
		for _, in := range m.instances {
			if in.typ == typ {
				fn(in)
			}
		}
	}
	byType("aws_kms_key", m.key)
	byType("aws_security_group", m.securityGroup)
	byType("aws_security_group_rule", m.sgRule)
	byType("aws_vpc_security_group_ingress_rule", m.vpcIngressRule)
	byType("aws_mq_configuration", m.configuration)
	byType("aws_mq_broker", m.broker)
}

// skipped reports whether a planned change leaves nothing to scan: the resource is destroyed
// (delete), forgotten (removed from state) or is a deposed object.
func skipped(rc *tfjson.ResourceChange) bool {
	if rc.Change == nil || rc.DeposedKey != "" {
		return true
	}
	a := rc.Change.Actions
	return a.Delete() || a.Forget()
}

// collect gathers the instances to scan: resource_changes are authoritative; planned_values adds
// the instances a plan lists without a change entry.
func (m *mapper) collect() {
	seen := map[string]bool{}
	for i, rc := range m.plan.ResourceChanges {
		if rc == nil {
			continue
		}
		seen[rc.Address] = true
		if rc.Mode != tfjson.ManagedResourceMode || !interesting[rc.Type] || skipped(rc) {
			continue
		}
		after, ok := rc.Change.After.(map[string]any)
		if !ok {
			continue
		}
		at := model.Range{File: m.file}
		var lines map[string]int
		if i < len(m.idx.changes) {
			pos := m.idx.changes[i]
			at.StartLine, at.EndLine, lines = pos.start, pos.end, pos.attrs
		}
		o := &obj{v: after, unk: rc.Change.AfterUnknown, sens: rc.Change.AfterSensitive, at: at, lines: lines,
			noDefaultTags: m.noDefaultTags()}
		m.add(rc.Address, rc.ModuleAddress, rc.Type, rc.Name, o)
	}
	if m.plan.PlannedValues != nil {
		at := model.Range{File: m.file, StartLine: m.idx.keyLines["planned_values"], EndLine: m.idx.keyLines["planned_values"]}
		m.plannedModule(m.plan.PlannedValues.RootModule, seen, at, 0)
	}
	sort.SliceStable(m.instances, func(i, j int) bool { return m.instances[i].addr < m.instances[j].addr })
}

func (m *mapper) plannedModule(sm *tfjson.StateModule, seen map[string]bool, at model.Range, depth int) {
	if sm == nil || depth > 64 {
		return
	}
	for _, r := range sm.Resources {
		if r == nil || seen[r.Address] || r.Mode != tfjson.ManagedResourceMode || !interesting[r.Type] || r.DeposedKey != "" {
			continue
		}
		seen[r.Address] = true
		var sens any
		if len(r.SensitiveValues) > 0 && json.Unmarshal(r.SensitiveValues, &sens) != nil {
			sens = true
		}
		values := r.AttributeValues
		if values == nil {
			values = map[string]any{}
		}
		m.add(r.Address, sm.Address, r.Type, r.Name, &obj{v: values, sens: sens, at: at})
	}
	for _, c := range sm.ChildModules {
		m.plannedModule(c, seen, at, depth+1)
	}
}

// add registers an instance, with the configuration of its resource when the plan carries it.
func (m *mapper) add(addr, module, typ, name string, o *obj) {
	local := typ + "." + name
	i := strings.LastIndex(addr, local)
	if i < 0 {
		return
	}
	if module == "" && i > 0 {
		module = strings.TrimSuffix(addr[:i], ".")
	}
	steps, ok := parseModuleAddr(module)
	if !ok {
		return
	}
	in := &instance{addr: addr, typ: typ, name: name, module: steps, key: addr[i+len(local):], o: o}
	if r := configResource(configModule(m.plan.Config, steps), typ, name); r != nil {
		o.cfg, o.hasCfg = r.Expressions, true
	}
	m.instances = append(m.instances, in)
	k := joinModule(steps) + "|" + local
	m.byConfig[k] = append(m.byConfig[k], in)
}

func (m *mapper) identity(in *instance) model.Identity {
	return model.Identity{Source: model.SourceTFPlan, Scope: m.file, Address: in.addr, Type: in.typ, At: in.o.at}
}

// index records obj under each of its known identifiers.
func index[T any](ids map[string]*T, o *obj, t *T, attrs ...string) {
	for _, a := range attrs {
		if s := o.str(a, nil); s.State == model.Explicit && s.V != "" {
			ids[s.V] = t
		}
	}
}

func (m *mapper) key(in *instance) {
	o := in.o
	k := &model.Key{
		ID:         m.identity(in),
		KeyID:      o.str("key_id", nil),
		Enabled:    o.boolean("is_enabled", ptr(true)),
		KeyManager: model.ExplicitString("CUSTOMER", o.at),
	}
	m.keys[in] = k
	index(m.keyID, o, k, "key_id", "arn", "id")
	m.inv.Keys = append(m.inv.Keys, k)
}

func (m *mapper) securityGroup(in *instance) {
	o := in.o
	g := &model.SecurityGroup{
		ID:           m.identity(in),
		GroupID:      o.str("id", nil),
		Name:         o.str("name", nil),
		IngressState: model.Explicit,
	}
	rules, unknown := o.blocks("ingress")
	if unknown && !o.absentInConfig("ingress") {
		// ingress is computed when the configuration declares none: no inline rule then.
		g.IngressState = model.Unknown
	}
	for _, r := range rules {
		addRule(g, r, "protocol", []string{"cidr_blocks", "ipv6_cidr_blocks"})
	}
	m.sgs[in] = g
	index(m.sgByID, o, g, "id", "arn")
	m.inv.SecurityGroups = append(m.inv.SecurityGroups, g)
}

// addRule appends one ingress rule read from o.
func addRule(g *model.SecurityGroup, o *obj, protoAttr string, cidrAttrs []string) {
	rule := model.IngressRule{
		Protocol: o.str(protoAttr, nil),
		FromPort: o.integer("from_port"),
		ToPort:   o.integer("to_port"),
		At:       o.at,
	}
	rule.CIDRs = model.StringList{V: []string{}, State: model.Explicit, At: o.at}
	for _, name := range cidrAttrs {
		l := o.list(name, true)
		if !l.Known() {
			rule.CIDRs = model.StringList{At: l.At}
			break
		}
		if l.State == model.Explicit {
			rule.CIDRs.At = l.At
		}
		rule.CIDRs.V = append(rule.CIDRs.V, l.V...)
	}
	g.AddIngress(rule)
}

// ruleGroup finds the security group a rule resource belongs to: by its known id, else by the
// reference its configuration makes.
func (m *mapper) ruleGroup(in *instance) *model.SecurityGroup {
	if id := in.o.str("security_group_id", nil); id.State == model.Explicit {
		if g := m.sgByID[id.V]; g != nil {
			return g
		}
	}
	targets, _ := m.resolve(in, in.o.refs("security_group_id"), "aws_security_group")
	if len(targets) == 1 {
		return m.sgs[targets[0]]
	}
	return nil
}

func (m *mapper) sgRule(in *instance) {
	g := m.ruleGroup(in)
	if g == nil {
		return
	}
	typ := in.o.str("type", nil)
	if !typ.Known() {
		g.IngressState = model.Unknown
		return
	}
	if typ.V != "ingress" {
		return
	}
	addRule(g, in.o, "protocol", []string{"cidr_blocks", "ipv6_cidr_blocks"})
}

func (m *mapper) vpcIngressRule(in *instance) {
	if g := m.ruleGroup(in); g != nil {
		addRule(g, in.o, "ip_protocol", []string{"cidr_ipv4", "cidr_ipv6"})
	}
}

func (m *mapper) configuration(in *instance) {
	o := in.o
	c := &model.Configuration{
		ID:            m.identity(in),
		Name:          o.str("name", nil),
		Description:   o.str("description", ptr("")),
		Engine:        o.str("engine_type", nil),
		EngineVersion: o.str("engine_version", nil),
		Tags:          o.tags(),
		Data:          model.Unknown,
		DataAt:        o.attrAt("data"),
	}
	if c.Engine.Known() {
		c.Engine.V = model.NormalizeEngine(c.Engine.V)
	}
	m.configurationData(c, in)
	m.cfgs[in] = c
	index(m.cfgID, o, c, "id", "arn")
	m.inv.Configurations = append(m.inv.Configurations, c)
}

// configurationData reads the configuration body and parses ActiveMQ XML. The body is one JSON
// string in the plan: every element found in it is located at the line of the data attribute.
func (m *mapper) configurationData(c *model.Configuration, in *instance) {
	v, unk, sens := in.o.field("data")
	data, ok := v.(string)
	if unk || sens || !ok {
		return
	}
	trimmed := strings.TrimSpace(data)
	if !strings.HasPrefix(trimmed, "<") {
		if dec, err := base64.StdEncoding.DecodeString(trimmed); err == nil && bytes.HasPrefix(bytes.TrimSpace(dec), []byte("<")) {
			data = string(dec)
			trimmed = strings.TrimSpace(data)
		}
	}
	c.Data = model.Explicit
	if c.Engine.Known() && c.Engine.V == model.EngineRabbitMQ && !strings.HasPrefix(trimmed, "<") {
		rs, creds, err := brokerconf.ParseRabbitConf([]byte(data), m.file, 1)
		if err != nil {
			m.invalidData(c, in, "RabbitMQ", err)
			return
		}
		rs.Credentials = creds
		relocateRabbit(rs, c.DataAt)
		c.RabbitMQ = rs
		return
	}
	if c.Engine.Known() && c.Engine.V == model.EngineRabbitMQ || !strings.HasPrefix(trimmed, "<") {
		return
	}
	cfg, err := brokerconf.ParseActiveMQ([]byte(data), m.file, 1)
	if err != nil {
		m.invalidData(c, in, "ActiveMQ", err)
		return
	}
	relocate(cfg, c.DataAt)
	c.ActiveMQ = cfg
}

// invalidData records a configuration body that does not parse: its data is unknown, and an
// error entry names the resource and what the parser said (its messages never quote values).
func (m *mapper) invalidData(c *model.Configuration, in *instance, engine string, err error) {
	c.Data = model.Unknown
	_, detail := brokerconf.ErrorAt(err, 0)
	m.diags = append(m.diags, model.Diagnostic{Severity: model.DiagError, Source: model.SourceTFPlan,
		At: c.DataAt, Message: "invalid " + engine + " configuration in " + in.addr + detail})
}

// relocateRabbit puts every key of a RabbitMQ configuration at r: a plan holds no lines.
func relocateRabbit(s *model.RabbitMQSettings, r model.Range) {
	for k, v := range s.Conf {
		v.At = r
		s.Conf[k] = v
	}
	for i := range s.Credentials {
		s.Credentials[i].At = r
	}
}

// relocate puts every range of cfg at r.
func relocate(cfg *model.ActiveMQConfig, r model.Range) {
	for i := range cfg.NetworkConnectors {
		nc := &cfg.NetworkConnectors[i]
		nc.At, nc.Name.At, nc.URI.At = r, r, r
	}
	for i := range cfg.TransportConnectors {
		tc := &cfg.TransportConnectors[i]
		tc.At, tc.Name.At, tc.URI.At = r, r, r
	}
	if p := cfg.AuthorizationPlugin; p != nil {
		p.At = r
		if p.Map != nil {
			p.Map.At = r
			for i := range p.Map.Entries {
				p.Map.Entries[i].At = r
			}
		}
	}
	for i := range cfg.Plugins {
		cfg.Plugins[i].At = r
	}
	for i := range cfg.Credentials {
		cfg.Credentials[i].At = r
	}
	for i := range cfg.Users {
		cfg.Users[i].At, cfg.Users[i].Username.At = r, r
	}
}

func (m *mapper) broker(in *instance) {
	o := in.o
	b := &model.Broker{
		ID:                 m.identity(in),
		Name:               o.str("broker_name", nil),
		Engine:             o.str("engine_type", nil),
		EngineVersion:      o.str("engine_version", nil),
		DeploymentMode:     o.str("deployment_mode", ptr("SINGLE_INSTANCE")),
		HostInstanceType:   o.str("host_instance_type", nil),
		PubliclyAccessible: o.boolean("publicly_accessible", ptr(false)),
		AutoMinorUpgrade:   o.boolean("auto_minor_version_upgrade", ptr(false)),
		AuthStrategy:       o.str("authentication_strategy", ptr("SIMPLE")),
		SubnetIDs:          o.list("subnet_ids", true),
		Tags:               o.tags(),
		UsersState:         model.Explicit,
	}
	if b.Engine.Known() {
		b.Engine.V = model.NormalizeEngine(b.Engine.V)
	}
	if b.AuthStrategy.Known() {
		b.AuthStrategy.V = strings.ToUpper(b.AuthStrategy.V)
	}
	b.StorageType = o.str("storage_type", nil)
	if v, unk, _ := o.field("storage_type"); (v == nil && !unk || unk && o.absentInConfig("storage_type")) && b.Engine.Known() {
		def := map[string]string{model.EngineActiveMQ: "efs", model.EngineRabbitMQ: "ebs"}[b.Engine.V]
		if def != "" {
			b.StorageType = model.DefaultString(def, o.at)
		}
	}
	m.encryption(b, in)
	m.logs(b, o)
	if ls, _ := o.blocks("ldap_server_metadata"); len(ls) > 0 {
		l := ls[0]
		b.LDAP = &model.LDAP{
			Hosts:                  l.list("hosts", false),
			ServiceAccountUsername: l.str("service_account_username", nil),
			ServiceAccountPassword: l.secret("service_account_password"),
			At:                     l.at,
		}
	}
	users, unknown := o.blocks("user")
	if unknown {
		b.UsersState = model.Unknown
	}
	matchUserConfig(o, users)
	for _, u := range users {
		b.Users = append(b.Users, model.User{
			Username:        u.str("username", nil),
			Password:        u.secret("password"),
			ConsoleAccess:   u.boolean("console_access", ptr(false)),
			Groups:          u.list("groups", true),
			ReplicationUser: u.boolean("replication_user", ptr(false)),
			At:              u.at,
		})
	}
	m.securityGroups(b, in)
	if cbs, _ := o.blocks("configuration"); len(cbs) > 0 {
		cb := cbs[0]
		ref := &model.ConfigurationRef{ID: cb.str("id", nil), Revision: cb.integer("revision"), At: cb.at}
		if ref.ID.State == model.Explicit {
			ref.Config = m.cfgID[ref.ID.V]
		}
		if ref.Config == nil {
			if targets, _ := m.resolve(in, cb.refs("id"), "aws_mq_configuration"); len(targets) == 1 {
				ref.Config = m.cfgs[targets[0]]
			}
		}
		if ref.Config != nil {
			ref.Config.UsedBy++
		}
		b.Configuration = ref
	}
	m.inv.Brokers = append(m.inv.Brokers, b)
}

// matchUserConfig pairs each user block with its configuration. Users are a set: the plan orders
// them by value, the configuration as written, so blocks are paired by their constant username.
func matchUserConfig(o *obj, users []*obj) {
	if !o.hasCfg || o.cfg["user"] == nil || o.cfg["user"].ExpressionData == nil {
		return
	}
	nested := o.cfg["user"].NestedBlocks
	for _, u := range users {
		u.hasCfg, u.cfg = false, nil
		name, _ := u.v["username"].(string)
		for _, n := range nested {
			if e := n["username"]; e != nil && e.ExpressionData != nil && e.ConstantValue == name && name != "" {
				u.hasCfg, u.cfg = true, n
				break
			}
		}
		if !u.hasCfg && len(users) == 1 && len(nested) == 1 {
			u.hasCfg, u.cfg = true, nested[0]
		}
	}
}

func (m *mapper) encryption(b *model.Broker, in *instance) {
	o := in.o
	blocks, unknown := o.blocks("encryption_options")
	if len(blocks) == 0 {
		b.Encryption = model.Encryption{
			UseAWSOwnedKey: model.DefaultBool(true, o.at),
			KMSKeyID:       model.DefaultString("", o.at),
		}
		if unknown && !o.absentInConfig("encryption_options") {
			at := o.attrAt("encryption_options")
			b.Encryption = model.Encryption{UseAWSOwnedKey: model.UnknownBool(at), KMSKeyID: model.UnknownString(at)}
		}
		return
	}
	blk := blocks[0]
	e := model.Encryption{
		UseAWSOwnedKey: blk.boolean("use_aws_owned_key", ptr(true)),
		KMSKeyID:       blk.str("kms_key_id", ptr("")),
	}
	if e.KMSKeyID.State == model.Explicit {
		e.Key = m.keyID[e.KMSKeyID.V]
	}
	refs := blk.refs("kms_key_id")
	if e.Key == nil {
		if targets, _ := m.resolve(in, refs, "aws_kms_key"); len(targets) == 1 {
			e.Key = m.keys[targets[0]]
		}
	}
	if e.Key != nil {
		e.KeyManager = e.Key.KeyManager
	} else {
		for _, r := range refs {
			if strings.HasPrefix(r, "aws_kms_key.") {
				// A key resource of the configuration: a customer managed key.
				e.KeyManager = model.ExplicitString("CUSTOMER", blk.attrAt("kms_key_id"))
			}
		}
	}
	if e.Key == nil && e.KMSKeyID.State == model.Explicit {
		switch id := e.KMSKeyID.V; {
		case id == awsManagedMQKey || strings.HasSuffix(id, ":"+awsManagedMQKey):
			e.KeyManager = model.ExplicitString("AWS", e.KMSKeyID.At)
		case id != "":
			e.KeyManager = model.ExplicitString("CUSTOMER", e.KMSKeyID.At)
		}
	}
	b.Encryption = e
}

func (m *mapper) logs(b *model.Broker, o *obj) {
	blocks, unknown := o.blocks("logs")
	if len(blocks) == 0 {
		at := o.at
		b.Logs = model.Logs{General: model.DefaultBool(false, at), Audit: model.DefaultBool(false, at)}
		if unknown && !o.absentInConfig("logs") {
			at = o.attrAt("logs")
			b.Logs = model.Logs{General: model.UnknownBool(at), Audit: model.UnknownBool(at)}
		}
		return
	}
	b.Logs = model.Logs{General: blocks[0].boolean("general", ptr(false)), Audit: blocks[0].boolean("audit", ptr(false))}
}

// securityGroups maps the attached groups: by their ids when the plan knows them, else by the
// references of the configuration.
func (m *mapper) securityGroups(b *model.Broker, in *instance) {
	o := in.o
	v, unk, sens := o.field("security_groups")
	at := o.attrAt("security_groups")
	switch {
	case v == nil && !unk:
		b.SecurityGroupsState = model.Default
		return
	case sens:
		b.SecurityGroupsState = model.Unknown
		return
	}
	l, isList := v.([]any)
	if !unk {
		if !isList {
			b.SecurityGroupsState = model.Unknown
			return
		}
		b.SecurityGroupsState = model.Explicit
		for _, e := range l {
			s, ok := e.(string)
			if !ok {
				b.SecurityGroupsState = model.Unknown
				continue
			}
			b.SecurityGroups = append(b.SecurityGroups, model.SecurityGroupRef{ID: model.ExplicitString(s, at), Group: m.sgByID[s]})
		}
		return
	}
	// Some ids are known only at apply: follow the configuration's references.
	if !o.hasCfg {
		b.SecurityGroupsState = model.Unknown
		return
	}
	if o.cfg["security_groups"] == nil {
		b.SecurityGroupsState = model.Default
		return
	}
	targets, complete := m.resolve(in, o.refs("security_groups"), "aws_security_group")
	if !complete || len(targets) == 0 {
		b.SecurityGroupsState = model.Unknown
		return
	}
	b.SecurityGroupsState = model.Explicit
	seen := map[*model.SecurityGroup]bool{}
	for i, e := range l {
		// Known ids next to unknown ones (a literal id beside a reference).
		if s, ok := e.(string); ok && !anyTrue(element(member(o.unk, "security_groups"), i)) {
			g := m.sgByID[s]
			if g != nil {
				seen[g] = true
			}
			b.SecurityGroups = append(b.SecurityGroups, model.SecurityGroupRef{ID: model.ExplicitString(s, at), Group: g})
		}
	}
	for _, t := range targets {
		g := m.sgs[t]
		if g == nil || seen[g] {
			continue
		}
		seen[g] = true
		id := g.GroupID
		if !id.Known() {
			id = model.UnknownString(at)
		}
		b.SecurityGroups = append(b.SecurityGroups, model.SecurityGroupRef{ID: id, Group: g})
	}
}

// noDefaultTags reports whether the plan's configuration is known and no aws provider
// configuration in it declares default_tags.
func (m *mapper) noDefaultTags() bool {
	if m.plan.Config == nil {
		return false
	}
	for _, pc := range m.plan.Config.ProviderConfigs {
		if pc == nil || (pc.Name != "aws" && !strings.HasSuffix(pc.FullName, "/aws")) {
			continue
		}
		if _, ok := pc.Expressions["default_tags"]; ok {
			return false
		}
	}
	return true
}
