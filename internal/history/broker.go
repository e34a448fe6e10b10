package history

import (
	"strings"
	"sync"

	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/rules"
)

// Broker is a broker as recorded: what the KPIs that count brokers need, never a secret.
type Broker struct {
	// Key identifies the broker across scans: its ARN for live brokers, else its scope and
	// address.
	Key     string
	Source  string
	Address string
	ARN     string
	Account string
	Region  string
	Engine  string
	// Public is whether it is publicly accessible; nil when unknown.
	Public *bool
	// Tags are the decided tags, values masked as reports mask personal data; a value whose key
	// names a credential is replaced by "REDACTED".
	Tags map[string]string
}

// BrokerOf is the record of a model broker.
func BrokerOf(b *model.Broker) Broker {
	key := b.ID.ARN
	if key == "" {
		key = b.ID.Scope + "#" + b.ID.Address
	}
	out := Broker{
		Key:     key,
		Source:  string(b.ID.Source),
		Address: b.ID.Address,
		ARN:     b.ID.ARN,
		Account: b.ID.Account,
		Region:  b.ID.Region,
	}
	if b.Engine.Known() {
		out.Engine = model.NormalizeEngine(b.Engine.V)
	}
	if b.PubliclyAccessible.Known() {
		v := b.PubliclyAccessible.V
		out.Public = &v
	}
	if len(b.Tags.V) > 0 {
		out.Tags = make(map[string]string, len(b.Tags.V))
		for k, v := range b.Tags.V {
			out.Tags[rules.MaskPII(k)] = maskTag(k, v)
		}
	}
	return out
}

// credentialWords are parts of tag keys whose values are never stored.
var credentialWords = []string{"pass", "secret", "token", "credential", "apikey", "api_key", "private"}

func maskTag(key, value string) string {
	k := strings.ToLower(key)
	for _, w := range credentialWords {
		if strings.Contains(k, w) {
			return "REDACTED"
		}
	}
	return rules.MaskPII(value)
}

// Collector gathers the brokers of a scan from its inventory stream (scan.Request.OnPart).
type Collector struct {
	mu      sync.Mutex
	brokers []Broker
}

// OnPart records the brokers of one inventory part; it may be called concurrently.
func (c *Collector) OnPart(inv *model.Inventory) {
	if inv == nil {
		return
	}
	recs := make([]Broker, 0, len(inv.Brokers))
	for _, b := range inv.Brokers {
		recs = append(recs, BrokerOf(b))
	}
	c.mu.Lock()
	c.brokers = append(c.brokers, recs...)
	c.mu.Unlock()
}

// Brokers returns the brokers collected so far.
func (c *Collector) Brokers() []Broker {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Broker(nil), c.brokers...)
}
