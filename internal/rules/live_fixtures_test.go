package rules

import "github.com/mqguard/mqguard/internal/model"

const cARN = "arn:aws:mq:eu-west-1:111122223333:broker:orders:b-1234"

// cRef locates a field of the live test broker.
func cRef(field string) model.Range { return model.Range{Ref: cARN + "#" + field} }

// cLive turns an aBroker into a live broker that is RUNNING with no action required, on
// revision 3 of configuration c-1234 (its latest) with nothing pending.
func cLive(b *model.Broker) {
	b.ID = model.Identity{Source: model.SourceAWS, Address: cARN, ARN: cARN, Account: "111122223333",
		Region: "eu-west-1", Type: "AWS::AmazonMQ::Broker", At: model.Range{Ref: cARN}}
	b.BrokerState = model.ExplicitString("RUNNING", cRef("BrokerState"))
	b.ActionsRequired = model.StringList{State: model.Explicit, At: cRef("ActionsRequired")}
	b.Configuration = &model.ConfigurationRef{
		ID:       model.ExplicitString("c-1234", cRef("Configurations.Current.Id")),
		Revision: model.Int{V: 3, State: model.Explicit, At: cRef("Configurations.Current.Revision")},
		Config: &model.Configuration{
			LatestRevision: model.Int{V: 3, State: model.Explicit, At: model.Range{Ref: "c-1234#LatestRevision"}},
			Data:           model.Explicit,
		},
		At: cRef("Configurations.Current"),
	}
	b.PendingConfigurationState = model.Explicit
}

// cState sets the live broker state and action codes.
func cState(state model.String, actions model.StringList) func(*model.Broker) {
	return func(b *model.Broker) {
		cLive(b)
		b.BrokerState, b.ActionsRequired = state, actions
	}
}

// cActions is a known list of action codes.
func cActions(codes ...string) model.StringList {
	return model.StringList{V: codes, State: model.Explicit, At: cRef("ActionsRequired")}
}

// cPending sets a pending revision of configuration id on a live broker.
func cPending(id string, rev int64) func(*model.Broker) {
	return func(b *model.Broker) {
		cLive(b)
		b.PendingConfiguration = &model.ConfigurationRef{
			ID:       model.ExplicitString(id, cRef("Configurations.Pending.Id")),
			Revision: model.Int{V: rev, State: model.Explicit, At: cRef("Configurations.Pending.Revision")},
			At:       cRef("Configurations.Pending"),
		}
	}
}
