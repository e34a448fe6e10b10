package awsapi

import (
	"context"
	"testing"
	"testing/fstest"
)

// FuzzLoadSnapshot feeds arbitrary DescribeBroker and configuration revision documents to the
// snapshot reader: it must never panic, whatever the files hold.
func FuzzLoadSnapshot(f *testing.F) {
	f.Add([]byte(`{"BrokerArn":"arn:aws:mq:eu-west-1:111111111111:broker:b:b-1","BrokerId":"b-1","EngineType":"ACTIVEMQ",`+
		`"DeploymentMode":"SINGLE_INSTANCE","AutoMinorVersionUpgrade":true,"PubliclyAccessible":false,`+
		`"Configurations":{"Current":{"Id":"c-1","Revision":1}},"EncryptionOptions":{"UseAwsOwnedKey":false,"KmsKeyId":"k"},"SecurityGroups":["sg-1"]}`),
		[]byte(`{"Data":"PGJyb2tlci8+"}`))
	f.Add([]byte(`{"BrokerId":"b-1","Users":[{"Username":"../x"}],"Logs":{}}`), []byte(`{"Data":"<broker><x"}`))
	f.Add([]byte(`[]`), []byte(`null`))
	f.Fuzz(func(t *testing.T, broker, revision []byte) {
		const base = "111111111111/eu-west-1/"
		fsys := fstest.MapFS{
			"s/manifest.json": {Data: []byte(`{"Schema":"mqguard-snapshot/v1","Accounts":[{"Id":"111111111111","Regions":["eu-west-1"]}]}`)},
			"s/111111111111/sts/get-caller-identity.json":                 {Data: []byte(`{"Account":"111111111111"}`)},
			"s/" + base + "mq/list-brokers.json":                          {Data: []byte(`{"BrokerSummaries":[{"BrokerId":"b-1","BrokerArn":"arn:aws:mq:eu-west-1:111111111111:broker:b:b-1","EngineType":"ACTIVEMQ"}]}`)},
			"s/" + base + "mq/describe-broker/b-1.json":                   {Data: broker},
			"s/" + base + "mq/describe-configuration-revision/c-1/1.json": {Data: revision},
			"s/" + base + "mq/describe-configuration/c-1.json":            {Data: []byte(`{"Id":"c-1","LatestRevision":{"Revision":1}}`)},
			"s/" + base + "mq/list-users/b-1.json":                        {Data: []byte(`{"Users":[{"Username":"u"}]}`)},
			"s/" + base + "mq/describe-user/b-1/u.json":                   {Data: revision},
			"s/" + base + "ec2/describe-security-groups.json":             {Data: broker},
			"s/" + base + "kms/describe-key/k.json":                       {Data: revision},
		}
		inv, _ := LoadSnapshot(context.Background(), fsys, "s")
		if inv == nil || len(inv.Brokers) != 1 {
			t.Fatalf("the listed broker is missing")
		}
	})
}
