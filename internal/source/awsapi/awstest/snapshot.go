package awstest

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/url"
	"path"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/mq"
	mqtypes "github.com/aws/aws-sdk-go-v2/service/mq/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// SnapshotSchema is the manifest schema LoadWorld reads.
const SnapshotSchema = "mqguard-snapshot/v1"

type manifest struct {
	Schema   string
	Accounts []struct {
		Id      string //nolint:revive // the snapshot's member name
		Name    string
		Regions []string
	}
}

// LoadWorld reads the snapshot directory dir of fsys (see the mqguard-snapshot/v1 layout):
// every response file becomes the world's data and every ".error.json" file makes the matching
// call fail with that error. Files outside the layout are ignored.
func LoadWorld(fsys fs.FS, dir string) (*World, error) {
	l := &loader{fsys: fsys, dir: dir, w: &World{Accounts: map[string]*Account{}, Errors: map[string]APIError{}},
		brokers: map[string]*Broker{}, configs: map[string]*Configuration{}, listed: map[string]int{}}
	var m manifest
	if err := l.decode("manifest.json", &m); err != nil {
		return nil, err
	}
	if m.Schema != SnapshotSchema {
		return nil, fmt.Errorf("%s: schema %q, want %q", path.Join(dir, "manifest.json"), m.Schema, SnapshotSchema)
	}
	for _, a := range m.Accounts {
		if a.Id == "" {
			return nil, fmt.Errorf("%s: an account has no Id", path.Join(dir, "manifest.json"))
		}
		acct := l.w.Account(a.Id)
		for _, r := range a.Regions {
			acct.RegionList = append(acct.RegionList, ec2types.Region{
				RegionName: aws.String(r), Endpoint: aws.String("ec2." + r + ".amazonaws.com"),
				OptInStatus: aws.String("opt-in-not-required"),
			})
		}
		if l.w.HomeAccount == "" {
			l.w.HomeAccount = a.Id
		}
	}
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".json") {
			return nil
		}
		rel := strings.TrimPrefix(p, dir+"/")
		if dir == "." {
			rel = p
		}
		return l.file(rel)
	})
	if err != nil {
		return nil, err
	}
	l.finish()
	// A scan whose GetCallerIdentity failed records the failure outside any account's directory
	// (sts/get-caller-identity.error.json): the home caller's call fails with it.
	if e, ok := l.w.Errors["sts/get-caller-identity"]; ok {
		delete(l.w.Errors, "sts/get-caller-identity")
		l.w.Errors[l.w.HomeAccount+"/sts/get-caller-identity"] = e
	}
	return l.w, nil
}

type loader struct {
	fsys    fs.FS
	dir     string
	w       *World
	brokers map[string]*Broker        // account/region/id
	configs map[string]*Configuration // account/region/id
	listed  map[string]int            // account/region/id -> position in list-brokers.json
}

// file loads one snapshot file by its path relative to the snapshot directory.
func (l *loader) file(rel string) error {
	key := strings.TrimSuffix(rel, ".json")
	if k, isErr := strings.CutSuffix(key, ".error"); isErr {
		var e struct{ Code, Message string }
		if err := l.decode(rel, &e); err != nil {
			return err
		}
		if e.Code == "" {
			return fmt.Errorf("%s: error file has no Code", path.Join(l.dir, rel))
		}
		l.w.Errors[k] = APIError{Code: e.Code, Message: e.Message}
		l.placeholder(k)
		return nil
	}
	parts := strings.Split(key, "/")
	switch {
	case key == "organizations/list-accounts":
		var out organizations.ListAccountsOutput
		if err := l.decode(rel, &out); err != nil {
			return err
		}
		l.w.Organization = out.Accounts
		if len(out.Accounts) > 0 {
			// "arn:aws:organizations::<management account>:account/o-.../<id>"
			if f := strings.Split(aws.ToString(out.Accounts[0].Arn), ":"); len(f) > 4 && len(f[4]) == 12 {
				l.w.HomeAccount = f[4]
			}
		}
	case len(parts) == 3 && parts[1] == "sts" && parts[2] == "get-caller-identity":
		var out sts.GetCallerIdentityOutput
		if err := l.decode(rel, &out); err != nil {
			return err
		}
		l.w.Account(parts[0]).CallerIdentity = &out
	case len(parts) == 3 && parts[1] == "ec2" && parts[2] == "describe-regions":
		var out ec2.DescribeRegionsOutput
		if err := l.decode(rel, &out); err != nil {
			return err
		}
		l.w.Account(parts[0]).RegionList = out.Regions
	case len(parts) >= 4:
		return l.regional(rel, parts[0], parts[1], parts[2:])
	}
	return nil
}

