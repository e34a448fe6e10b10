package brokertest

import (
	"crypto/md5"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

func TestFreePortsAreDistinctAndFree(t *testing.T) {
	ports := FreePorts(t, 5)
	seen := map[int]bool{}
	for _, p := range ports {
		if p <= 0 || seen[p] {
			t.Fatalf("ports %v: %d repeated or invalid", ports, p)
		}
		seen[p] = true
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			t.Fatalf("port %d is not free: %v", p, err)
		}
		_ = l.Close()
	}
}

func TestRenderSubstitutesAndRefusesMissingKeys(t *testing.T) {
	src := t.TempDir()
	if err := os.MkdirAll(filepath.Join(src, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(src, "a.conf"), []byte("port = {{.Port}}\n"), 0o644)
	write(t, filepath.Join(src, "sub", "b.xml"), []byte(`<x uri="tcp://0.0.0.0:{{.Port}}"/>`), 0o644)
	dst := filepath.Join(t.TempDir(), "out")
	Render(t, src, dst, map[string]any{"Port": 1234})
	for name, want := range map[string]string{"a.conf": "port = 1234\n", "sub/b.xml": `<x uri="tcp://0.0.0.0:1234"/>`} {
		got, err := os.ReadFile(filepath.Join(dst, name))
		if err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", name, got, err, want)
		}
	}

	if failed, _ := run(t, func(tb testing.TB) { Render(tb, src, t.TempDir(), map[string]any{}) }); !failed {
		t.Error("a template naming a value the test did not give rendered without error")
	}
}

// fakeT records a fatal failure or a skip instead of ending the test.
type fakeT struct {
	testing.TB
	failed, skipped bool
}

func (f *fakeT) Fatalf(string, ...any) { f.failed = true; panic("fatal") }
func (f *fakeT) Skipf(string, ...any)  { f.skipped = true; panic("skip") }
func (f *fakeT) Helper()               {}

// run calls fn with a fakeT and reports whether it failed or skipped.
func run(t *testing.T, fn func(testing.TB)) (failed, skipped bool) {
	ft := &fakeT{TB: t}
	func() {
		defer func() { _ = recover() }()
		fn(ft)
	}()
	return ft.failed, ft.skipped
}

// A missing package skips the test, except under CI, where it fails it.
func TestMissingPackageSkipsExceptInCI(t *testing.T) {
	t.Setenv("MQGUARD_RABBITMQ_SERVER", filepath.Join(t.TempDir(), "rabbitmq-server"))
	t.Setenv("MQGUARD_ACTIVEMQ_HOME", t.TempDir())
	finders := map[string]func(testing.TB){
		"rabbitmq": func(tb testing.TB) { RabbitMQServer(tb) },
		"activemq": func(tb testing.TB) { ActiveMQHome(tb) },
	}
	for name, find := range finders {
		t.Setenv("CI", "")
		if failed, skipped := run(t, find); failed || !skipped {
			t.Errorf("%s missing outside CI: failed %v, skipped %v; want a skip", name, failed, skipped)
		}
		t.Setenv("CI", "true")
		if failed, skipped := run(t, find); !failed || skipped {
			t.Errorf("%s missing in CI: failed %v, skipped %v; want a failure", name, failed, skipped)
		}
	}
}

func TestRabbitPasswordHashVerifies(t *testing.T) {
	for module, sum := range map[string]func([]byte) []byte{
		"rabbit_password_hashing_md5":    func(b []byte) []byte { s := md5.Sum(b); return s[:] },
		"rabbit_password_hashing_sha256": func(b []byte) []byte { s := sha256.Sum256(b); return s[:] },
	} {
		h := RabbitPasswordHash(t, module, "guest")
		raw, err := base64.StdEncoding.DecodeString(h)
		if err != nil {
			t.Fatal(err)
		}
		salt, digest := raw[:4], raw[4:]
		if want := sum(append(append([]byte{}, salt...), "guest"...)); string(digest) != string(want) {
			t.Errorf("%s: hash does not verify", module)
		}
		if h2 := RabbitPasswordHash(t, module, "guest"); h2 == h {
			t.Errorf("%s: two hashes share a salt", module)
		}
	}
}

func TestCAIssuesVerifiableServerCertificates(t *testing.T) {
	ca := NewCA(t)
	files := ca.WriteServerPEM(t, t.TempDir())
	pair, err := tls.LoadX509KeyPair(files.Cert, files.Key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"localhost", "127.0.0.1", "::1"} {
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: ca.Pool, DNSName: name}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: ca.Pool, DNSName: "example.com"}); err == nil {
		t.Error("the certificate verifies for a name it was not issued for")
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: NewCA(t).Pool, DNSName: "localhost"}); err == nil {
		t.Error("the certificate verifies against another CA")
	}
	if st, err := os.Stat(files.Key); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode: %v %v", st.Mode(), err)
	}
}

func TestKeystoreHoldsTheSignedChain(t *testing.T) {
	keytool := Keytool(t)
	ca := NewCA(t)
	path := filepath.Join(t.TempDir(), "broker.p12")
	ca.WriteKeystore(t, path, "changeit-test")
	out, err := exec.Command(keytool, "-exportcert", "-rfc", "-alias", "broker", "-keystore", path,
		"-storetype", "PKCS12", "-storepass", "changeit-test").Output()
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(out)
	if block == nil {
		t.Fatalf("no certificate exported: %s", out)
	}
	leaf, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: ca.Pool, DNSName: "localhost"}); err != nil {
		t.Errorf("the keystore's certificate does not verify against the CA: %v", err)
	}
}

// A process tree whose child leaves the process group (as erl_child_setup does) is stopped
// whole, and its port is free afterwards.
func TestStopEndsTheWholeTree(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	setsid, err := exec.LookPath("setsid")
	if err != nil {
		t.Skip("no setsid")
	}
	var child procInfo
	t.Run("run", func(t *testing.T) {
		cmd := exec.Command(sh, "-c", setsid+" sleep 600 & exec sleep 600")
		p := start(t, "tree", cmd, filepath.Join(t.TempDir(), "out.log"), nil)
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			if d := descendants(p.cmd.Process.Pid); len(d) > 0 {
				child = d[0]
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if child.pid == 0 {
			t.Fatal("the child never started")
		}
		if pgid, _ := syscall.Getpgid(child.pid); pgid == p.cmd.Process.Pid {
			t.Fatal("the child did not leave the process group")
		}
	})
	if child.pid != 0 && child.alive() {
		t.Errorf("process %d outlived the stop", child.pid)
	}
}
