package terraform

import (
	"bytes"
	"encoding/base64"
	"math/big"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/source/brokerconf"
)

// interesting are the resource types mapped to the model.
var interesting = map[string]bool{
	"aws_mq_broker": true, "aws_mq_configuration": true, "aws_security_group": true,
	"aws_security_group_rule": true, "aws_vpc_security_group_ingress_rule": true,
	"aws_kms_key": true, "aws_kms_alias": true,
}

// awsManagedMQKey is the alias of the AWS managed key of Amazon MQ.
const awsManagedMQKey = "alias/aws/mq"

// mapper turns the evaluated resources of one root module into model objects.
type mapper struct {
	r     *rootRun
	keys  map[string]*model.Key
	sgs   map[string]*model.SecurityGroup
	cfgs  map[string]*model.Configuration
	scope string
}

func (r *rootRun) mapResources() {
	mp := &mapper{r: r, keys: map[string]*model.Key{}, sgs: map[string]*model.SecurityGroup{},
		cfgs: map[string]*model.Configuration{}, scope: r.l.displayPath(r.rootDir)}
	res := append([]*resInst(nil), r.resources...)
	sort.SliceStable(res, func(i, j int) bool { return res[i].addr < res[j].addr })
	byType := func(typ string, fn func(*resInst)) {
		for _, ri := range res {
			if ri.decl.typ == typ {
				fn(ri)
			}
		}
	}
	byType("aws_kms_key", mp.key)
	byType("aws_kms_alias", mp.alias)
	byType("aws_security_group", mp.securityGroup)
	byType("aws_security_group_rule", mp.sgRule)
	byType("aws_vpc_security_group_ingress_rule", mp.vpcIngressRule)
	byType("aws_mq_configuration", mp.configuration)
	byType("aws_mq_broker", mp.broker)
}

func (mp *mapper) rng(r hcl.Range) model.Range {
	return mp.r.l.rng(hclRange(&r))
}

func (mp *mapper) identity(ri *resInst) model.Identity {
	addr := ri.addr
	return model.Identity{Source: model.SourceTerraform, Scope: mp.scope, Address: addr, Type: ri.decl.typ, At: mp.rng(ri.decl.rng)}
}

// known returns v without marks when it is wholly known and not null.
func known(v cty.Value) (cty.Value, bool) {
	u, _ := v.UnmarkDeep()
	if !u.IsWhollyKnown() || u.IsNull() {
		return u, false
	}
	return u, true
}

// str maps a string attribute; def is the documented default (nil: none, the value is unknown).
func (mp *mapper) str(eb *evalBody, name string, def *string) model.String {
	a, ok := eb.get(name)
	u, _ := a.v.UnmarkDeep()
	if !ok || (u.IsKnown() && u.IsNull()) {
		if def != nil {
			return model.DefaultString(*def, mp.rng(eb.rng))
		}
		return model.UnknownString(mp.rng(eb.rng))
	}
	at := mp.rng(a.rng)
	if !u.IsWhollyKnown() {
		return model.UnknownString(at)
	}
	s, err := convert.Convert(u, cty.String)
	if err != nil || s.IsNull() {
		return model.UnknownString(at)
	}
	return model.ExplicitString(s.AsString(), at)
}

func (mp *mapper) boolean(eb *evalBody, name string, def *bool) model.Bool {
	a, ok := eb.get(name)
	u, _ := a.v.UnmarkDeep()
	if !ok || (u.IsKnown() && u.IsNull()) {
		if def != nil {
			return model.DefaultBool(*def, mp.rng(eb.rng))
		}
		return model.UnknownBool(mp.rng(eb.rng))
	}
	at := mp.rng(a.rng)
	if !u.IsWhollyKnown() {
		return model.UnknownBool(at)
	}
	b, err := convert.Convert(u, cty.Bool)
	if err != nil || b.IsNull() {
		return model.UnknownBool(at)
	}
	return model.ExplicitBool(b.True(), at)
}

