package probe

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

// maxJSON bounds one API answer the probe reads.
const maxJSON = 32 << 20

// httpAPI reads one endpoint's HTTP API.
type httpAPI struct {
	p  *prober
	ep *endpoint
	// anon reaches the endpoint without credentials and without verifying its certificate
	// (nothing secret is sent on it); cred verifies the certificate unless
	// InsecureSkipVerify, and is the only client that carries credentials.
	anon, cred *http.Client
	// credOK says credentials may be sent; credWhy says why not.
	credOK  bool
	credWhy string
}

func (p *prober) newHTTPAPI(ep *endpoint, tp *model.TLSProbe) *httpAPI {
	a := &httpAPI{p: p, ep: ep, anon: p.httpClient(ep, false), cred: p.httpClient(ep, !p.opts.InsecureSkipVerify), credOK: true}
	if ep.scheme == "https" && !p.opts.InsecureSkipVerify {
		switch {
		case tp == nil || tp.Certificate == nil:
			a.credOK, a.credWhy = false, "no certificate was seen"
		case !tp.Certificate.Trusted:
			a.credOK, a.credWhy = false, "its certificate does not verify: "+tp.Certificate.UntrustedWhy
		case !tp.Certificate.HostnameOK:
			a.credOK, a.credWhy = false, "its certificate is not valid for "+ep.host
		}
	}
	return a
}

func (p *prober) httpClient(ep *endpoint, verify bool) *http.Client {
	cfg := &tls.Config{RootCAs: p.opts.RootCAs, InsecureSkipVerify: !verify} //nolint:gosec // an unverified client never carries credentials
	if !verify {
		cfg.MinVersion = tls.VersionTLS10
	}
	if p.opts.Now != nil {
		cfg.Time = p.opts.Now
	}
	tr := &http.Transport{
		Proxy: nil, // the probe connects only to the target, never through a proxy
		DialContext: func(ctx context.Context, _, addr string) (net.Conn, error) {
			if err := onlyAddr(ep.addr, addr); err != nil {
				return nil, err
			}
			return p.d.open(ctx, addr)
		},
		TLSClientConfig:       cfg,
		DisableKeepAlives:     true,
		ResponseHeaderTimeout: p.opts.timeout(),
		TLSHandshakeTimeout:   p.opts.timeout(),
	}
	return &http.Client{
		Transport: tr,
		Timeout:   p.opts.timeout(),
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// response is one API answer.
type response struct {
	path   string
	status int
	header http.Header
	body   []byte
}

// errCredsNotSent is a request with credentials that the probe did not send.
var errCredsNotSent = errors.New("credentials not sent")

// errTooLarge is an answer larger than maxJSON.
var errTooLarge = errors.New("the answer is larger than the probe reads")

// do sends one request; user empty sends none (on the anonymous client).
func (a *httpAPI) do(ctx context.Context, method, path, user, pass string, hdr map[string]string) (*response, error) {
	client := a.anon
	if user != "" {
		if !a.credOK {
			return nil, fmt.Errorf("%w: %s (--insecure-skip-verify sends them anyway)", errCredsNotSent, a.credWhy)
		}
		client = a.cred
	}
	u := a.ep.scheme + "://" + a.ep.addr + path
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return nil, err
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	req.Header.Set("Accept", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, errors.New(httpErr(err))
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJSON+1))
	if err != nil {
		return nil, errors.New(httpErr(err))
	}
	if len(body) > maxJSON {
		return nil, errTooLarge
	}
	return &response{path: path, status: resp.StatusCode, header: resp.Header, body: body}, nil
}

// httpErr words a failed request without its URL (which the diagnostic names already).
func httpErr(err error) string {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			err = inner
		}
	}
	var ce *tls.CertificateVerificationError
	if errors.As(err, &ce) {
		return "the certificate does not verify: " + ce.Err.Error()
	}
	if isTimeout(err) {
		return "timeout"
	}
	if isEOF(err) {
		return "the endpoint closed the connection"
	}
	return cleanNetErr(err)
}

