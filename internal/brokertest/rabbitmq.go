package brokertest

import (
	"crypto/md5" //nolint:gosec // RabbitMQ's rabbit_password_hashing_md5, reproduced to test its detection
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"hash"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// RabbitMQServer finds the rabbitmq-server script of Debian's package (run directly, not
// through the wrapper that switches to the rabbitmq user), or the one MQGUARD_RABBITMQ_SERVER
// names; the test skips without it (fails under CI).
func RabbitMQServer(t testing.TB) string {
	t.Helper()
	paths := []string{"/usr/lib/rabbitmq/bin/rabbitmq-server"}
	if m, _ := filepath.Glob("/usr/lib/rabbitmq/lib/rabbitmq_server-*/sbin/rabbitmq-server"); len(m) > 0 {
		paths = append(paths, m...)
	}
	if p := os.Getenv("MQGUARD_RABBITMQ_SERVER"); p != "" {
		paths = []string{p}
	}
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && st.Mode()&0o111 != 0 {
			return p
		}
	}
	missing(t, "rabbitmq-server", "rabbitmq-server")
	return ""
}

// epmdPath finds the Erlang port mapper of the Erlang runtime RabbitMQ runs on.
func epmdPath(t testing.TB) string {
	t.Helper()
	paths, _ := filepath.Glob("/usr/lib/erlang/erts-*/bin/epmd")
	p, err := lookPath("epmd", append([]string{"/usr/bin/epmd"}, paths...)...)
	if err != nil {
		missing(t, "epmd", "erlang-base (with rabbitmq-server)")
	}
	return p
}

// RabbitMQOptions describe a node to start.
type RabbitMQOptions struct {
	// ConfDir holds the node's configuration: rabbitmq.conf, and when present
	// advanced.config and enabled_plugins (the plugins the configuration needs, e.g.
	// [rabbitmq_management].). Paths inside it (load_definitions, certificates) are absolute.
	ConfDir string
	// Ports are the listener ports the configuration names: each must be free again once
	// the node is stopped.
	Ports []int
	// Ready are the checks that say the node is up (the management API answering, a
	// listener accepting); they run in order.
	Ready []Check
}

// RabbitMQ is a running node.
type RabbitMQ struct {
	// Node is the node name (unique per test, @localhost).
	Node string
	// EPMDPort and DistPort are the Erlang port mapper's and the node's distribution ports,
	// both on loopback and chosen free: a system epmd is never used.
	EPMDPort, DistPort int
	// Startup is the time from the start of the node to its readiness (a figure to report,
	// not to assert).
	Startup time.Duration
}

