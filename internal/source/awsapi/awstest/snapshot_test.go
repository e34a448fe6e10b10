package awstest

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/mq"
)

func TestLoadWorld(t *testing.T) {
	w := snapshotWorld(t)
	if w.HomeAccount != home {
		t.Errorf("home account = %s, want %s", w.HomeAccount, home)
	}
	if len(w.Organization) != 3 {
		t.Errorf("organization has %d accounts, want 3", len(w.Organization))
	}
	r := w.Accounts[home].Regions[region]
	var ids []string
	for _, b := range r.Brokers {
		ids = append(ids, aws.ToString(b.summary().BrokerId))
	}
	if strings.Join(ids, ",") != "b-1111,b-2222,b-3333" {
		t.Errorf("brokers in list order = %v", ids)
	}
	if got := r.Brokers[0].Detail.Created; got == nil || !got.Equal(time.Date(2024, 1, 2, 3, 4, 5, 123e6, time.UTC)) {
		t.Errorf("CLI timestamp read as %v", got)
	}
	for _, key := range []string{
		"111122223333/eu-west-1/mq/describe-broker/b-3333",
		"111122223333/eu-west-1/mq/describe-user/b-1111/app",
		"111122223333/eu-west-1/kms/describe-key/alias%2Fmissing",
		"444455556666/eu-west-1/ec2/describe-security-groups",
	} {
		if _, ok := w.Errors[key]; !ok {
			t.Errorf("no error for %s", key)
		}
	}
	if n := len(r.Configurations[0].Revisions); n != 3 {
		t.Errorf("%d revisions, want 3", n)
	}
	if aws.ToString(w.Accounts[member].CallerIdentity.Account) != member {
		t.Error("member caller identity not loaded")
	}
}

func TestSnapshotPath(t *testing.T) {
	tests := []struct {
		c    Call
		want string
	}{
		{Call{Service: "organizations", Operation: "ListAccounts", Account: home}, "organizations/list-accounts"},
		{Call{Service: "sts", Operation: "GetCallerIdentity", Account: home, Region: region}, home + "/sts/get-caller-identity"},
		{Call{Service: "sts", Operation: "AssumeRole", Account: home, Resource: "arn:aws:iam::" + member + ":role/x"}, member + "/sts/assume-role"},
		{Call{Service: "ec2", Operation: "DescribeRegions", Account: home, Region: region}, home + "/ec2/describe-regions"},
		{Call{Service: "ec2", Operation: "DescribeSecurityGroups", Account: home, Region: region, Resource: "sg-1"}, home + "/eu-west-1/ec2/describe-security-groups"},
		{Call{Service: "mq", Operation: "DescribeBrokerEngineTypes", Account: home, Region: region}, home + "/eu-west-1/mq/describe-broker-engine-types"},
		{Call{Service: "mq", Operation: "DescribeConfigurationRevision", Account: home, Region: region, Resource: "c-1/2"}, home + "/eu-west-1/mq/describe-configuration-revision/c-1/2"},
		{Call{Service: "kms", Operation: "DescribeKey", Account: home, Region: region, Resource: "alias/x"}, home + "/eu-west-1/kms/describe-key/alias%2Fx"},
	}
	for _, tt := range tests {
		if got := SnapshotPath(tt.c); got != tt.want {
			t.Errorf("SnapshotPath(%+v) = %s, want %s", tt.c, got, tt.want)
		}
	}
}

func TestLoadWorldErrors(t *testing.T) {
	manifest := `{"Schema":"mqguard-snapshot/v1","Accounts":[{"Id":"111122223333","Regions":["eu-west-1"]}]}`
	tests := []struct {
		name  string
		files fstest.MapFS
		want  string // substring of the error
	}{
		{"no manifest", fstest.MapFS{}, "manifest.json"},
		{"wrong schema", fstest.MapFS{"s/manifest.json": {Data: []byte(`{"Schema":"v0"}`)}}, `schema "v0"`},
		{"syntax error names the line", fstest.MapFS{
			"s/manifest.json": {Data: []byte(manifest)},
			"s/111122223333/eu-west-1/mq/describe-broker/b-1.json": {Data: []byte("{\n\"BrokerId\": \"b-1\",\n\"BrokerName\": ]\n}")},
		}, "describe-broker/b-1.json:3:"},
		{"wrong type names the member", fstest.MapFS{
			"s/manifest.json": {Data: []byte(manifest)},
			"s/111122223333/eu-west-1/mq/describe-broker/b-1.json": {Data: []byte(`{"Logs":{"General":"yes"}}`)},
		}, "Logs.General: want a boolean"},
		{"bad timestamp", fstest.MapFS{
			"s/manifest.json": {Data: []byte(manifest)},
			"s/111122223333/eu-west-1/mq/describe-broker/b-1.json": {Data: []byte(`{"Created":"yesterday"}`)},
		}, "Created: not an ISO 8601 timestamp"},
		{"error file without code", fstest.MapFS{
			"s/manifest.json": {Data: []byte(manifest)},
			"s/111122223333/eu-west-1/mq/list-brokers.error.json": {Data: []byte(`{"Message":"x"}`)},
		}, "no Code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadWorld(tt.files, "s")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadWorld error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestDecodeTimestamps(t *testing.T) {
	want := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, ts := range []string{`"2024-01-02T03:04:05Z"`, `"2024-01-02T03:04:05.000000+00:00"`, `"2024-01-02T04:04:05+01:00"`, `1704164645`, `1704164645.0`} {
		var out mq.DescribeConfigurationRevisionOutput
		if err := decodeCLIJSON("f.json", []byte(`{"Created":`+ts+`}`), &out); err != nil {
			t.Errorf("%s: %v", ts, err)
			continue
		}
		if !out.Created.Equal(want) {
			t.Errorf("%s read as %v", ts, out.Created)
		}
	}
}

func FuzzDecodeCLIJSON(f *testing.F) {
	f.Add([]byte(`{"KeyMetadata":{"KeyId":"k","CreationDate":1.5,"Enabled":true,"EncryptionAlgorithms":["SYMMETRIC_DEFAULT"]}}`))
	f.Add([]byte(`{"KeyMetadata":{"MultiRegionConfiguration":{"ReplicaKeys":[{"Arn":"a"}]},"PendingDeletionWindowInDays":7}}`))
	f.Add([]byte(`{"KeyMetadata":{"CreationDate":"2024-01-02T03:04:05.000000+00:00"}}`))
	f.Add([]byte(`[1,2,{"a":null}]`))
	f.Add([]byte(`{"KeyMetadata":{"CreationDate":1e300}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var k kms.DescribeKeyOutput
		_ = decodeCLIJSON("f.json", data, &k)
		var b mq.DescribeBrokerOutput
		_ = decodeCLIJSON("f.json", data, &b)
	})
}