// regional loads a file under <account>/<region>/.
func (l *loader) regional(rel, acct, region string, p []string) error {
	r := l.w.Region(acct, region)
	switch {
	case len(p) == 2 && p[0] == "mq" && p[1] == "list-brokers":
		var out mq.ListBrokersOutput
		if err := l.decode(rel, &out); err != nil {
			return err
		}
		for i, s := range out.BrokerSummaries {
			id := aws.ToString(s.BrokerId)
			l.broker(acct, region, id).Summary = &s
			l.listed[acct+"/"+region+"/"+id] = i
		}
	case len(p) == 3 && p[0] == "mq" && p[1] == "describe-broker":
		b := l.broker(acct, region, p[2])
		if err := l.decode(rel, &b.Detail); err != nil {
			return err
		}
	case len(p) == 3 && p[0] == "mq" && p[1] == "list-users":
		var out mq.ListUsersOutput
		if err := l.decode(rel, &out); err != nil {
			return err
		}
		b := l.broker(acct, region, p[2])
		b.UserList = append(b.UserList, out.Users...)
		if b.UserList == nil {
			b.UserList = []mqtypes.UserSummary{}
		}
	case len(p) == 4 && p[0] == "mq" && p[1] == "describe-user":
		var out mq.DescribeUserOutput
		if err := l.decode(rel, &out); err != nil {
			return err
		}
		if out.Username == nil {
			out.Username = aws.String(p[3])
		}
		b := l.broker(acct, region, p[2])
		b.Users = append(b.Users, out)
	case len(p) == 3 && p[0] == "mq" && p[1] == "describe-configuration":
		c := l.config(acct, region, p[2])
		if err := l.decode(rel, &c.Detail); err != nil {
			return err
		}
	case len(p) == 4 && p[0] == "mq" && p[1] == "describe-configuration-revision":
		n, err := strconv.ParseInt(p[3], 10, 32)
		if err != nil {
			return fmt.Errorf("%s: revision %q is not a number", path.Join(l.dir, rel), p[3])
		}
		var out mq.DescribeConfigurationRevisionOutput
		if err := l.decode(rel, &out); err != nil {
			return err
		}
		l.config(acct, region, p[2]).Revisions[int32(n)] = out
	case len(p) == 2 && p[0] == "mq" && p[1] == "describe-broker-engine-types":
		var out mq.DescribeBrokerEngineTypesOutput
		if err := l.decode(rel, &out); err != nil {
			return err
		}
		r.EngineTypes = out.BrokerEngineTypes
	case len(p) == 2 && p[0] == "ec2" && p[1] == "describe-security-groups":
		var out ec2.DescribeSecurityGroupsOutput
		if err := l.decode(rel, &out); err != nil {
			return err
		}
		r.SecurityGroups = append(r.SecurityGroups, out.SecurityGroups...)
	case len(p) == 3 && p[0] == "kms" && p[1] == "describe-key":
		var out kms.DescribeKeyOutput
		if err := l.decode(rel, &out); err != nil {
			return err
		}
		if out.KeyMetadata == nil {
			return fmt.Errorf("%s: no KeyMetadata", path.Join(l.dir, rel))
		}
		k := Key{Metadata: *out.KeyMetadata}
		if name, err := url.PathUnescape(p[2]); err == nil && name != aws.ToString(k.Metadata.KeyId) && name != aws.ToString(k.Metadata.Arn) {
			k.Aliases = append(k.Aliases, name)
		}
		r.Keys = append(r.Keys, k)
	}
	return nil
}

