package rules

import "strings"

// allowedTLS12Suites is MQG023's allowed list of TLS 1.2 cipher suites: ECDHE or DHE key
// exchange (forward secrecy) with an AEAD cipher (AES-GCM, ChaCha20-Poly1305). AWS documents
// no list for broker endpoints, so the list is ours. Each entry has its IANA name and the
// OpenSSL name RabbitMQ's ssl_options.ciphers accepts.
var allowedTLS12Suites = []struct{ IANA, OpenSSL string }{
	{"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256"},
	{"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384"},
	{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"},
	{"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384"},
	{"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305"},
	{"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305"},
	{"TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "DHE-RSA-AES128-GCM-SHA256"},
	{"TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "DHE-RSA-AES256-GCM-SHA384"},
	{"TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "DHE-RSA-CHACHA20-POLY1305"},
}

// tls13Suites are the TLS 1.3 cipher suites; all pass.
var tls13Suites = []string{
	"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
	"TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_8_SHA256",
}

// weakTLSVersions are protocol versions below TLS 1.2, as probes and configurations name them.
var weakTLSVersions = map[string]string{
	"ssl 3.0": "SSL 3.0", "sslv3": "SSL 3.0",
	"tls 1.0": "TLS 1.0", "tlsv1": "TLS 1.0", "tlsv1.0": "TLS 1.0", "tls1": "TLS 1.0", "tls1.0": "TLS 1.0",
	"tls 1.1": "TLS 1.1", "tlsv1.1": "TLS 1.1", "tls1.1": "TLS 1.1",
}

// weakTLSVersion returns the display name of a version below TLS 1.2, or "".
func weakTLSVersion(v string) string {
	return weakTLSVersions[strings.ToLower(strings.Trim(strings.TrimSpace(v), `'"`))]
}

// cipherAllowed reports whether a cipher suite (IANA or OpenSSL name) is on the allowed list
// or is a TLS 1.3 suite.
func cipherAllowed(name string) bool {
	n := strings.TrimSpace(strings.Trim(strings.TrimSpace(name), `'"`))
	for _, s := range allowedTLS12Suites {
		if strings.EqualFold(n, s.IANA) || strings.EqualFold(n, s.OpenSSL) {
			return true
		}
	}
	return containsFold(tls13Suites, n) || erlangSuiteAllowed(n)
}

// erlangSuiteAllowed reads a suite written as Erlang terms, {ecdhe_rsa, aes_256_gcm, aead,
// sha384}, which the RabbitMQ source joins with "-": forward-secret key exchange and an AEAD
// cipher pass, as in allowedTLS12Suites; TLS 1.3 suites have the key exchange "any".
func erlangSuiteAllowed(n string) bool {
	parts := strings.Split(strings.ToLower(n), "-")
	if len(parts) < 3 || !strings.Contains(parts[0], "_") && parts[0] != "any" {
		return false
	}
	kx, cipher := parts[0], parts[1]
	return (kx == "ecdhe_rsa" || kx == "ecdhe_ecdsa" || kx == "dhe_rsa" || kx == "any") &&
		(cipher == "aes_128_gcm" || cipher == "aes_256_gcm" || cipher == "chacha20_poly1305")
}
