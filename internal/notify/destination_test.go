package notify

import (
	"strings"
	"testing"
)

func TestParseDestination(t *testing.T) {
	tests := []struct {
		in      string
		kind    string
		shown   string // String(), or a fragment of the error
		errWant bool
	}{
		{in: "https://hooks.slack.com/services/T000/B000/XXXXSECRET", kind: KindWebhook, shown: "https://hooks.slack.com/services/…"},
		{in: "https://chat.example.com:8443/hook", kind: KindWebhook, shown: "https://chat.example.com:8443/hook"},
		{in: "https://chat.example.com/hook?token=SECRET", kind: KindWebhook, shown: "https://chat.example.com/hook/…"},
		{in: "https://user:SECRET@chat.example.com/", kind: KindWebhook, shown: "https://chat.example.com/…"},
		{in: "HTTPS://chat.example.com/x", kind: KindWebhook, shown: "https://chat.example.com/x"},
		{in: "https://example.com/SECRET", kind: KindWebhook, shown: "https://example.com/…"},
		{in: "https://example.com/t0ken", kind: KindWebhook, shown: "https://example.com/…"},
		{in: "https://discord.com/api/webhooks/123/SECRET", kind: KindWebhook, shown: "https://discord.com/api/…"},
		{in: "https://example.com", kind: KindWebhook, shown: "https://example.com"},
		{in: "http://127.0.0.1:8080/services/T1/B1/SECRET", kind: KindWebhook, shown: "http://127.0.0.1:8080/services/…"},
		{in: "http://127.1.2.3/hook", kind: KindWebhook, shown: "http://127.1.2.3/hook"},
		{in: "http://[::1]:9000/hook", kind: KindWebhook, shown: "http://[::1]:9000/hook"},
		{in: "http://localhost:9000/hook", kind: KindWebhook, shown: "http://localhost:9000/hook"},
		{in: "http://LOCALHOST/hook", kind: KindWebhook, shown: "http://LOCALHOST/hook"},
		{in: "sns:arn:aws:sns:eu-west-1:123456789012:mq-alerts", kind: KindSNS, shown: "sns:arn:aws:sns:eu-west-1:123456789012:mq-alerts"},
		{in: "sns:arn:aws-us-gov:sns:us-gov-west-1:123456789012:alerts.fifo", kind: KindSNS, shown: "sns:arn:aws-us-gov:sns:us-gov-west-1:123456789012:alerts.fifo"},

		{in: "http://hooks.slack.com/services/T000/B000/SECRET", errWant: true, shown: "plain http is allowed only to a loopback address"},
		{in: "http://10.0.0.1/hook/SECRET", errWant: true, shown: "http://10.0.0.1/hook/…"},
		{in: "http://localhost.example.com/SECRET", errWant: true, shown: "loopback"},
		{in: "http://[::ffff:10.0.0.1]/SECRET", errWant: true, shown: "loopback"},
		{in: "ftp://example.com/SECRET/x", errWant: true, shown: `unsupported scheme "ftp"`},
		{in: "https:///SECRET", errWant: true, shown: "no host"},
		{in: "hooks.slack.com/services/SECRET", errWant: true, shown: "(value hidden)"},
		{in: "https://exa mple.com/SECRET", errWant: true, shown: "https://…"},
		{in: "mailto:SECRET@example.com", errWant: true, shown: "not a URL"},
		{in: "", errWant: true, shown: "not a URL"},
		{in: "sns:arn:aws:sns:eu-west-1:1234:topic", errWant: true, shown: "not an SNS topic ARN"},
		{in: "sns:arn:aws:sqs:eu-west-1:123456789012:queue", errWant: true, shown: "not an SNS topic ARN"},
		{in: "sns:arn:aws:sns:eu-west-1:123456789012:", errWant: true, shown: "not an SNS topic ARN"},
		{in: "sns:arn:aws:sns::123456789012:topic", errWant: true, shown: "not an SNS topic ARN"},
		{in: "sns:arn:aws:sns:eu-west-1:123456789012:bad/topic", errWant: true, shown: "not an SNS topic ARN"},
		{in: "sns:mq-alerts", errWant: true, shown: "not an SNS topic ARN"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := ParseDestination(tt.in)
			if tt.errWant {
				if err == nil {
					t.Fatalf("accepted as %s", d)
				}
				if !strings.Contains(err.Error(), tt.shown) {
					t.Errorf("error %q does not say %q", err, tt.shown)
				}
				if strings.Contains(err.Error(), "SECRET") {
					t.Errorf("error %q repeats the secret", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.Kind != tt.kind {
				t.Errorf("kind %q, want %q", d.Kind, tt.kind)
			}
			if got := d.String(); got != tt.shown {
				t.Errorf("String() = %q, want %q", got, tt.shown)
			}
			if strings.Contains(d.String(), "SECRET") {
				t.Errorf("String() %q holds the secret", d)
			}
		})
	}
}

func TestParseDestinationRegion(t *testing.T) {
	d, err := ParseDestination("sns:arn:aws:sns:ap-southeast-2:123456789012:t")
	if err != nil {
		t.Fatal(err)
	}
	if d.Region != "ap-southeast-2" || d.TopicARN != "arn:aws:sns:ap-southeast-2:123456789012:t" {
		t.Errorf("region %q, topic %q", d.Region, d.TopicARN)
	}
}

// FuzzParseDestination: no value panics, and what is shown of an accepted webhook URL never
// holds its path past the first segment, its query or its user information.
func FuzzParseDestination(f *testing.F) {
	for _, s := range []string{"https://hooks.slack.com/services/T/B/X", "http://127.0.0.1:1/a?b", "sns:arn:aws:sns:eu-west-1:123456789012:t", "https://u:p@h/x#y", "http://[::1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDestination(s)
		if err != nil || d.Kind != KindWebhook {
			return
		}
		shown := d.String()
		if q := d.URL.RawQuery; q != "" && strings.Contains(shown, "?"+q) {
			t.Errorf("%q shows the query: %q", s, shown)
		}
		if u := d.URL.User; u != nil && strings.Contains(shown, u.String()+"@") {
			t.Errorf("%q shows the user information: %q", s, shown)
		}
	})
}

func TestParseDestinations(t *testing.T) {
	ds, err := ParseDestinations([]string{"https://hooks.slack.com/services/T/B/X", "sns:arn:aws:sns:eu-west-1:123456789012:t"})
	if err != nil || len(ds) != 2 || ds[0].Kind != KindWebhook || ds[1].Kind != KindSNS {
		t.Errorf("%v, %v", ds, err)
	}
	if _, err := ParseDestinations([]string{"https://hooks.slack.com/x", "http://example.com/SECRET"}); err == nil || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("error %v", err)
	}
}
