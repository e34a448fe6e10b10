package brokerconf

import (
	"bytes"
	"crypto/md5" //nolint:gosec // RabbitMQ's rabbit_password_hashing_md5, compared, not used to protect anything
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/mqguard/mqguard/internal/brokeruri"
	"github.com/mqguard/mqguard/internal/model"
)

// MaxDefinitionsElement is the largest single element (a user, a queue, a policy) of a
// definitions export the reader decodes; the export itself may be of any size.
const MaxDefinitionsElement = 1 << 20

// Definitions is what a RabbitMQ definitions export declares, as rules need it. No password or
// password hash is kept.
type Definitions struct {
	// Version is rabbit_version or rabbitmq_version, "" when absent.
	Version     model.String
	Users       []model.BrokerUser
	HasUsers    bool
	VHosts      []model.RabbitVHost
	Policies    []model.RabbitPolicy
	Queues      []model.RabbitQueue
	Credentials []model.CredentialRef
}

// ReadDefinitions reads a definitions export (rabbitmqctl export_definitions, the management
// API's /api/definitions, or the export of one vhost) from r, streaming: only one element of a
// section is in memory at a time, so an export of any size is read with bounded memory. file is
// the display path of every Range. Users get their tags, hashing algorithm, permissions and
// whether the password is guest's (guest whose hash verifies as "guest"); users, vhosts,
// policies, operator policies and queues are located at their lines; shovel and federation
// parameters with user:password@ URIs are credentials. Invalid JSON is a *ParseError naming the
// line; no secret is ever quoted.
//
// firstLine is the line, in file, of the export's first line (an export embedded in a
// Kubernetes or Helm file); every range and error is at its line in file. Below 1 it is 1.
func ReadDefinitions(r io.Reader, file string, firstLine int) (*Definitions, error) {
	cr := &countingReader{r: r, before: max(firstLine, 1) - 1}
	d := &defReader{dec: json.NewDecoder(cr), cr: cr, file: file, out: &Definitions{}}
	d.dec.UseNumber()
	if err := d.run(); err != nil {
		return nil, err
	}
	d.finish()
	return d.out, nil
}

// countingReader counts the lines of what it has read, and keeps the offsets of the newlines
// the decoder has not yet moved past, so that the line of any later offset can be told.
type countingReader struct {
	r        io.Reader
	read     int64
	newlines []int64 // offsets of newlines at or after base
	before   int     // newlines before the first of newlines
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i := range n {
		if p[i] == '\n' {
			c.newlines = append(c.newlines, c.read+int64(i))
		}
	}
	c.read += int64(n)
	return n, err
}

// lineAt is the 1-based line of offset off; offsets must not decrease between calls.
func (c *countingReader) lineAt(off int64) int {
	i := 0
	for i < len(c.newlines) && c.newlines[i] < off {
		i++
	}
	c.before += i
	c.newlines = c.newlines[i:]
	if cap(c.newlines) > 4096 && len(c.newlines) < cap(c.newlines)/4 {
		c.newlines = slices.Clone(c.newlines)
	}
	return c.before + 1
}

type defReader struct {
	dec   *json.Decoder
	cr    *countingReader
	file  string
	out   *Definitions
	perms []located[defPermission]
}

type located[T any] struct {
	v  T
	at model.Range
}

type defUser struct {
	Name             string          `json:"name"`
	PasswordHash     *string         `json:"password_hash"`
	Password         *string         `json:"password"`
	HashingAlgorithm string          `json:"hashing_algorithm"`
	Tags             json.RawMessage `json:"tags"`
}

type defPermission struct {
	User      string `json:"user"`
	VHost     string `json:"vhost"`
	Configure string `json:"configure"`
	Write     string `json:"write"`
	Read      string `json:"read"`
}

type defVHost struct {
	Name             string `json:"name"`
	DefaultQueueType string `json:"default_queue_type"`
	Metadata         struct {
		DefaultQueueType string `json:"default_queue_type"`
	} `json:"metadata"`
}

type defPolicy struct {
	VHost      string                     `json:"vhost"`
	Name       string                     `json:"name"`
	Pattern    string                     `json:"pattern"`
	ApplyTo    string                     `json:"apply-to"`
	Definition map[string]json.RawMessage `json:"definition"`
}

