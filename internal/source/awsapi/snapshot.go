package awsapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/mq"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

// SnapshotSchema is the manifest schema of snapshot directories.
const SnapshotSchema = "mqguard-snapshot/v1"

// Manifest is DIR/manifest.json.
type Manifest struct {
	Schema      string
	TakenAt     string
	ToolVersion string
	Accounts    []ManifestAccount
}

// ManifestAccount is one scanned account and the regions scanned in it.
type ManifestAccount struct {
	Id      string //nolint:revive // the snapshot's member name
	Name    string
	Regions []string
}

// Paths of the snapshot layout, relative to DIR. Path elements taken from API data are escaped.

// esc escapes a path element. ':' is escaped too (ARNs are full of them): file names with a
// colon cannot be checked into a Go module or created on Windows.
func esc(s string) string {
	e := strings.ReplaceAll(url.PathEscape(s), ":", "%3A")
	if e == "" || e == "." || e == ".." {
		e = strings.ReplaceAll(url.PathEscape("_"+s), "_", "%5F")
	}
	return e
}

func pListAccounts() string                    { return "organizations/list-accounts.json" }
func pCallerIdentity(acct string) string       { return path.Join(esc(acct), "sts/get-caller-identity.json") }
func pAssumeRole(acct string) string           { return path.Join(esc(acct), "sts/assume-role.json") }
func pDescribeRegions(acct string) string      { return path.Join(esc(acct), "ec2/describe-regions.json") }
func pRegion(acct, region, rest string) string { return path.Join(esc(acct), esc(region), rest) }
func pListBrokers(a, r string) string          { return pRegion(a, r, "mq/list-brokers.json") }
func pEngineTypes(a, r string) string          { return pRegion(a, r, "mq/describe-broker-engine-types.json") }
func pSecurityGroups(a, r string) string       { return pRegion(a, r, "ec2/describe-security-groups.json") }
func pDescribeBroker(a, r, id string) string {
	return pRegion(a, r, "mq/describe-broker/"+esc(id)+".json")
}
func pListUsers(a, r, id string) string { return pRegion(a, r, "mq/list-users/"+esc(id)+".json") }
func pDescribeUser(a, r, id, user string) string {
	return pRegion(a, r, "mq/describe-user/"+esc(id)+"/"+esc(user)+".json")
}
func pDescribeConfiguration(a, r, id string) string {
	return pRegion(a, r, "mq/describe-configuration/"+esc(id)+".json")
}
func pConfigurationRevision(a, r, id string, rev int32) string {
	return pRegion(a, r, "mq/describe-configuration-revision/"+esc(id)+"/"+strconv.Itoa(int(rev))+".json")
}
func pDescribeKey(a, r, key string) string {
	return pRegion(a, r, "kms/describe-key/"+esc(key)+".json")
}

// pCallerUnknown is where a failed GetCallerIdentity is recorded: the caller's account, which
// names the directory of every other file, is what could not be read.
func pCallerUnknown() string { return "sts/get-caller-identity.json" }

// errorPath is where an API error is stored instead of the response.
func errorPath(p string) string { return strings.TrimSuffix(p, ".json") + ".error.json" }

// recorder writes responses and errors into a snapshot directory.
type recorder struct {
	dir string

	mu     sync.Mutex
	failed error // first write error
}

// save writes out (or the failure) at rel. AssumeRole answers are never written (they hold
// credentials): only their failures are.
func (r *recorder) save(rel string, out any, fail *apiFailure) {
	if r == nil {
		return
	}
	var data []byte
	var err error
	if fail != nil {
		rel = errorPath(rel)
		data, err = json.MarshalIndent(fail, "", "  ")
	} else {
		data, err = marshalOutput(out)
	}
	if err == nil {
		err = r.write(rel, data)
	}
	if err != nil {
		r.mu.Lock()
		if r.failed == nil {
			r.failed = err
		}
		r.mu.Unlock()
	}
}

func (r *recorder) write(rel string, data []byte) error {
	p := filepath.Join(r.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	if err := os.WriteFile(p, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	return nil
}

// marshalOutput renders an SDK output struct as the AWS CLI prints it: member names as in the
// service model, without ResultMetadata and without absent (null) members.
func marshalOutput(out any) ([]byte, error) {
	raw, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if m, ok := v.(map[string]any); ok {
		delete(m, "ResultMetadata")
	}
	return json.MarshalIndent(dropNulls(v), "", "  ")
}

func dropNulls(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if e == nil {
				delete(t, k)
				continue
			}
			t[k] = dropNulls(e)
		}
	case []any:
		for i, e := range t {
			t[i] = dropNulls(e)
		}
	}
	return v
}