// placeholder makes the object a failing call is about exist, so that listing it still works
// (a broker whose DescribeBroker failed is still listed).
func (l *loader) placeholder(key string) {
	p := strings.Split(key, "/")
	if len(p) < 5 || p[2] != "mq" {
		return
	}
	switch p[3] {
	case "describe-broker", "list-users":
		l.broker(p[0], p[1], p[4])
	case "describe-user":
		if len(p) == 6 {
			b := l.broker(p[0], p[1], p[4])
			b.Users = append(b.Users, mq.DescribeUserOutput{BrokerId: aws.String(p[4]), Username: aws.String(p[5])})
		}
	case "describe-configuration", "describe-configuration-revision":
		l.config(p[0], p[1], p[4])
	}
}

func (l *loader) broker(acct, region, id string) *Broker {
	k := acct + "/" + region + "/" + id
	b := l.brokers[k]
	if b == nil {
		r := l.w.Region(acct, region)
		b = r.AddBroker(mq.DescribeBrokerOutput{BrokerId: aws.String(id)})
		l.brokers[k] = b
	}
	return b
}

func (l *loader) config(acct, region, id string) *Configuration {
	k := acct + "/" + region + "/" + id
	c := l.configs[k]
	if c == nil {
		c = l.w.Region(acct, region).AddConfiguration(mq.DescribeConfigurationOutput{Id: aws.String(id)}, map[int32]mq.DescribeConfigurationRevisionOutput{})
		l.configs[k] = c
	}
	return c
}

// finish orders the brokers the walk found: those of list-brokers.json in its order, then the
// others by id.
func (l *loader) finish() {
	for acct, a := range l.w.Accounts {
		for region, r := range a.Regions {
			rank := func(b *Broker) (int, string) {
				id := aws.ToString(b.summary().BrokerId)
				if i, ok := l.listed[acct+"/"+region+"/"+id]; ok {
					return i, ""
				}
				return math.MaxInt, id
			}
			slices.SortStableFunc(r.Brokers, func(x, y *Broker) int {
				xi, xid := rank(x)
				yi, yid := rank(y)
				if xi != yi {
					return cmp.Compare(xi, yi)
				}
				return strings.Compare(xid, yid)
			})
			for _, b := range r.Brokers {
				if b.Detail.BrokerId == nil && b.Summary != nil {
					b.Detail.BrokerId = b.Summary.BrokerId
				}
			}
		}
	}
}

// decode reads the snapshot file rel into the SDK value dst.
func (l *loader) decode(rel string, dst any) error {
	name := path.Join(l.dir, rel)
	data, err := fs.ReadFile(l.fsys, name)
	if err != nil {
		return err
	}
	return decodeCLIJSON(name, data, dst)
}

