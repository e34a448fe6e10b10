package model

import (
	"slices"
	"strings"
	"time"
)

// SourceProbe is a live broker reached with --broker URL (management API, TLS and protocol
// probes). A probe of an Amazon MQ broker's endpoints (scan --aws --probe) keeps the broker's
// own source (SourceAWS) and fills its Endpoints.
const SourceProbe SourceKind = "probe"

// IsSelfManaged reports whether the broker is a self-managed one: read from its own
// configuration files or reached with --broker. Rules about Amazon MQ's own settings (public
// access, deployment mode, KMS keys, CloudWatch logs, ...) do not apply to it.
func (b *Broker) IsSelfManaged() bool {
	return b.ID.Source == SourceBrokerConf || b.ID.Source == SourceProbe
}

// SelfManaged is what a self-managed broker's files, management API or probes say beyond the
// Amazon MQ fields of Broker. Every source that reads broker internals fills the parts it can;
// the others stay at their zero value, whose State is Unknown where the field has one. A probe
// of an Amazon MQ broker fills Endpoints (and, for RabbitMQ with credentials, RabbitMQ).
type SelfManaged struct {
	// Files are the display paths of the files the broker was read from, main file first.
	Files []string
	// Version is the broker's full version (5.18.3, 3.13.7), from the probe (OpenWire
	// WireFormatInfo ProviderVersion, management API rabbitmq_version) or the installation's
	// files; Unknown when none says. VersionAbsent is set when a probe answered without a
	// version where every version from 5.14.0 sends one (OpenWire): the version is older.
	Version       String
	VersionAbsent bool

	// Listeners are the addresses the broker accepts clients on (ActiveMQ transportConnectors,
	// RabbitMQ listeners and plugin listeners, defaults included, or what a probe found).
	// ListenersState is Unknown when the set could not be decided.
	Listeners      []Listener
	ListenersState State

	// Credentials are places where the configuration embeds a credential (a password, a
	// user:password URL, an Erlang cookie). The value is never kept.
	Credentials []CredentialRef

	// Users are the broker's users with their rights, as its files or API declare them.
	// UsersState is Unknown when the user list could not be read (no definitions, no API
	// access): rules on users are then UNKNOWN, never PASS.
	Users      []BrokerUser
	UsersState State

	// Clustered says the broker is a multi-node cluster (RabbitMQ cluster_formation nodes or
	// the management API's nodes); Unknown when nothing says.
	Clustered Bool

	// Anonymous lists the ways clients may connect without credentials that the data shows.
	Anonymous []Finding

	// LDAP: whether LDAP is reached over TLS (RabbitMQ auth_ldap.use_ssl / use_starttls); the
	// hosts themselves are in Broker.LDAP.
	LDAPTLS Bool

	RabbitMQ *RabbitMQSettings
	ActiveMQ *ActiveMQInstall

	// Endpoints are the TLS and plaintext probes of the broker's endpoints.
	Endpoints []EndpointProbe
	// Console is what a probe of the ActiveMQ web console or RabbitMQ management API observed.
	Console *ConsoleProbe
}

// Finding is a fact a source observed that rules judge as a whole (an anonymous login path):
// what it is, in words that never quote a secret, and where.
type Finding struct {
	What string
	At   Range
}

// Listener is one address a broker accepts connections on.
type Listener struct {
	// Protocol: amqp, openwire, stomp, mqtt, stream, http (management, console), ws, ...
	Protocol string
	// TLS says whether the listener requires TLS.
	TLS Bool
	// Host is the bind address ("" or "0.0.0.0" for all); Port 0 when unknown.
	Host String
	Port Int
	// Loopback says the listener accepts connections from the loopback interface only.
	Loopback Bool
	// Name is how the configuration names it (transportConnector name, rabbitmq.conf key).
	Name string
	At   Range
}

// BrokerUser is a user of a self-managed broker (RabbitMQ definitions or API, ActiveMQ
// users.properties, jetty-realm.properties, simpleAuthenticationPlugin users).
type BrokerUser struct {
	Username String
	// Tags are RabbitMQ user tags (administrator, management, monitoring, policymaker).
	Tags StringList
	// Groups are ActiveMQ groups (groups.properties, simpleAuthenticationPlugin groups) or
	// jetty-realm roles.
	Groups StringList
	// HashingAlgorithm is the RabbitMQ hashing_algorithm (rabbit_password_hashing_sha256, ...).
	HashingAlgorithm String
	// Password says where the password comes from (literal in a file, a hash, absent).
	Password Secret
	// DefaultPassword says the password is the one the product ships for this user
	// (admin/admin, user/user, system/manager, guest/guest): the source compares the literal
	// with the shipped default and keeps only the answer.
	DefaultPassword bool
	// Realm says which file or realm declares the user: "definitions", "api", "users.properties",
	// "jetty-realm.properties", "simpleAuthenticationPlugin", "jmx.password",
	// "credentials.properties".
	Realm string
	// Permissions are the user's RabbitMQ permissions per vhost.
	Permissions []Permission
	At          Range
}