func (mp *mapper) integer(eb *evalBody, name string) model.Int {
	a, ok := eb.get(name)
	u, _ := a.v.UnmarkDeep()
	if !ok || (u.IsKnown() && u.IsNull()) {
		return model.Int{At: mp.rng(eb.rng)}
	}
	at := mp.rng(a.rng)
	n, err := convert.Convert(u, cty.Number)
	if err != nil || !n.IsKnown() || n.IsNull() {
		return model.Int{At: at}
	}
	i, acc := n.AsBigFloat().Int64()
	if acc != big.Exact {
		return model.Int{At: at}
	}
	return model.Int{V: i, State: model.Explicit, At: at}
}

// list maps a list of strings; absent is Default empty when defEmpty, else Unknown.
func (mp *mapper) list(eb *evalBody, name string, defEmpty bool) model.StringList {
	a, ok := eb.get(name)
	u, _ := a.v.UnmarkDeep()
	if !ok || (u.IsKnown() && u.IsNull()) {
		if defEmpty {
			return model.StringList{V: []string{}, State: model.Default, At: mp.rng(eb.rng)}
		}
		return model.StringList{At: mp.rng(eb.rng)}
	}
	at := mp.rng(a.rng)
	if !u.IsWhollyKnown() {
		return model.StringList{At: at}
	}
	l, err := convert.Convert(u, cty.List(cty.String))
	if err != nil || l.IsNull() {
		if s, err := convert.Convert(u, cty.String); err == nil && !s.IsNull() {
			return model.StringList{V: []string{s.AsString()}, State: model.Explicit, At: at}
		}
		return model.StringList{At: at}
	}
	out := []string{}
	for it := l.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if !e.IsNull() {
			out = append(out, e.AsString())
		}
	}
	return model.StringList{V: out, State: model.Explicit, At: at}
}

func ptr[T any](v T) *T { return &v }

// secret maps a secret attribute to its origin, never keeping the value.
func (mp *mapper) secret(eb *evalBody, name string) model.Secret {
	if a, ok := eb.get(name + "_wo"); ok {
		if u, _ := a.v.UnmarkDeep(); !(u.IsKnown() && u.IsNull()) {
			return model.Secret{Origin: model.SecretEphemeral, At: mp.rng(a.rng)}
		}
	}
	a, ok := eb.get(name)
	if !ok {
		return model.Secret{Origin: model.SecretAbsent, At: mp.rng(eb.rng)}
	}
	at := hclRange(&a.rng)
	origin, litAt := originOf(a.v, at)
	s := model.Secret{Origin: origin, At: mp.rng(a.rng)}
	if origin == model.SecretLiteral {
		s.LiteralAt = mp.r.l.rng(litAt)
	}
	return s
}

// tags merges provider default tags under the resource's tags (resource tags win). An unknown
// value leaves its key known (ValueUnknown); a map whose keys are unknown keeps the keys known
// so far, their values undecided since it may override them, and clears KeysKnown.
func (mp *mapper) tags(ri *resInst) model.Tags {
	eb := ri.eb
	t := model.Tags{V: map[string]string{}, KeyAt: map[string]model.Range{}, KeysKnown: true,
		State: model.Default, At: mp.rng(eb.rng)}
	undecided := func(key string, at model.Range) {
		delete(t.V, key)
		if t.ValueUnknown == nil {
			t.ValueUnknown = map[string]model.Range{}
		}
		t.ValueUnknown[key] = at
		t.KeyAt[key] = at
	}
	add := func(v cty.Value, at hcl.Range, keyAt map[string]hcl.Range) {
		if t.State == model.Default {
			t.State = model.Explicit
		}
		t.At = mp.rng(at)
		u, _ := v.UnmarkDeep()
		if u.IsKnown() && u.IsNull() {
			return
		}
		if !u.IsKnown() || !(u.Type().IsObjectType() || u.Type().IsMapType()) {
			for _, k := range t.SortedKeys() {
				undecided(k, t.KeyAt[k])
			}
			t.KeysKnown = false
			return
		}
		for it := u.ElementIterator(); it.Next(); {
			k, e := it.Element()
			if e.IsNull() {
				continue
			}
			key := k.AsString()
			kat := mp.rng(at)
			if r, ok := keyAt[key]; ok {
				kat = mp.rng(r)
			}
			s, err := convert.Convert(e, cty.String)
			if err != nil || !s.IsKnown() {
				undecided(key, kat)
				continue
			}
			delete(t.ValueUnknown, key)
			t.V[key] = s.AsString()
			t.KeyAt[key] = kat
		}
	}
	if dt := ri.mi.lookupProvider(ri.provider); dt != nil {
		add(dt.v, dt.at, dt.keyAt)
	}
	if a, ok := eb.get("tags"); ok {
		add(a.v, a.rng, keyRanges(a.expr))
	}
	// A later value decides a key an earlier layer left undecided: only what is still
	// undecided at the end makes the map Unknown.
	if len(t.ValueUnknown) > 0 || !t.KeysKnown {
		t.State = model.Unknown
	}
	return t
}

