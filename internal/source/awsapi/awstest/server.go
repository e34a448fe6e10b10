package awstest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Faults are the failures the server injects.
type Faults struct {
	Latency         time.Duration     // added to every call
	ThrottleRate    float64           // fraction of calls answered with a throttling error
	ServerErrorRate float64           // fraction of calls answered with HTTP 500 or 503
	Deny            func(c Call) bool // answer AccessDenied for matching calls
	Hang            func(c Call) bool // never answer matching calls (until the request ends)
	Seed            int64             // deterministic randomness
}

// Call is one request the server received.
type Call struct {
	Service   string // sigv4 signing name: sts, organizations, ec2, mq, kms
	Operation string // API operation name, e.g. "DescribeBroker"; unknown requests: what was asked
	Account   string // the caller's account
	Region    string // the credential scope's region
	// Resource is what the call is about: the broker id, "brokerId/username", the configuration
	// id, "configurationId/revision", the KMS KeyId as requested, the role ARN of AssumeRole, or
	// the comma-joined GroupIds of DescribeSecurityGroups.
	Resource string
	At       time.Time
}

// Server is a running fake. Its methods are safe for concurrent use.
type Server struct {
	world  *World
	faults Faults
	idx    *index
	hook   func(c Call, status int, body []byte) // tests: every answer

	http    *http.Server
	url     string
	closing chan struct{}
	once    sync.Once

	mu       sync.Mutex // guards closed and the Add of handlers
	closed   bool
	handlers sync.WaitGroup // ServeHTTP calls running

	shards   [64]callShard
	attempts sync.Map // fault key -> *atomic.Int64
	sessions sync.Map // access key id -> session
	nextKey  atomic.Int64
}

type callShard struct {
	mu    sync.Mutex
	calls []Call
	_     [40]byte // keep shards on separate cache lines
}

type session struct{ account, roleArn, roleName, name string }

// NewServer starts a server for w on 127.0.0.1 with an ephemeral port. It panics when no
// loopback port can be bound (as net/http/httptest does).
func NewServer(w *World, f Faults) *Server {
	return newServer(w, f, nil)
}

func newServer(w *World, f Faults, hook func(Call, int, []byte)) *Server {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("awstest: listen on a loopback port: %v", err))
	}
	s := &Server{
		world:   w,
		faults:  f,
		idx:     buildIndex(w),
		hook:    hook,
		url:     "http://" + ln.Addr().String(),
		closing: make(chan struct{}),
	}
	s.http = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.http.Serve(ln) }()
	return s
}

// URL is the one endpoint of every service.
func (s *Server) URL() string { return s.url }

// Calls returns every call received so far, in arrival order.
func (s *Server) Calls() []Call {
	var all []Call
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		all = append(all, sh.calls...)
		sh.mu.Unlock()
	}
	slices.SortStableFunc(all, func(a, b Call) int { return a.At.Compare(b.At) })
	return all
}

// Close stops the server at once: it closes the listener and every connection, idle or not,
// ends hanging and delayed calls (their clients see the connection drop), and returns once every
// handler has returned. It does not wait for clients to close their connections.
func (s *Server) Close() {
	s.once.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		close(s.closing)
		_ = s.http.Close()
		s.handlers.Wait()
	})
}

// enter counts a handler in, unless the server is closing.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.handlers.Add(1)
	return true
}

func (s *Server) record(c Call) {
	h := fnv.New32a()
	_, _ = h.Write([]byte(c.Account))
	_, _ = h.Write([]byte(c.Region))
	sh := &s.shards[h.Sum32()%uint32(len(s.shards))]
	sh.mu.Lock()
	sh.calls = append(sh.calls, c)
	sh.mu.Unlock()
}

// protocol is a service's wire protocol.
type protocol int

const (
	restJSON protocol = iota // mq
	awsJSON                  // kms, organizations
	ec2Query                 // ec2
	awsQuery                 // sts
)

var serviceProtocols = map[string]protocol{
	"mq": restJSON, "kms": awsJSON, "organizations": awsJSON, "ec2": ec2Query, "sts": awsQuery,
}

