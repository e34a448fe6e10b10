package report

import (
	"io"
	"net/url"
	"path/filepath"
	"sort"
	"strings"

	"github.com/mqguard/mqguard/internal/finding"
)

// sarifFormat writes SARIF 2.1.0, as GitHub code scanning and other security dashboards read
// it: every result has a location (live findings get a synthetic one) and a stable partial
// fingerprint.
type sarifFormat struct{}

func (sarifFormat) Name() string { return "sarif" }

func (sarifFormat) Description() string {
	return "SARIF 2.1.0 for GitHub code scanning and security dashboards"
}

const (
	sarifSchema       = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion      = "2.1.0"
	informationURI    = "https://github.com/mqguard/mqguard"
	srcRoot           = "%SRCROOT%"
	fingerprintKey    = "mqguard/v1"
	toolNameFallback  = "mqguard"
	sarifLevelError   = "error"
	sarifLevelWarning = "warning"
	sarifLevelNote    = "note"
	sarifLevelNone    = "none"
)

// The SARIF subset mqguard writes. Field names follow the SARIF 2.1.0 specification.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool        sarifTool         `json:"tool"`
		Invocations []sarifInvocation `json:"invocations"`
		Results     []sarifResult     `json:"results"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		Version        string      `json:"version,omitempty"`
		InformationURI string      `json:"informationUri"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string              `json:"id"`
		Name                 string              `json:"name"`
		ShortDescription     sarifText           `json:"shortDescription"`
		FullDescription      sarifText           `json:"fullDescription"`
		HelpURI              string              `json:"helpUri,omitempty"`
		Help                 *sarifMultiformat   `json:"help,omitempty"`
		DefaultConfiguration sarifConfiguration  `json:"defaultConfiguration"`
		Properties           sarifRuleProperties `json:"properties"`
	}
	sarifText struct {
		Text string `json:"text"`
	}
	sarifMultiformat struct {
		Text     string `json:"text"`
		Markdown string `json:"markdown,omitempty"`
	}
	sarifConfiguration struct {
		Level string `json:"level"`
	}
	sarifRuleProperties struct {
		SecuritySeverity string   `json:"security-severity"`
		Severity         string   `json:"severity"`
		Tags             []string `json:"tags"`
		Aliases          []string `json:"aliases,omitempty"`
	}
	sarifInvocation struct {
		ExecutionSuccessful        bool                `json:"executionSuccessful"`
		ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
	}
	sarifNotification struct {
		Level     string          `json:"level"`
		Message   sarifText       `json:"message"`
		Locations []sarifLocation `json:"locations,omitempty"`
	}
	sarifResult struct {
		RuleID              string              `json:"ruleId"`
		RuleIndex           int                 `json:"ruleIndex"`
		Kind                string              `json:"kind,omitempty"`
		Level               string              `json:"level"`
		Message             sarifText           `json:"message"`
		Locations           []sarifLocation     `json:"locations"`
		PartialFingerprints map[string]string   `json:"partialFingerprints"`
		Suppressions        []sarifSuppression  `json:"suppressions,omitempty"`
		Properties          sarifResultProperty `json:"properties"`
	}
	sarifLocation struct {
		PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
	}
	sarifPhysicalLocation struct {
		ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
		Region           *sarifRegion          `json:"region,omitempty"`
	}
	sarifArtifactLocation struct {
		URI       string `json:"uri"`
		URIBaseID string `json:"uriBaseId,omitempty"`
	}
	sarifRegion struct {
		StartLine int `json:"startLine"`
		EndLine   int `json:"endLine"`
	}
	sarifSuppression struct {
		Kind          string `json:"kind"`
		Justification string `json:"justification,omitempty"`
	}
	sarifResultProperty struct {
		Status              string `json:"status"`
		Severity            string `json:"severity"`
		Resource            string `json:"resource"`
		ResourceType        string `json:"resourceType,omitempty"`
		Source              string `json:"source,omitempty"`
		ValueFrom           string `json:"valueFrom,omitempty"`
		ReplacementRequired bool   `json:"replacementRequired"`
		Ref                 string `json:"ref,omitempty"`
	}
)