// directives returns the comments inside the resource block and those directly above it.
func (mp *mapper) directives(ri *resInst) []model.Directive {
	var out []model.Directive
	for _, d := range ri.decl.above {
		d.At = mp.r.l.rng(d.At)
		out = append(out, d)
	}
	src := ri.decl.src
	// Only comments naming an ignore or skip are directives; most blocks have none, and lexing
	// them again would cost more than the rest of the mapping.
	if src == nil || !(bytes.Contains(src, []byte("ignore")) || bytes.Contains(src, []byte("skip"))) {
		return out
	}
	tokens, _ := hclsyntax.LexConfig(src, ri.decl.file, ri.decl.rng.Start)
	for _, tok := range tokens {
		if tok.Type != hclsyntax.TokenComment {
			continue
		}
		text := strings.TrimSpace(string(tok.Bytes))
		out = append(out, model.Directive{Text: text, At: mp.r.l.rng(model.Range{File: ri.decl.file, StartLine: tok.Range.Start.Line, EndLine: tok.Range.Start.Line})})
	}
	return out
}

// refKeyOf resolves the first refMark of v to an object in m.
func refTarget[T any](v cty.Value, m map[string]*T) *T {
	for _, addr := range refsOf(v) {
		if t, ok := m[addr]; ok {
			return t
		}
	}
	return nil
}

func (mp *mapper) key(ri *resInst) {
	k := &model.Key{
		ID:         mp.identity(ri),
		KeyID:      model.UnknownString(mp.rng(ri.decl.rng)),
		Enabled:    mp.boolean(ri.eb, "is_enabled", ptr(true)),
		KeyManager: model.ExplicitString("CUSTOMER", mp.rng(ri.decl.rng)),
	}
	if ri.decl.mode == "data" {
		k.Enabled = model.UnknownBool(mp.rng(ri.decl.rng))
		k.KeyManager = model.UnknownString(mp.rng(ri.decl.rng))
		if id := mp.str(ri.eb, "key_id", nil); id.Known() {
			k.KeyID = id
			if isAWSManagedKeyID(id.V) {
				k.KeyManager = model.ExplicitString("AWS", id.At)
			}
		}
	}
	mp.keys[ri.addr] = k
	mp.r.inv.Keys = append(mp.r.inv.Keys, k)
}

func isAWSManagedKeyID(s string) bool {
	return s == awsManagedMQKey || strings.HasSuffix(s, ":"+awsManagedMQKey)
}