// request is one parsed call.
type request struct {
	call    Call
	proto   protocol
	akid    string
	query   url.Values     // mq query string; ec2 and sts form
	body    map[string]any // kms and organizations
	token   string         // pagination token
	account *accountIndex  // nil: unknown account
}

// ServeHTTP answers one AWS API call.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.enter() {
		panic(http.ErrAbortHandler) // closing: drop the connection without an answer
	}
	defer s.handlers.Done()
	rq, apiErr := s.parse(r)
	s.record(rq.call)
	if apiErr == nil {
		apiErr = s.inject(r.Context(), rq)
	}
	var out any
	if apiErr == nil {
		out, apiErr = s.serve(rq)
	}
	status, body := s.encode(w.Header(), rq, out, apiErr)
	if s.hook != nil {
		s.hook(rq.call, status, body)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// parse reads the caller, the operation and its parameters.
func (s *Server) parse(r *http.Request) (*request, *APIError) {
	rq := &request{call: Call{At: time.Now()}, proto: awsJSON}
	akid, region, service, ok := parseAuthorization(r.Header.Get("Authorization"))
	rq.akid = akid
	rq.call.Region, rq.call.Service = region, service
	if p, known := serviceProtocols[service]; known {
		rq.proto = p
	}
	rq.call.Account = s.accountOf(akid)
	rq.account = s.idx.accounts[rq.call.Account]
	if !ok {
		rq.call.Operation = r.Method + " " + r.URL.Path
		return rq, &APIError{Code: "MissingAuthenticationTokenException", Message: "missing or malformed SigV4 Authorization header", Status: 403}
	}
	var err *APIError
	switch rq.proto {
	case restJSON:
		err = parseMQ(r, rq)
	case awsJSON:
		err = parseJSONRPC(r, rq)
	default:
		err = parseForm(r, rq)
	}
	if err != nil {
		return rq, err
	}
	if _, known := serviceProtocols[service]; !known {
		return rq, &APIError{Code: "UnknownServiceException", Message: "service " + service + " is not served", Status: 400}
	}
	return rq, nil
}

// parseAuthorization reads "AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request, ...".
func parseAuthorization(h string) (akid, region, service string, ok bool) {
	_, rest, found := strings.Cut(h, "Credential=")
	if !found {
		return "", "", "", false
	}
	cred, _, _ := strings.Cut(rest, ",")
	parts := strings.Split(strings.TrimSpace(cred), "/")
	if len(parts) != 5 || parts[4] != "aws4_request" {
		return "", "", "", false
	}
	return parts[0], parts[2], parts[3], true
}

// accountOf is the account of an access key id: "ASIA" + 12 digits names the account, any
// other key is the home account's.
func (s *Server) accountOf(akid string) string {
	if acct, ok := accountInKey(akid); ok {
		return acct
	}
	return s.world.HomeAccount
}

func accountInKey(akid string) (string, bool) {
	if len(akid) < 16 || !strings.HasPrefix(akid, "ASIA") {
		return "", false
	}
	acct := akid[4:16]
	for _, c := range acct {
		if c < '0' || c > '9' {
			return "", false
		}
	}
	return acct, true
}

// SessionKey is an access key id the server attributes to account (what sts:AssumeRole
// returns, for clients that skip AssumeRole).
func SessionKey(account string) string { return "ASIA" + account + "TEST" }

func parseJSONRPC(r *http.Request, rq *request) *APIError {
	target := r.Header.Get("X-Amz-Target")
	_, op, _ := strings.Cut(target, ".")
	rq.call.Operation = op
	if op == "" {
		rq.call.Operation = r.Method + " " + r.URL.Path
		return &APIError{Code: "UnknownOperationException", Message: "missing X-Amz-Target", Status: 400}
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return &APIError{Code: "SerializationException", Message: "read request body", Status: 400}
	}
	rq.body = map[string]any{}
	if len(bytes.TrimSpace(data)) > 0 {
		if err := json.Unmarshal(data, &rq.body); err != nil {
			return &APIError{Code: "SerializationException", Message: "request body is not a JSON object", Status: 400}
		}
	}
	rq.token = bodyString(rq.body, "NextToken")
	if op == "DescribeKey" {
		rq.call.Resource = bodyString(rq.body, "KeyId")
	}
	return nil
}

func bodyString(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

func bodyInt(m map[string]any, key string) int {
	f, _ := m[key].(float64)
	return int(f)
}

func parseForm(r *http.Request, rq *request) *APIError {
	if err := r.ParseForm(); err != nil {
		rq.call.Operation = r.Method + " " + r.URL.Path
		return &APIError{Code: "MalformedQueryString", Message: "form does not parse", Status: 400}
	}
	rq.query = r.Form
	rq.call.Operation = r.Form.Get("Action")
	rq.token = r.Form.Get("NextToken")
	switch rq.call.Operation {
	case "":
		rq.call.Operation = r.Method + " " + r.URL.Path
		return &APIError{Code: "MissingAction", Message: "missing Action", Status: 400}
	case "AssumeRole":
		rq.call.Resource = r.Form.Get("RoleArn")
	case "DescribeSecurityGroups":
		rq.call.Resource = strings.Join(indexedValues(r.Form, "GroupId"), ",")
	}
	return nil
}

// indexedValues reads the query-protocol list prefix.1, prefix.2, ...
func indexedValues(form url.Values, prefix string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := form[prefix+"."+strconv.Itoa(i)]
		if !ok || len(v) == 0 {
			return out
		}
		out = append(out, v[0])
	}
}

// inject applies the faults to a parsed call.
func (s *Server) inject(ctx context.Context, rq *request) *APIError {
	f := &s.faults
	if f.Hang != nil && f.Hang(rq.call) {
		select {
		case <-ctx.Done():
		case <-s.closing:
		}
		panic(http.ErrAbortHandler) // drop the connection without an answer
	}
	if f.Latency > 0 {
		t := time.NewTimer(f.Latency)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			panic(http.ErrAbortHandler)
		case <-s.closing:
			t.Stop()
			panic(http.ErrAbortHandler)
		}
	}
	if f.ThrottleRate > 0 || f.ServerErrorRate > 0 {
		u, bit := s.draw(rq)
		switch {
		case u < f.ThrottleRate:
			if rq.proto == restJSON {
				return &APIError{Code: "TooManyRequestsException", Message: "Rate exceeded", Status: 429}
			}
			return &APIError{Code: "ThrottlingException", Message: "Rate exceeded", Status: 400}
		case u < f.ThrottleRate+f.ServerErrorRate:
			if bit {
				return &APIError{Code: "ServiceUnavailable", Message: "Service is unavailable, try again later", Status: 503}
			}
			return &APIError{Code: "InternalFailure", Message: "internal server error", Status: 500}
		}
	}
	if f.Deny != nil && f.Deny(rq.call) {
		return accessDenied(rq)
	}
	if len(s.world.Errors) > 0 {
		if e, ok := s.world.Errors[SnapshotPath(rq.call)]; ok {
			return &e
		}
	}
	return nil
}

