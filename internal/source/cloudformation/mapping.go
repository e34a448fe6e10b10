package cloudformation

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/source/brokerconf"
)

const (
	typeBroker      = "AWS::AmazonMQ::Broker"
	typeConfig      = "AWS::AmazonMQ::Configuration"
	typeAssociation = "AWS::AmazonMQ::ConfigurationAssociation"
	typeSG          = "AWS::EC2::SecurityGroup"
	typeIngress     = "AWS::EC2::SecurityGroupIngress"
	typeKey         = "AWS::KMS::Key"
	typeAlias       = "AWS::KMS::Alias"
	typeStack       = "AWS::CloudFormation::Stack"
)

// awsManagedMQKey is the alias of the AWS managed key of Amazon MQ.
const awsManagedMQKey = "alias/aws/mq"

// parseActiveMQ parses an ActiveMQ XML body; a variable so tests can observe calls.
var parseActiveMQ = brokerconf.ParseActiveMQ

// obj reads the properties of a resource (or of a nested property object).
type obj struct {
	v  *val        // a map, or unknown when the whole object could not be decided
	at model.Range // where defaults are located: the resource, or the property object
}

// field returns a property: (nil, false) when absent; an unknown value when the object itself is
// unknown.
func (o obj) field(name string) *val {
	if o.v == nil || o.v.k == kNoValue {
		return nil
	}
	if o.v.k != kMap {
		return unknown(o.v.at)
	}
	return o.v.get(name)
}

func (o obj) str(name string, def *string) model.String {
	v := o.field(name)
	switch {
	case v == nil && def != nil:
		return model.DefaultString(*def, o.at)
	case v == nil:
		return model.UnknownString(o.at)
	case v.isScalar():
		return model.ExplicitString(v.s, v.at)
	}
	return model.UnknownString(v.at)
}

func (o obj) boolean(name string, def *bool) model.Bool {
	v := o.field(name)
	switch {
	case v == nil && def != nil:
		return model.DefaultBool(*def, o.at)
	case v == nil:
		return model.UnknownBool(o.at)
	case v.isScalar():
		if b, ok := parseBool(v.s); ok {
			return model.ExplicitBool(b, v.at)
		}
	}
	return model.UnknownBool(v.at)
}

func (o obj) integer(name string) model.Int {
	v := o.field(name)
	if v == nil {
		return model.Int{At: o.at}
	}
	if v.isScalar() {
		if i, err := strconv.ParseInt(strings.TrimSpace(v.s), 10, 64); err == nil {
			return model.Int{V: i, State: model.Explicit, At: v.at}
		}
	}
	return model.Int{At: v.at}
}

// list reads a list of strings; absent is an empty Default list when defEmpty, else Unknown.
func (o obj) list(name string, defEmpty bool) model.StringList {
	v := o.field(name)
	switch {
	case v == nil && defEmpty:
		return model.StringList{V: []string{}, State: model.Default, At: o.at}
	case v == nil:
		return model.StringList{At: o.at}
	case v.isScalar():
		return model.StringList{V: []string{v.s}, State: model.Explicit, At: v.at}
	case v.k != kList:
		return model.StringList{At: v.at}
	}
	out := []string{}
	for _, e := range v.list {
		if !e.isScalar() {
			return model.StringList{At: v.at}
		}
		out = append(out, e.s)
	}
	return model.StringList{V: out, State: model.Explicit, At: v.at}
}

// secret records where a secret comes from, never its value.
func (o obj) secret(name string) model.Secret {
	v := o.field(name)
	if v == nil {
		return model.Secret{Origin: model.SecretAbsent, At: o.at}
	}
	s := model.Secret{Origin: v.orig, At: v.at, LiteralAt: v.litAt}
	if v.isScalar() && s.Origin == model.SecretUnknown {
		s.Origin, s.LiteralAt = model.SecretLiteral, v.at
	}
	if !v.isScalar() && s.Origin == model.SecretLiteral {
		s.Origin = model.SecretUnknown
	}
	if s.Origin != model.SecretLiteral {
		s.LiteralAt = model.Range{}
	}
	return s
}