// securitySeverity maps severities to GitHub's security-severity scores.
var securitySeverity = map[string]string{
	"CRITICAL": "9.5",
	"HIGH":     "8.0",
	"MEDIUM":   "5.5",
	"LOW":      "3.0",
	"INFO":     "1.0",
}

// severityRank orders severities from lowest to highest.
var severityRank = map[string]int{"INFO": 0, "LOW": 1, "MEDIUM": 2, "HIGH": 3, "CRITICAL": 4}

func (sarifFormat) Write(w io.Writer, r *finding.Report, _ Options) error {
	name := r.Tool.Name
	if name == "" {
		name = toolNameFallback
	}
	rules, index := sarifRules(r.Findings)
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name: name, Version: r.Tool.Version, InformationURI: informationURI, Rules: rules,
		}},
		Invocations: []sarifInvocation{sarifInvocationOf(r)},
		Results:     []sarifResult{},
	}
	// Results are written one by one into the document (see writeJSONArray).
	return writeJSONArray(w, sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}}, "results", len(r.Findings),
		func(b []byte, i int, prefix string) ([]byte, error) {
			f := r.Findings[i]
			return appendIndented(b, sarifResultOf(f, index[f.RuleID]), prefix)
		})
}

// sarifRules describes the rules that have findings, sorted by ID. A report carries no catalog,
// so the descriptions come from the findings; the default level is that of the rule's highest
// severity in the report.
func sarifRules(fs []finding.Finding) ([]sarifRule, map[string]int) {
	byID := map[string]*sarifRule{}
	for _, f := range fs {
		sr, ok := byID[f.RuleID]
		if !ok {
			sr = &sarifRule{
				ID:               f.RuleID,
				Name:             f.Slug,
				ShortDescription: sarifText{Text: nonEmpty(f.Title, f.RuleID)},
				FullDescription:  sarifText{Text: nonEmpty(f.Title, f.RuleID)},
				HelpURI:          f.HelpURI,
				Properties: sarifRuleProperties{
					Severity: f.Severity,
					Tags:     []string{"security", "message-broker"},
					Aliases:  f.Aliases,
				},
			}
			byID[f.RuleID] = sr
		}
		if severityRank[f.Severity] > severityRank[sr.Properties.Severity] {
			sr.Properties.Severity = f.Severity
		}
		if sr.Help == nil && f.Remediation != "" {
			sr.Help = &sarifMultiformat{Text: f.Remediation, Markdown: helpMarkdown(f)}
		}
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := make([]sarifRule, 0, len(ids))
	index := make(map[string]int, len(ids))
	for i, id := range ids {
		sr := byID[id]
		sr.Properties.SecuritySeverity = nonEmpty(securitySeverity[sr.Properties.Severity], "1.0")
		sr.DefaultConfiguration.Level = levelOf(sr.Properties.Severity)
		out = append(out, *sr)
		index[id] = i
	}
	return out, index
}

func helpMarkdown(f finding.Finding) string {
	var b strings.Builder
	b.WriteString("**" + nonEmpty(f.Title, f.RuleID) + "**\n\n")
	b.WriteString(f.Remediation + "\n")
	if f.ReplacementRequired {
		b.WriteString("\nThis cannot be changed in place: AWS requires a new broker.\n")
	}
	if f.HelpURI != "" {
		b.WriteString("\n[Rule documentation](" + f.HelpURI + ")\n")
	}
	return b.String()
}

func sarifInvocationOf(r *finding.Report) sarifInvocation {
	inv := sarifInvocation{ExecutionSuccessful: len(r.Errors) == 0}
	for _, e := range r.Errors {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications,
			notification(sarifLevelError, e.Source, e.Message, e.Path, e.Line))
	}
	for _, n := range r.Notes {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications,
			notification(sarifLevelNote, n.Source, n.Message, n.Path, n.Line))
	}
	return inv
}

// notification describes an error or note. Only a file position (path and line) becomes a
// location; other paths (an account and region, an ARN) are named in the text.
func notification(level, source, msg, path string, line int) sarifNotification {
	text := msg
	if path != "" && line == 0 {
		text = path + ": " + text
	}
	if source != "" {
		text = source + ": " + text
	}
	n := sarifNotification{Level: level, Message: sarifText{Text: text}}
	if path != "" && line > 0 {
		loc := sarifLocation{PhysicalLocation: sarifPhysicalLocation{ArtifactLocation: artifact(path)}}
		if line > 0 {
			loc.PhysicalLocation.Region = &sarifRegion{StartLine: line, EndLine: line}
		}
		n.Locations = []sarifLocation{loc}
	}
	return n
}

