package probe

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/mqguard/mqguard/internal/brokeruri"
	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/source/brokerconf"
)

// maxQueuePages bounds the queue pages read (500 queues a page).
const maxQueuePages = 200

var amazonMQHost = regexp.MustCompile(`(?i)\.mq\.[a-z0-9-]+\.(amazonaws\.com(\.cn)?|on\.aws)$`)

// isAmazonMQHost says the host is an Amazon MQ broker's endpoint.
func isAmazonMQHost(h string) bool { return amazonMQHost.MatchString(strings.TrimSuffix(h, ".")) }

// rabbit reads the RabbitMQ management API.
func (p *prober) rabbit(ctx context.Context, a *httpAPI, t Target, b *model.Broker, first *response, ds *diagSink) {
	ep := a.ep
	sm := b.SelfManaged
	at := ep.ref("")
	if strings.Contains(realm(first), "rabbitmq") {
		setEngine(b, model.EngineRabbitMQ, ep.ref("WWW-Authenticate"))
	}
	rs := &model.RabbitMQSettings{
		ConfState:     model.Unknown,
		PluginsState:  model.Unknown,
		PoliciesState: model.Unknown,
		QueuesState:   model.Unknown,
		AmazonMQ:      isAmazonMQHost(ep.host),
		CORSAnyOrigin: model.UnknownBool(ep.ref("CORS")),
	}
	sm.RabbitMQ = rs
	sm.Console = &model.ConsoleProbe{URL: ep.url, OpenWithoutLogin: model.ExplicitBool(first.status == http.StatusOK, ep.ref("/api/overview"))}

	// CORS: a preflight from an origin no deployment allows.
	const origin = "https://mqguard-probe.invalid"
	if r, err := a.do(ctx, http.MethodOptions, "/api/overview", "", "", map[string]string{
		"Origin": origin, "Access-Control-Request-Method": "GET",
	}); err == nil {
		acao := strings.TrimSpace(r.header.Get("Access-Control-Allow-Origin"))
		rs.CORSAnyOrigin = model.ExplicitBool(acao == "*" || strings.EqualFold(acao, origin), ep.ref("OPTIONS /api/overview#Access-Control-Allow-Origin"))
	} else {
		ds.notef(at, "CORS preflight to %s: %v", ep.url, err)
	}

	switch {
	case p.opts.DefaultCredentials && first.status == http.StatusOK:
		// Where no credentials are needed, guest/guest "works" and proves nothing of them.
		ds.notef(at, "management API %s: guest/guest not tried: the API answers without credentials", ep.url)
	case p.opts.DefaultCredentials:
		p.rabbitGuest(ctx, a, sm.Console, ds)
	}
	if t.User == "" {
		ds.notef(at, "%s: no credentials given, so users, permissions, policies and queues were not read", ep.url)
		return
	}
	var ov struct {
		RabbitMQVersion string `json:"rabbitmq_version"`
		ProductName     string `json:"product_name"`
		ProductVersion  string `json:"product_version"`
		ClusterName     string `json:"cluster_name"`
		Listeners       []struct {
			Protocol  string `json:"protocol"`
			IPAddress string `json:"ip_address"`
			Port      int    `json:"port"`
		} `json:"listeners"`
	}
	status, err := a.getJSON(ctx, "/api/overview", t.User, t.Password, &ov)
	if status == http.StatusUnauthorized {
		ds.errorf(at, "management API %s: credentials refused (HTTP 401)", ep.url)
		return
	}
	if err != nil {
		ds.errorf(at, "management API %s: /api/overview: %v", ep.url, err)
		return
	}
	oat := ep.ref("/api/overview")
	setEngine(b, model.EngineRabbitMQ, oat)
	version := ov.RabbitMQVersion
	if version == "" && strings.EqualFold(ov.ProductName, "RabbitMQ") {
		version = ov.ProductVersion
	}
	setVersion(b, version, ep.ref("/api/overview#rabbitmq_version"))
	if ov.ClusterName != "" && t.Name == "" {
		b.Name = model.ExplicitString(ov.ClusterName, ep.ref("/api/overview#cluster_name"))
	}
	lat := ep.ref("/api/overview#listeners")
	sm.Listeners = nil // the API's list replaces the probed endpoint's own entry
	for _, l := range ov.Listeners {
		proto, tls, ok := rabbitListener(l.Protocol)
		if !ok {
			continue
		}
		sm.Listeners = append(sm.Listeners, model.Listener{
			Protocol: proto,
			TLS:      model.ExplicitBool(tls, lat),
			Host:     model.ExplicitString(l.IPAddress, lat),
			Port:     model.Int{V: int64(l.Port), State: model.Explicit, At: lat},
			Loopback: model.ExplicitBool(brokeruri.IsLoopbackHost(l.IPAddress), lat),
			Name:     l.Protocol,
			At:       lat,
		})
	}
	sm.ListenersState = model.Explicit

	p.rabbitUsers(ctx, a, t, sm, ds)
	p.rabbitPolicies(ctx, a, t, rs, ds)
	p.rabbitQueues(ctx, a, t, rs, ds)
	p.rabbitVHosts(ctx, a, t, rs, ds)
	p.rabbitNodes(ctx, a, t, sm, ds)
}