// decodeCLIJSON decodes AWS CLI style JSON (PascalCase member names; timestamps as RFC 3339,
// the CLI's ISO 8601 or epoch seconds) into the SDK value dst.
func decodeCLIJSON(name string, data []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("%s:%d: %w", name, lineOf(data, se.Offset), err)
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	if err := assign(reflect.ValueOf(dst).Elem(), tree, ""); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func lineOf(data []byte, offset int64) int {
	offset = min(max(offset, 0), int64(len(data)))
	return 1 + bytes.Count(data[:offset], []byte("\n"))
}

// assign stores the JSON tree into v. at names the member for error messages (never a value).
func assign(v reflect.Value, tree any, at string) error {
	if tree == nil {
		return nil
	}
	wrong := func(want string) error { return fmt.Errorf("%s: want %s, got %s", orTop(at), want, jsonKind(tree)) }
	switch v.Kind() {
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		if err := assign(p.Elem(), tree, at); err != nil {
			return err
		}
		v.Set(p)
		return nil
	case reflect.Struct:
		if v.Type() == timeType {
			t, err := parseTimestamp(tree)
			if err != nil {
				return fmt.Errorf("%s: %w", orTop(at), err)
			}
			v.Set(reflect.ValueOf(t))
			return nil
		}
		obj, ok := tree.(map[string]any)
		if !ok {
			return wrong("an object")
		}
		for k, sub := range obj {
			if k == "ResultMetadata" {
				continue
			}
			f := v.FieldByNameFunc(func(n string) bool { return strings.EqualFold(n, k) })
			if !f.IsValid() || !f.CanSet() {
				continue // a member this SDK version does not know
			}
			if err := assign(f, sub, join(at, k)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			s, ok := tree.(string)
			if !ok {
				return wrong("a base64 string")
			}
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return fmt.Errorf("%s: not base64", orTop(at))
			}
			v.SetBytes(b)
			return nil
		}
		list, ok := tree.([]any)
		if !ok {
			return wrong("a list")
		}
		out := reflect.MakeSlice(v.Type(), len(list), len(list))
		for i, sub := range list {
			if err := assign(out.Index(i), sub, fmt.Sprintf("%s[%d]", at, i)); err != nil {
				return err
			}
		}
		v.Set(out)
		return nil
	case reflect.Map:
		obj, ok := tree.(map[string]any)
		if !ok || v.Type().Key().Kind() != reflect.String {
			return wrong("an object")
		}
		out := reflect.MakeMapWithSize(v.Type(), len(obj))
		for k, sub := range obj {
			e := reflect.New(v.Type().Elem()).Elem()
			if err := assign(e, sub, join(at, k)); err != nil {
				return err
			}
			out.SetMapIndex(reflect.ValueOf(k).Convert(v.Type().Key()), e)
		}
		v.Set(out)
		return nil
	case reflect.String:
		s, ok := tree.(string)
		if !ok {
			return wrong("a string")
		}
		v.SetString(s)
		return nil
	case reflect.Bool:
		b, ok := tree.(bool)
		if !ok {
			return wrong("a boolean")
		}
		v.SetBool(b)
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := tree.(json.Number)
		if !ok {
			return wrong("an integer")
		}
		i, err := n.Int64()
		if err != nil || v.OverflowInt(i) {
			return fmt.Errorf("%s: %s is not an integer in range", orTop(at), n)
		}
		v.SetInt(i)
		return nil
	case reflect.Float32, reflect.Float64:
		n, ok := tree.(json.Number)
		if !ok {
			return wrong("a number")
		}
		f, err := n.Float64()
		if err != nil {
			return fmt.Errorf("%s: not a number", orTop(at))
		}
		v.SetFloat(f)
		return nil
	}
	return nil // interfaces (documents, unions): not part of the outputs mqguard reads
}

// timestampLayouts are the forms a snapshot may hold: RFC 3339 (encoding/json) and the AWS
// CLI's ISO 8601 with or without the "T".
var timestampLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999-07:00", "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05"}

func parseTimestamp(tree any) (time.Time, error) {
	switch x := tree.(type) {
	case string:
		for _, layout := range timestampLayouts {
			if t, err := time.Parse(layout, x); err == nil {
				return t, nil
			}
		}
		return time.Time{}, errors.New("not an ISO 8601 timestamp")
	case json.Number:
		f, err := x.Float64()
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || math.Abs(f) > 1e12 {
			return time.Time{}, errors.New("not an epoch-seconds timestamp")
		}
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(math.Round(frac*1e3))*1e6).UTC(), nil
	}
	return time.Time{}, errors.New("not a timestamp")
}

func join(at, k string) string {
	if at == "" {
		return k
	}
	return at + "." + k
}

func orTop(at string) string {
	if at == "" {
		return "document"
	}
	return at
}

func jsonKind(tree any) string {
	switch tree.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return "null"
}