// StartRabbitMQ starts a RabbitMQ node from Debian's package with the configuration in
// opts.ConfDir, its own Erlang port mapper, and mnesia, log and home directories (the Erlang
// cookie) under a temporary directory, and waits for opts.Ready. The node and the port mapper
// are stopped by their PIDs when the test ends.
func StartRabbitMQ(t testing.TB, opts RabbitMQOptions) *RabbitMQ {
	t.Helper()
	server := RabbitMQServer(t)
	epmd := epmdPath(t)
	run := t.TempDir()
	for _, d := range []string{"mnesia", "log", "home"} {
		if err := os.MkdirAll(filepath.Join(run, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ports := FreePorts(t, 2)
	node := &RabbitMQ{Node: fmt.Sprintf("mqguard-%d-%d@localhost", os.Getpid(), ports[1]), EPMDPort: ports[0], DistPort: ports[1]}
	epmdPort := strconv.Itoa(node.EPMDPort)

	// The port mapper runs in the foreground under the test's control; the node finds it on
	// ERL_EPMD_PORT and does not start one of its own.
	em := exec.Command(epmd, "-port", epmdPort, "-address", "127.0.0.1") //nolint:gosec // the Erlang runtime's epmd
	em.Env = append(os.Environ(), "ERL_EPMD_PORT="+epmdPort, "ERL_EPMD_ADDRESS=127.0.0.1")
	ep := start(t, "epmd", em, filepath.Join(run, "epmd.log"), []int{node.EPMDPort})
	ep.waitReady(t, time.Now(), TCPCheck("127.0.0.1:"+epmdPort))

	confFile := func(name string) string { return filepath.Join(opts.ConfDir, name) }
	env := []string{
		// An empty environment file: /etc/rabbitmq/rabbitmq-env.conf is not read.
		"RABBITMQ_CONF_ENV_FILE=" + filepath.Join(run, "rabbitmq-env.conf"),
		"RABBITMQ_CONFIG_FILE=" + confFile("rabbitmq.conf"),
		"RABBITMQ_ADVANCED_CONFIG_FILE=" + confFile("advanced.config"),
		"RABBITMQ_ENABLED_PLUGINS_FILE=" + confFile("enabled_plugins"),
		"RABBITMQ_MNESIA_BASE=" + filepath.Join(run, "mnesia"),
		"RABBITMQ_LOG_BASE=" + filepath.Join(run, "log"),
		"RABBITMQ_PID_FILE=" + filepath.Join(run, "rabbitmq.pid"),
		"RABBITMQ_NODENAME=" + node.Node,
		"RABBITMQ_USE_LONGNAME=false",
		"RABBITMQ_DIST_PORT=" + strconv.Itoa(node.DistPort),
		// Distribution on loopback only.
		"RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}",
		"ERL_EPMD_PORT=" + epmdPort,
		"ERL_EPMD_ADDRESS=127.0.0.1",
		"HOME=" + filepath.Join(run, "home"),
		"LANG=C.UTF-8", "LC_ALL=C.UTF-8",
	}
	// RABBITMQ_NODE_PORT is left unset on purpose: it would add an AMQP listener the
	// configuration file does not declare (the hardened configuration has listeners.tcp = none).
	write(t, filepath.Join(run, "rabbitmq-env.conf"), nil, 0o644)
	cmd := exec.Command(server) //nolint:gosec // Debian's rabbitmq-server script
	cmd.Dir = run
	cmd.Env = append(cleanEnv("RABBITMQ_", "ERL_", "HOME=", "LANG=", "LC_ALL="), env...)
	begun := time.Now()
	p := start(t, "rabbitmq-server "+node.Node, cmd, filepath.Join(run, "rabbitmq-server.log"),
		append([]int{node.DistPort}, opts.Ports...))
	node.Startup = p.waitReady(t, begun, opts.Ready...)
	t.Logf("RabbitMQ node %s ready in %s", node.Node, node.Startup.Round(time.Millisecond))
	return node
}

// cleanEnv is the test's environment without the variables whose names start with one of
// the prefixes.
func cleanEnv(prefixes ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		keep := true
		for _, p := range prefixes {
			if strings.HasPrefix(kv, p) {
				keep = false
				break
			}
		}
		if keep {
			out = append(out, kv)
		}
	}
	return out
}

// RabbitPasswordHash is a password_hash of a definitions export: base64 of a random 4-byte
// salt followed by H(salt + password), with H the named hashing module
// (rabbit_password_hashing_md5, _sha256, _sha512).
func RabbitPasswordHash(t testing.TB, module, password string) string {
	t.Helper()
	var h hash.Hash
	switch module {
	case "rabbit_password_hashing_md5":
		h = md5.New() //nolint:gosec // the weak scheme under test
	case "rabbit_password_hashing_sha256":
		h = sha256.New()
	case "rabbit_password_hashing_sha512":
		h = sha512.New()
	default:
		t.Fatalf("unknown RabbitMQ hashing module %q", module)
	}
	salt := make([]byte, 4)
	if _, err := rand.Read(salt); err != nil {
		t.Fatal(err)
	}
	h.Write(salt)
	h.Write([]byte(password))
	return base64.StdEncoding.EncodeToString(append(salt, h.Sum(nil)...))
}
