// Package awsapi reads live Amazon MQ brokers, with their security groups, KMS keys and
// configuration revisions, from one AWS account or every account of an organization, into the
// model. It calls read-only operations only (see Actions), and can save every raw response in a
// snapshot directory that LoadSnapshot scans offline with identical results.
package awsapi

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"golang.org/x/sync/errgroup"

	"github.com/mqguard/mqguard/internal/model"
)

// Options control a live scan.
type Options struct {
	Regions       []string      // empty: every enabled region (ec2:DescribeRegions)
	Org           bool          // scan every account of the organization
	OrgRole       string        // role name (or ARN template) assumed in each member account
	ExternalID    string        // external id passed to AssumeRole, when set
	EndpointURL   string        // for emulators and private endpoints
	Concurrency   int           // account×region units in flight (default 64)
	RatePerRegion float64       // max requests per second per account and region (default 10)
	CallTimeout   time.Duration // per call (default 20s)
	SnapshotDir   string        // when set (a real OS path), every raw response is also written there
	Progress      func(Progress)
	Logger        *slog.Logger

	// retryWaits, when set, replaces the waits of productionRetryWaits. Only the package's tests
	// set it, so that retried throttling and server errors cost no real waiting.
	retryWaits *retryWaits
}

// Progress reports how far a scan is. Progress callbacks are serialised.
type Progress struct {
	Accounts, AccountsDone, Regions, RegionsDone, Brokers int
}

// Defaults of Options.
const (
	DefaultConcurrency   = 64
	DefaultRatePerRegion = 10
	DefaultCallTimeout   = 20 * time.Second
)

// sessionName is the role session name of every AssumeRole.
const sessionName = "mqguard"

// Scan reads live AWS with cfg (from config.LoadDefaultConfig) and opts. Failures never stop
// the scan: each becomes a DiagError naming the account, region, resource and operation, and the
// values that could not be read stay Unknown.
func Scan(ctx context.Context, cfg aws.Config, opts Options) (*model.Inventory, []model.Diagnostic) {
	opts = withDefaults(opts)
	s := &scanner{opts: opts, be: newSDKBackend(cfg, opts)}
	if opts.SnapshotDir != "" {
		s.rec = &recorder{dir: opts.SnapshotDir}
	}
	return s.run(ctx)
}

// LoadSnapshot scans a snapshot directory offline through the same code path as Scan.
func LoadSnapshot(ctx context.Context, fsys fs.FS, dir string) (*model.Inventory, []model.Diagnostic) {
	be, _, err := openSnapshot(fsys, dir)
	if err != nil {
		return &model.Inventory{}, []model.Diagnostic{{Severity: model.DiagError, Source: model.SourceAWS,
			At: model.Range{File: dir}, Message: "cannot read the snapshot: " + err.Error()}}
	}
	opts := withDefaults(Options{})
	opts.Org = be.exists(pListAccounts()) || be.exists(errorPath(pListAccounts()))
	opts.OrgRole = "snapshot"
	s := &scanner{opts: opts, be: be}
	return s.run(ctx)
}

