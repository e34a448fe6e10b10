package model

import (
	"bytes"
	"reflect"
	"testing"
)

func sampleInventory() (*Inventory, []Diagnostic) {
	at := Range{File: "infra/mq.tf", StartLine: 3, EndLine: 9}
	cfg := &Configuration{ID: Identity{Source: SourceTerraform, Address: "aws_mq_configuration.c", At: at},
		Name: String{V: "c", State: Explicit, At: at}, Data: Explicit,
		ActiveMQ: &ActiveMQConfig{Plugins: []PluginRef{{Name: "statisticsBrokerPlugin", At: at}}},
		UsedBy:   2, Directives: []Directive{{Text: "# mqguard:ignore MQG018", At: at}}}
	key := &Key{ID: Identity{Address: "aws_kms_key.k"}, Enabled: Bool{V: true, State: Default}}
	sg := &SecurityGroup{ID: Identity{Address: "aws_security_group.g"}, Ingress: []IngressRule{{
		Protocol: String{V: "tcp", State: Explicit}, FromPort: Int{V: 61617, State: Explicit},
		CIDRs: StringList{V: []string{"0.0.0.0/0"}, State: Explicit}}}}
	broker := func(name string) *Broker {
		return &Broker{
			ID:                 Identity{Source: SourceTerraform, Scope: "infra", Address: "aws_mq_broker." + name, At: at},
			Name:               String{V: name, State: Explicit, At: at},
			PubliclyAccessible: Bool{State: Unknown},
			Encryption:         Encryption{KMSKeyID: String{V: "k", State: Explicit}, Key: key},
			Users:              []User{{Username: String{V: "app", State: Explicit}, Password: Secret{Origin: SecretInput}}},
			SecurityGroups:     []SecurityGroupRef{{ID: String{V: "g", State: Explicit}, Group: sg}, {ID: String{State: Unknown}}},
			Tags:               Tags{V: map[string]string{"env": "prod"}, KeyAt: map[string]Range{"env": at}, State: Explicit},
			Configuration:      &ConfigurationRef{ID: String{V: "c", State: Explicit}, Config: cfg},
			LDAP:               &LDAP{Hosts: StringList{V: []string{"ldap.example.com"}, State: Explicit}},
		}
	}
	inv := &Inventory{Brokers: []*Broker{broker("a"), broker("b")}, Configurations: []*Configuration{cfg},
		SecurityGroups: []*SecurityGroup{sg}, Keys: []*Key{key}, OfferedVersions: map[string][]string{"ActiveMQ": {"5.18"}}}
	diags := []Diagnostic{{Severity: DiagNote, Source: SourceTerraform, At: at, Message: "module x is not installed"}}
	return inv, diags
}

// TestPartRoundTrip: an encoded part reads back equal, and brokers that shared a configuration,
// key or security group share it again.
func TestPartRoundTrip(t *testing.T) {
	inv, diags := sampleInventory()
	var buf bytes.Buffer
	if err := EncodePart(&buf, inv, diags); err != nil {
		t.Fatal(err)
	}
	got, gotDiags, err := DecodePart(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, inv) || !reflect.DeepEqual(gotDiags, diags) {
		t.Fatalf("round trip differs:\ngot  %+v\nwant %+v", got, inv)
	}
	a, b := got.Brokers[0], got.Brokers[1]
	switch {
	case a.Configuration.Config != got.Configurations[0] || b.Configuration.Config != a.Configuration.Config:
		t.Error("the shared configuration is no longer shared")
	case a.Encryption.Key != got.Keys[0] || b.Encryption.Key != a.Encryption.Key:
		t.Error("the shared key is no longer shared")
	case a.SecurityGroups[0].Group != got.SecurityGroups[0] || b.SecurityGroups[0].Group != a.SecurityGroups[0].Group:
		t.Error("the shared security group is no longer shared")
	case a.SecurityGroups[1].Group != nil:
		t.Error("an unresolved group became resolved")
	}
	// Encoding does not touch the inventory it encodes.
	if inv.Brokers[0].Configuration.Config == nil || inv.Brokers[0].Encryption.Key == nil {
		t.Error("encoding unlinked the original inventory")
	}
}

func TestDecodePartRejectsBadInput(t *testing.T) {
	inv, diags := sampleInventory()
	var buf bytes.Buffer
	if err := EncodePart(&buf, inv, diags); err != nil {
		t.Fatal(err)
	}
	whole := buf.Bytes()
	for _, in := range [][]byte{nil, []byte("not gob"), whole[:len(whole)/2]} {
		if _, _, err := DecodePart(bytes.NewReader(in)); err == nil {
			t.Errorf("DecodePart(%d bytes) succeeded", len(in))
		}
	}
}

// FuzzDecodePart: whatever a cache file holds, decoding returns an error or a part, never
// panics, and a decoded part encodes again.
func FuzzDecodePart(f *testing.F) {
	inv, diags := sampleInventory()
	var buf bytes.Buffer
	if err := EncodePart(&buf, inv, diags); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		got, d, err := DecodePart(bytes.NewReader(data))
		if err != nil {
			return
		}
		if err := EncodePart(&bytes.Buffer{}, got, d); err != nil && err.Error() != "inventory holds a nil broker" {
			t.Fatalf("a decoded part does not encode: %v", err)
		}
	})
}
