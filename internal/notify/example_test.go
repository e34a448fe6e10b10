package notify_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/mqguard/mqguard/internal/finding"
	"github.com/mqguard/mqguard/internal/notify"
)

// Example announces a scan's new findings to every --notify destination; a failed delivery is
// the caller's error entry, named without the webhook's secret.
func Example() {
	// A webhook standing in for Slack's.
	srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()

	dests, err := notify.ParseDestinations([]string{srv.URL + "/services/T000/B000/XXXX"})
	if err != nil {
		fmt.Println(err) // a usage error
		return
	}
	newFindings := []finding.Finding{{RuleID: "MQG001", Title: "Broker is publicly accessible", Severity: "CRITICAL",
		Status: finding.StatusFail, Resource: finding.Resource{Address: "aws_mq_broker.orders"}}}
	m, err := notify.Build(newFindings, notify.Options{Event: notify.EventNew, MinSeverity: "HIGH", Scope: "infra/"})
	if err != nil {
		fmt.Println(err)
		return
	}
	s := &notify.Sender{HTTPClient: srv.Client()} // and AWS: &cfg for SNS topics
	for _, d := range dests {
		if err := s.Send(context.Background(), d, m); err != nil {
			fmt.Println(err) // an error entry: exit code 3
		}
	}
	fmt.Println(m.Text)
	// Output: 1 new finding at or above HIGH in infra/
}
