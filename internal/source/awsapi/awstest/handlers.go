package awstest

import (
	"fmt"
	"net/http"
	"net/url"
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
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

func reflectValue(v any) reflect.Value { return reflect.ValueOf(v) }

// index is the world's lookup tables, built once; the world is read-only while served.
type index struct {
	accounts map[string]*accountIndex
}

type accountIndex struct {
	acct    *Account
	regions []ec2types.Region
	enabled map[string]bool
	data    map[string]*regionIndex
}

type regionIndex struct {
	r       *Region
	brokers map[string]*Broker
	configs map[string]*Configuration
	groups  map[string]int // group id -> position in SecurityGroups
	keys    map[string]*Key
}

var emptyRegion = buildRegion(&Region{})

func buildIndex(w *World) *index {
	idx := &index{accounts: map[string]*accountIndex{}}
	add := func(id string, a *Account) {
		if a == nil {
			a = &Account{ID: id}
		}
		ai := &accountIndex{acct: a, regions: a.RegionList, enabled: map[string]bool{}, data: map[string]*regionIndex{}}
		if ai.regions == nil {
			ai.regions = DefaultRegions()
		}
		for _, r := range ai.regions {
			if aws.ToString(r.OptInStatus) != "not-opted-in" {
				ai.enabled[aws.ToString(r.RegionName)] = true
			}
		}
		for name, r := range a.Regions {
			if r != nil {
				ai.data[name] = buildRegion(r)
			}
		}
		idx.accounts[id] = ai
	}
	for id, a := range w.Accounts {
		add(id, a)
	}
	for _, o := range w.Organization {
		if id := aws.ToString(o.Id); idx.accounts[id] == nil {
			add(id, nil)
		}
	}
	if idx.accounts[w.HomeAccount] == nil {
		add(w.HomeAccount, nil)
	}
	return idx
}

func buildRegion(r *Region) *regionIndex {
	ri := &regionIndex{r: r, brokers: map[string]*Broker{}, configs: map[string]*Configuration{},
		groups: map[string]int{}, keys: map[string]*Key{}}
	for _, b := range r.Brokers {
		ri.brokers[aws.ToString(b.summary().BrokerId)] = b
	}
	for _, c := range r.Configurations {
		ri.configs[aws.ToString(c.Detail.Id)] = c
	}
	for i, g := range r.SecurityGroups {
		ri.groups[aws.ToString(g.GroupId)] = i
	}
	for i := range r.Keys {
		k := &r.Keys[i]
		for _, name := range append([]string{aws.ToString(k.Metadata.KeyId), aws.ToString(k.Metadata.Arn)}, k.Aliases...) {
			if name != "" {
				ri.keys[name] = k
			}
		}
	}
	return ri
}

// region is the caller's data in the call's region.
func (rq *request) region() *regionIndex {
	if ri := rq.account.data[rq.call.Region]; ri != nil {
		return ri
	}
	return emptyRegion
}

// --- sts ---

func (s *Server) getCallerIdentity(rq *request) (any, *APIError) {
	acct := rq.call.Account
	if v, ok := s.sessions.Load(rq.akid); ok {
		ss := v.(session)
		return &sts.GetCallerIdentityOutput{
			Account: aws.String(ss.account),
			Arn:     aws.String(fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", ss.account, ss.roleName, ss.name)),
			UserId:  aws.String("AROAFAKEROLEID:" + ss.name),
		}, nil
	}
	if id := rq.account.acct.CallerIdentity; id != nil {
		return id, nil
	}
	return &sts.GetCallerIdentityOutput{
		Account: aws.String(acct),
		Arn:     aws.String("arn:aws:iam::" + acct + ":user/mqguard"),
		UserId:  aws.String("AIDAFAKEUSERID" + acct),
	}, nil
}

func (s *Server) assumeRole(rq *request) (any, *APIError) {
	roleArn := rq.query.Get("RoleArn")
	sessionName := rq.query.Get("RoleSessionName")
	if roleArn == "" || sessionName == "" {
		return nil, &APIError{Code: "ValidationError", Message: "RoleArn and RoleSessionName are required"}
	}
	target, roleName, err := parseRoleARN(roleArn)
	if err != nil {
		return nil, &APIError{Code: "ValidationError", Message: fmt.Sprintf("%s is %v", roleArn, err)}
	}
	denied := &APIError{Code: "AccessDenied", Message: fmt.Sprintf("User: arn:aws:iam::%s:user/mqguard is not authorized to perform: sts:AssumeRole on resource: %s", rq.call.Account, roleArn)}
	ta := s.idx.accounts[target]
	if ta == nil {
		return nil, denied
	}
	if ext := ta.acct.ExternalID; ext != "" && rq.query.Get("ExternalId") != ext {
		return nil, denied
	}
	duration := 3600
	if d, err := strconv.Atoi(rq.query.Get("DurationSeconds")); err == nil && d >= 900 {
		duration = d
	}
	akid := fmt.Sprintf("ASIA%s%08X", target, s.nextKey.Add(1))
	s.sessions.Store(akid, session{account: target, roleArn: roleArn, roleName: roleName, name: sessionName})
	return &sts.AssumeRoleOutput{
		AssumedRoleUser: &ststypes.AssumedRoleUser{
			Arn:           aws.String(fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", target, roleName, sessionName)),
			AssumedRoleId: aws.String("AROAFAKEROLEID:" + sessionName),
		},
		Credentials: &ststypes.Credentials{
			AccessKeyId:     aws.String(akid),
			SecretAccessKey: aws.String("fake-secret-access-key"),
			SessionToken:    aws.String("fake-session-token-" + akid),
			Expiration:      aws.Time(time.Now().Add(time.Duration(duration) * time.Second).UTC().Truncate(time.Second)),
		},
	}, nil
}

// --- organizations ---

func (s *Server) listAccounts(rq *request) (any, *APIError) {
	if rq.call.Account != s.world.HomeAccount {
		return nil, &APIError{Code: "AccessDeniedException", Message: "You don't have permissions to access this resource."}
	}
	if s.world.Organization == nil {
		return nil, &APIError{Code: "AWSOrganizationsNotInUseException", Message: "Your account is not a member of an organization."}
	}
	start, end, next, err := page(len(s.world.Organization), rq.token, s.world.pageSize(bodyInt(rq.body, "MaxResults")))
	if err != nil {
		return nil, &APIError{Code: "InvalidInputException", Message: err.Error()}
	}
	out := &organizations.ListAccountsOutput{Accounts: s.world.Organization[start:end]}
	if next != "" {
		out.NextToken = aws.String(next)
	}
	return out, nil
}

// --- ec2 ---

func (s *Server) describeRegions(rq *request) (any, *APIError) {
	all := rq.query.Get("AllRegions") == "true"
	names := indexedValues(rq.query, "RegionName")
	filters, apiErr := ec2Filters(rq.query, "region-name", "opt-in-status", "endpoint")
	if apiErr != nil {
		return nil, apiErr
	}
	out := &ec2.DescribeRegionsOutput{Regions: []ec2types.Region{}}
	for _, r := range rq.account.regions {
		name := aws.ToString(r.RegionName)
		if !all && len(names) == 0 && !rq.account.enabled[name] {
			continue
		}
		if len(names) > 0 && !slices.Contains(names, name) {
			continue
		}
		if !filters.match("region-name", name) || !filters.match("opt-in-status", aws.ToString(r.OptInStatus)) ||
			!filters.match("endpoint", aws.ToString(r.Endpoint)) {
			continue
		}
		out.Regions = append(out.Regions, r)
	}
	return out, nil
}

func (s *Server) describeSecurityGroups(rq *request) (any, *APIError) {
	ri := rq.region()
	ids := indexedValues(rq.query, "GroupId")
	filters, apiErr := ec2Filters(rq.query, "group-id", "group-name", "vpc-id")
	if apiErr != nil {
		return nil, apiErr
	}
	var groups []ec2types.SecurityGroup
	if len(ids) > 0 {
		for _, id := range ids {
			i, ok := ri.groups[id]
			if !ok {
				return nil, &APIError{Code: "InvalidGroup.NotFound", Message: fmt.Sprintf("The security group '%s' does not exist", id)}
			}
			groups = append(groups, ri.r.SecurityGroups[i])
		}
	} else {
		groups = ri.r.SecurityGroups
	}
	var matched []ec2types.SecurityGroup
	for _, g := range groups {
		if filters.match("group-id", aws.ToString(g.GroupId)) && filters.match("group-name", aws.ToString(g.GroupName)) &&
			filters.match("vpc-id", aws.ToString(g.VpcId)) {
			matched = append(matched, g)
		}
	}
	maxResults, _ := strconv.Atoi(rq.query.Get("MaxResults"))
	size := s.world.pageSize(maxResults)
	if len(ids) > 0 && maxResults == 0 {
		size = len(matched) // EC2 pages only when asked to or when listing every group
	}
	start, end, next, err := page(len(matched), rq.token, max(size, 1))
	if err != nil {
		return nil, &APIError{Code: "InvalidParameterValue", Message: err.Error()}
	}
	out := &ec2.DescribeSecurityGroupsOutput{SecurityGroups: append([]ec2types.SecurityGroup{}, matched[start:end]...)}
	if next != "" {
		out.NextToken = aws.String(next)
	}
	return out, nil
}

// ec2FilterSet is a request's Filter.N.Name / Filter.N.Value.M parameters.
type ec2FilterSet map[string][]string

func ec2Filters(form url.Values, known ...string) (ec2FilterSet, *APIError) {
	fs := ec2FilterSet{}
	for i := 1; ; i++ {
		prefix := "Filter." + strconv.Itoa(i)
		name := form.Get(prefix + ".Name")
		if name == "" {
			return fs, nil
		}
		if !slices.Contains(known, name) {
			return nil, &APIError{Code: "InvalidParameterValue", Message: fmt.Sprintf("The filter '%s' is invalid", name)}
		}
		fs[name] = append(fs[name], indexedValues(form, prefix+".Value")...)
	}
}

func (fs ec2FilterSet) match(name, value string) bool {
	want, ok := fs[name]
	return !ok || slices.Contains(want, value)
}

// --- mq ---

// parseMQ routes a restJson1 request.
func parseMQ(r *http.Request, rq *request) *APIError {
	rq.query = r.URL.Query()
	rq.token = rq.query.Get("nextToken")
	var segs []string
	for _, p := range strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/") {
		u, err := url.PathUnescape(p)
		if err != nil {
			u = p
		}
		segs = append(segs, u)
	}
	op, res := "", ""
	if r.Method == http.MethodGet && len(segs) >= 2 && segs[0] == "v1" {
		switch s := segs[1:]; {
		case len(s) == 1 && s[0] == "brokers":
			op = "ListBrokers"
		case len(s) == 2 && s[0] == "brokers":
			op, res = "DescribeBroker", s[1]
		case len(s) == 3 && s[0] == "brokers" && s[2] == "users":
			op, res = "ListUsers", s[1]
		case len(s) == 4 && s[0] == "brokers" && s[2] == "users":
			op, res = "DescribeUser", s[1]+"/"+s[3]
		case len(s) == 2 && s[0] == "configurations":
			op, res = "DescribeConfiguration", s[1]
		case len(s) == 4 && s[0] == "configurations" && s[2] == "revisions":
			op, res = "DescribeConfigurationRevision", s[1]+"/"+s[3]
		case len(s) == 1 && s[0] == "broker-engine-types":
			op = "DescribeBrokerEngineTypes"
		}
	}
	if op == "" {
		rq.call.Operation = r.Method + " " + r.URL.Path
		return nil // serve answers UnknownOperationException
	}
	rq.call.Operation, rq.call.Resource = op, res
	return nil
}

func mqNotFound(what, id string) *APIError {
	return &APIError{Code: "NotFoundException", Message: fmt.Sprintf("Can't find requested %s [%s].", what, id)}
}

func mqPage(s *Server, rq *request, total int) (start, end int, next *string, e *APIError) {
	limit, _ := strconv.Atoi(rq.query.Get("maxResults"))
	start, end, tok, err := page(total, rq.token, s.world.pageSize(limit))
	if err != nil {
		return 0, 0, nil, &APIError{Code: "BadRequestException", Message: err.Error()}
	}
	if tok != "" {
		next = aws.String(tok)
	}
	return start, end, next, nil
}

func (s *Server) listBrokers(rq *request) (any, *APIError) {
	brokers := rq.region().r.Brokers
	start, end, next, e := mqPage(s, rq, len(brokers))
	if e != nil {
		return nil, e
	}
	out := &mq.ListBrokersOutput{BrokerSummaries: []mqtypes.BrokerSummary{}, NextToken: next}
	for _, b := range brokers[start:end] {
		out.BrokerSummaries = append(out.BrokerSummaries, b.summary())
	}
	return out, nil
}

func (s *Server) broker(rq *request, id string) (*Broker, *APIError) {
	b := rq.region().brokers[id]
	if b == nil {
		return nil, mqNotFound("broker", id)
	}
	return b, nil
}

func (s *Server) describeBroker(rq *request) (any, *APIError) {
	b, e := s.broker(rq, rq.call.Resource)
	if e != nil {
		return nil, e
	}
	return &b.Detail, nil
}

func (s *Server) listUsers(rq *request) (any, *APIError) {
	b, e := s.broker(rq, rq.call.Resource)
	if e != nil {
		return nil, e
	}
	users := b.userList()
	start, end, next, e := mqPage(s, rq, len(users))
	if e != nil {
		return nil, e
	}
	return &mq.ListUsersOutput{
		BrokerId:   aws.String(rq.call.Resource),
		MaxResults: aws.Int32(int32(s.world.pageSize(0))),
		NextToken:  next,
		Users:      append([]mqtypes.UserSummary{}, users[start:end]...),
	}, nil
}

func (s *Server) describeUser(rq *request) (any, *APIError) {
	id, username, _ := strings.Cut(rq.call.Resource, "/")
	b, e := s.broker(rq, id)
	if e != nil {
		return nil, e
	}
	for i := range b.Users {
		if aws.ToString(b.Users[i].Username) == username {
			return &b.Users[i], nil
		}
	}
	return nil, mqNotFound("user", username)
}

func (s *Server) describeConfiguration(rq *request) (any, *APIError) {
	c := rq.region().configs[rq.call.Resource]
	if c == nil {
		return nil, mqNotFound("configuration", rq.call.Resource)
	}
	return &c.Detail, nil
}

func (s *Server) describeConfigurationRevision(rq *request) (any, *APIError) {
	id, rev, _ := strings.Cut(rq.call.Resource, "/")
	c := rq.region().configs[id]
	if c == nil {
		return nil, mqNotFound("configuration", id)
	}
	n, err := strconv.ParseInt(rev, 10, 32)
	if err != nil {
		return nil, &APIError{Code: "BadRequestException", Message: fmt.Sprintf("Invalid revision [%s].", rev)}
	}
	r, ok := c.Revisions[int32(n)]
	if !ok {
		return nil, mqNotFound("revision", rev)
	}
	return &r, nil
}

func (s *Server) describeBrokerEngineTypes(rq *request) (any, *APIError) {
	types := rq.region().r.EngineTypes
	if types == nil {
		types = DefaultEngineTypes()
	}
	if want := rq.query.Get("engineType"); want != "" {
		var kept []mqtypes.BrokerEngineType
		for _, t := range types {
			if strings.EqualFold(string(t.EngineType), want) {
				kept = append(kept, t)
			}
		}
		types = kept
	}
	start, end, next, e := mqPage(s, rq, len(types))
	if e != nil {
		return nil, e
	}
	return &mq.DescribeBrokerEngineTypesOutput{
		BrokerEngineTypes: append([]mqtypes.BrokerEngineType{}, types[start:end]...),
		MaxResults:        aws.Int32(int32(s.world.pageSize(0))),
		NextToken:         next,
	}, nil
}

// --- kms ---

func (s *Server) describeKey(rq *request) (any, *APIError) {
	keyID := rq.call.Resource
	if keyID == "" {
		return nil, &APIError{Code: "ValidationException", Message: "KeyId is required"}
	}
	ri := rq.region()
	// A key ARN names its own account and region.
	if parts := strings.SplitN(keyID, ":", 6); len(parts) == 6 && parts[0] == "arn" && parts[2] == "kms" {
		ri = emptyRegion
		if a := s.idx.accounts[parts[4]]; a != nil && a.data[parts[3]] != nil {
			ri = a.data[parts[3]]
		}
	}
	k := ri.keys[keyID]
	if k == nil {
		return nil, &APIError{Code: "NotFoundException", Message: fmt.Sprintf("Key '%s' does not exist", keyID)}
	}
	return &kms.DescribeKeyOutput{KeyMetadata: &k.Metadata}, nil
}