// HasTag reports whether the user has a RabbitMQ tag (case-insensitive).
func (u BrokerUser) HasTag(tag string) bool {
	for _, t := range u.Tags.V {
		if strings.EqualFold(strings.TrimSpace(t), tag) {
			return true
		}
	}
	return false
}

// Permission is a RabbitMQ permission of one user on one vhost.
type Permission struct {
	VHost     string
	Configure string
	Write     string
	Read      string
	At        Range
}

// RabbitMQSettings is what rules need of a RabbitMQ node's configuration (rabbitmq.conf, the
// classic rabbitmq.config, advanced.config) and of its definitions (export or API).
type RabbitMQSettings struct {
	// Conf holds the configuration keys as rabbitmq.conf spells them (lower case,
	// dot-separated: "loopback_users.guest", "listeners.tcp.default",
	// "management.cors.allow_origins.1"). Classic and advanced config terms are mapped to the
	// same keys where they correspond. A key absent from Conf is not set; ConfState is Unknown
	// when no configuration file was read at all (a definitions file alone, the API).
	Conf      map[string]String
	ConfState State

	// Plugins are the enabled plugins (enabled_plugins file, management API); PluginsState is
	// Unknown when not read.
	Plugins      StringList
	PluginsState State

	Policies []RabbitPolicy
	// PoliciesState is Unknown when policies could not be read (no definitions, no API).
	PoliciesState State
	Queues        []RabbitQueue
	QueuesState   State
	VHosts        []RabbitVHost
	// AmazonMQ is set for the management API of an Amazon MQ broker: its own policies are not
	// the user's.
	AmazonMQ bool
	// Credentials are the credentials an Amazon MQ configuration body embeds (default_pass and
	// the like), without their values. A self-managed broker's are in SelfManaged.Credentials.
	Credentials []CredentialRef
	// CORS is what a cross-origin preflight to the management API answered (Unknown when not
	// probed): Explicit true when it allowed an arbitrary origin.
	CORSAnyOrigin Bool
}

// Get returns a configuration key (ok false when it is not set).
func (s *RabbitMQSettings) Get(key string) (String, bool) {
	if s == nil || s.Conf == nil {
		return String{}, false
	}
	v, ok := s.Conf[key]
	return v, ok
}