// getJSON reads path into v; it returns the status (0 on a connection error).
func (a *httpAPI) getJSON(ctx context.Context, path, user, pass string, v any) (int, error) {
	r, err := a.do(ctx, http.MethodGet, path, user, pass, nil)
	if err != nil {
		return 0, err
	}
	if r.status != http.StatusOK {
		return r.status, fmt.Errorf("HTTP %d", r.status)
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		return r.status, fmt.Errorf("the answer is not the JSON expected: %s", jsonErr(err))
	}
	return r.status, nil
}

// jsonErr words a JSON error without quoting the document.
func jsonErr(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %q has type %s, expected %s", te.Field, te.Value, te.Type)
	}
	return "invalid JSON"
}

// realm is the Basic realm a 401 names, lower case.
func realm(r *response) string {
	return strings.ToLower(r.header.Get("WWW-Authenticate"))
}

// probeHTTP reads an http(s) endpoint as the RabbitMQ management API or the ActiveMQ console.
func (p *prober) probeHTTP(ctx context.Context, ep *endpoint, t Target, b *model.Broker, tp *model.TLSProbe, ds *diagSink) {
	a := p.newHTTPAPI(ep, tp)
	engine := model.NormalizeEngine(t.Engine)
	if engine != model.EngineRabbitMQ && engine != model.EngineActiveMQ {
		switch ep.port {
		case "15672", "15671":
			engine = model.EngineRabbitMQ
		case "8161", "8162":
			engine = model.EngineActiveMQ
		default:
			engine = ""
		}
	}
	// The first request, without credentials, tells whether the endpoint answers HTTP at all.
	path := "/api/overview"
	if engine == model.EngineActiveMQ {
		path = "/api/jolokia/version"
	}
	first, err := a.do(ctx, http.MethodGet, path, "", "", nil)
	if ep.scheme == "http" {
		hp := model.EndpointProbe{URL: ep.url, Protocol: ep.scheme, At: ep.ref("")}
		if err != nil {
			hp.Error = err.Error()
		} else {
			hp.Plaintext = true
			addListener(b.SelfManaged, ep, false)
		}
		b.SelfManaged.Endpoints = append(b.SelfManaged.Endpoints, hp)
	}
	if err != nil {
		ds.errorf(ep.ref(""), "HTTP probe of %s: %v", ep.url, err)
		return
	}
	if engine == "" {
		engine = sniffEngine(first)
		if engine == "" {
			jr, err := a.do(ctx, http.MethodGet, "/api/jolokia/version", "", "", nil)
			if err == nil && (strings.Contains(realm(jr), "activemq") || isJolokia(jr)) {
				engine, first = model.EngineActiveMQ, jr
			}
		}
	}
	switch engine {
	case model.EngineRabbitMQ:
		p.rabbit(ctx, a, t, b, first, ds)
	case model.EngineActiveMQ:
		if first.path != jolokiaVersion {
			if first, err = a.do(ctx, http.MethodGet, jolokiaVersion, "", "", nil); err != nil {
				ds.errorf(ep.ref(""), "console %s: %v", ep.url, err)
				return
			}
		}
		p.console(ctx, a, t, b, first, ds)
	default:
		ds.errorf(ep.ref(""), "HTTP probe of %s: the endpoint is neither a RabbitMQ management API nor an ActiveMQ console (name the engine of the broker if it is one)", ep.url)
	}
}

// sniffEngine tells the engine from an unauthenticated answer to /api/overview.
func sniffEngine(r *response) string {
	if strings.Contains(realm(r), "rabbitmq") {
		return model.EngineRabbitMQ
	}
	if strings.Contains(realm(r), "activemq") {
		return model.EngineActiveMQ
	}
	if r.status == http.StatusOK {
		var ov struct {
			RabbitMQVersion string `json:"rabbitmq_version"`
		}
		if json.Unmarshal(r.body, &ov) == nil && ov.RabbitMQVersion != "" {
			return model.EngineRabbitMQ
		}
	}
	return ""
}

func isJolokia(r *response) bool {
	if r.status != http.StatusOK {
		return false
	}
	var v struct {
		Value struct {
			Agent string `json:"agent"`
		} `json:"value"`
	}
	return json.Unmarshal(r.body, &v) == nil && v.Value.Agent != ""
}