func sarifResultOf(f finding.Finding, ruleIndex int) sarifResult {
	res := sarifResult{
		RuleID:              f.RuleID,
		RuleIndex:           ruleIndex,
		Level:               levelOf(f.Severity),
		Message:             sarifText{Text: nonEmpty(f.Message, nonEmpty(f.Title, f.RuleID))},
		Locations:           []sarifLocation{resultLocation(f)},
		PartialFingerprints: map[string]string{fingerprintKey: f.Fingerprint},
		Properties: sarifResultProperty{
			Status:              f.Status,
			Severity:            f.Severity,
			Resource:            f.Resource.Address,
			ResourceType:        f.Resource.Type,
			Source:              f.Resource.Source,
			ValueFrom:           f.ValueFrom,
			ReplacementRequired: f.ReplacementRequired,
			Ref:                 f.Location.Ref,
		},
	}
	switch f.Status {
	case finding.StatusUnknown:
		res.Level = sarifLevelWarning
	case finding.StatusPass:
		res.Kind, res.Level = "pass", sarifLevelNone
	case finding.StatusNA:
		res.Kind, res.Level = "notApplicable", sarifLevelNone
	}
	if s := f.Suppression; s != nil {
		kind := "inSource"
		if s.Kind == finding.SuppressionException || s.Kind == finding.SuppressionBaseline {
			kind = "external"
		}
		just := s.Reason
		if just == "" {
			just = "suppressed by a " + nonEmpty(s.Tool, s.Kind) + " ignore"
		}
		res.Suppressions = []sarifSuppression{{Kind: kind, Justification: just}}
	}
	return res
}

// resultLocation is the finding's file and lines, or a synthetic location for live resources
// (GitHub code scanning rejects results without one).
func resultLocation(f finding.Finding) sarifLocation {
	start, end := f.Location.StartLine, f.Location.EndLine
	if start < 1 {
		start = 1
	}
	if end < start {
		end = start
	}
	al := artifact(f.Location.Path)
	if f.Location.Path == "" {
		al = sarifArtifactLocation{URI: syntheticURI(f.Resource)}
		start, end = 1, 1
	}
	return sarifLocation{PhysicalLocation: sarifPhysicalLocation{
		ArtifactLocation: al,
		Region:           &sarifRegion{StartLine: start, EndLine: end},
	}}
}

// artifact turns a display path into a URI: relative paths are relative to %SRCROOT% with forward
// slashes; absolute paths become file URIs.
func artifact(path string) sarifArtifactLocation {
	p := filepath.ToSlash(path)
	if filepath.IsAbs(path) || strings.HasPrefix(p, "/") {
		u := url.URL{Scheme: "file", Path: p}
		if !strings.HasPrefix(p, "/") {
			u.Path = "/" + p
		}
		return sarifArtifactLocation{URI: u.String()}
	}
	p = strings.TrimPrefix(p, "./")
	return sarifArtifactLocation{URI: (&url.URL{Path: p}).String(), URIBaseID: srcRoot}
}

// syntheticURI names a resource that has no file: source/account/region/name, each part
// escaped, e.g. "aws/111122223333/eu-west-1/orders".
func syntheticURI(r finding.Resource) string {
	name := r.Name
	if name == "" {
		name = r.Address
		if i := strings.LastIndexAny(name, ":/"); i >= 0 && i < len(name)-1 {
			name = name[i+1:]
		}
	}
	var parts []string
	for _, p := range []string{nonEmpty(r.Source, "resource"), r.Account, r.Region, nonEmpty(name, "unnamed")} {
		if p != "" {
			parts = append(parts, url.PathEscape(p))
		}
	}
	return strings.Join(parts, "/")
}

func levelOf(severity string) string {
	switch severity {
	case "CRITICAL", "HIGH":
		return sarifLevelError
	case "MEDIUM":
		return sarifLevelWarning
	}
	return sarifLevelNote
}

func nonEmpty(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}