// rabbitListener maps an overview listener protocol (amqp, amqp/ssl, http, https, mqtt,
// stomp/ssl, http/web-stomp, https/web-mqtt, stream, clustering, ...) to the model's protocol.
func rabbitListener(p string) (proto string, tls, ok bool) {
	base, variant, _ := strings.Cut(strings.ToLower(p), "/")
	tls = variant == "ssl" || base == "https"
	switch {
	case base == "clustering":
		return "", false, false // Erlang distribution, not a client listener
	case variant == "web-stomp" || variant == "web-mqtt":
		return "ws", tls, true
	case base == "http" || base == "https":
		return "http", tls, true
	case base == "amqp", base == "mqtt", base == "stomp", base == "stream":
		return base, tls, true
	}
	return base, tls, base != ""
}

// rabbitGuest tries guest/guest on /api/whoami. From a loopback address RabbitMQ always lets
// guest in, so a loopback target proves nothing about remote access: the answer is then only
// a note, and DefaultCredentialsTested stays false.
func (p *prober) rabbitGuest(ctx context.Context, a *httpAPI, c *model.ConsoleProbe, ds *diagSink) {
	ep := a.ep
	r, err := a.do(ctx, http.MethodGet, "/api/whoami", "guest", "guest", nil)
	if err != nil {
		ds.notef(ep.ref(""), "%s: guest/guest not tried: %v", ep.url, err)
		return
	}
	accepted := r.status == http.StatusOK
	if brokeruri.IsLoopbackHost(ep.host) {
		ds.notef(ep.ref(""), "%s: guest/guest tried from loopback (accepted: %t), where RabbitMQ always admits guest; it says nothing about remote access", ep.url, accepted)
		return
	}
	c.DefaultCredentialsTested = true
	if accepted {
		c.DefaultCredentials = append(c.DefaultCredentials, "guest")
	}
}

type apiUser struct {
	Name             string          `json:"name"`
	PasswordHash     string          `json:"password_hash"`
	HashingAlgorithm string          `json:"hashing_algorithm"`
	Tags             json.RawMessage `json:"tags"`
}

// tagsOf reads RabbitMQ tags given as a list (3.13+) or a comma-separated string.
func tagsOf(raw json.RawMessage) []string {
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		var out []string
		for _, t := range strings.Split(s, ",") {
			if t = strings.TrimSpace(t); t != "" {
				out = append(out, t)
			}
		}
		return out
	}
	return nil
}

