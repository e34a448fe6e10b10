// Package pgtest starts a real PostgreSQL server for tests: Debian's postgresql package,
// initialised in a temporary directory and listening on a free loopback port, stopped by PID.
// PostgreSQL refuses to run as root, so under root (as in CI) the server runs as the
// unprivileged user nobody, which owns its directory. Without the package, tests skip locally
// and fail in CI (CI set).
package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// ErrMissing is a machine without PostgreSQL's server programs.
var ErrMissing = errors.New("initdb and postgres not found (Debian package postgresql)")

// Server is a running test server.
type Server struct {
	// URL is the server's base URL, without a database name.
	URL string
	cmd *exec.Cmd
	dir string
	dbs atomic.Int64
}

// bin finds a PostgreSQL server program on PATH or in Debian's versioned directories.
func bin(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	if len(matches) > 0 {
		return matches[len(matches)-1]
	}
	return ""
}

// Start initialises and starts a server; ErrMissing when PostgreSQL is not installed.
func Start() (*Server, error) {
	initdb, server := bin("initdb"), bin("postgres")
	if initdb == "" || server == "" {
		return nil, ErrMissing
	}
	dir, err := os.MkdirTemp("", "mqguard-pg-")
	if err != nil {
		return nil, err
	}
	s := &Server{dir: dir}
	if err := s.start(initdb, server); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

func (s *Server) start(initdb, server string) error {
	data := filepath.Join(s.dir, "data")
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("nobody")
		if err != nil {
			return fmt.Errorf("PostgreSQL refuses to run as root and there is no user nobody: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(s.dir, uid, gid); err != nil {
			return err
		}
	}
	command := func(name string, args ...string) *exec.Cmd {
		cmd := exec.Command(name, args...)
		cmd.Dir = s.dir
		cmd.Env = append(os.Environ(), "LC_ALL=C")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		return cmd
	}
	if out, err := command(initdb, "-D", data, "-U", "mqguard", "-A", "trust", "--no-sync", "-E", "UTF8").CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %w\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	logPath := filepath.Join(s.dir, "server.log")
	log, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer func() { _ = log.Close() }()
	// -F: no fsync, the data is thrown away; -k: the socket in the temporary directory.
	cmd := command(server, "-D", data, "-k", s.dir, "-h", "127.0.0.1", "-p", strconv.Itoa(port), "-F")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting postgres: %w", err)
	}
	s.cmd = cmd
	s.URL = fmt.Sprintf("postgres://mqguard@127.0.0.1:%d/", port)
	deadline := time.Now().Add(60 * time.Second)
	for {
		err := s.ping()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			out, _ := os.ReadFile(logPath)
			return fmt.Errorf("postgres did not accept connections: %w\n%s", err, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *Server) ping() error {
	db, err := sql.Open("pgx", s.URL+"postgres")
	if err != nil {
		return err
	}
	defer func() { _ = db.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}

// NewDatabase creates an empty database and returns its URL.
func (s *Server) NewDatabase() (string, error) {
	name := fmt.Sprintf("t%d", s.dbs.Add(1))
	db, err := sql.Open("pgx", s.URL+"postgres")
	if err != nil {
		return "", err
	}
	defer func() { _ = db.Close() }()
	if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
		return "", err
	}
	return s.URL + name, nil
}

// Stop stops the server by its PID (a fast shutdown) and removes its directory.
func (s *Server) Stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(syscall.SIGINT)
		done := make(chan struct{})
		go func() { _ = s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = s.cmd.Process.Kill()
			<-done
		}
		s.cmd = nil
	}
	_ = os.RemoveAll(s.dir)
}

// Check turns Start's outcome into the test's: a skip without PostgreSQL (a failure in CI), a
// failure when it could not start.
func Check(t testing.TB, s *Server, err error) *Server {
	t.Helper()
	if errors.Is(err, ErrMissing) {
		if os.Getenv("CI") != "" {
			t.Fatalf("PostgreSQL is required in CI: %v", err)
		}
		t.Skipf("PostgreSQL tests skipped: %v", err)
	}
	if err != nil {
		t.Fatalf("starting PostgreSQL: %v", err)
	}
	return s
}

// Database starts a server for this test alone (stopped at its end) and returns the URL of an
// empty database on it.
func Database(t testing.TB) string {
	t.Helper()
	s, err := Start()
	s = Check(t, s, err)
	t.Cleanup(s.Stop)
	dsn, err := s.NewDatabase()
	if err != nil {
		t.Fatal(err)
	}
	return dsn
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port, nil
}