// alias maps an aws_kms_alias (resource: to the key it targets; data: alias/aws/mq is AWS managed).
func (mp *mapper) alias(ri *resInst) {
	if ri.decl.mode == "managed" {
		if a, ok := ri.eb.get("target_key_id"); ok {
			if k := refTarget(a.v, mp.keys); k != nil {
				mp.keys[ri.addr] = k
			}
		}
		return
	}
	k := &model.Key{ID: mp.identity(ri), KeyID: model.UnknownString(mp.rng(ri.decl.rng)),
		Enabled: model.UnknownBool(mp.rng(ri.decl.rng)), KeyManager: model.UnknownString(mp.rng(ri.decl.rng))}
	if name := mp.str(ri.eb, "name", nil); name.Known() {
		k.KeyID = name
		if isAWSManagedKeyID(name.V) {
			k.KeyManager = model.ExplicitString("AWS", name.At)
		}
	}
	mp.keys[ri.addr] = k
	mp.r.inv.Keys = append(mp.r.inv.Keys, k)
}

func (mp *mapper) securityGroup(ri *resInst) {
	g := &model.SecurityGroup{
		ID:           mp.identity(ri),
		GroupID:      model.UnknownString(mp.rng(ri.decl.rng)),
		Name:         mp.str(ri.eb, "name", nil),
		IngressState: model.Explicit,
	}
	if _, ok := ri.eb.unknownBlocks["ingress"]; ok {
		g.IngressState = model.Unknown
	}
	for _, b := range ri.eb.blocks["ingress"] {
		mp.addRule(g, b, "protocol", []string{"cidr_blocks", "ipv6_cidr_blocks"}, inlineSources)
	}
	// ingress written as an attribute (a list of objects).
	if a, ok := ri.eb.get("ingress"); ok {
		u, _ := a.v.UnmarkDeep()
		if !u.IsWhollyKnown() || !(u.Type().IsListType() || u.Type().IsTupleType() || u.Type().IsSetType()) {
			if !(u.IsKnown() && u.IsNull()) {
				g.IngressState = model.Unknown
			}
		} else {
			for it := u.ElementIterator(); it.Next(); {
				_, e := it.Element()
				if !e.Type().IsObjectType() {
					g.IngressState = model.Unknown
					continue
				}
				eb := &evalBody{attrs: map[string]evalAttr{}, rng: a.rng}
				for name := range e.Type().AttributeTypes() {
					eb.attrs[name] = evalAttr{v: e.GetAttr(name), rng: a.rng}
				}
				mp.addRule(g, eb, "protocol", []string{"cidr_blocks", "ipv6_cidr_blocks"}, inlineSources)
			}
		}
	}
	mp.sgs[ri.addr] = g
	mp.r.inv.SecurityGroups = append(mp.r.inv.SecurityGroups, g)
}

// The attributes naming the sources of an ingress rule other than CIDRs: security groups,
// prefix lists and the group itself.
var (
	inlineSources  = []string{"security_groups", "prefix_list_ids", "self"}
	sgRuleSources  = []string{"source_security_group_id", "prefix_list_ids", "self"}
	vpcRuleSources = []string{"referenced_security_group_id", "prefix_list_id"}
)

