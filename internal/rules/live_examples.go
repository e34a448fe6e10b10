package rules

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

// Live examples are small snapshot directories (the layout `mqguard snapshot --aws` writes), in
// one account and region.
const (
	snapAccount = "111122223333"
	snapRegion  = "eu-west-1"
)

// snapBroker describes the one broker of a live example.
type snapBroker struct {
	ID     string
	Name   string
	Engine string // model.EngineActiveMQ or model.EngineRabbitMQ
	// State is the BrokerState; Actions are ActionRequiredCode, ActionRequiredInfo pairs.
	State   string
	Actions [][2]string
	// Configuration (ActiveMQ): the revision in use, the pending one (0: none) and the latest.
	ConfigRevision  int
	PendingRevision int
	LatestRevision  int
	// Public makes the broker publicly accessible; KeyID encrypts it with that customer managed key.
	Public bool
	KeyID  string
}

func (s snapBroker) arn() string {
	return fmt.Sprintf("arn:aws:mq:%s:%s:broker:%s:%s", snapRegion, snapAccount, s.Name, s.ID)
}

func (s snapBroker) configID() string { return "c-" + s.ID[2:] }

func (s snapBroker) activeMQ() bool { return s.Engine == model.EngineActiveMQ }

// snapshotExample returns the files of a snapshot directory holding the broker, with every file
// the source reads for it.
func snapshotExample(s snapBroker) map[string]string {
	const created = "2026-03-02T10:15:00Z"
	regionDir := snapAccount + "/" + snapRegion + "/"
	files := map[string]string{}
	put := func(name string, v any) {
		data, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			panic(err) // static example data
		}
		files[name] = string(data) + "\n"
	}
	type obj = map[string]any

	put("manifest.json", obj{
		"Schema": "mqguard-snapshot/v1", "TakenAt": "2026-11-20T09:30:00Z", "ToolVersion": "1.0.0",
		"Accounts": []obj{{"Id": snapAccount, "Name": "payments-prod", "Regions": []string{snapRegion}}},
	})
	put(snapAccount+"/sts/get-caller-identity.json", obj{
		"Account": snapAccount,
		"Arn":     "arn:aws:sts::" + snapAccount + ":assumed-role/SecurityAudit/auditor",
		"UserId":  "AROAEXAMPLEROLEID1234:auditor",
	})
	put(snapAccount+"/ec2/describe-regions.json", obj{"Regions": []obj{{
		"Endpoint": "ec2." + snapRegion + ".amazonaws.com", "OptInStatus": "opt-in-not-required", "RegionName": snapRegion,
	}}})

	version, instance, mode := "5.18", "mq.m5.large", "ACTIVE_STANDBY_MULTI_AZ"
	if !s.activeMQ() {
		version, mode = "3.13", "CLUSTER_MULTI_AZ"
	}
	put(regionDir+"mq/list-brokers.json", obj{"BrokerSummaries": []obj{{
		"BrokerArn": s.arn(), "BrokerId": s.ID, "BrokerName": s.Name, "BrokerState": s.State,
		"Created": created, "DeploymentMode": mode, "EngineType": s.Engine, "HostInstanceType": instance,
	}}})
	put(regionDir+"mq/describe-broker-engine-types.json", obj{"BrokerEngineTypes": []obj{
		{"EngineType": "ACTIVEMQ", "EngineVersions": []obj{{"Name": "5.19"}, {"Name": "5.18"}}},
		{"EngineType": "RABBITMQ", "EngineVersions": []obj{{"Name": "4.2"}, {"Name": "3.13"}}},
	}})

	const sg = "sg-0a1b2c3d4e5f60718"
	broker := obj{
		"AuthenticationStrategy":  "SIMPLE",
		"AutoMinorVersionUpgrade": true,
		"BrokerArn":               s.arn(),
		"BrokerId":                s.ID,
		"BrokerName":              s.Name,
		"BrokerState":             s.State,
		"Created":                 created,
		"DataReplicationMode":     "NONE",
		"DeploymentMode":          mode,
		"EncryptionOptions":       obj{"UseAwsOwnedKey": true},
		"EngineType":              s.Engine,
		"EngineVersion":           version,
		"HostInstanceType":        instance,
		"Logs":                    obj{"Audit": false, "General": true, "GeneralLogGroup": "/aws/amazonmq/broker/" + s.ID + "/general"},
		"MaintenanceWindowStartTime": obj{
			"DayOfWeek": "SUNDAY", "TimeOfDay": "03:00", "TimeZone": "UTC",
		},
		"PubliclyAccessible": false,
		"SecurityGroups":     []string{sg},
		"StorageType":        "EBS",
		"SubnetIds":          []string{"subnet-0a1b2c3d4e5f60718", "subnet-0b2c3d4e5f6071829"},
		"Tags":               obj{"owner": "payments-platform", "application": s.Name, "data-sensitivity": "internal"},
		"Users":              []obj{},
	}
	if s.Public {
		broker["PubliclyAccessible"] = true
	}
	if s.KeyID != "" {
		keyARN := fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", snapRegion, snapAccount, s.KeyID)
		broker["EncryptionOptions"] = obj{"KmsKeyId": keyARN, "UseAwsOwnedKey": false}
		put(regionDir+"kms/describe-key/"+strings.ReplaceAll(url.PathEscape(keyARN), ":", "%3A")+".json", obj{"KeyMetadata": obj{
			"AWSAccountId": snapAccount, "Arn": keyARN, "CreationDate": created, "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
			"Description": "Amazon MQ data at rest", "EncryptionAlgorithms": []string{"SYMMETRIC_DEFAULT"}, "Enabled": true,
			"KeyId": s.KeyID, "KeyManager": "CUSTOMER", "KeySpec": "SYMMETRIC_DEFAULT", "KeyState": "Enabled",
			"KeyUsage": "ENCRYPT_DECRYPT", "MultiRegion": false, "Origin": "AWS_KMS",
		}})
	}
	if len(s.Actions) > 0 {
		actions := make([]obj, 0, len(s.Actions))
		for _, a := range s.Actions {
			actions = append(actions, obj{"ActionRequiredCode": a[0], "ActionRequiredInfo": a[1]})
		}
		broker["ActionsRequired"] = actions
	}
	if s.activeMQ() {
		broker["StorageType"] = "EFS"
		broker["Users"] = []obj{{"Username": "orders-app"}}
		configs := obj{
			"Current": obj{"Id": s.configID(), "Revision": s.ConfigRevision},
			"History": []obj{},
		}
		if s.PendingRevision != 0 {
			configs["Pending"] = obj{"Id": s.configID(), "Revision": s.PendingRevision}
		}
		broker["Configurations"] = configs

		put(regionDir+"mq/list-users/"+s.ID+".json", obj{
			"BrokerId": s.ID, "MaxResults": 100, "Users": []obj{{"Username": "orders-app"}},
		})
		put(regionDir+"mq/describe-user/"+s.ID+"/orders-app.json", obj{
			"BrokerId": s.ID, "ConsoleAccess": false, "Groups": []string{"app"}, "ReplicationUser": false, "Username": "orders-app",
		})
		put(regionDir+"mq/describe-configuration/"+s.configID()+".json", obj{
			"Arn":                    fmt.Sprintf("arn:aws:mq:%s:%s:configuration:%s", snapRegion, snapAccount, s.configID()),
			"AuthenticationStrategy": "SIMPLE",
			"Created":                created,
			"Description":            "Broker configuration of " + s.Name,
			"EngineType":             s.Engine,
			"EngineVersion":          version,
			"Id":                     s.configID(),
			"LatestRevision": obj{
				"Created": "2026-10-14T08:00:00Z", "Description": "Revision " + fmt.Sprint(s.LatestRevision), "Revision": s.LatestRevision,
			},
			"Name": s.Name + "-config",
			"Tags": obj{"owner": "payments-platform"},
		})
		revisions := []int{s.ConfigRevision}
		if s.PendingRevision != 0 && s.PendingRevision != s.ConfigRevision {
			revisions = append(revisions, s.PendingRevision)
		}
		for _, rev := range revisions {
			put(fmt.Sprintf("%smq/describe-configuration-revision/%s/%d.json", regionDir, s.configID(), rev), obj{
				"ConfigurationId": s.configID(),
				"Created":         created,
				"Data":            base64.StdEncoding.EncodeToString([]byte(snapActiveMQXML)),
				"Description":     "Revision " + fmt.Sprint(rev),
			})
		}
	}
	put(regionDir+"mq/describe-broker/"+s.ID+".json", broker)
	put(regionDir+"ec2/describe-security-groups.json", obj{"SecurityGroups": []obj{{
		"Description": "Clients of " + s.Name,
		"GroupId":     sg,
		"GroupName":   s.Name + "-mq",
		"IpPermissions": []obj{{
			"FromPort": 61617, "IpProtocol": "tcp", "IpRanges": []obj{{"CidrIp": "10.20.0.0/16", "Description": "Client VPC"}},
			"Ipv6Ranges": []obj{}, "PrefixListIds": []obj{}, "ToPort": 61617, "UserIdGroupPairs": []obj{},
		}},
		"IpPermissionsEgress": []obj{},
		"OwnerId":             snapAccount,
		"VpcId":               "vpc-0a1b2c3d4e5f60718",
	}}})
	return files
}

// snapActiveMQXML is the configuration body of the ActiveMQ examples: authorization entries for
// the application's queues and no network connector.
const snapActiveMQXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<broker xmlns="http://activemq.apache.org/schema/core">
  <plugins>
    <authorizationPlugin>
      <map>
        <authorizationMap>
          <authorizationEntries>
            <authorizationEntry admin="admins" queue="orders.>" read="app" write="app"/>
            <authorizationEntry admin="admins" read="admins" topic="ActiveMQ.Advisory.>" write="admins"/>
          </authorizationEntries>
        </authorizationMap>
      </map>
    </authorizationPlugin>
  </plugins>
</broker>
`