func withDefaults(o Options) Options {
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.RatePerRegion <= 0 {
		o.RatePerRegion = DefaultRatePerRegion
	}
	if o.CallTimeout <= 0 {
		o.CallTimeout = DefaultCallTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

type scanner struct {
	opts Options
	be   backend
	rec  *recorder

	homeID string // the caller's account

	progMu sync.Mutex
	prog   Progress
}

// account is one account to scan and what the account phase found.
type account struct {
	id, name string
	sess     session
	regions  []string
	units    []*unit
	diags    []model.Diagnostic
	// stsRegion is the regional STS endpoint AssumeRole into this account goes through.
	stsRegion string
}

func (s *scanner) run(ctx context.Context) (*model.Inventory, []model.Diagnostic) {
	started := time.Now().UTC()
	inv := &model.Inventory{}
	var diags []model.Diagnostic

	home := s.be.home()
	var ident *sts.GetCallerIdentityOutput
	fail := s.invoke(ctx, func(ctx context.Context) (err error) {
		ident, err = home.sts().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		return err
	})
	if fail == nil && deref(ident.Account) == "" {
		fail = &apiFailure{Code: "InvalidResponse", Message: "no account in the caller identity"}
	}
	if fail != nil {
		// Nothing else can be read; the snapshot still records why.
		s.rec.save(pCallerUnknown(), nil, fail)
		return inv, s.finishSnapshot(started, nil, []model.Diagnostic{s.diag(model.Range{}, "sts:GetCallerIdentity: "+fail.Error())})
	}
	homeID := *ident.Account
	s.homeID = homeID
	s.rec.save(pCallerIdentity(homeID), ident, nil)

	accounts := []*account{{id: homeID}}
	if s.opts.Org {
		list, d := s.listAccounts(ctx, home, homeID)
		diags = append(diags, d...)
		if list != nil {
			accounts = list
		}
	}
	s.progress(func(p *Progress) { p.Accounts = len(accounts) })

	// Accounts and their regions are pipelined: as soon as an account's credentials and regions
	// are known, its regions are scanned, while other accounts are still being opened. Each
	// account×region unit makes its calls one after another, paced by its own rate limiter.
	// The caller's account is opened first: its regions spread the AssumeRole calls over
	// regional STS endpoints, so that no endpoint gets more than the rate limit.
	units := &errgroup.Group{}
	units.SetLimit(s.opts.Concurrency)
	open := func(a *account) {
		s.openAccount(ctx, a, home, homeID)
		s.progress(func(p *Progress) { p.Regions += len(a.regions) })
		for _, r := range a.regions {
			u := &unit{s: s, account: a.id, region: r, sess: a.sess}
			a.units = append(a.units, u)
			units.Go(func() error {
				u.scan(ctx)
				s.progress(func(p *Progress) { p.RegionsDone++; p.Brokers += len(u.inv.Brokers) })
				return nil
			})
		}
	}
	var homeAcct *account
	for _, a := range accounts {
		if a.id == homeID {
			homeAcct = a
		}
	}
	if homeAcct != nil {
		open(homeAcct)
	}
	stsRegions := []string{s.be.defaultRegion()}
	if homeAcct != nil && len(homeAcct.regions) > 0 {
		stsRegions = homeAcct.regions
	}
	opening := &errgroup.Group{}
	opening.SetLimit(s.opts.Concurrency)
	for i, a := range accounts {
		if a == homeAcct {
			continue
		}
		a.stsRegion = stsRegions[i%len(stsRegions)]
		opening.Go(func() error {
			open(a)
			return nil
		})
	}
	_ = opening.Wait()
	_ = units.Wait()

	// Assemble in account, region order.
	for _, a := range accounts {
		diags = append(diags, a.diags...)
		for _, u := range a.units {
			inv.Merge(&u.inv)
			diags = append(diags, u.diags...)
		}
		s.progress(func(p *Progress) { p.AccountsDone++ })
	}
	if err := ctx.Err(); err != nil {
		diags = append(diags, s.diag(model.Range{}, "scan interrupted: "+err.Error()))
	}
	return inv, s.finishSnapshot(started, accounts, diags)
}

// finishSnapshot writes the snapshot's manifest, when the scan records one, and adds the error
// entry of a snapshot that could not be written.
func (s *scanner) finishSnapshot(started time.Time, accounts []*account, diags []model.Diagnostic) []model.Diagnostic {
	if s.rec == nil {
		return diags
	}
	s.writeManifest(started, accounts)
	if s.rec.failed != nil {
		diags = append(diags, s.diag(model.Range{File: s.opts.SnapshotDir}, s.rec.failed.Error()))
	}
	return diags
}

// listAccounts lists the organization's active accounts, sorted by id.
func (s *scanner) listAccounts(ctx context.Context, home session, homeID string) ([]*account, []model.Diagnostic) {
	client := home.org()
	merged := &organizations.ListAccountsOutput{}
	var token *string
	for {
		var out *organizations.ListAccountsOutput
		fail := s.invoke(ctx, func(ctx context.Context) (err error) {
			out, err = client.ListAccounts(ctx, &organizations.ListAccountsInput{NextToken: token})
			return err
		})
		if fail != nil {
			s.rec.save(pListAccounts(), nil, fail)
			return nil, []model.Diagnostic{s.diag(model.Range{}, fmt.Sprintf(
				"account %s: organizations:ListAccounts: %s; scanning the caller's account only", homeID, fail))}
		}
		merged.Accounts = append(merged.Accounts, out.Accounts...)
		if token = out.NextToken; token == nil || *token == "" {
			break
		}
	}
	// Email addresses are personal data the scan does not need: they are not kept.
	for i := range merged.Accounts {
		merged.Accounts[i].Email = nil
	}
	s.rec.save(pListAccounts(), merged, nil)

	var list []*account
	seen := map[string]bool{}
	for _, a := range merged.Accounts {
		id := deref(a.Id)
		if id == "" || seen[id] || !active(a) {
			continue
		}
		seen[id] = true
		list = append(list, &account{id: id, name: deref(a.Name)})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].id < list[j].id })
	return list, nil
}

func active(a orgtypes.Account) bool {
	if a.State != "" {
		return a.State == orgtypes.AccountStateActive
	}
	return a.Status == orgtypes.AccountStatusActive
}