// sub returns a nested property object.
func (o obj) sub(name string) (obj, bool) {
	v := o.field(name)
	if v == nil {
		return obj{}, false
	}
	return obj{v: v, at: v.at}, true
}

func ptr[T any](v T) *T { return &v }

// mapper turns the evaluated resources of one template into model objects.
type mapper struct {
	t      *tmpl
	inv    *model.Inventory
	scope  string
	prefix string // "Parent/" for the resources of a nested stack
	keys   map[string]*model.Key
	sgs    map[string]*model.SecurityGroup
	cfgs   map[string]*model.Configuration
	brks   map[string]*model.Broker
	live   map[string]bool // resources whose condition is not false
	props  map[string]obj
}

func (mp *mapper) identity(r *resource) model.Identity {
	return model.Identity{Source: model.SourceCloudFormation, Scope: mp.scope, Address: mp.prefix + r.id, Type: r.typ, At: r.at}
}

// target returns the first resource of v's references found in m.
func target[T any](v *val, m map[string]*T) *T {
	if v == nil {
		return nil
	}
	for _, id := range v.refs {
		if x, ok := m[id]; ok {
			return x
		}
	}
	return nil
}

// decide evaluates the resource-level conditions and the properties of the mapped resources.
func (mp *mapper) decide() {
	mp.live, mp.props = map[string]bool{}, map[string]obj{}
	for _, id := range mp.t.order {
		r := mp.t.resources[id]
		if _, c := lookup(r.node, "Condition"); c != nil {
			if c.Kind != yaml.ScalarNode {
				mp.t.diag(model.DiagError, mp.t.rng(c), "resource "+r.id+": Condition must name a condition")
			} else {
				switch mp.t.condition(c.Value, mp.t.rng(c)) {
				case 0:
					continue
				case -1:
					if brokerRelatedType(r.typ) { // the others are not read: the note would be noise
						mp.t.diag(model.DiagNote, mp.t.rng(c), fmt.Sprintf("resource %s%s is scanned although its condition %q is undecided", mp.prefix, r.id, truncate(c.Value, 80)))
					}
				}
			}
		}
		mp.live[id] = true
	}
}

func (mp *mapper) properties(r *resource) obj {
	if o, ok := mp.props[r.id]; ok {
		return o
	}
	o := obj{v: &val{k: kMap, m: map[string]*val{}, at: r.at}, at: r.at}
	if r.props != nil {
		v := mp.t.eval(r.props, 0)
		if v.k == kMap || v.k == kUnknown {
			o.v = v
		}
	}
	mp.props[r.id] = o
	return o
}

func (mp *mapper) each(typ string, fn func(*resource, obj)) {
	for _, id := range mp.t.order {
		r := mp.t.resources[id]
		if r.typ == typ && mp.live[id] {
			fn(r, mp.properties(r))
		}
	}
}

func (mp *mapper) run() {
	mp.keys, mp.sgs = map[string]*model.Key{}, map[string]*model.SecurityGroup{}
	mp.cfgs, mp.brks = map[string]*model.Configuration{}, map[string]*model.Broker{}
	mp.decide()
	mp.each(typeKey, mp.key)
	mp.each(typeAlias, mp.alias)
	mp.each(typeSG, mp.securityGroup)
	mp.each(typeIngress, mp.ingress)
	mp.each(typeConfig, mp.configuration)
	mp.each(typeBroker, mp.broker)
	mp.each(typeAssociation, mp.association)
}

func (mp *mapper) key(r *resource, o obj) {
	k := &model.Key{
		ID:         mp.identity(r),
		KeyID:      model.UnknownString(r.at),
		Enabled:    o.boolean("Enabled", ptr(true)),
		KeyManager: model.ExplicitString("CUSTOMER", r.at),
	}
	mp.keys[r.id] = k
	mp.inv.Keys = append(mp.inv.Keys, k)
}

