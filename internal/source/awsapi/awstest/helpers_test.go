package awstest

import (
	"errors"
	"os"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go"
)

const (
	home   = "111122223333"
	member = "444455556666"
	region = "eu-west-1"
)

// answer is one response the server sent.
type answer struct {
	call   Call
	status int
	body   []byte
}

type answers struct {
	mu  sync.Mutex
	all []answer
}

func (a *answers) add(c Call, status int, body []byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.all = append(a.all, answer{c, status, append([]byte(nil), body...)})
}

func (a *answers) list() []answer {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]answer(nil), a.all...)
}

// startServer starts a fake for the test; when the test ends it closes it and checks every
// successful answer against the service models (when they are installed).
func startServer(t *testing.T, w *World, f Faults) (*Server, *answers) {
	t.Helper()
	rec := &answers{}
	s := newServer(w, f, rec.add)
	t.Cleanup(func() {
		s.Close()
		models, err := loadModels()
		if err != nil {
			t.Logf("wire check skipped: %v", err)
			return
		}
		for _, problem := range checkAnswers(models, rec.list()) {
			t.Error(problem)
		}
	})
	return s, rec
}

// snapshotWorld loads testdata/snapshot.
func snapshotWorld(t *testing.T) *World {
	t.Helper()
	w, err := LoadWorld(os.DirFS("testdata"), "snapshot")
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// clientConfig is an SDK configuration that calls s as account (home when empty), without
// retries unless retries is set.
func clientConfig(s *Server, account string, retries bool) aws.Config {
	akid := "AKIDEXAMPLEHOME"
	if account != "" {
		akid = SessionKey(account)
	}
	cfg := aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider(akid, "secret", ""),
		BaseEndpoint: aws.String(s.URL()),
	}
	if !retries {
		cfg.Retryer = func() aws.Retryer { return aws.NopRetryer{} }
	}
	return cfg
}

// errorCode is the AWS error code of err ("" when err is nil or carries none).
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
