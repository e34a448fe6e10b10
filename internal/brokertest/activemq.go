package brokertest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// debianActiveMQHome is where Debian's activemq package keeps bin/activemq.jar and lib/.
const debianActiveMQHome = "/usr/share/activemq"

// ActiveMQHome returns Debian's ActiveMQ installation (or the one MQGUARD_ACTIVEMQ_HOME
// names) and the java that runs it; the test skips without them (fails under CI).
func ActiveMQHome(t testing.TB) (home, java string) {
	t.Helper()
	home = debianActiveMQHome
	if h := os.Getenv("MQGUARD_ACTIVEMQ_HOME"); h != "" {
		home = h
	}
	if _, err := os.Stat(filepath.Join(home, "bin", "activemq.jar")); err != nil {
		missing(t, home+"/bin/activemq.jar", "activemq")
		return "", ""
	}
	java, err := lookPath("java", "/usr/lib/jvm/default-java/bin/java", "/usr/bin/java")
	if err != nil {
		missing(t, "java", "default-jre-headless (with activemq)")
	}
	return home, java
}

// jvmModuleOptions are the module options the package's /usr/bin/activemq passes to a Java
// newer than 8 (ActiveMQ 5.17 reflects into these JDK packages).
var jvmModuleOptions = []string{
	"--add-reads=java.xml=java.logging",
	"--add-opens", "java.base/java.security=ALL-UNNAMED",
	"--add-opens", "java.base/java.net=ALL-UNNAMED",
	"--add-opens", "java.base/java.lang=ALL-UNNAMED",
	"--add-opens", "java.base/java.util=ALL-UNNAMED",
	"--add-opens", "java.naming/javax.naming.spi=ALL-UNNAMED",
	"--add-opens", "java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED",
	"--add-opens", "java.base/java.util.concurrent=ALL-UNNAMED",
	"--add-opens", "java.base/java.util.concurrent.atomic=ALL-UNNAMED",
	"--add-exports=java.base/sun.net.www.protocol.http=ALL-UNNAMED",
	"--add-exports=java.base/sun.net.www.protocol.https=ALL-UNNAMED",
	"--add-exports=java.base/sun.net.www.protocol.jar=ALL-UNNAMED",
	"--add-exports=jdk.xml.dom/org.w3c.dom.html=ALL-UNNAMED",
	"--add-exports=jdk.naming.rmi/com.sun.jndi.url.rmi=ALL-UNNAMED",
}

// log4jConfig logs the broker's INFO messages to its standard output.
const log4jConfig = `log4j.rootLogger=INFO, out
log4j.appender.out=org.apache.log4j.ConsoleAppender
log4j.appender.out.layout=org.apache.log4j.PatternLayout
log4j.appender.out.layout.ConversionPattern=%d %-5p [%t] %c - %m%n
`

// ActiveMQOptions describe a broker to start.
type ActiveMQOptions struct {
	// ConfDir is the broker's conf directory (activemq.config's -Dactivemq.conf): activemq.xml
	// and the files beside it (login.config, jetty-realm.properties, credentials.properties,
	// a keystore). activemq.xml may use ${activemq.conf} and ${activemq.data}.
	ConfDir string
	// Ports are the ports the configuration names (transport connectors, JMX): each must
	// be free again once the broker is stopped.
	Ports []int
	// Ready are the checks that say the broker is up (the OpenWire port sending its
	// WireFormatInfo); they run in order.
	Ready []Check
}

// ActiveMQ is a running broker.
type ActiveMQ struct {
	// Base is the broker's activemq.base: data and tmp live under it.
	Base string
	// Startup is the time from the start of the JVM to readiness (a figure to report, not
	// to assert).
	Startup time.Duration
}

// StartActiveMQ starts ActiveMQ from Debian's package (java -jar bin/activemq.jar start, with
// the -D options the package's script passes) on opts.ConfDir's activemq.xml, with its data
// and temporary directories under a temporary activemq.base, and waits for opts.Ready. The JVM
// is stopped by its PID when the test ends.
func StartActiveMQ(t testing.TB, opts ActiveMQOptions) *ActiveMQ {
	t.Helper()
	home, java := ActiveMQHome(t)
	base := t.TempDir()
	for _, d := range []string{"data", "tmp", "classes"} {
		if err := os.MkdirAll(filepath.Join(base, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// The package's logging goes through log4j 1.2: a console configuration on the broker's
	// classpath (outside the conf directory, which the test scans) puts it in the output file.
	write(t, filepath.Join(base, "classes", "log4j.properties"), []byte(log4jConfig), 0o644)
	args := []string{"-Xms64M", "-Xmx256M", "-Djava.awt.headless=true"}
	args = append(args, jvmModuleOptions...)
	if _, err := os.Stat(filepath.Join(opts.ConfDir, "login.config")); err == nil {
		args = append(args, "-Djava.security.auth.login.config="+filepath.Join(opts.ConfDir, "login.config"))
	}
	args = append(args,
		"-Djava.io.tmpdir="+filepath.Join(base, "tmp"),
		"-Dactivemq.classpath="+filepath.Join(base, "classes")+":"+opts.ConfDir+":",
		"-Dactivemq.home="+home,
		"-Dactivemq.base="+base,
		"-Dactivemq.conf="+opts.ConfDir,
		"-Dactivemq.data="+filepath.Join(base, "data"),
		"-jar", filepath.Join(home, "bin", "activemq.jar"),
		"start", "xbean:file:"+filepath.Join(opts.ConfDir, "activemq.xml"),
	)
	cmd := exec.Command(java, args...) //nolint:gosec // the JDK found beside the package, with the test's arguments
	cmd.Dir = base
	cmd.Env = cleanEnv("ACTIVEMQ_", "JAVA_TOOL_OPTIONS=", "_JAVA_OPTIONS=", "JDK_JAVA_OPTIONS=")
	begun := time.Now()
	p := start(t, "activemq "+filepath.Base(opts.ConfDir), cmd, filepath.Join(base, "activemq.log"), opts.Ports)
	b := &ActiveMQ{Base: base}
	b.Startup = p.waitReady(t, begun, opts.Ready...)
	t.Logf("ActiveMQ (%s) ready in %s", opts.ConfDir, b.Startup.Round(time.Millisecond))
	return b
}
