package history

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// The PostgreSQL tests run against a real server: Debian's postgresql package, initialised in
// a temporary directory and started on a free loopback port by the first test that needs it,
// stopped by PID when the tests end. PostgreSQL refuses to run as root, so under root (as in CI)
// it runs as the unprivileged user nobody, owning its directory. Without the package the tests
// skip locally and fail in CI.

var pg struct {
	once sync.Once
	dsn  string // base URL, without a database name
	err  error
	skip string
	cmd  *exec.Cmd
	dir  string
	dbs  atomic.Int64
}

func TestMain(m *testing.M) {
	code := m.Run()
	stopPostgres()
	os.Exit(code)
}

// pgBin finds a PostgreSQL server program.
func pgBin(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	if len(matches) > 0 {
		return matches[len(matches)-1]
	}
	return ""
}

// postgresDSN returns the URL of a new, empty database on the test server.
func postgresDSN(t testing.TB) string {
	t.Helper()
	pg.once.Do(startPostgres)
	if pg.skip != "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("PostgreSQL is required in CI: %s", pg.skip)
		}
		t.Skipf("PostgreSQL tests skipped: %s", pg.skip)
	}
	if pg.err != nil {
		t.Fatalf("starting PostgreSQL: %v", pg.err)
	}
	name := fmt.Sprintf("t%d", pg.dbs.Add(1))
	db, err := sql.Open("pgx", pg.dsn+"postgres")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	return pg.dsn + name
}

func startPostgres() {
	initdb, server := pgBin("initdb"), pgBin("postgres")
	if initdb == "" || server == "" {
		pg.skip = "initdb and postgres not found (Debian package postgresql)"
		return
	}
	dir, err := os.MkdirTemp("", "mqguard-pg-")
	if err != nil {
		pg.err = err
		return
	}
	pg.dir = dir
	data := filepath.Join(dir, "data")
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("nobody")
		if err != nil {
			pg.err = fmt.Errorf("running PostgreSQL as root is refused and there is no user nobody: %w", err)
			return
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			pg.err = err
			return
		}
	}
	run := func(name string, args ...string) *exec.Cmd {
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "LC_ALL=C")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		return cmd
	}
	if out, err := run(initdb, "-D", data, "-U", "mqguard", "-A", "trust", "--no-sync", "-E", "UTF8").CombinedOutput(); err != nil {
		pg.err = fmt.Errorf("initdb: %w\n%s", err, out)
		return
	}
	port, err := freePort()
	if err != nil {
		pg.err = err
		return
	}
	cmd := run(server, "-D", data, "-k", dir, "-h", "127.0.0.1", "-p", strconv.Itoa(port), "-F")
	log, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		pg.err = err
		return
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		pg.err = fmt.Errorf("starting postgres: %w", err)
		return
	}
	pg.cmd = cmd
	pg.dsn = fmt.Sprintf("postgres://mqguard@127.0.0.1:%d/", port)
	deadline := time.Now().Add(60 * time.Second)
	for {
		db, err := sql.Open("pgx", pg.dsn+"postgres")
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			err = db.PingContext(ctx)
			cancel()
			_ = db.Close()
		}
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			out, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			pg.err = fmt.Errorf("postgres did not accept connections: %w\n%s", err, out)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stopPostgres stops the server by its PID (a fast shutdown) and removes its directory.
func stopPostgres() {
	if pg.cmd != nil && pg.cmd.Process != nil {
		_ = pg.cmd.Process.Signal(syscall.SIGINT)
		done := make(chan struct{})
		go func() { _ = pg.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = pg.cmd.Process.Kill()
			<-done
		}
	}
	if pg.dir != "" {
		_ = os.RemoveAll(pg.dir)
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port, nil
}