type defQueue struct {
	Name       string                     `json:"name"`
	VHost      string                     `json:"vhost"`
	Durable    *bool                      `json:"durable"`
	Exclusive  bool                       `json:"exclusive"`
	AutoDelete bool                       `json:"auto_delete"`
	Arguments  map[string]json.RawMessage `json:"arguments"`
}

type defParameter struct {
	Component string          `json:"component"`
	VHost     string          `json:"vhost"`
	Name      string          `json:"name"`
	Value     json.RawMessage `json:"value"`
}

// syntaxError turns a decoding error into a ParseError at the line it happened.
func (d *defReader) syntaxError(err error) error {
	var pe *ParseError
	if errors.As(err, &pe) {
		return err
	}
	off := d.dec.InputOffset()
	msg := "invalid JSON"
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
		msg = "invalid JSON: " + safeJSONMessage(se.Error())
	case errors.As(err, &te):
		off = te.Offset
		msg = fmt.Sprintf("a %s where %s is expected", jsonKind(te.Value), te.Type)
		if te.Field != "" {
			msg += " (field " + te.Field + ")"
		}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		msg = "unexpected end of JSON"
		off = d.cr.read
	}
	return &ParseError{File: d.file, Line: d.cr.lineAt(off), Msg: msg}
}

// jsonKind is the kind of an UnmarshalTypeError's value ("number 12345" is a number): the
// value itself may be a secret.
func jsonKind(v string) string {
	kind, _, _ := strings.Cut(v, " ")
	return kind
}

// safeJSONMessage keeps a syntax error's words without the characters it quotes.
func safeJSONMessage(s string) string {
	if i := strings.Index(s, "character '"); i >= 0 {
		if j := strings.Index(s[i+11:], "'"); j >= 0 {
			return s[:i] + "character" + s[i+11+j+1:]
		}
	}
	return s
}

func (d *defReader) token() (json.Token, error) {
	t, err := d.dec.Token()
	if err != nil {
		return nil, d.syntaxError(err)
	}
	return t, nil
}