func (p *prober) rabbitUsers(ctx context.Context, a *httpAPI, t Target, sm *model.SelfManaged, ds *diagSink) {
	ep := a.ep
	var users []apiUser
	if _, err := a.getJSON(ctx, "/api/users", t.User, t.Password, &users); err != nil {
		ds.notef(ep.ref("/api/users"), "management API %s: users not read (/api/users needs the administrator tag): %v", ep.url, err)
		return
	}
	var perms []struct {
		User      string `json:"user"`
		VHost     string `json:"vhost"`
		Configure string `json:"configure"`
		Write     string `json:"write"`
		Read      string `json:"read"`
	}
	if _, err := a.getJSON(ctx, "/api/permissions", t.User, t.Password, &perms); err != nil {
		ds.notef(ep.ref("/api/permissions"), "management API %s: permissions not read: %v", ep.url, err)
		return
	}
	byUser := map[string][]model.Permission{}
	pat := ep.ref("/api/permissions")
	for _, pm := range perms {
		byUser[pm.User] = append(byUser[pm.User], model.Permission{VHost: pm.VHost, Configure: pm.Configure, Write: pm.Write, Read: pm.Read, At: pat})
	}
	sort.Slice(users, func(i, j int) bool { return users[i].Name < users[j].Name })
	for _, u := range users {
		uat := ep.ref("/api/users/" + url.PathEscape(u.Name))
		bu := model.BrokerUser{
			Username:         model.ExplicitString(u.Name, uat),
			Tags:             model.StringList{V: tagsOf(u.Tags), State: model.Explicit, At: uat},
			HashingAlgorithm: model.ExplicitString(u.HashingAlgorithm, uat),
			Password:         model.Secret{Origin: model.SecretAbsent, At: uat},
			Realm:            "api",
			Permissions:      byUser[u.Name],
			At:               uat,
		}
		if u.HashingAlgorithm == "" {
			bu.HashingAlgorithm = model.DefaultString("rabbit_password_hashing_sha256", uat)
		}
		if u.PasswordHash != "" {
			bu.Password = model.Secret{Origin: model.SecretLiteral, At: uat}
			bu.DefaultPassword = u.Name == "guest" && brokerconf.RabbitHashIs(u.PasswordHash, u.HashingAlgorithm, "guest")
		}
		sm.Users = append(sm.Users, bu)
	}
	sm.UsersState = model.Explicit
}

type apiPolicy struct {
	VHost      string                     `json:"vhost"`
	Name       string                     `json:"name"`
	Pattern    string                     `json:"pattern"`
	ApplyTo    string                     `json:"apply-to"`
	Definition map[string]json.RawMessage `json:"definition"`
}

