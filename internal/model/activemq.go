package model

// ActiveMQConfig is what rules need of an ActiveMQ XML configuration. Every element carries the
// range of the element in the scanned file (heredoc lines are mapped to the .tf file's lines).
type ActiveMQConfig struct {
	NetworkConnectors   []NetworkConnector
	TransportConnectors []TransportConnector
	// AuthorizationPlugin is nil when the document has no authorizationPlugin element.
	AuthorizationPlugin *AuthorizationPlugin
	// Plugins lists the element names found under <plugins> (e.g. simpleAuthenticationPlugin).
	Plugins []PluginRef
	// Credentials are places where the document embeds a credential (a password attribute, a
	// user:password URL, a keystore password). The value itself is never kept.
	Credentials []CredentialRef
	// WebConsoleUsers are users granted the activemq-webconsole group in the configuration, when
	// the document declares them (e.g. simpleAuthenticationPlugin users).
	Users []ConfigUser
}

// NetworkConnector is a <networkConnector> (or <multicastNetworkConnector>) element.
type NetworkConnector struct {
	Name String
	URI  String
	At   Range
}

// TransportConnector is a <transportConnector> element.
type TransportConnector struct {
	Name String
	URI  String
	At   Range
}

// AuthorizationPlugin is an <authorizationPlugin> element.
type AuthorizationPlugin struct {
	// Map is nil when the plugin declares no authorizationMap.
	Map *AuthorizationMap
	At  Range
}

// AuthorizationMap holds the authorization entries.
type AuthorizationMap struct {
	Entries []AuthorizationEntry
	At      Range
}

// AuthorizationEntry is an <authorizationEntry> (or tempDestinationAuthorizationEntry).
type AuthorizationEntry struct {
	// Kind is "queue", "topic" or "temp" (temporary destinations).
	Kind        string
	Destination string
	Read        []string
	Write       []string
	Admin       []string
	At          Range
}

// PluginRef is a plugin element under <plugins>.
type PluginRef struct {
	Name string
	At   Range
}

// CredentialRef records an embedded credential without its value.
type CredentialRef struct {
	// Where says what holds it, e.g. `networkConnector "bridge" uri` or `sslContext keyStorePassword`.
	Where string
	At    Range
}

// ConfigUser is a user declared inside the broker configuration.
type ConfigUser struct {
	Username String
	Groups   []string
	// GroupsUnknown says the groups attribute holds a placeholder that did not resolve: Groups
	// lists only what is known of it.
	GroupsUnknown bool
	At            Range
}

// Severity of a diagnostic.
type DiagSeverity uint8

const (
	// DiagError: part of the input could not be read; the scan is incomplete (exit code 3).
	DiagError DiagSeverity = iota
	// DiagNote: something the user should know that does not make the scan incomplete (a module
	// that is not installed and whose outputs are therefore unknown).
	DiagNote
)

// DiagKind names the diagnostics a scan acts on, whatever their message says; most have none.
type DiagKind string

const (
	// DiagModuleMissing: a module call whose module is not there (a registry or remote module
	// that is not installed, a local folder not found). What it declares, brokers included, is
	// not in the inventory.
	DiagModuleMissing DiagKind = "module-missing"
	// DiagVarInvalid: a value given on the command line for a variable cannot be used (it does
	// not convert to the variable's type, or is not NAME=VALUE). The message names the variable,
	// never the value.
	DiagVarInvalid DiagKind = "var-invalid"
	// DiagUnreachable: a probe could not reach an endpoint at all (no route, connection
	// refused, name not resolved, connect timeout): nothing answered. Whatever answered and
	// then failed (a dropped handshake, another protocol, refused credentials) is no
	// DiagUnreachable. The scan makes it a note for the endpoints of private Amazon MQ brokers,
	// which only their VPC reaches.
	DiagUnreachable DiagKind = "unreachable"
)

// Diagnostic is a problem a source met while reading its input.
type Diagnostic struct {
	Severity DiagSeverity
	Source   SourceKind
	// Kind classifies the diagnostic for the scan's own handling; empty for most.
	Kind    DiagKind
	At      Range
	Message string
}

func (d Diagnostic) Error() string {
	if d.At.IsZero() {
		return d.Message
	}
	return d.At.String() + ": " + d.Message
}
