package suppress

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/rules"
)

func day(s string) time.Time {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParse(t *testing.T) {
	at := model.Range{File: "infra/mq.tf", StartLine: 3, EndLine: 3}
	tests := []struct {
		name    string
		text    string
		want    []Ignore
		wantErr string
	}{
		{name: "not a directive", text: "# just a comment"},
		{name: "empty", text: ""},
		{
			name: "full mqguard form",
			text: `# mqguard:ignore MQG001 reason="partner ingress" until=2027-01-31 by=secops`,
			want: []Ignore{{Tool: ToolMQGuard, ID: "MQG001", Reason: "partner ingress", Approver: "secops", Until: day("2027-01-31"), At: at}},
		},
		{
			name: "several ids, slash comment, single quotes",
			text: `// mqguard:ignore MQG001,public-access reason='known' by="sec ops"`,
			want: []Ignore{
				{Tool: ToolMQGuard, ID: "MQG001", Reason: "known", Approver: "sec ops", At: at},
				{Tool: ToolMQGuard, ID: "public-access", Reason: "known", Approver: "sec ops", At: at},
			},
		},
		{
			name: "block comment",
			text: `/* mqguard:ignore MQG012 reason=vpn */`,
			want: []Ignore{{Tool: ToolMQGuard, ID: "MQG012", Reason: "vpn", At: at}},
		},
		{
			name: "xml comment",
			text: `<!-- mqguard:ignore MQG017 reason="bridge inside the VPC" -->`,
			want: []Ignore{{Tool: ToolMQGuard, ID: "MQG017", Reason: "bridge inside the VPC", At: at}},
		},
		{
			name: "hash without space, upper-case marker",
			text: `#MQGUARD:IGNORE MQG001 REASON=x`,
			want: []Ignore{{Tool: ToolMQGuard, ID: "MQG001", Reason: "x", At: at}},
		},
		{name: "missing reason", text: `# mqguard:ignore MQG001`, wantErr: "reason is required"},
		{name: "empty reason", text: `# mqguard:ignore MQG001 reason=""`, wantErr: "reason is required"},
		{name: "no rule", text: `# mqguard:ignore reason="x"`, wantErr: "no rule named"},
		{name: "bad date", text: `# mqguard:ignore MQG001 reason=x until=31/01/2027`, wantErr: "until must be a date"},
		{name: "unknown option", text: `# mqguard:ignore MQG001 reason=x owner=me`, wantErr: `unknown option "owner"`},
		{name: "unterminated quote", text: `# mqguard:ignore MQG001 reason="x`, wantErr: "unterminated quote"},
		{name: "ignore-all unsupported", text: `# mqguard:ignore-all reason=x`, wantErr: "unsupported form"},
		{name: "words after options", text: `# mqguard:ignore MQG001 reason=partner ingress`, wantErr: `unexpected text after the options`},
		{name: "marker inside a word", text: `# xmqguard:ignore MQG001`},
		{
			name: "checkov with colon reason",
			text: `#checkov:skip=CKV_AWS_69:partner ingress`,
			want: []Ignore{{Tool: ToolCheckov, ID: "CKV_AWS_69", Reason: "partner ingress", At: at}},
		},
		{
			name: "checkov with space reason",
			text: `  # checkov:skip=CKV_SECRET_6 test secret`,
			want: []Ignore{{Tool: ToolCheckov, ID: "CKV_SECRET_6", Reason: "test secret", At: at}},
		},
		{
			name: "checkov without reason",
			text: `#checkov:skip=CKV_AWS_69`,
			want: []Ignore{{Tool: ToolCheckov, ID: "CKV_AWS_69", At: at}},
		},
		{name: "checkov empty", text: `#checkov:skip=`, wantErr: "no check named"},
		{
			name: "trivy avd id",
			text: `#trivy:ignore:AVD-AWS-0072`,
			want: []Ignore{{Tool: ToolTrivy, ID: "AVD-AWS-0072", At: at}},
		},
		{
			name: "trivy long id with expiry, two directives",
			text: `# trivy:ignore:aws-mq-no-public-access:exp:2025-01-02 trivy:ignore:AVD-AWS-0070`,
			want: []Ignore{
				{Tool: ToolTrivy, ID: "aws-mq-no-public-access", Until: day("2025-01-02"), At: at},
				{Tool: ToolTrivy, ID: "AVD-AWS-0070", At: at},
			},
		},
		{
			name: "tfsec with expiry",
			text: `#tfsec:ignore:aws-mq-no-public-access:exp:2025-01-02`,
			want: []Ignore{{Tool: ToolTFSec, ID: "aws-mq-no-public-access", Until: day("2025-01-02"), At: at}},
		},
		{name: "trivy bad expiry", text: `#trivy:ignore:AVD-AWS-0072:exp:soon`, wantErr: "expiry must be a date"},
		{name: "trivy empty", text: `#trivy:ignore:`, wantErr: "no check named"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(model.Directive{Text: tt.text, At: at})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
				}
				if !strings.HasPrefix(err.Error(), "infra/mq.tf:3: ") {
					t.Errorf("error %q does not name the location", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseErrorDoesNotEchoReason(t *testing.T) {
	_, err := Parse(model.Directive{Text: `# mqguard:ignore MQG001 reason="hunter2-secret`})
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("error = %v", err)
	}
}

func TestMatches(t *testing.T) {
	r := &rules.Rule{
		ID: "MQG001", Slug: "public-access",
		Aliases: []rules.Alias{
			{Tool: "checkov", ID: "CKV_AWS_69"},
			{Tool: "trivy", ID: "AVD-AWS-0072"},
			{Tool: "trivy", ID: "aws-mq-no-public-access"},
			{Tool: "prowler", ID: "mq_broker_not_publicly_accessible"},
		},
	}
	tests := []struct {
		ig   Ignore
		want bool
	}{
		{Ignore{Tool: ToolMQGuard, ID: "MQG001"}, true},
		{Ignore{Tool: ToolMQGuard, ID: "mqg001"}, true},
		{Ignore{Tool: ToolMQGuard, ID: "Public-Access"}, true},
		{Ignore{Tool: ToolMQGuard, ID: "MQG002"}, false},
		{Ignore{Tool: ToolMQGuard, ID: "CKV_AWS_69"}, false},
		{Ignore{Tool: ToolCheckov, ID: "ckv_aws_69"}, true},
		{Ignore{Tool: ToolCheckov, ID: "CKV_AWS_70"}, false},
		{Ignore{Tool: ToolCheckov, ID: "AVD-AWS-0072"}, false},
		{Ignore{Tool: ToolTrivy, ID: "avd-aws-0072"}, true},
		{Ignore{Tool: ToolTrivy, ID: "aws-mq-no-public-access"}, true},
		{Ignore{Tool: ToolTFSec, ID: "aws-mq-no-public-access"}, true},
		{Ignore{Tool: ToolTrivy, ID: "mq_broker_not_publicly_accessible"}, false},
	}
	for _, tt := range tests {
		if got := tt.ig.Matches(r); got != tt.want {
			t.Errorf("%s:%s Matches = %v, want %v", tt.ig.Tool, tt.ig.ID, got, tt.want)
		}
	}
	if (Ignore{Tool: ToolMQGuard, ID: "MQG001"}).Matches(nil) {
		t.Error("Matches(nil) = true")
	}
}

func TestExpired(t *testing.T) {
	ig := Ignore{Until: day("2025-01-01")}
	tests := []struct {
		asOf time.Time
		want bool
	}{
		{day("2024-12-31"), false},
		{day("2025-01-01"), false},
		{time.Date(2025, 1, 1, 23, 59, 0, 0, time.UTC), false},
		{day("2025-01-02"), true},
	}
	for _, tt := range tests {
		if got := ig.Expired(tt.asOf); got != tt.want {
			t.Errorf("Expired(%s) = %v, want %v", tt.asOf, got, tt.want)
		}
	}
	if (Ignore{}).Expired(day("2999-01-01")) {
		t.Error("an ignore without expiry expired")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`# mqguard:ignore MQG001 reason="partner ingress" until=2027-01-31 by=secops`,
		`// mqguard:ignore MQG001,MQG012 reason='x'`,
		`<!-- mqguard:ignore MQG017 reason=y -->`,
		`#checkov:skip=CKV_AWS_69:reason text`,
		`#trivy:ignore:AVD-AWS-0072:exp:2025-01-02 trivy:ignore:x`,
		`#tfsec:ignore:aws-mq-no-public-access`,
		`# mqguard:ignore "`,
		"#MQGUARD:IGNORE İ reason=\"\xff\"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		igs, err := Parse(model.Directive{Text: s, At: model.Range{File: "f.tf", StartLine: 1}})
		for _, ig := range igs {
			if ig.ID == "" || ig.Tool == "" {
				t.Fatalf("empty ignore %+v from %q (err %v)", ig, s, err)
			}
			if ig.Tool == ToolMQGuard && ig.Reason == "" {
				t.Fatalf("mqguard ignore without reason from %q", s)
			}
		}
	})
}