// snapshotBackend answers the operations from a snapshot directory.
type snapshotBackend struct {
	fsys     fs.FS
	dir      string
	homeAcct string
	region   string
	regions  map[string][]string // manifest regions per account
}

// openSnapshot reads the manifest and finds the caller's account: the one whose
// sts/get-caller-identity.json is present. A snapshot of a scan whose GetCallerIdentity failed
// has no caller's account, only the recorded failure (see pCallerUnknown).
func openSnapshot(fsys fs.FS, dir string) (*snapshotBackend, *Manifest, error) {
	b := &snapshotBackend{fsys: fsys, dir: dir, region: "us-east-1", regions: map[string][]string{}}
	data, err := b.read("manifest.json")
	if err != nil {
		return nil, nil, err
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path.Join(dir, "manifest.json"), err)
	}
	if m.Schema != SnapshotSchema {
		return nil, nil, fmt.Errorf("%s: schema %q is not %s", path.Join(dir, "manifest.json"), m.Schema, SnapshotSchema)
	}
	for _, a := range m.Accounts {
		b.regions[a.Id] = a.Regions
		if _, err := fs.Stat(fsys, b.full(pCallerIdentity(a.Id))); err == nil {
			if b.homeAcct != "" {
				return nil, nil, fmt.Errorf("%s: two accounts have a caller identity", dir)
			}
			b.homeAcct = a.Id
		}
	}
	if b.homeAcct == "" && !b.exists(errorPath(pCallerUnknown())) {
		return nil, nil, fmt.Errorf("%s: no account has sts/get-caller-identity.json", dir)
	}
	return b, &m, nil
}

func (b *snapshotBackend) full(rel string) string { return path.Join(b.dir, rel) }

func (b *snapshotBackend) read(rel string) ([]byte, error) {
	return fs.ReadFile(b.fsys, b.full(rel))
}

func (b *snapshotBackend) exists(rel string) bool {
	_, err := fs.Stat(b.fsys, b.full(rel))
	return err == nil
}

// load decodes the response stored at rel into out, or returns the stored error.
func (b *snapshotBackend) load(rel string, out any) error {
	if data, err := b.read(errorPath(rel)); err == nil {
		var f apiFailure
		if err := json.Unmarshal(data, &f); err != nil {
			return apiFailure{Code: "SnapshotInvalid", Message: b.full(errorPath(rel)) + ": " + err.Error()}
		}
		return f
	}
	data, err := b.read(rel)
	if errors.Is(err, fs.ErrNotExist) {
		return apiFailure{Code: "SnapshotMissing", Message: "the snapshot has no " + b.full(rel)}
	}
	if err != nil {
		return apiFailure{Code: "SnapshotInvalid", Message: b.full(rel) + ": " + err.Error()}
	}
	if err := json.Unmarshal(data, out); err != nil {
		return apiFailure{Code: "SnapshotInvalid", Message: b.full(rel) + ": " + err.Error()}
	}
	return nil
}

func (b *snapshotBackend) defaultRegion() string { return b.region }
func (b *snapshotBackend) home() session         { return &snapSession{b: b, acct: b.homeAcct} }
func (b *snapshotBackend) member(account string, _ *ststypes.Credentials) session {
	return &snapSession{b: b, acct: account}
}

// snapSession implements every service interface for one account; region-scoped clients are
// views with the region set.
type snapSession struct {
	b      *snapshotBackend
	acct   string
	region string
}

func (s *snapSession) sts() STSAPI           { return s }
func (s *snapSession) stsIn(string) STSAPI   { return s }
func (s *snapSession) org() OrganizationsAPI { return s }
func (s *snapSession) ec2(region string) EC2API {
	return &snapSession{b: s.b, acct: s.acct, region: region}
}
func (s *snapSession) mq(region string) MQAPI {
	return &snapSession{b: s.b, acct: s.acct, region: region}
}
func (s *snapSession) kms(region string) KMSAPI {
	return &snapSession{b: s.b, acct: s.acct, region: region}
}

func fetch[O any](s *snapSession, rel string) (*O, error) {
	out := new(O)
	if err := s.b.load(rel, out); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *snapSession) GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	if s.acct == "" {
		return fetch[sts.GetCallerIdentityOutput](s, pCallerUnknown())
	}
	return fetch[sts.GetCallerIdentityOutput](s, pCallerIdentity(s.acct))
}