// draw is the call's deterministic random number in [0,1): a hash of the seed, the call and
// how often the same call was made before, so a retried call gets a fresh draw.
func (s *Server) draw(rq *request) (float64, bool) {
	c := rq.call
	key := c.Service + "|" + c.Operation + "|" + c.Account + "|" + c.Region + "|" + c.Resource + "|" + rq.token
	n, _ := s.attempts.LoadOrStore(key, new(atomic.Int64))
	attempt := n.(*atomic.Int64).Add(1)
	h := fnv.New64a()
	_, _ = h.Write([]byte(key))
	x := splitmix(h.Sum64() ^ splitmix(uint64(s.faults.Seed)) ^ splitmix(uint64(attempt)))
	return float64(x>>11) / (1 << 53), x&1 == 1
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func accessDenied(rq *request) *APIError {
	c := rq.call
	msg := fmt.Sprintf("User: arn:aws:iam::%s:user/mqguard is not authorized to perform: %s:%s", c.Account, c.Service, c.Operation)
	switch rq.proto {
	case ec2Query:
		return &APIError{Code: "UnauthorizedOperation", Message: "You are not authorized to perform this operation.", Status: 403}
	case awsQuery:
		return &APIError{Code: "AccessDenied", Message: msg, Status: 403}
	}
	return &APIError{Code: "AccessDeniedException", Message: msg, Status: 403}
}

// serve answers a call from the world.
func (s *Server) serve(rq *request) (any, *APIError) {
	c := rq.call
	if rq.account == nil {
		return nil, unrecognizedClient(rq)
	}
	if regional(c) && !rq.account.enabled[c.Region] {
		return nil, unrecognizedClient(rq)
	}
	h := handlers[c.Service+"."+c.Operation]
	if h == nil {
		code := "UnknownOperationException"
		if rq.proto == ec2Query || rq.proto == awsQuery {
			code = "InvalidAction"
		}
		return nil, &APIError{Code: code, Message: fmt.Sprintf("%s:%s is not served: it is not a read-only action mqguard uses", c.Service, c.Operation), Status: 400}
	}
	return h(s, rq)
}

// regional reports whether a call reads regional data.
func regional(c Call) bool {
	switch c.Service {
	case "mq", "kms":
		return true
	case "ec2":
		return c.Operation != "DescribeRegions"
	}
	return false
}

func unrecognizedClient(rq *request) *APIError {
	switch rq.proto {
	case ec2Query:
		return &APIError{Code: "AuthFailure", Message: "AWS was not able to validate the provided access credentials", Status: 401}
	case awsQuery:
		return &APIError{Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid.", Status: 403}
	}
	return &APIError{Code: "UnrecognizedClientException", Message: "The security token included in the request is invalid.", Status: 403}
}

type handler func(s *Server, rq *request) (any, *APIError)

var handlers map[string]handler

func init() {
	handlers = map[string]handler{
		"sts.GetCallerIdentity":            (*Server).getCallerIdentity,
		"sts.AssumeRole":                   (*Server).assumeRole,
		"organizations.ListAccounts":       (*Server).listAccounts,
		"ec2.DescribeRegions":              (*Server).describeRegions,
		"ec2.DescribeSecurityGroups":       (*Server).describeSecurityGroups,
		"mq.ListBrokers":                   (*Server).listBrokers,
		"mq.DescribeBroker":                (*Server).describeBroker,
		"mq.ListUsers":                     (*Server).listUsers,
		"mq.DescribeUser":                  (*Server).describeUser,
		"mq.DescribeConfiguration":         (*Server).describeConfiguration,
		"mq.DescribeConfigurationRevision": (*Server).describeConfigurationRevision,
		"mq.DescribeBrokerEngineTypes":     (*Server).describeBrokerEngineTypes,
		"kms.DescribeKey":                  (*Server).describeKey,
	}
}

// encode writes the answer's headers and returns its status and body.
func (s *Server) encode(h http.Header, rq *request, out any, e *APIError) (int, []byte) {
	reqID := fmt.Sprintf("00000000-0000-4000-8000-%012d", s.nextKey.Add(1))
	status := http.StatusOK
	if e != nil {
		status = e.status(rq.proto)
	}
	switch rq.proto {
	case restJSON:
		h.Set("Content-Type", "application/json")
		h.Set("X-Amzn-Requestid", reqID)
		if e != nil {
			h.Set("X-Amzn-Errortype", e.Code)
			return status, marshalJSON(struct{ Message string }{e.Message}, restJSONStyle)
		}
		return status, marshalJSON(out, restJSONStyle)
	case awsJSON:
		h.Set("Content-Type", "application/x-amz-json-1.1")
		h.Set("X-Amzn-Requestid", reqID)
		if e != nil {
			b, _ := json.Marshal(map[string]string{"__type": e.Code, "message": e.Message})
			return status, b
		}
		return status, marshalJSON(out, awsJSONStyle)
	}
	h.Set("Content-Type", "text/xml;charset=UTF-8")
	var buf bytes.Buffer
	buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	op := rq.call.Operation
	if rq.proto == ec2Query {
		if e != nil {
			buf.WriteString("<Response><Errors><Error>")
			writeXMLText(&buf, "Code", e.Code)
			writeXMLText(&buf, "Message", e.Message)
			buf.WriteString("</Error></Errors>")
			writeXMLText(&buf, "RequestID", reqID)
			buf.WriteString("</Response>")
			return status, buf.Bytes()
		}
		buf.WriteString("<" + op + `Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">`)
		writeXMLText(&buf, "requestId", reqID)
		writeXMLMembers(&buf, reflectValue(out), xmlStyle{ec2: true})
		buf.WriteString("</" + op + "Response>")
		return status, buf.Bytes()
	}
	if e != nil {
		buf.WriteString(`<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error>`)
		typ := "Sender"
		if status >= 500 {
			typ = "Receiver"
		}
		writeXMLText(&buf, "Type", typ)
		writeXMLText(&buf, "Code", e.Code)
		writeXMLText(&buf, "Message", e.Message)
		buf.WriteString("</Error>")
		writeXMLText(&buf, "RequestId", reqID)
		buf.WriteString("</ErrorResponse>")
		return status, buf.Bytes()
	}
	buf.WriteString("<" + op + `Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">`)
	buf.WriteString("<" + op + "Result>")
	writeXMLMembers(&buf, reflectValue(out), xmlStyle{})
	buf.WriteString("</" + op + "Result>")
	buf.WriteString("<ResponseMetadata>")
	writeXMLText(&buf, "RequestId", reqID)
	buf.WriteString("</ResponseMetadata></" + op + "Response>")
	return status, buf.Bytes()
}

// status is the HTTP status of an error: its own, or the one its code implies.
func (e *APIError) status(p protocol) int {
	if e.Status != 0 {
		return e.Status
	}
	c := e.Code
	switch {
	case c == "TooManyRequestsException":
		return 429
	case strings.HasPrefix(c, "AccessDenied"), c == "UnauthorizedOperation", c == "ForbiddenException",
		c == "UnrecognizedClientException", c == "InvalidClientTokenId":
		return 403
	case c == "AuthFailure":
		return 401
	case c == "NotFoundException" && p == restJSON:
		return 404
	case c == "InternalFailure", c == "InternalError", c == "InternalServerErrorException", c == "KMSInternalException", c == "ServiceException":
		return 500
	case c == "ServiceUnavailable", c == "Unavailable", c == "ServiceUnavailableException":
		return 503
	}
	return 400
}

// SnapshotPath is the snapshot-directory path (without ".json") of the file that holds the
// answer to c, the key of World.Errors.
func SnapshotPath(c Call) string {
	op := kebab(c.Operation)
	switch c.Service {
	case "organizations":
		return "organizations/" + op
	case "sts":
		if c.Operation == "AssumeRole" {
			acct, _, _ := parseRoleARN(c.Resource)
			return acct + "/sts/" + op
		}
		return c.Account + "/sts/" + op
	case "ec2":
		if c.Operation == "DescribeRegions" {
			return c.Account + "/ec2/" + op
		}
		return c.Account + "/" + c.Region + "/ec2/" + op
	case "kms":
		// As the scanner writes it: ':' escaped too, so that ARNs make portable file names.
		return c.Account + "/" + c.Region + "/kms/" + op + "/" + strings.ReplaceAll(url.PathEscape(c.Resource), ":", "%3A")
	}
	p := c.Account + "/" + c.Region + "/" + c.Service + "/" + op
	if c.Resource != "" {
		p += "/" + c.Resource
	}
	return p
}

// kebab turns "DescribeBrokerEngineTypes" into "describe-broker-engine-types".
func kebab(op string) string {
	var b strings.Builder
	for i, r := range op {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('-')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// parseRoleARN splits "arn:aws:iam::123456789012:role/path/name".
func parseRoleARN(arn string) (account, name string, err error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || !strings.HasPrefix(parts[5], "role/") {
		return "", "", errors.New("not an IAM role ARN")
	}
	if _, ok := accountInKey("ASIA" + parts[4]); !ok || len(parts[4]) != 12 {
		return "", "", errors.New("not an IAM role ARN")
	}
	path := strings.TrimPrefix(parts[5], "role/")
	return parts[4], path[strings.LastIndex(path, "/")+1:], nil
}
