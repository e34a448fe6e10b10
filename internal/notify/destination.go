// Package notify announces findings outside the report: a Slack-compatible JSON payload posted
// to an incoming webhook, or published to an Amazon SNS topic. It reads only findings, like the
// reports, and carries only what the masked report carries.
package notify

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
)

// Destination kinds.
const (
	KindWebhook = "webhook"
	KindSNS     = "sns"
)

// Destination is where a message goes: a webhook URL or an SNS topic. Its String is safe to log:
// a webhook URL is a credential (anyone holding it can post), so only its host and first path
// segment are shown.
type Destination struct {
	// Kind is KindWebhook or KindSNS.
	Kind string
	// URL is the webhook URL (KindWebhook).
	URL *url.URL
	// TopicARN and Region are the SNS topic and its region (KindSNS).
	TopicARN string
	Region   string
}

// snsARN is an SNS topic ARN: partition, region, 12-digit account, topic name (a FIFO topic's
// name ends in .fifo).
var snsARN = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):sns:([a-z]{2}(-[a-z]+)+-\d+):(\d{12}):([A-Za-z0-9_-]{1,256}(\.fifo)?)$`)

// ParseDestination reads a --notify value: an https:// webhook URL, an http:// URL to a loopback
// address (for tests: a webhook elsewhere must not receive findings in clear text), or
// sns:arn:aws:sns:REGION:ACCOUNT:TOPIC. Errors never repeat a URL's path or query.
func ParseDestination(s string) (Destination, error) {
	if arn, ok := strings.CutPrefix(s, "sns:"); ok {
		m := snsARN.FindStringSubmatch(arn)
		if m == nil {
			return Destination{}, fmt.Errorf("--notify %q: not an SNS topic ARN (want sns:arn:aws:sns:REGION:ACCOUNT:TOPIC)", s)
		}
		return Destination{Kind: KindSNS, TopicARN: arn, Region: m[2]}, nil
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Opaque != "" {
		// url.Parse's error quotes the whole value: name only what is safe.
		return Destination{}, fmt.Errorf("--notify %s: not a URL or SNS topic (want an https:// webhook URL or sns:arn:aws:sns:REGION:ACCOUNT:TOPIC)", maskRaw(s))
	}
	d := Destination{Kind: KindWebhook, URL: u}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !loopback(u.Hostname()) {
			return Destination{}, fmt.Errorf("--notify %s: plain http is allowed only to a loopback address (127.0.0.0/8, ::1, localhost); use https", d)
		}
	default:
		return Destination{}, fmt.Errorf("--notify %s: unsupported scheme %q (want https:// or sns:arn:aws:sns:...)", d, u.Scheme)
	}
	if u.Hostname() == "" {
		return Destination{}, fmt.Errorf("--notify %s: the URL has no host", d)
	}
	return d, nil
}

// loopback says whether host is a loopback IP address or the name localhost.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// String names the destination without its secret: the SNS topic ARN (not a credential), or the
// webhook's scheme, host and port, followed by its first path segment when that is a plain
// lower-case word ("services", "hooks", "api": a token has digits or capitals) and by "…" for
// the rest; user information, query and fragment are never shown.
func (d Destination) String() string {
	switch d.Kind {
	case KindSNS:
		return "sns:" + d.TopicARN
	case KindWebhook:
		if d.URL == nil {
			return "webhook"
		}
		return maskURL(d.URL)
	}
	return "unknown destination"
}

// pathWord is a path segment shown in clear.
var pathWord = regexp.MustCompile(`^[a-z][a-z_-]{0,31}$`)

func maskURL(u *url.URL) string {
	out := u.Scheme + "://" + u.Host
	path := strings.TrimPrefix(u.EscapedPath(), "/")
	first, rest, _ := strings.Cut(path, "/")
	if !pathWord.MatchString(first) {
		first, rest = "", path
	}
	if first != "" {
		out += "/" + first
	}
	if rest != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil || u.ForceQuery {
		out += "/…"
	}
	return out
}

// maskRaw names a value that did not parse as a URL: its scheme at most, since where the
// authority ends (and so where a secret starts) is not known.
func maskRaw(s string) string {
	if scheme, _, ok := strings.Cut(s, "://"); ok && scheme != "" && !strings.ContainsAny(scheme, "/?#@:") {
		return scheme + "://…"
	}
	return "(value hidden)"
}

// ParseDestinations parses every --notify value; the first bad one is the error.
func ParseDestinations(values []string) ([]Destination, error) {
	ds := make([]Destination, 0, len(values))
	for _, v := range values {
		d, err := ParseDestination(v)
		if err != nil {
			return nil, err
		}
		ds = append(ds, d)
	}
	return ds, nil
}