func (d *defReader) run() error {
	t, err := d.token()
	if err != nil {
		return err
	}
	if delim, ok := t.(json.Delim); !ok || delim != '{' {
		return &ParseError{File: d.file, Line: d.cr.lineAt(0), Msg: "a definitions export is a JSON object"}
	}
	for d.dec.More() {
		t, err := d.token()
		if err != nil {
			return err
		}
		key, _ := t.(string)
		line := d.nextLine()
		switch key {
		case "rabbit_version", "rabbitmq_version":
			var v any
			if err := d.dec.Decode(&v); err != nil {
				return d.syntaxError(err)
			}
			if s, ok := v.(string); ok && (!d.out.Version.Known() || key == "rabbitmq_version") {
				d.out.Version = model.ExplicitString(s, model.Range{File: d.file, StartLine: line, EndLine: line})
			}
		case "users":
			d.out.HasUsers = true
			err = eachElement(d, d.addUser)
		case "permissions":
			err = eachElement(d, func(p *defPermission, at model.Range) {
				d.perms = append(d.perms, located[defPermission]{*p, at})
			})
		case "vhosts":
			err = eachElement(d, func(v *defVHost, at model.Range) {
				qt := v.Metadata.DefaultQueueType
				if qt == "" {
					qt = v.DefaultQueueType
				}
				vh := model.RabbitVHost{Name: v.Name, At: at, DefaultQueueType: model.DefaultString("", at)}
				if qt != "" {
					vh.DefaultQueueType = model.ExplicitString(qt, at)
				}
				d.out.VHosts = append(d.out.VHosts, vh)
			})
		case "policies", "operator_policies":
			op := key == "operator_policies"
			err = eachElement(d, func(p *defPolicy, at model.Range) {
				keys := make([]string, 0, len(p.Definition))
				for k := range p.Definition {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				d.out.Policies = append(d.out.Policies, model.RabbitPolicy{Name: p.Name, VHost: p.VHost, Pattern: p.Pattern,
					ApplyTo: p.ApplyTo, Operator: op, Keys: keys, At: at})
			})
		case "queues":
			err = eachElement(d, func(q *defQueue, at model.Range) {
				rq := model.RabbitQueue{Name: q.Name, VHost: q.VHost, Exclusive: q.Exclusive, AutoDelete: q.AutoDelete, At: at,
					Durable: model.DefaultBool(false, at), Type: model.DefaultString("", at)}
				if q.Durable != nil {
					rq.Durable = model.ExplicitBool(*q.Durable, at)
				}
				if raw, ok := q.Arguments["x-queue-type"]; ok {
					var s string
					if json.Unmarshal(raw, &s) == nil {
						rq.Type = model.ExplicitString(s, at)
					}
				}
				d.out.Queues = append(d.out.Queues, rq)
			})
		case "parameters", "global_parameters":
			err = eachElement(d, func(p *defParameter, at model.Range) {
				for _, s := range jsonStrings(p.Value) {
					if brokeruri.HasCredentials(s) {
						where := "definitions parameter"
						if p.Component != "" {
							where += " " + p.Component
						}
						d.out.Credentials = append(d.out.Credentials, model.CredentialRef{Where: where + " " + p.Name + " URI", At: at})
						break
					}
				}
			})
		default:
			err = d.skip()
		}
		if err != nil {
			return err
		}
	}
	if _, err := d.token(); err != nil { // the closing brace
		return err
	}
	if _, err := d.dec.Token(); err != io.EOF {
		return &ParseError{File: d.file, Line: d.cr.lineAt(d.dec.InputOffset()), Msg: "data after the definitions object"}
	}
	return nil
}

// nextLine is the line of the next non-space byte after the decoder's position (after a
// separator `,` or `:`). When the decoder has not buffered it yet, the current line is used.
func (d *defReader) nextLine() int {
	return d.cr.lineAt(d.peekNext())
}

// peekNext finds, in what the decoder has buffered, the offset of the next byte that is not
// space or a separator.
func (d *defReader) peekNext() int64 {
	r := d.dec.Buffered()
	var buf [64]byte
	pos := d.dec.InputOffset()
	for range 64 {
		n, _ := r.Read(buf[:])
		if n == 0 {
			return pos
		}
		for _, c := range buf[:n] {
			switch c {
			case ' ', '\t', '\r', '\n', ':', ',':
			default:
				return pos
			}
			pos++
		}
	}
	return pos
}

// eachElement decodes every element of the array that comes next into a T, one at a time.
func eachElement[T any](d *defReader, f func(*T, model.Range)) error {
	t, err := d.token()
	if err != nil {
		return err
	}
	if t == nil { // null
		return nil
	}
	if delim, ok := t.(json.Delim); !ok || delim != '[' {
		return &ParseError{File: d.file, Line: d.cr.lineAt(d.dec.InputOffset()), Msg: "expected a list"}
	}
	for d.dec.More() {
		startOff := d.peekNext()
		start := d.cr.lineAt(startOff)
		before := d.dec.InputOffset()
		var raw json.RawMessage
		if err := d.dec.Decode(&raw); err != nil {
			// A Decoder's syntax error offset counts the bytes all its Decode calls scanned, not
			// the stream's: the element is scanned again, alone, from where it begins (the
			// decoder's buffer holds it up to the bad byte), to tell the byte's offset.
			var se *json.SyntaxError
			if errors.As(err, &se) {
				off := startOff
				var again json.RawMessage
				if fe := (*json.SyntaxError)(nil); errors.As(json.NewDecoder(d.dec.Buffered()).Decode(&again), &fe) {
					off = d.dec.InputOffset() + fe.Offset - 1
				}
				return &ParseError{File: d.file, Line: d.cr.lineAt(max(off, startOff)), Msg: "invalid JSON: " + safeJSONMessage(se.Error())}
			}
			return d.syntaxError(err)
		}
		if d.dec.InputOffset()-before > MaxDefinitionsElement {
			return &ParseError{File: d.file, Line: start, Msg: fmt.Sprintf("an element larger than %d bytes", MaxDefinitionsElement)}
		}
		end := d.cr.lineAt(d.dec.InputOffset())
		at := model.Range{File: d.file, StartLine: start, EndLine: max(end, start)}
		var v T
		if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
			if err := json.Unmarshal(raw, &v); err != nil {
				msg := "an element of the wrong shape"
				var te *json.UnmarshalTypeError
				if errors.As(err, &te) && te.Field != "" {
					msg = fmt.Sprintf("field %s is a %s where %s is expected", te.Field, jsonKind(te.Value), te.Type)
				}
				return &ParseError{File: d.file, Line: start, Msg: msg}
			}
		} else {
			return &ParseError{File: d.file, Line: start, Msg: "an element is not an object"}
		}
		f(&v, at)
	}
	_, err = d.token()
	return err
}