// addRule appends one ingress rule read from eb.
func (mp *mapper) addRule(g *model.SecurityGroup, eb *evalBody, protoAttr string, cidrAttrs, sourceAttrs []string) {
	rule := model.IngressRule{
		Protocol:       mp.str(eb, protoAttr, nil),
		FromPort:       mp.integer(eb, "from_port"),
		ToPort:         mp.integer(eb, "to_port"),
		NonCIDRSources: mp.sources(eb, sourceAttrs),
		At:             mp.rng(eb.rng),
	}
	rule.CIDRs = model.StringList{V: []string{}, State: model.Explicit, At: mp.rng(eb.rng)}
	for _, name := range cidrAttrs {
		l := mp.list(eb, name, true)
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

// sources lists the non-CIDR sources an ingress rule names: each security group or prefix list
// id, the address of the resource an id known only after apply comes from, and "self" for
// self = true.
func (mp *mapper) sources(eb *evalBody, attrs []string) model.StringList {
	out := model.StringList{V: []string{}, State: model.Default, At: mp.rng(eb.rng)}
	for _, name := range attrs {
		a, ok := eb.get(name)
		u, marks := a.v.Unmark()
		if !ok || (u.IsKnown() && u.IsNull()) {
			continue
		}
		at := mp.rng(a.rng)
		if name == "self" {
			switch b := mp.boolean(eb, name, ptr(false)); {
			case !b.Known():
				return model.StringList{At: at}
			case b.V:
				out.V, out.State, out.At = append(out.V, "self"), model.Explicit, at
			}
			continue
		}
		elems := []cty.Value{u.WithMarks(marks)}
		if u.IsKnown() && u.CanIterateElements() {
			elems = elems[:0]
			for it := u.ElementIterator(); it.Next(); {
				_, e := it.Element()
				elems = append(elems, e.WithMarks(marks))
			}
		}
		if !u.IsKnown() && len(refsOf(a.v)) == 0 {
			// A list of unknown length and origin.
			return model.StringList{At: at}
		}
		for _, e := range elems {
			label := ""
			if k, ok := known(e); ok {
				if sv, err := convert.Convert(k, cty.String); err == nil {
					label = sv.AsString()
				}
			} else if refs := refsOf(e); len(refs) > 0 {
				label = refs[0]
			}
			if label == "" {
				return model.StringList{At: at}
			}
			out.V = append(out.V, label)
		}
		out.State, out.At = model.Explicit, at
	}
	return out
}

func (mp *mapper) sgRule(ri *resInst) {
	a, ok := ri.eb.get("security_group_id")
	if !ok {
		return
	}
	g := refTarget(a.v, mp.sgs)
	if g == nil {
		return
	}
	typ := mp.str(ri.eb, "type", nil)
	if !typ.Known() {
		g.IngressState = model.Unknown
		return
	}
	if typ.V != "ingress" {
		return
	}
	mp.addRule(g, ri.eb, "protocol", []string{"cidr_blocks", "ipv6_cidr_blocks"}, sgRuleSources)
}

func (mp *mapper) vpcIngressRule(ri *resInst) {
	a, ok := ri.eb.get("security_group_id")
	if !ok {
		return
	}
	g := refTarget(a.v, mp.sgs)
	if g == nil {
		return
	}
	mp.addRule(g, ri.eb, "ip_protocol", []string{"cidr_ipv4", "cidr_ipv6"}, vpcRuleSources)
}

func (mp *mapper) configuration(ri *resInst) {
	eb := ri.eb
	c := &model.Configuration{
		ID:            mp.identity(ri),
		Name:          mp.str(eb, "name", nil),
		Description:   mp.str(eb, "description", ptr("")),
		Engine:        mp.str(eb, "engine_type", nil),
		EngineVersion: mp.str(eb, "engine_version", nil),
		Tags:          mp.tags(ri),
		Data:          model.Unknown,
		DataAt:        mp.rng(eb.rng),
		Directives:    mp.directives(ri),
	}
	if c.Engine.Known() {
		c.Engine.V = model.NormalizeEngine(c.Engine.V)
	}
	mp.configurationData(c, ri)
	mp.cfgs[ri.addr] = c
	mp.r.inv.Configurations = append(mp.r.inv.Configurations, c)
}

// configurationData reads the configuration body and parses ActiveMQ XML.
func (mp *mapper) configurationData(c *model.Configuration, ri *resInst) {
	a, ok := ri.eb.get("data")
	if !ok {
		return
	}
	c.DataAt = mp.rng(a.rng)
	u, ok := known(a.v)
	if !ok || u.Type() != cty.String {
		c.DataWhy = whyOf(a.v)
		return
	}
	data := u.AsString()
	file := ri.decl.file
	firstLine := a.expr.Range().Start.Line
	fromFile := ""
	for m := range marksOf(a.v) {
		if fm, ok := m.(fileMark); ok {
			fromFile = fm.file
		}
	}
	switch {
	case fromFile != "":
		file, firstLine = fromFile, 1
		c.DataAt = mp.r.l.rng(model.Range{File: fromFile, StartLine: 1, EndLine: 1 + strings.Count(data, "\n")})
	default:
		src, off := ri.decl.src, a.expr.Range().Start.Byte-ri.decl.rng.Start.Byte
		if off >= 0 && off+2 <= len(src) && string(src[off:off+2]) == "<<" {
			firstLine++
		}
	}
	trimmed := strings.TrimSpace(data)
	if !strings.HasPrefix(trimmed, "<") {
		if dec, err := base64.StdEncoding.DecodeString(trimmed); err == nil && bytes.HasPrefix(bytes.TrimSpace(dec), []byte("<")) {
			data, firstLine = string(dec), a.rng.Start.Line
			trimmed = strings.TrimSpace(data)
		}
	}
	c.Data = model.Explicit
	isXML := strings.HasPrefix(trimmed, "<")
	if c.Engine.Known() && c.Engine.V == model.EngineRabbitMQ && !isXML {
		rs, creds, err := brokerconf.ParseRabbitConf([]byte(data), mp.r.l.displayPath(file), firstLine)
		if err != nil {
			mp.invalidData(c, ri, file, firstLine, "its rabbitmq.conf body is not valid", "RabbitMQ", err)
			return
		}
		rs.Credentials = creds
		c.RabbitMQ = rs
		return
	}
	if c.Engine.Known() && c.Engine.V == model.EngineRabbitMQ || !isXML || parseActiveMQ == nil {
		return
	}
	cfg, err := parseActiveMQ([]byte(data), mp.r.l.displayPath(file), firstLine)
	if err != nil {
		mp.invalidData(c, ri, file, firstLine, "its ActiveMQ XML is not valid", "ActiveMQ", err)
		return
	}
	c.ActiveMQ = cfg
}

// invalidData records a configuration body that does not parse: its data is unknown (why
// says so), and an error entry names the resource, the line and what the parser said.
func (mp *mapper) invalidData(c *model.Configuration, ri *resInst, file string, firstLine int, why, engine string, err error) {
	c.Data = model.Unknown
	c.DataWhy = why
	line, detail := brokerconf.ErrorAt(err, firstLine)
	mp.r.diags = append(mp.r.diags, model.Diagnostic{Severity: model.DiagError, Source: model.SourceTerraform,
		At: model.Range{File: file, StartLine: line}, Message: "invalid " + engine + " configuration in " + ri.addr + detail})
}

func (mp *mapper) broker(ri *resInst) {
	eb := ri.eb
	b := &model.Broker{
		ID:                 mp.identity(ri),
		Name:               mp.str(eb, "broker_name", nil),
		Engine:             mp.str(eb, "engine_type", nil),
		EngineVersion:      mp.str(eb, "engine_version", nil),
		DeploymentMode:     mp.str(eb, "deployment_mode", ptr("SINGLE_INSTANCE")),
		HostInstanceType:   mp.str(eb, "host_instance_type", nil),
		PubliclyAccessible: mp.boolean(eb, "publicly_accessible", ptr(false)),
		AutoMinorUpgrade:   mp.boolean(eb, "auto_minor_version_upgrade", ptr(false)),
		AuthStrategy:       mp.str(eb, "authentication_strategy", ptr("SIMPLE")),
		SubnetIDs:          mp.list(eb, "subnet_ids", true),
		Tags:               mp.tags(ri),
		Directives:         mp.directives(ri),
		UsersState:         model.Explicit,
	}
	if b.Engine.Known() {
		b.Engine.V = model.NormalizeEngine(b.Engine.V)
	}
	if b.AuthStrategy.Known() {
		b.AuthStrategy.V = strings.ToUpper(b.AuthStrategy.V)
	}
	b.StorageType = mp.str(eb, "storage_type", nil)
	if _, set := eb.get("storage_type"); !set && b.Engine.Known() {
		def := map[string]string{model.EngineActiveMQ: "efs", model.EngineRabbitMQ: "ebs"}[b.Engine.V]
		if def != "" {
			b.StorageType = model.DefaultString(def, mp.rng(eb.rng))
		}
	}
	mp.encryption(b, eb)
	mp.logs(b, eb)
	mp.ldap(b, eb)
	if _, ok := eb.unknownBlocks["user"]; ok {
		b.UsersState = model.Unknown
	}
	for _, u := range eb.blocks["user"] {
		user := model.User{
			Username:        mp.str(u, "username", nil),
			Password:        mp.secret(u, "password"),
			ConsoleAccess:   mp.boolean(u, "console_access", ptr(false)),
			Groups:          mp.list(u, "groups", true),
			ReplicationUser: mp.boolean(u, "replication_user", ptr(false)),
			At:              mp.rng(u.rng),
		}
		if a, ok := u.get("username"); ok && !user.Username.Known() {
			user.UsernameGenerated = generatedOnly(a.v)
		}
		b.Users = append(b.Users, user)
	}
	mp.securityGroups(b, eb)
	mp.brokerConfiguration(b, eb)
	mp.r.inv.Brokers = append(mp.r.inv.Brokers, b)
}

// generatedOnly reports whether an undecided value is generated at apply time: it comes from
// a random_* resource and from no input, secrets store or ephemeral value, which could hold any
// name. Literals may take part: they reach a value through the conditions that chose it too
// (`local.create ? random_pet.u[0].id : var.user`, with var.user's default deciding create),
// and an undecided condition comes from an input, which rules the value out.
func generatedOnly(v cty.Value) bool {
	generated := false
	for m := range marksOf(v) {
		om, ok := m.(originMark)
		if !ok {
			continue
		}
		switch om.origin {
		case model.SecretGenerated:
			generated = true
		case model.SecretLiteral:
		default:
			return false
		}
	}
	return generated
}

// unknownBlock returns the range of a dynamic block of type typ iterated over an unknown
// collection when eb has no block of that type: whether the block is there is undecided.
func (mp *mapper) unknownBlock(eb *evalBody, typ string) (model.Range, bool) {
	if len(eb.blocks[typ]) > 0 {
		return model.Range{}, false
	}
	r, ok := eb.unknownBlocks[typ]
	return mp.rng(r), ok
}

// ldap maps ldap_server_metadata. A dynamic block over an unknown collection may declare LDAP
// metadata or not: every field is then Unknown, located at the dynamic block.
func (mp *mapper) ldap(b *model.Broker, eb *evalBody) {
	if at, ok := mp.unknownBlock(eb, "ldap_server_metadata"); ok {
		b.LDAP = &model.LDAP{
			Hosts:                  model.StringList{At: at},
			ServiceAccountUsername: model.UnknownString(at),
			ServiceAccountPassword: model.Secret{Origin: model.SecretUnknown, At: at},
			At:                     at,
		}
		return
	}
	if l := eb.first("ldap_server_metadata"); l != nil {
		b.LDAP = &model.LDAP{
			Hosts:                  mp.list(l, "hosts", false),
			ServiceAccountUsername: mp.str(l, "service_account_username", nil),
			ServiceAccountPassword: mp.secret(l, "service_account_password"),
			At:                     mp.rng(l.rng),
		}
	}
}

// brokerConfiguration maps the configuration block. A dynamic block over an unknown collection
// may name a configuration or not: the reference is then Unknown and resolves to none.
func (mp *mapper) brokerConfiguration(b *model.Broker, eb *evalBody) {
	if at, ok := mp.unknownBlock(eb, "configuration"); ok {
		b.Configuration = &model.ConfigurationRef{ID: model.UnknownString(at), Revision: model.Int{At: at}, At: at}
		return
	}
	cb := eb.first("configuration")
	if cb == nil {
		return
	}
	ref := &model.ConfigurationRef{ID: mp.str(cb, "id", nil), Revision: mp.integer(cb, "revision"), At: mp.rng(cb.rng)}
	if a, ok := cb.get("id"); ok {
		ref.Config = refTarget(a.v, mp.cfgs)
	}
	if ref.Config != nil {
		ref.Config.UsedBy++
	}
	b.Configuration = ref
}

func (mp *mapper) encryption(b *model.Broker, eb *evalBody) {
	if at, ok := mp.unknownBlock(eb, "encryption_options"); ok {
		// Present or not, undecided: not the default either.
		b.Encryption = model.Encryption{UseAWSOwnedKey: model.UnknownBool(at), KMSKeyID: model.UnknownString(at),
			KeyManager: model.UnknownString(at)}
		return
	}
	blk := eb.first("encryption_options")
	if blk == nil {
		at := mp.rng(eb.rng)
		b.Encryption = model.Encryption{
			UseAWSOwnedKey: model.DefaultBool(true, at),
			KMSKeyID:       model.DefaultString("", at),
		}
		return
	}
	e := model.Encryption{
		UseAWSOwnedKey: mp.boolean(blk, "use_aws_owned_key", ptr(true)),
		KMSKeyID:       mp.str(blk, "kms_key_id", ptr("")),
	}
	if a, ok := blk.get("kms_key_id"); ok {
		if k := refTarget(a.v, mp.keys); k != nil {
			e.Key = k
			e.KeyManager = k.KeyManager
		}
	}
	if a, ok := blk.get("kms_key_id"); ok && e.Key == nil && namesResourceType(a.expr, "aws_kms_key") {
		// A reference to a key resource that is not in the scanned files (declared elsewhere,
		// or in a module that is not installed) is still a customer managed key.
		e.KeyManager = model.ExplicitString("CUSTOMER", mp.rng(a.rng))
	}
	if e.Key == nil && e.KMSKeyID.State == model.Explicit {
		switch id := e.KMSKeyID.V; {
		case isAWSManagedKeyID(id):
			e.KeyManager = model.ExplicitString("AWS", e.KMSKeyID.At)
		case id != "":
			e.KeyManager = model.ExplicitString("CUSTOMER", e.KMSKeyID.At)
		}
	}
	b.Encryption = e
}

func (mp *mapper) logs(b *model.Broker, eb *evalBody) {
	if at, ok := mp.unknownBlock(eb, "logs"); ok {
		b.Logs = model.Logs{General: model.UnknownBool(at), Audit: model.UnknownBool(at)}
		return
	}
	blk := eb.first("logs")
	if blk == nil {
		at := mp.rng(eb.rng)
		b.Logs = model.Logs{General: model.DefaultBool(false, at), Audit: model.DefaultBool(false, at)}
		return
	}
	b.Logs = model.Logs{General: mp.boolean(blk, "general", ptr(false)), Audit: mp.boolean(blk, "audit", ptr(false))}
}

func (mp *mapper) securityGroups(b *model.Broker, eb *evalBody) {
	a, ok := eb.get("security_groups")
	u, marks := a.v.Unmark()
	if !ok || (u.IsKnown() && u.IsNull()) {
		b.SecurityGroupsState = model.Default
		return
	}
	at := mp.rng(a.rng)
	if !u.IsKnown() || !u.CanIterateElements() {
		b.SecurityGroupsState = model.Unknown
		return
	}
	b.SecurityGroupsState = model.Explicit
	for it := u.ElementIterator(); it.Next(); {
		_, e := it.Element()
		e = e.WithMarks(marks)
		ref := model.SecurityGroupRef{ID: model.UnknownString(at), Group: refTarget(e, mp.sgs)}
		if s, ok := known(e); ok {
			if sv, err := convert.Convert(s, cty.String); err == nil {
				ref.ID = model.ExplicitString(sv.AsString(), at)
			}
		}
		b.SecurityGroups = append(b.SecurityGroups, ref)
	}
}

// namesResourceType reports whether expr refers to a managed resource of type typ
// (e.g. aws_kms_key.main.arn), directly or inside a larger expression.
func namesResourceType(expr hcl.Expression, typ string) bool {
	if expr == nil {
		return false
	}
	for _, tr := range expr.Variables() {
		if tr.RootName() == typ {
			return true
		}
	}
	return false
}
