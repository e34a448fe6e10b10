package rules

import "testing"

func TestParseVersion(t *testing.T) {
	tests := []struct {
		in   string
		want Version
		ok   bool
	}{
		{"5.18", Version{Major: 5, Minor: 18}, true},
		{" 5.17.6 ", Version{Major: 5, Minor: 17, Patch: 6, HasPatch: true}, true},
		{"3.13.0", Version{Major: 3, Minor: 13, HasPatch: true}, true},
		{"4.2", Version{Major: 4, Minor: 2}, true},
		{"5", Version{}, false},
		{"5.18.3.1", Version{}, false},
		{"5..3", Version{}, false},
		{"v5.18", Version{}, false},
		{"5.18-rc1", Version{}, false},
		{"+5.18", Version{}, false},
		{"latest", Version{}, false},
		{"", Version{}, false},
		{"99999999999.1", Version{}, false},
	}
	for _, tc := range tests {
		got, ok := ParseVersion(tc.in)
		if ok != tc.ok || got != tc.want {
			t.Errorf("ParseVersion(%q) = %+v, %v; want %+v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestVersionCompare(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"3.13", "3.8", 1},
		{"3.8", "3.13", -1},
		{"5.18", "5.18.0", 0},
		{"5.17.6", "5.17.10", -1},
		{"4.2", "3.13", 1},
		{"5.18.3", "5.18.3", 0},
	}
	for _, tc := range tests {
		a, _ := ParseVersion(tc.a)
		b, _ := ParseVersion(tc.b)
		if got := a.Compare(b); got != tc.want {
			t.Errorf("%s vs %s = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestVulnerableToCVE202346604(t *testing.T) {
	tests := []struct {
		version string
		fixed   string
		vuln    bool
	}{
		{"5.15.15", "5.15.16", true},
		{"5.15.16", "5.15.16", false},
		{"5.16.6", "5.16.7", true},
		{"5.17.5", "5.17.6", true},
		{"5.17.6", "5.17.6", false},
		{"5.18.2", "5.18.3", true},
		{"5.18.10", "5.18.3", false},
		{"5.18", "", false},
		{"5.19.0", "", false},
		{"junk", "", false},
	}
	for _, tc := range tests {
		fixed, vuln := VulnerableToCVE202346604(tc.version)
		if fixed != tc.fixed || vuln != tc.vuln {
			t.Errorf("%s: got %q, %v; want %q, %v", tc.version, fixed, vuln, tc.fixed, tc.vuln)
		}
	}
}

func TestEngineVersionTable(t *testing.T) {
	seen := map[string]bool{}
	for _, row := range EngineVersions() {
		key := row.Engine + " " + row.Line
		if seen[key] {
			t.Errorf("duplicate row %s", key)
		}
		seen[key] = true
		if v, ok := ParseVersion(row.Line); !ok || v.HasPatch {
			t.Errorf("%s: line must be major.minor", key)
		}
		if _, ok := row.EndOfSupportDate(); row.EndOfSupport != "" && !ok {
			t.Errorf("%s: bad date %q", key, row.EndOfSupport)
		}
		if row.Engine != "ActiveMQ" && row.Engine != "RabbitMQ" {
			t.Errorf("%s: unknown engine", key)
		}
	}
	for line := range cve202346604Fixed {
		if _, ok := LookupEngineVersion("ActiveMQ", line); !ok {
			t.Errorf("CVE table line %s is not in the version table", line)
		}
	}
	if _, ok := LookupEngineVersion("activemq", "5.17.3"); !ok {
		t.Error("lookup must ignore the patch part and the engine's case")
	}
}

func FuzzParseVersion(f *testing.F) {
	for _, s := range []string{"5.18", "5.17.6", "3.13", "4.2", "3.8.34", "latest", "", "5..1", "1.2.3.4", "09.010"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := ParseVersion(s)
		if !ok {
			return
		}
		again, ok2 := ParseVersion(v.String())
		if !ok2 || again != v {
			t.Fatalf("%q parsed as %+v, which does not round-trip (%+v)", s, v, again)
		}
		if v.Compare(v) != 0 {
			t.Fatalf("%+v does not compare equal to itself", v)
		}
		VulnerableToCVE202346604(s)
		LookupEngineVersion("ActiveMQ", s)
	})
}
