package probe

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

// activeMQDefaults are the console credentials ActiveMQ ships (jetty-realm.properties,
// users.properties), tried only with DefaultCredentials.
var activeMQDefaults = []string{"admin", "user"}

const jolokiaVersion = "/api/jolokia/version"

// console reads the ActiveMQ web console's Jolokia API.
func (p *prober) console(ctx context.Context, a *httpAPI, t Target, b *model.Broker, first *response, ds *diagSink) {
	ep := a.ep
	at := ep.ref("")
	if strings.Contains(realm(first), "activemq") {
		setEngine(b, model.EngineActiveMQ, ep.ref("WWW-Authenticate"))
	}
	c := &model.ConsoleProbe{URL: ep.url}
	b.SelfManaged.Console = c
	vat := ep.ref(jolokiaVersion)
	switch first.status {
	case http.StatusOK:
		c.OpenWithoutLogin = model.ExplicitBool(true, vat)
		b.SelfManaged.Anonymous = append(b.SelfManaged.Anonymous, model.Finding{What: "the console's Jolokia API answered without credentials", At: vat})
	case http.StatusUnauthorized, http.StatusForbidden:
		c.OpenWithoutLogin = model.ExplicitBool(false, vat)
	default:
		c.OpenWithoutLogin = model.UnknownBool(vat)
		ds.notef(at, "console %s: %s answered HTTP %d", ep.url, jolokiaVersion, first.status)
	}

	user, pass := t.User, t.Password
	if p.opts.DefaultCredentials && c.OpenWithoutLogin.Known() && c.OpenWithoutLogin.V {
		// Any credentials are "accepted" where none are needed: that proves nothing of the
		// shipped ones (the open API is MQG035's finding).
		ds.notef(at, "console %s: default credentials not tried: the API answers without credentials", ep.url)
	} else if p.opts.DefaultCredentials {
		tested := true
		for _, u := range activeMQDefaults {
			r, err := a.do(ctx, http.MethodGet, jolokiaVersion, u, u, nil)
			if err != nil {
				ds.notef(at, "console %s: default credentials not tried: %v", ep.url, err)
				tested = false
				break
			}
			if r.status == http.StatusOK {
				c.DefaultCredentials = append(c.DefaultCredentials, u)
				if user == "" {
					user, pass = u, u
				}
			}
		}
		c.DefaultCredentialsTested = tested
	}
	if user == "" {
		return
	}
	// The broker MBean's version; brokerName=* matches whatever the broker is called.
	var rd struct {
		Status int                          `json:"status"`
		Value  map[string]map[string]string `json:"value"`
	}
	status, err := a.getJSON(ctx, "/api/jolokia/read/org.apache.activemq:type=Broker,brokerName=*/BrokerVersion", user, pass, &rd)
	if status == http.StatusUnauthorized {
		ds.errorf(at, "console %s: credentials refused (HTTP 401)", ep.url)
		return
	}
	if errors.Is(err, errCredsNotSent) && t.User != "" {
		ds.errorf(at, "console %s: %v", ep.url, err)
		return
	}
	if err != nil || rd.Status != http.StatusOK {
		if err == nil {
			ds.notef(at, "console %s: the broker MBean was not read (Jolokia status %d)", ep.url, rd.Status)
		} else {
			ds.notef(at, "console %s: the broker MBean was not read: %v", ep.url, err)
		}
		return
	}
	rat := ep.ref("/api/jolokia/read#BrokerVersion")
	mbeans := make([]string, 0, len(rd.Value))
	for m := range rd.Value {
		mbeans = append(mbeans, m)
	}
	sort.Strings(mbeans)
	for _, mbean := range mbeans {
		if v := rd.Value[mbean]["BrokerVersion"]; v != "" {
			setEngine(b, model.EngineActiveMQ, rat)
			setVersion(b, v, rat)
			if name := mbeanKey(mbean, "brokerName"); name != "" && t.Name == "" {
				b.Name = model.ExplicitString(name, rat)
			}
			break
		}
	}
}

// mbeanKey returns a key of a JMX object name (domain:k1=v1,k2=v2).
func mbeanKey(name, key string) string {
	_, props, ok := strings.Cut(name, ":")
	if !ok {
		return ""
	}
	for _, kv := range strings.Split(props, ",") {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v
		}
	}
	return ""
}
