package model

import "testing"

func TestAddIngress(t *testing.T) {
	at := Range{File: "sg.tf", StartLine: 3}
	known := func(v int64) Int { return Int{V: v, State: Explicit, At: at} }
	cidrs := StringList{V: []string{"0.0.0.0/0"}, State: Explicit, At: at}
	tests := []struct {
		name     string
		rule     IngressRule
		from, to int64
		state    State
	}{
		{"tcp port", IngressRule{Protocol: ExplicitString("tcp", at), FromPort: known(61617), ToPort: known(61617), CIDRs: cidrs}, 61617, 61617, Explicit},
		{"all protocols without ports", IngressRule{Protocol: ExplicitString("-1", at), CIDRs: cidrs}, 0, 65535, Explicit},
		{"ALL protocols keep written ports", IngressRule{Protocol: ExplicitString("ALL", at), FromPort: known(0), ToPort: known(0), CIDRs: cidrs}, 0, 0, Explicit},
		{"tcp without ports is undecided", IngressRule{Protocol: ExplicitString("tcp", at), CIDRs: cidrs}, 0, 0, Unknown},
		{"unknown protocol", IngressRule{FromPort: known(1), ToPort: known(2), CIDRs: cidrs}, 1, 2, Unknown},
		{"unknown sources", IngressRule{Protocol: ExplicitString("tcp", at), FromPort: known(1), ToPort: known(2)}, 1, 2, Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := &SecurityGroup{IngressState: Explicit}
			g.AddIngress(tt.rule)
			r := g.Ingress[0]
			if r.FromPort.V != tt.from || r.ToPort.V != tt.to || g.IngressState != tt.state {
				t.Errorf("ports %d-%d, ingress %v; want %d-%d, %v", r.FromPort.V, r.ToPort.V, g.IngressState, tt.from, tt.to, tt.state)
			}
		})
	}
}