// skip reads past the next value, token by token, keeping nothing.
func (d *defReader) skip() error {
	depth := 0
	for {
		t, err := d.token()
		if err != nil {
			return err
		}
		if delim, ok := t.(json.Delim); ok {
			switch delim {
			case '{', '[':
				depth++
			default:
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
	}
}

// jsonStrings returns every string of a JSON value (for credential URIs).
func jsonStrings(raw json.RawMessage) []string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			out = append(out, x)
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

func (d *defReader) addUser(u *defUser, at model.Range) {
	bu := model.BrokerUser{Username: model.ExplicitString(u.Name, at), Realm: "definitions", At: at,
		Tags: model.StringList{V: parseTags(u.Tags), State: model.Explicit, At: at}}
	alg := u.HashingAlgorithm
	if alg != "" {
		bu.HashingAlgorithm = model.ExplicitString(alg, at)
	} else {
		alg = "rabbit_password_hashing_sha256"
		bu.HashingAlgorithm = model.DefaultString(alg, at)
	}
	switch {
	case u.Password != nil:
		bu.Password = model.Secret{Origin: model.SecretLiteral, At: at, LiteralAt: at}
		if *u.Password != "" {
			d.out.Credentials = append(d.out.Credentials, model.CredentialRef{Where: "definitions user " + u.Name + " password", At: at})
		}
		bu.DefaultPassword = u.Name == "guest" && *u.Password == "guest"
	case u.PasswordHash != nil && *u.PasswordHash != "":
		bu.Password = model.Secret{Origin: model.SecretLiteral, At: at, LiteralAt: at}
		bu.DefaultPassword = u.Name == "guest" && RabbitHashIs(*u.PasswordHash, alg, "guest")
	default:
		bu.Password = model.Secret{Origin: model.SecretAbsent, At: at}
	}
	d.out.Users = append(d.out.Users, bu)
}

// parseTags reads tags written as "administrator,management" (before 3.13) or a list.
func parseTags(raw json.RawMessage) []string {
	out := []string{}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		for t := range strings.SplitSeq(s, ",") {
			if t = strings.TrimSpace(t); t != "" {
				out = append(out, t)
			}
		}
		return out
	}
	var l []string
	if json.Unmarshal(raw, &l) == nil {
		for _, t := range l {
			if t = strings.TrimSpace(t); t != "" {
				out = append(out, t)
			}
		}
	}
	return out
}

// RabbitHashIs reports whether a RabbitMQ password hash (base64 of a 4-byte salt followed by
// H(salt + password), H named by its hashing_algorithm; "" is SHA-256) is the hash of password.
// The management API's users carry the same hashes as a definitions export.
func RabbitHashIs(encoded, alg, password string) bool {
	raw, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil || len(raw) < 5 {
		return false
	}
	var h hash.Hash
	switch alg {
	case "rabbit_password_hashing_sha256", "":
		h = sha256.New()
	case "rabbit_password_hashing_sha512":
		h = sha512.New()
	case "rabbit_password_hashing_md5":
		h = md5.New() //nolint:gosec // compared with RabbitMQ's own MD5 hashes
	default:
		return false
	}
	salt, sum := raw[:4], raw[4:]
	h.Write(salt)
	h.Write([]byte(password))
	return subtle.ConstantTimeCompare(h.Sum(nil), sum) == 1
}

// finish attaches the permissions to their users.
func (d *defReader) finish() {
	byName := make(map[string][]int, len(d.out.Users))
	for i, u := range d.out.Users {
		byName[u.Username.V] = append(byName[u.Username.V], i)
	}
	for _, lp := range d.perms {
		p := lp.v
		for _, i := range byName[p.User] {
			u := &d.out.Users[i]
			u.Permissions = append(u.Permissions, model.Permission{VHost: p.VHost, Configure: p.Configure, Write: p.Write, Read: p.Read, At: lp.at})
		}
	}
	d.perms = nil
}