// openAccount gets the account's credentials (assuming OrgRole in member accounts) and regions.
func (s *scanner) openAccount(ctx context.Context, a *account, home session, homeID string) {
	a.sess = home
	if a.id != homeID {
		role := roleARN(s.opts.OrgRole, a.id)
		in := &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String(sessionName)}
		if s.opts.ExternalID != "" {
			in.ExternalId = aws.String(s.opts.ExternalID)
		}
		var out *sts.AssumeRoleOutput
		fail := s.invoke(ctx, func(ctx context.Context) (err error) {
			out, err = home.stsIn(a.stsRegion).AssumeRole(ctx, in)
			return err
		})
		if fail == nil && (out == nil || out.Credentials == nil) {
			fail = &apiFailure{Code: "InvalidResponse", Message: "no credentials in the AssumeRole answer"}
		}
		if fail != nil {
			s.rec.save(pAssumeRole(a.id), nil, fail)
			// The role is not named here: a snapshot does not know it (AWS names it in the message).
			a.diags = append(a.diags, s.diag(model.Range{},
				fmt.Sprintf("account %s: sts:AssumeRole: %s; the account was not scanned", a.id, fail)))
			return
		}
		a.sess = s.be.member(a.id, out.Credentials)
	}

	if len(s.opts.Regions) > 0 {
		a.regions = sortedUnique(s.opts.Regions)
		return
	}
	client := a.sess.ec2(s.be.defaultRegion())
	var out *ec2.DescribeRegionsOutput
	fail := s.invoke(ctx, func(ctx context.Context) (err error) {
		out, err = client.DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
		return err
	})
	s.rec.save(pDescribeRegions(a.id), out, fail)
	if fail != nil {
		a.diags = append(a.diags, s.diag(model.Range{},
			fmt.Sprintf("account %s: ec2:DescribeRegions: %s; the account was not scanned", a.id, fail)))
		return
	}
	var regions []string
	for _, r := range out.Regions {
		if r.RegionName != nil && deref(r.OptInStatus) != "not-opted-in" {
			regions = append(regions, *r.RegionName)
		}
	}
	a.regions = sortedUnique(regions)
}

// roleARN is the role to assume in account: role is a role name, or an ARN in which
// "{account}" (if present) is replaced by the account id.
func roleARN(role, account string) string {
	if strings.HasPrefix(role, "arn:") {
		if strings.Contains(role, "{account}") {
			return strings.ReplaceAll(role, "{account}", account)
		}
		parts := strings.SplitN(role, ":", 6)
		if len(parts) == 6 {
			parts[4] = account
			return strings.Join(parts, ":")
		}
		return role
	}
	return "arn:aws:iam::" + account + ":role/" + strings.TrimPrefix(role, "/")
}

// invoke runs one operation and classifies its failure. Each HTTP attempt of the operation
// has its own CallTimeout (see pacedClient), so a hanging call ends as a RequestTimeout.
func (s *scanner) invoke(ctx context.Context, call func(context.Context) error) *apiFailure {
	err := call(ctx)
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return &apiFailure{Code: codeCanceled, Message: "the scan was interrupted"}
	}
	f := failureOf(err, false)
	return &f
}

func (s *scanner) diag(at model.Range, msg string) model.Diagnostic {
	return model.Diagnostic{Severity: model.DiagError, Source: model.SourceAWS, At: at, Message: msg}
}

func (s *scanner) progress(update func(*Progress)) {
	s.progMu.Lock()
	defer s.progMu.Unlock()
	update(&s.prog)
	if s.opts.Progress != nil {
		s.opts.Progress(s.prog)
	}
}

func (s *scanner) writeManifest(started time.Time, accounts []*account) {
	m := Manifest{Schema: SnapshotSchema, TakenAt: started.Format(time.RFC3339), ToolVersion: toolVersion(), Accounts: []ManifestAccount{}}
	// The caller's account comes first.
	sorted := append([]*account{}, accounts...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].id == s.homeID && sorted[j].id != s.homeID })
	for _, a := range sorted {
		m.Accounts = append(m.Accounts, ManifestAccount{Id: a.id, Name: a.name, Regions: append([]string{}, a.regions...)})
	}
	data, err := marshalOutput(m)
	if err == nil {
		err = s.rec.write("manifest.json", data)
	}
	if err != nil && s.rec.failed == nil {
		s.rec.failed = err
	}
}

func toolVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

func sortedUnique(in []string) []string {
	out := append([]string{}, in...)
	sort.Strings(out)
	j := 0
	for i, v := range out {
		if v == "" || (i > 0 && v == out[i-1]) {
			continue
		}
		out[j] = v
		j++
	}
	return out[:j]
}