// alias makes an AWS::KMS::Alias resolve to the key it targets.
func (mp *mapper) alias(r *resource, o obj) {
	if k := target(o.field("TargetKeyId"), mp.keys); k != nil {
		mp.keys[r.id] = k
	}
}

func (mp *mapper) securityGroup(r *resource, o obj) {
	g := &model.SecurityGroup{
		ID:           mp.identity(r),
		GroupID:      model.UnknownString(r.at),
		Name:         o.str("GroupName", nil),
		IngressState: model.Explicit,
	}
	switch v := o.field("SecurityGroupIngress"); {
	case v == nil:
	case v.k != kList:
		g.IngressState = model.Unknown
	default:
		for _, e := range v.list {
			mp.addRule(g, obj{v: e, at: e.at})
		}
	}
	mp.sgs[r.id] = g
	mp.inv.SecurityGroups = append(mp.inv.SecurityGroups, g)
}

// addRule appends one ingress rule.
func (mp *mapper) addRule(g *model.SecurityGroup, o obj) {
	rule := model.IngressRule{
		Protocol: o.str("IpProtocol", nil),
		FromPort: o.integer("FromPort"),
		ToPort:   o.integer("ToPort"),
		At:       o.at,
	}
	rule.CIDRs = model.StringList{V: []string{}, State: model.Explicit, At: o.at}
	for _, name := range []string{"CidrIp", "CidrIpv6"} {
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

func (mp *mapper) ingress(r *resource, o obj) {
	g := target(o.field("GroupId"), mp.sgs)
	if g == nil {
		g = target(o.field("GroupName"), mp.sgs)
	}
	if g == nil {
		return
	}
	mp.addRule(g, o)
}

func (mp *mapper) configuration(r *resource, o obj) {
	c := &model.Configuration{
		ID:            mp.identity(r),
		Name:          o.str("Name", nil),
		Description:   o.str("Description", ptr("")),
		Engine:        o.str("EngineType", nil),
		EngineVersion: o.str("EngineVersion", nil),
		Tags:          mp.tags(o),
		Data:          model.Unknown,
		DataAt:        r.at,
		Directives:    mp.directives(r),
	}
	if c.Engine.Known() {
		c.Engine.V = model.NormalizeEngine(c.Engine.V)
	}
	mp.configurationData(c, r)
	mp.cfgs[r.id] = c
	mp.inv.Configurations = append(mp.inv.Configurations, c)
}

// configurationData reads Data: the base64 text of the body, or Fn::Base64 of the body itself,
// whose lines then map to the template's.
func (mp *mapper) configurationData(c *model.Configuration, r *resource) {
	_, n := lookup(r.props, "Data")
	if n == nil {
		return
	}
	c.DataAt = mp.t.rng(n)
	var data string
	firstLine := n.Line
	if fn, arg, ok := intrinsic(n); ok && fn == "Fn::Base64" {
		v := mp.t.eval(arg, 0)
		if !v.isScalar() {
			return
		}
		data = v.s
		body := deref(arg)
		if f, inner, ok := intrinsic(body); ok && f == "Fn::Sub" {
			body = deref(inner)
			if body != nil && body.Kind == yaml.SequenceNode && len(body.Content) > 0 {
				body = deref(body.Content[0])
			}
		}
		if body != nil {
			firstLine = body.Line
			if body.Kind == yaml.ScalarNode && body.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
				firstLine++
			}
		}
	} else {
		v := mp.t.eval(n, 0)
		if !v.isScalar() {
			return
		}
		data = v.s
		trimmed := strings.TrimSpace(data)
		if !strings.HasPrefix(trimmed, "<") {
			dec, err := base64.StdEncoding.DecodeString(trimmed)
			if err != nil {
				return
			}
			data = string(dec)
		}
	}
	c.Data = model.Explicit
	c.DataAt.EndLine = max(c.DataAt.StartLine, lastLine(n))
	isXML := bytes.HasPrefix(bytes.TrimSpace([]byte(data)), []byte("<"))
	if c.Engine.Known() && c.Engine.V == model.EngineRabbitMQ && !isXML {
		rs, creds, err := brokerconf.ParseRabbitConf([]byte(data), mp.t.disp, firstLine)
		if err != nil {
			mp.invalidData(c, r, firstLine, "RabbitMQ", err)
			return
		}
		rs.Credentials = creds
		c.RabbitMQ = rs
		return
	}
	if (c.Engine.Known() && c.Engine.V == model.EngineRabbitMQ) || !isXML || parseActiveMQ == nil {
		return
	}
	cfg, err := parseActiveMQ([]byte(data), mp.t.disp, firstLine)
	if err != nil {
		mp.invalidData(c, r, firstLine, "ActiveMQ", err)
		return
	}
	c.ActiveMQ = cfg
}

// invalidData records a configuration body that does not parse: its data is unknown, and an
// error entry names the resource, the line and what the parser said.
func (mp *mapper) invalidData(c *model.Configuration, r *resource, firstLine int, engine string, err error) {
	c.Data = model.Unknown
	line, detail := brokerconf.ErrorAt(err, firstLine)
	mp.t.diag(model.DiagError, model.Range{File: mp.t.disp, StartLine: line, EndLine: line}, "invalid "+engine+" configuration in "+mp.prefix+r.id+detail)
}

// tags reads a CloudFormation tag list ([{Key, Value}]).
func (mp *mapper) tags(o obj) model.Tags {
	t := model.Tags{V: map[string]string{}, KeyAt: map[string]model.Range{}, State: model.Default, At: o.at}
	v := o.field("Tags")
	if v == nil {
		return t
	}
	t.State, t.At = model.Explicit, v.at
	if v.k != kList {
		t.State = model.Unknown
		return t
	}
	for _, e := range v.list {
		k, val := e.get("Key"), e.get("Value")
		if !k.isScalar() || !val.isScalar() {
			t.State = model.Unknown
			continue
		}
		t.V[k.s] = val.s
		t.KeyAt[k.s] = k.at
	}
	return t
}

func (mp *mapper) broker(r *resource, o obj) {
	b := &model.Broker{
		ID:                 mp.identity(r),
		Name:               o.str("BrokerName", nil),
		Engine:             o.str("EngineType", nil),
		EngineVersion:      o.str("EngineVersion", nil),
		DeploymentMode:     o.str("DeploymentMode", ptr("SINGLE_INSTANCE")),
		HostInstanceType:   o.str("HostInstanceType", nil),
		PubliclyAccessible: o.boolean("PubliclyAccessible", ptr(false)),
		AutoMinorUpgrade:   o.boolean("AutoMinorVersionUpgrade", ptr(true)),
		AuthStrategy:       o.str("AuthenticationStrategy", ptr("SIMPLE")),
		StorageType:        o.str("StorageType", nil),
		SubnetIDs:          o.list("SubnetIds", true),
		Tags:               mp.tags(o),
		Directives:         mp.directives(r),
		UsersState:         model.Explicit,
	}
	if b.Engine.Known() {
		b.Engine.V = model.NormalizeEngine(b.Engine.V)
	}
	if b.AuthStrategy.Known() {
		b.AuthStrategy.V = strings.ToUpper(b.AuthStrategy.V)
	}
	if o.field("StorageType") == nil && b.Engine.Known() {
		if def := map[string]string{model.EngineActiveMQ: "efs", model.EngineRabbitMQ: "ebs"}[b.Engine.V]; def != "" {
			b.StorageType = model.DefaultString(def, r.at)
		}
	}
	mp.encryption(b, o, r)
	if l, ok := o.sub("Logs"); ok {
		b.Logs = model.Logs{General: l.boolean("General", ptr(false)), Audit: l.boolean("Audit", ptr(false))}
	} else {
		b.Logs = model.Logs{General: model.DefaultBool(false, r.at), Audit: model.DefaultBool(false, r.at)}
	}
	if l, ok := o.sub("LdapServerMetadata"); ok {
		b.LDAP = &model.LDAP{
			Hosts:                  l.list("Hosts", false),
			ServiceAccountUsername: l.str("ServiceAccountUsername", nil),
			ServiceAccountPassword: l.secret("ServiceAccountPassword"),
			At:                     l.at,
		}
	}
	switch users := o.field("Users"); {
	case users == nil:
	case users.k != kList:
		b.UsersState = model.Unknown
	default:
		for _, e := range users.list {
			if e.k != kMap {
				b.UsersState = model.Unknown
				continue
			}
			u := obj{v: e, at: e.at}
			b.Users = append(b.Users, model.User{
				Username:        u.str("Username", nil),
				Password:        u.secret("Password"),
				ConsoleAccess:   u.boolean("ConsoleAccess", ptr(false)),
				Groups:          u.list("Groups", true),
				ReplicationUser: u.boolean("ReplicationUser", ptr(false)),
				At:              u.at,
			})
		}
	}
	switch sgs := o.field("SecurityGroups"); {
	case sgs == nil:
		b.SecurityGroupsState = model.Default
	case sgs.k != kList:
		b.SecurityGroupsState = model.Unknown
	default:
		b.SecurityGroupsState = model.Explicit
		for _, e := range sgs.list {
			ref := model.SecurityGroupRef{ID: model.UnknownString(e.at), Group: target(e, mp.sgs)}
			if e.isScalar() {
				ref.ID = model.ExplicitString(e.s, e.at)
			}
			b.SecurityGroups = append(b.SecurityGroups, ref)
		}
	}
	if c, ok := o.sub("Configuration"); ok {
		b.Configuration = mp.configRef(c)
	}
	mp.brks[r.id] = b
	mp.inv.Brokers = append(mp.inv.Brokers, b)
}

// configRef reads a {Id, Revision} configuration reference.
func (mp *mapper) configRef(c obj) *model.ConfigurationRef {
	ref := &model.ConfigurationRef{ID: c.str("Id", nil), Revision: c.integer("Revision"), At: c.at}
	ref.Config = target(c.field("Id"), mp.cfgs)
	if ref.Config != nil {
		ref.Config.UsedBy++
	}
	return ref
}

func (mp *mapper) encryption(b *model.Broker, o obj, r *resource) {
	eo, ok := o.sub("EncryptionOptions")
	if !ok {
		b.Encryption = model.Encryption{UseAWSOwnedKey: model.DefaultBool(true, r.at), KMSKeyID: model.DefaultString("", r.at)}
		return
	}
	e := model.Encryption{
		UseAWSOwnedKey: eo.boolean("UseAwsOwnedKey", ptr(true)),
		KMSKeyID:       eo.str("KmsKeyId", ptr("")),
	}
	id := eo.field("KmsKeyId")
	if k := target(id, mp.keys); k != nil {
		e.Key, e.KeyManager = k, k.KeyManager
	}
	if e.Key == nil && id != nil && !id.isScalar() {
		for _, ref := range id.refs {
			if x := mp.t.resources[ref]; x != nil && (x.typ == typeKey || x.typ == typeAlias) {
				e.KeyManager = model.ExplicitString("CUSTOMER", id.at)
			}
		}
	}
	if e.Key == nil && e.KMSKeyID.State == model.Explicit {
		switch s := e.KMSKeyID.V; {
		case s == awsManagedMQKey || strings.HasSuffix(s, ":"+awsManagedMQKey):
			e.KeyManager = model.ExplicitString("AWS", e.KMSKeyID.At)
		case s != "":
			e.KeyManager = model.ExplicitString("CUSTOMER", e.KMSKeyID.At)
		}
	}
	b.Encryption = e
}

// association attaches a configuration to a broker (AWS::AmazonMQ::ConfigurationAssociation).
func (mp *mapper) association(r *resource, o obj) {
	b := target(o.field("Broker"), mp.brks)
	c, ok := o.sub("Configuration")
	if b == nil || !ok {
		return
	}
	if b.Configuration != nil && b.Configuration.Config != nil {
		b.Configuration.Config.UsedBy--
	}
	b.Configuration = mp.configRef(c)
}
