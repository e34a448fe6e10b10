package rules

import (
	"reflect"
	"testing"
)

func TestFindPII(t *testing.T) {
	type m = [2]string // kind, masked
	tests := []struct {
		in   string
		want []m
	}{
		// Positives.
		{"jane.doe@example.com", []m{{piiEmail, "j***@e***.com"}}},
		{"owner: Jane Doe <jane.doe@corp.example.co.uk>", []m{{piiEmail, "j***@c***.uk"}}},
		{"mailto:ops@example.org", []m{{piiEmail, "o***@e***.org"}}},
		{"arn:aws:iam::123456789012:user/jane@example.com", []m{{piiEmail, "j***@e***.com"}}},
		{"on-call +44 20 7946 0958", []m{{piiPhone, "+** ** **** **58"}}},
		{"+1 (202) 555-0143", []m{{piiPhone, "+* (***) ***-**43"}}},
		{"+4915112345678", []m{{piiPhone, "+***********78"}}},
		{"call 202-555-0143", []m{{piiPhone, "***-***-**43"}}},
		{"(202) 555-0143", []m{{piiPhone, "(***) ***-**43"}}},
		{"202.555.0143", []m{{piiPhone, "***.***.**43"}}},
		{"4111111111111111", []m{{piiCard, "**** **** **** 1111"}}},
		{"card 4111 1111 1111 1111 exp", []m{{piiCard, "**** **** **** 1111"}}},
		{"5500-0000-0000-0004", []m{{piiCard, "**** **** **** 0004"}}},
		{"amex 3782 822463 10005", []m{{piiCard, "**** **** **** 0005"}}},
		{"ssn=078-05-1120", []m{{piiSSN, "***-**-1120"}}},
		{"a@b.io and 212-555-0100", []m{{piiEmail, "a***@b***.io"}, {piiPhone, "***-***-**00"}}},

		// Negatives: things that look like numbers but are not personal data.
		{"orders-broker", nil},
		{"5.18.3", nil},
		{"3.13", nil},
		{"2024-09-16", nil},
		{"2024-09-16T10:20:30Z", nil},
		{"16/09/2024", nil},
		{"10.0.0.0/16", nil},
		{"192.168.100.200", nil},
		{"2001:db8::1/64", nil},
		{"arn:aws:mq:us-east-1:123456789012:broker:orders:b-1234a5b6-78cd-901e-2fgh-3i45j6k7l8m9", nil},
		{"123456789012", nil},
		{"account 123456789012", nil},
		{"5671,8883,61617,61614,61619", nil},
		{"5671 8883 61617 61614", nil},
		{"1700000000000", nil},
		{"20240916120000", nil},
		{"1.0.0+20240916120000", nil},
		{"4111111111111112", nil},                     // Luhn-invalid
		{"1234567812345670", nil},                     // Luhn-valid, no issuer prefix
		{"41111111111111111111", nil},                 // too long
		{"12345678-1234-1234-1234-123456789012", nil}, // UUID of digits
		{"a4111111111111111", nil},
		{"000-12-3456", nil},
		{"666-12-3456", nil},
		{"900-12-3456", nil},
		{"123-00-4567", nil},
		{"123-45-0000", nil},
		{"10.123.456.7890", nil},
		{"202-555.0143", nil},
		{"+1.2.3.4.5.6.7.8", nil},
		{"v1.2.3-202-555-0143", nil},
		{"amqps://app:pw@b-1.mq.us-east-1.amazonaws.com:5671", nil},
		{"ssh://git@github.com/org/repo", nil},
		{"user@localhost", nil},
		{"admin@10.0.0.1", nil},
		{"sg-0123456789abcdef0", nil},
		{"mq.m5.large", nil},
		{"", nil},
	}
	for _, tt := range tests {
		var got []m
		for _, p := range findPII(tt.in) {
			got = append(got, m{p.Kind, p.Masked})
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("findPII(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLuhn(t *testing.T) {
	for d, want := range map[string]bool{
		"4111111111111111": true, "79927398713": true, "79927398710": false, "0": true, "": false,
	} {
		if got := luhn(d); got != want {
			t.Errorf("luhn(%q) = %v, want %v", d, got, want)
		}
	}
}

func FuzzFindPII(f *testing.F) {
	for _, s := range []string{"jane@example.com", "+1 (202) 555-0143", "4111 1111 1111 1111",
		"078-05-1120", "a@b.c", "+", "(", "@.", "5.18.3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range findPII(s) {
			if p.Masked == "" || p.start < 0 || p.end > len(s) || p.start >= p.end {
				t.Fatalf("bad match %+v in %q", p, s)
			}
			if len(p.Masked) > 0 && p.Kind != piiEmail && p.Masked == s[p.start:p.end] {
				t.Fatalf("match %q not masked", p.Masked)
			}
		}
	})
}
