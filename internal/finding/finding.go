// Package finding holds the scan result: the mqguard/v1 JSON contract. Reports read only these
// types; fields may be added, never renamed or removed.
package finding

// Schema is the JSON document's schema identifier.
const Schema = "mqguard/v1"

// Statuses as they appear in the document.
const (
	StatusFail       = "FAIL"
	StatusUnknown    = "UNKNOWN"
	StatusSuppressed = "SUPPRESSED"
	StatusPass       = "PASS"
	StatusNA         = "N/A"
)

// Report is the whole document.
type Report struct {
	Schema   string    `json:"schema"`
	Tool     Tool      `json:"tool"`
	AsOf     string    `json:"as_of"`
	Summary  Summary   `json:"summary"`
	Findings []Finding `json:"findings"`
	Errors   []Error   `json:"errors"`
	// Notes are diagnostics that do not make the scan incomplete (a module that is not
	// installed, a suppression that expired or was never used).
	Notes []Note `json:"notes,omitempty"`
	// Exceptions are the policy file's exceptions, each with what became of it in this scan.
	Exceptions []Exception `json:"exceptions,omitempty"`
}

// Exception statuses.
const (
	ExceptionActive  = "active"
	ExceptionExpired = "expired"
	ExceptionUnused  = "unused"
)

// Exception is one policy-file exception and its outcome.
type Exception struct {
	// Rule lists the IDs of the rules the exception is for.
	Rule       []string       `json:"rule"`
	Scope      ExceptionScope `json:"scope"`
	Reason     string         `json:"reason"`
	ApprovedBy string         `json:"approved_by"`
	Ticket     string         `json:"ticket,omitempty"`
	Expires    string         `json:"expires"`
	// Status is active (unexpired, it matched findings), expired (past its last day: it no
	// longer suppresses) or unused (unexpired, it matched no FAIL or UNKNOWN finding).
	Status string `json:"status"`
	// Matched counts the FAIL and UNKNOWN findings in scope, MatchedFail and MatchedUnknown
	// each status: an exception says whether it hides undecided values.
	Matched        int `json:"matched"`
	MatchedFail    int `json:"matched_fail"`
	MatchedUnknown int `json:"matched_unknown"`
	// Location is the exception in the policy file.
	Location Location `json:"location"`
}

// ExceptionScope is what an exception covers: every kind given must match.
type ExceptionScope struct {
	Resources []string          `json:"resources,omitempty"`
	ARNs      []string          `json:"arns,omitempty"`
	Accounts  []string          `json:"accounts,omitempty"`
	Regions   []string          `json:"regions,omitempty"`
	Tags      map[string]string `json:"tags,omitempty"`
	Paths     []string          `json:"paths,omitempty"`
}

// Tool names the producer.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Summary counts the findings by status.
type Summary struct {
	Brokers    int `json:"brokers"`
	Fail       int `json:"fail"`
	Unknown    int `json:"unknown"`
	Suppressed int `json:"suppressed"`
	Errors     int `json:"errors"`
	// Baselined counts the SUPPRESSED findings the baseline hides (they are in Suppressed too).
	Baselined int `json:"baselined,omitempty"`
	// Passed and NotApplicable are counted only with --show-passed.
	Passed        int `json:"passed,omitempty"`
	NotApplicable int `json:"not_applicable,omitempty"`
}

// Finding is one rule outcome on one resource instance.
type Finding struct {
	RuleID              string       `json:"rule_id"`
	Slug                string       `json:"slug"`
	Title               string       `json:"title"`
	Severity            string       `json:"severity"`
	Status              string       `json:"status"`
	Resource            Resource     `json:"resource"`
	Location            Location     `json:"location"`
	Message             string       `json:"message"`
	ValueFrom           string       `json:"value_from"`
	ReplacementRequired bool         `json:"replacement_required"`
	Remediation         string       `json:"remediation"`
	Suppression         *Suppression `json:"suppression"`
	Fingerprint         string       `json:"fingerprint"`
	// Aliases are other tools' identifiers for the rule, as "tool:id".
	Aliases []string `json:"aliases,omitempty"`
	// HelpURI points at the rule's documentation.
	HelpURI string `json:"help_uri,omitempty"`
	// Category is the kind of weakness the rule finds (e.g. "network-exposure", "secrets"),
	// for formats that classify findings (ASFF types, OCSF finding types).
	Category string `json:"category,omitempty"`
}

// Resource identifies the resource instance.
type Resource struct {
	Address string `json:"address"`
	Type    string `json:"type"`
	Name    string `json:"name"`
	Engine  string `json:"engine"`
	Source  string `json:"source"`
	Account string `json:"account"`
	Region  string `json:"region"`
	ARN     string `json:"arn,omitempty"`
}

// Location is where the offending value is: a path relative to the working directory as the user
// named it, and lines; or, for live data, a reference.
type Location struct {
	Path      string `json:"path"`
	StartLine int    `json:"start_line"`
	EndLine   int    `json:"end_line"`
	Ref       string `json:"ref,omitempty"`
}

// Suppression kinds.
const (
	SuppressionInline    = "inline"
	SuppressionException = "exception"
	SuppressionBaseline  = "baseline"
)

// Suppression says what suppressed a finding.
type Suppression struct {
	// Kind: inline (a comment in the scanned code: mqguard's own ignore or another tool's),
	// exception (the policy file) or baseline.
	Kind string `json:"kind"`
	// Tool is, for an inline suppression, whose directive it is: mqguard, checkov, trivy or
	// tfsec (the others' ignores are honoured through the rules' aliases).
	Tool   string `json:"tool,omitempty"`
	Reason string `json:"reason"`
	// Approver is the approver as first published; ApprovedBy holds the same value.
	Approver   string `json:"approver,omitempty"`
	ApprovedBy string `json:"approved_by,omitempty"`
	Ticket     string `json:"ticket,omitempty"`
	Expires    string `json:"expires,omitempty"`
	// Expired is never true on a SUPPRESSED finding: an expired suppression no longer
	// suppresses, the finding keeps its status and its message says the exception expired.
	Expired bool `json:"expired,omitempty"`
	// OriginalStatus is what the finding was before suppression: FAIL or UNKNOWN.
	OriginalStatus string `json:"original_status,omitempty"`
	// Location of the directive, when inline; of the exception in the policy file, for an
	// exception.
	Location *Location `json:"location,omitempty"`
}

// Error is a part of the input that could not be scanned.
type Error struct {
	Source  string `json:"source"`
	Message string `json:"message"`
	Path    string `json:"path,omitempty"`
	Line    int    `json:"line,omitempty"`
}

// Note is an informational diagnostic.
type Note struct {
	Source  string `json:"source"`
	Message string `json:"message"`
	Path    string `json:"path,omitempty"`
	Line    int    `json:"line,omitempty"`
}
