package brokeruri

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// probeSchemes are the schemes of a live broker target: the RabbitMQ management API or the
// ActiveMQ console (https, http), TLS endpoints (amqps, ssl, stomp+ssl, mqtt+ssl, wss) and
// plaintext ones (amqp, tcp, stomp, mqtt).
var probeSchemes = []string{"https", "http", "amqps", "ssl", "stomp+ssl", "mqtt+ssl", "wss", "amqp", "tcp", "stomp", "mqtt"}

// ProbeSchemes returns the schemes a live broker target may have, in the order help texts list
// them.
func ProbeSchemes() []string { return slices.Clone(probeSchemes) }

// ErrTargetCredentials is the error CheckTarget wraps for a URL that carries credentials.
var ErrTargetCredentials = errors.New("credentials in a broker URL")

// CheckTarget checks the URL of a live broker target (mqguard scan --broker URL, or a broker
// of the policy file) and returns it as it is probed (trimmed, scheme in lower case). The URL
// names exactly one endpoint: a scheme of ProbeSchemes, a host (a name or an IP address, never
// a range) and an optional port; http and https URLs may have a path. A URL with user
// information (user:password@host) or a password parameter is refused, wrapping
// ErrTargetCredentials: credentials never travel on the command line. Errors never quote user
// information or a password: they show the URL without them.
func CheckTarget(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", errors.New("empty broker URL")
	}
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || scheme == "" {
		shown := s
		if at := strings.LastIndex(s, "@"); at >= 0 {
			// user:password@host without a scheme: the password is not shown either.
			shown = "..." + s[at:]
		}
		return "", fmt.Errorf("%q is no URL: want SCHEME://HOST[:PORT] with SCHEME one of %s", shown, strings.Join(probeSchemes, ", "))
	}
	authority := rest
	if i := strings.IndexAny(authority, "/?#"); i >= 0 {
		authority = authority[:i]
	}
	shown := stripUserInfo(s)
	if strings.Contains(authority, "@") {
		return "", fmt.Errorf("%s: %w: the URL has user information (user:password@); give credentials in MQGUARD_BROKER_USER and MQGUARD_BROKER_PASSWORD or in the policy file's broker_secrets file", Redact(shown), ErrTargetCredentials)
	}
	if HasCredentials(s) {
		return "", fmt.Errorf("%s: %w: the URL has a password parameter; give credentials in MQGUARD_BROKER_USER and MQGUARD_BROKER_PASSWORD or in the policy file's broker_secrets file", Redact(shown), ErrTargetCredentials)
	}
	scheme = strings.ToLower(scheme)
	if !slices.Contains(probeSchemes, scheme) {
		return "", fmt.Errorf("%s: unknown scheme %q: want one of %s", s, scheme, strings.Join(probeSchemes, ", "))
	}
	s = scheme + "://" + rest
	u, err := url.Parse(s)
	if err != nil {
		// url.Error quotes the whole URL; the cause alone is enough.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return "", fmt.Errorf("%s: not a valid URL: %w", s, err)
	}
	host := u.Hostname()
	switch {
	case host == "":
		return "", fmt.Errorf("%s: no host", s)
	case strings.ContainsAny(host, "*?[]/ "):
		return "", fmt.Errorf("%s: host %q is no single address: a target names one endpoint, never a range", s, host)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("%s: port %q: want 1 to 65535", s, p)
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return "", fmt.Errorf("%s: empty port", s)
	}
	if ip := net.ParseIP(host); ip == nil && strings.Count(host, ":") > 0 {
		return "", fmt.Errorf("%s: host %q is no address", s, host)
	}
	if scheme != "http" && scheme != "https" && u.Path != "" && u.Path != "/" {
		return "", fmt.Errorf("%s: a %s URL has no path (a target names one endpoint, never a range): got %q", s, scheme, u.Path)
	}
	return s, nil
}

// stripUserInfo removes the user information of a URL's authority, for messages.
func stripUserInfo(s string) string {
	_, rest, ok := strings.Cut(s, "://")
	if !ok {
		return s
	}
	end := len(rest)
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		end = i
	}
	at := strings.LastIndex(rest[:end], "@")
	if at < 0 {
		return s
	}
	return s[:len(s)-len(rest)] + rest[at+1:]
}
