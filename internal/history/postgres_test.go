package history

import (
	"os"
	"sync"
	"testing"

	"github.com/mqguard/mqguard/internal/history/pgtest"
)

// The PostgreSQL tests share one real server (see pgtest), started by the first test that
// needs it and stopped by PID when the package's tests end.
var pg struct {
	once   sync.Once
	server *pgtest.Server
	err    error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if pg.server != nil {
		pg.server.Stop()
	}
	os.Exit(code)
}

// postgresDSN returns the URL of a new, empty database on the test server.
func postgresDSN(t testing.TB) string {
	t.Helper()
	pg.once.Do(func() { pg.server, pg.err = pgtest.Start() })
	s := pgtest.Check(t, pg.server, pg.err)
	dsn, err := s.NewDatabase()
	if err != nil {
		t.Fatal(err)
	}
	return dsn
}