// AssumeRole succeeds unless the snapshot recorded its failure (credentials are never stored).
func (s *snapSession) AssumeRole(_ context.Context, in *sts.AssumeRoleInput, _ ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	target := roleAccount(deref(in.RoleArn))
	if s.b.exists(errorPath(pAssumeRole(target))) {
		return nil, s.b.load(pAssumeRole(target), &struct{}{})
	}
	return &sts.AssumeRoleOutput{Credentials: &ststypes.Credentials{}}, nil
}

func (s *snapSession) ListAccounts(context.Context, *organizations.ListAccountsInput, ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error) {
	return fetch[organizations.ListAccountsOutput](s, pListAccounts())
}

// DescribeRegions answers from the snapshot, or from the manifest's regions when the scan was
// given its regions and never called it.
func (s *snapSession) DescribeRegions(context.Context, *ec2.DescribeRegionsInput, ...func(*ec2.Options)) (*ec2.DescribeRegionsOutput, error) {
	rel := pDescribeRegions(s.acct)
	if !s.b.exists(rel) && !s.b.exists(errorPath(rel)) {
		out := &ec2.DescribeRegionsOutput{}
		for _, r := range s.b.regions[s.acct] {
			out.Regions = append(out.Regions, ec2types.Region{RegionName: &r})
		}
		return out, nil
	}
	return fetch[ec2.DescribeRegionsOutput](s, rel)
}

func (s *snapSession) DescribeSecurityGroups(context.Context, *ec2.DescribeSecurityGroupsInput, ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupsOutput, error) {
	return fetch[ec2.DescribeSecurityGroupsOutput](s, pSecurityGroups(s.acct, s.region))
}

func (s *snapSession) ListBrokers(context.Context, *mq.ListBrokersInput, ...func(*mq.Options)) (*mq.ListBrokersOutput, error) {
	return fetch[mq.ListBrokersOutput](s, pListBrokers(s.acct, s.region))
}

func (s *snapSession) DescribeBroker(_ context.Context, in *mq.DescribeBrokerInput, _ ...func(*mq.Options)) (*mq.DescribeBrokerOutput, error) {
	return fetch[mq.DescribeBrokerOutput](s, pDescribeBroker(s.acct, s.region, deref(in.BrokerId)))
}

func (s *snapSession) ListUsers(_ context.Context, in *mq.ListUsersInput, _ ...func(*mq.Options)) (*mq.ListUsersOutput, error) {
	return fetch[mq.ListUsersOutput](s, pListUsers(s.acct, s.region, deref(in.BrokerId)))
}

func (s *snapSession) DescribeUser(_ context.Context, in *mq.DescribeUserInput, _ ...func(*mq.Options)) (*mq.DescribeUserOutput, error) {
	return fetch[mq.DescribeUserOutput](s, pDescribeUser(s.acct, s.region, deref(in.BrokerId), deref(in.Username)))
}

func (s *snapSession) DescribeConfiguration(_ context.Context, in *mq.DescribeConfigurationInput, _ ...func(*mq.Options)) (*mq.DescribeConfigurationOutput, error) {
	return fetch[mq.DescribeConfigurationOutput](s, pDescribeConfiguration(s.acct, s.region, deref(in.ConfigurationId)))
}

func (s *snapSession) DescribeConfigurationRevision(_ context.Context, in *mq.DescribeConfigurationRevisionInput, _ ...func(*mq.Options)) (*mq.DescribeConfigurationRevisionOutput, error) {
	rev, err := strconv.ParseInt(deref(in.ConfigurationRevision), 10, 32)
	if err != nil {
		return nil, apiFailure{Code: "BadRequestException", Message: "invalid revision"}
	}
	return fetch[mq.DescribeConfigurationRevisionOutput](s, pConfigurationRevision(s.acct, s.region, deref(in.ConfigurationId), int32(rev)))
}

func (s *snapSession) DescribeBrokerEngineTypes(context.Context, *mq.DescribeBrokerEngineTypesInput, ...func(*mq.Options)) (*mq.DescribeBrokerEngineTypesOutput, error) {
	return fetch[mq.DescribeBrokerEngineTypesOutput](s, pEngineTypes(s.acct, s.region))
}

func (s *snapSession) DescribeKey(_ context.Context, in *kms.DescribeKeyInput, _ ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	return fetch[kms.DescribeKeyOutput](s, pDescribeKey(s.acct, s.region, deref(in.KeyId)))
}

// roleAccount extracts the account id of a role ARN (arn:aws:iam::<account>:role/<name>).
func roleAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