// WithPrefix returns the keys set under prefix ("listeners.tcp." finds listeners.tcp.default
// and listeners.tcp.1), sorted.
func (s *RabbitMQSettings) WithPrefix(prefix string) []string {
	if s == nil {
		return nil
	}
	var keys []string
	for k := range s.Conf {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// RabbitPolicy is a RabbitMQ policy or operator policy.
type RabbitPolicy struct {
	Name     string
	VHost    string
	Pattern  string
	ApplyTo  string
	Operator bool
	// Keys are the definition's keys (ha-mode, queue-mode, ...), sorted.
	Keys []string
	At   Range
}

// RabbitQueue is a declared queue.
type RabbitQueue struct {
	Name       string
	VHost      string
	Durable    Bool
	Exclusive  bool
	AutoDelete bool
	// Type is x-queue-type (classic, quorum, stream), Default "" when absent.
	Type String
	At   Range
}

// RabbitVHost is a virtual host, with its default queue type (3.13+ metadata).
type RabbitVHost struct {
	Name             string
	DefaultQueueType String
	At               Range
}

// ActiveMQInstall is what rules need of a self-managed ActiveMQ installation beyond its XML.
type ActiveMQInstall struct {
	// ManagementContext is nil when activemq.xml has no <managementContext> element, unless
	// <broker useJmx="false"> turns JMX off: then it is there with Enabled Explicit false (at the
	// broker element when the element is absent).
	ManagementContext *JMXConnector
	// JVMAgent is the JVM's own JMX agent (com.sun.management.jmxremote in bin/env or
	// setenv); nil when none is configured in a file read.
	JVMAgent *JMXConnector
	// Authentication lists the authentication plugins in the broker (simpleAuthenticationPlugin,
	// jaasAuthenticationPlugin, jaasCertificateAuthenticationPlugin, jaasDualAuthenticationPlugin).
	Authentication []PluginRef
	// AnonymousAccessAllowed is simpleAuthenticationPlugin anonymousAccessAllowed.
	AnonymousAccessAllowed Bool
	// LoginModules are the JAAS login modules in login.config (class names), with the
	// configuration entry they are in.
	LoginModules []LoginModule
	// LoginModulesState is Explicit when login.config was read, Default when there is none
	// beside activemq.xml (no module), Unknown when it could not be parsed.
	LoginModulesState State
	// FileServer says the fileserver web application is deployed (jetty.xml); Unknown when
	// jetty.xml was not read.
	FileServer Bool
	// ConsoleLogin says the web console asks for a login: Explicit false when a security
	// constraint of jetty.xml sets authenticate=false (the console and its /api are open),
	// Explicit true when the constraints set it true; Unknown when jetty.xml was not read, does
	// not say, or is not imported by activemq.xml (no console runs from it).
	ConsoleLogin Bool
	// Placeholders are ${...} references that no properties file resolved.
	Placeholders []string
}

// JMXConnector is a JMX remote connector.
type JMXConnector struct {
	// Enabled: managementContext createConnector (Default by version when absent), or the JVM
	// agent's presence.
	Enabled Bool
	// Authenticated: password and access files configured (jmx.remote.x.password.file and
	// jmx.remote.x.access.file, or com.sun.management.jmxremote.authenticate not false).
	Authenticated Bool
	// Host is the bind host (connectorHost, java.rmi.server.hostname); Default "" for all.
	Host String
	Port Int
	At   Range
}

// LoginModule is one JAAS login module.
type LoginModule struct {
	Entry string
	Class string
	// URL is the LDAP connectionURL, when the module has one.
	URL String
	At  Range
}

// EndpointProbe is the probe of one endpoint.
type EndpointProbe struct {
	// URL is the endpoint as named, without credentials.
	URL string
	// Protocol is the URL scheme (amqps, ssl, https, tcp, amqp, ...).
	Protocol string
	// Error is why the probe could not complete; empty when it did. An endpoint with an error
	// decides nothing.
	Error string
	// Unreachable says nothing answered: the connection could not be opened (no route,
	// refused, not resolved, connect timeout). Error says why.
	Unreachable bool
	// TLS is nil for plaintext endpoints.
	TLS *TLSProbe
	// Plaintext says a plaintext protocol handshake succeeded (MQG024).
	Plaintext bool
	// Version is the broker version the handshake announced (OpenWire ProviderVersion), "" when none.
	Version string
	At      Range
}

// TLSProbe is what a TLS probe found.
type TLSProbe struct {
	// Versions maps a protocol version name ("TLS 1.0" ... "TLS 1.3") to whether the endpoint
	// completed a handshake offering only it. A version absent from the map was not tested.
	Versions map[string]bool
	// Ciphers are the TLS 1.2 (and older) cipher suites the endpoint accepted, by IANA name.
	Ciphers []string
	// NotTested says what the probe could not test (suites crypto/tls cannot offer).
	NotTested []string
	// Certificate of the leaf, nil when no handshake completed.
	Certificate *CertificateInfo
	// ClientCertRequested says the server asked for a client certificate.
	ClientCertRequested bool
}

// CertificateInfo is the leaf certificate an endpoint presented.
type CertificateInfo struct {
	Subject   string
	NotBefore time.Time
	NotAfter  time.Time
	// Trusted says the chain verifies against the system roots (or the given CA file); Why
	// says why not.
	Trusted      bool
	UntrustedWhy string
	SelfSigned   bool
	HostnameOK   bool
	KeyType      string // RSA, ECDSA, Ed25519
	KeyBits      int
	SigAlg       string
}

// ConsoleProbe is what a probe of a web console or management API observed.
type ConsoleProbe struct {
	URL string
	// DefaultCredentials lists the default user:name pairs accepted ("admin", "user",
	// "guest"), by user name only.
	DefaultCredentials []string
	// DefaultCredentialsTested says the probe tried them (--probe-default-credentials).
	DefaultCredentialsTested bool
	// OpenWithoutLogin says the console's API answered without credentials.
	OpenWithoutLogin Bool
}