func (p *prober) rabbitPolicies(ctx context.Context, a *httpAPI, t Target, rs *model.RabbitMQSettings, ds *diagSink) {
	ep := a.ep
	var out []model.RabbitPolicy
	for _, src := range []struct {
		path     string
		operator bool
	}{{"/api/policies", false}, {"/api/operator-policies", true}} {
		var pols []apiPolicy
		if _, err := a.getJSON(ctx, src.path, t.User, t.Password, &pols); err != nil {
			ds.notef(ep.ref(src.path), "management API %s: %s not read: %v", ep.url, src.path, err)
			return
		}
		for _, pl := range pols {
			keys := make([]string, 0, len(pl.Definition))
			for k := range pl.Definition {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			out = append(out, model.RabbitPolicy{
				Name: pl.Name, VHost: pl.VHost, Pattern: pl.Pattern, ApplyTo: pl.ApplyTo,
				Operator: src.operator, Keys: keys,
				At: ep.ref(src.path + "/" + url.PathEscape(pl.VHost) + "/" + url.PathEscape(pl.Name)),
			})
		}
	}
	rs.Policies = out
	rs.PoliciesState = model.Explicit
}

type apiQueue struct {
	Name       string                     `json:"name"`
	VHost      string                     `json:"vhost"`
	Durable    *bool                      `json:"durable"`
	Exclusive  bool                       `json:"exclusive"`
	AutoDelete bool                       `json:"auto_delete"`
	Type       string                     `json:"type"`
	Arguments  map[string]json.RawMessage `json:"arguments"`
}

func (p *prober) rabbitQueues(ctx context.Context, a *httpAPI, t Target, rs *model.RabbitMQSettings, ds *diagSink) {
	ep := a.ep
	var all []apiQueue
	for page := 1; ; page++ {
		if page > maxQueuePages {
			ds.notef(ep.ref("/api/queues"), "management API %s: more than %d queues; the rest were not read", ep.url, maxQueuePages*500)
			return
		}
		path := fmt.Sprintf("/api/queues?page=%d&page_size=500&columns=name,vhost,durable,exclusive,auto_delete,type,arguments", page)
		var raw json.RawMessage
		if _, err := a.getJSON(ctx, path, t.User, t.Password, &raw); err != nil {
			ds.notef(ep.ref("/api/queues"), "management API %s: queues not read: %v", ep.url, err)
			return
		}
		var pg struct {
			Items     []apiQueue `json:"items"`
			PageCount int        `json:"page_count"`
		}
		trim := strings.TrimSpace(string(raw))
		if strings.HasPrefix(trim, "[") {
			// No pagination (an old version): the whole list.
			if err := json.Unmarshal(raw, &all); err != nil {
				ds.notef(ep.ref("/api/queues"), "management API %s: queues not read: %s", ep.url, jsonErr(err))
				return
			}
			break
		}
		if err := json.Unmarshal(raw, &pg); err != nil {
			ds.notef(ep.ref("/api/queues"), "management API %s: queues not read: %s", ep.url, jsonErr(err))
			return
		}
		all = append(all, pg.Items...)
		if page >= pg.PageCount {
			break
		}
	}
	for _, q := range all {
		qat := ep.ref("/api/queues/" + url.PathEscape(q.VHost) + "/" + url.PathEscape(q.Name))
		rq := model.RabbitQueue{Name: q.Name, VHost: q.VHost, Exclusive: q.Exclusive, AutoDelete: q.AutoDelete, At: qat}
		if q.Durable != nil {
			rq.Durable = model.ExplicitBool(*q.Durable, qat)
		} else {
			rq.Durable = model.UnknownBool(qat)
		}
		var argType string
		if raw, ok := q.Arguments["x-queue-type"]; ok {
			_ = json.Unmarshal(raw, &argType)
		}
		switch {
		case argType != "":
			rq.Type = model.ExplicitString(argType, qat)
		case q.Type != "":
			// The type the node gave the queue (a vhost or node default_queue_type).
			rq.Type = model.ExplicitString(q.Type, qat)
		default:
			rq.Type = model.DefaultString("", qat)
		}
		rs.Queues = append(rs.Queues, rq)
	}
	rs.QueuesState = model.Explicit
}

func (p *prober) rabbitVHosts(ctx context.Context, a *httpAPI, t Target, rs *model.RabbitMQSettings, ds *diagSink) {
	ep := a.ep
	var vhosts []struct {
		Name             string `json:"name"`
		DefaultQueueType string `json:"default_queue_type"`
		Metadata         struct {
			DefaultQueueType string `json:"default_queue_type"`
		} `json:"metadata"`
	}
	if _, err := a.getJSON(ctx, "/api/vhosts", t.User, t.Password, &vhosts); err != nil {
		ds.notef(ep.ref("/api/vhosts"), "management API %s: vhosts not read: %v", ep.url, err)
		return
	}
	for _, v := range vhosts {
		vat := ep.ref("/api/vhosts/" + url.PathEscape(v.Name))
		dqt := v.Metadata.DefaultQueueType
		if dqt == "" {
			dqt = v.DefaultQueueType
		}
		vh := model.RabbitVHost{Name: v.Name, At: vat, DefaultQueueType: model.DefaultString("", vat)}
		if dqt != "" && dqt != "undefined" {
			vh.DefaultQueueType = model.ExplicitString(dqt, vat)
		}
		rs.VHosts = append(rs.VHosts, vh)
	}
}

func (p *prober) rabbitNodes(ctx context.Context, a *httpAPI, t Target, sm *model.SelfManaged, ds *diagSink) {
	ep := a.ep
	var nodes []struct {
		Name           string   `json:"name"`
		EnabledPlugins []string `json:"enabled_plugins"`
	}
	if _, err := a.getJSON(ctx, "/api/nodes", t.User, t.Password, &nodes); err != nil {
		ds.notef(ep.ref("/api/nodes"), "management API %s: nodes not read (/api/nodes needs the monitoring tag): %v", ep.url, err)
		return
	}
	nat := ep.ref("/api/nodes")
	if len(nodes) > 0 {
		sm.Clustered = model.ExplicitBool(len(nodes) > 1, nat)
		if nodes[0].EnabledPlugins != nil {
			pl := append([]string(nil), nodes[0].EnabledPlugins...)
			sort.Strings(pl)
			sm.RabbitMQ.Plugins = model.StringList{V: pl, State: model.Explicit, At: nat}
			sm.RabbitMQ.PluginsState = model.Explicit
		}
	}
}
