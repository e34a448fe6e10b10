package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mqguard/mqguard/internal/finding"
)

// asffFormat writes the AWS Security Finding Format (schema 2018-10-08), as the Security Hub
// BatchImportFindings API takes it: {"Findings": [...]}. The Id is built from the fingerprint,
// so importing the next scan updates the findings instead of adding new ones.
type asffFormat struct{}

func (asffFormat) Name() string { return "asff" }

func (asffFormat) Description() string {
	return "AWS Security Finding Format for Security Hub BatchImportFindings"
}

const (
	asffSchemaVersion = "2018-10-08"
	// Field limits of BatchImportFindings; longer values are refused.
	asffTitleMax       = 256
	asffDescriptionMax = 1024
	asffTextMax        = 512
	asffProductValue   = 2048
	asffOtherValue     = 1024
)

// The ASFF subset mqguard writes. Field names are the ASFF ones; a test decodes the output into
// the AWS SDK's types with unknown fields refused, so a misspelt field cannot slip through.
type (
	asffDocument struct {
		Findings []asffFinding `json:"Findings"`
	}
	asffFinding struct {
		SchemaVersion         string             `json:"SchemaVersion"`
		ID                    string             `json:"Id"`
		ProductArn            string             `json:"ProductArn"`
		ProductName           string             `json:"ProductName"`
		CompanyName           string             `json:"CompanyName"`
		GeneratorID           string             `json:"GeneratorId"`
		AwsAccountID          string             `json:"AwsAccountId"`
		Region                string             `json:"Region,omitempty"`
		Types                 []string           `json:"Types"`
		CreatedAt             string             `json:"CreatedAt"`
		UpdatedAt             string             `json:"UpdatedAt"`
		Severity              asffSeverity       `json:"Severity"`
		Title                 string             `json:"Title"`
		Description           string             `json:"Description"`
		Remediation           *asffRemediation   `json:"Remediation,omitempty"`
		SourceURL             string             `json:"SourceUrl,omitempty"`
		ProductFields         map[string]string  `json:"ProductFields"`
		Resources             []asffResource     `json:"Resources"`
		Compliance            asffCompliance     `json:"Compliance"`
		Workflow              asffWorkflow       `json:"Workflow"`
		RecordState           string             `json:"RecordState"`
		FindingProviderFields asffProviderFields `json:"FindingProviderFields"`
	}
	asffSeverity struct {
		Label    string `json:"Label"`
		Original string `json:"Original,omitempty"`
	}
	asffRemediation struct {
		Recommendation asffRecommendation `json:"Recommendation"`
	}
	asffRecommendation struct {
		Text string `json:"Text,omitempty"`
		URL  string `json:"Url,omitempty"`
	}
	asffResource struct {
		Type      string               `json:"Type"`
		ID        string               `json:"Id"`
		Partition string               `json:"Partition,omitempty"`
		Region    string               `json:"Region,omitempty"`
		Details   *asffResourceDetails `json:"Details,omitempty"`
	}
	asffResourceDetails struct {
		Other map[string]string `json:"Other"`
	}
	asffCompliance struct {
		Status string `json:"Status"`
	}
	asffWorkflow struct {
		Status string `json:"Status"`
	}
	asffProviderFields struct {
		Severity asffSeverity `json:"Severity"`
		Types    []string     `json:"Types"`
	}
)

// asffTypes maps a rule category to its ASFF finding types ("namespace/category/classifier" of
// the ASFF types taxonomy).
var asffTypes = map[string]string{
	"network-exposure":      "Software and Configuration Checks/AWS Security Best Practices/Network Reachability",
	"vulnerability":         "Software and Configuration Checks/Vulnerabilities/CVE",
	"secrets":               "Sensitive Data Identifications/Passwords",
	"personal-data":         "Sensitive Data Identifications/PII",
	"governance":            "Software and Configuration Checks/Industry and Regulatory Standards",
	"encryption-at-rest":    "Software and Configuration Checks/AWS Security Best Practices",
	"encryption-in-transit": "Software and Configuration Checks/AWS Security Best Practices",
	"logging":               "Software and Configuration Checks/AWS Security Best Practices",
	"resilience":            "Software and Configuration Checks/AWS Security Best Practices",
	"patching":              "Software and Configuration Checks/AWS Security Best Practices",
	"authentication":        "Software and Configuration Checks/AWS Security Best Practices",
	"authorization":         "Software and Configuration Checks/AWS Security Best Practices",
	"operations":            "Software and Configuration Checks/AWS Security Best Practices",
}

// asffTypeFallback is the type of a finding without a known category.
const asffTypeFallback = "Software and Configuration Checks"

// asffSeverityLabel maps severities to Severity.Label.
var asffSeverityLabel = map[string]string{
	"INFO": "INFORMATIONAL", "LOW": "LOW", "MEDIUM": "MEDIUM", "HIGH": "HIGH", "CRITICAL": "CRITICAL",
}

// asffComplianceStatus maps statuses to Compliance.Status. Security Hub has no "unknown":
// WARNING is its word for a check that could not decide. A suppressed finding keeps the outcome
// it had before (see asffCompliance); the workflow says it is suppressed.
var asffComplianceStatus = map[string]string{
	finding.StatusFail:       "FAILED",
	finding.StatusSuppressed: "FAILED",
	finding.StatusUnknown:    "WARNING",
	finding.StatusNA:         "NOT_AVAILABLE",
	finding.StatusPass:       "PASSED",
}

// asffWorkflowStatus maps statuses to Workflow.Status.
var asffWorkflowStatus = map[string]string{
	finding.StatusFail:       "NEW",
	finding.StatusUnknown:    "NEW",
	finding.StatusSuppressed: "SUPPRESSED",
	finding.StatusNA:         "RESOLVED",
	finding.StatusPass:       "RESOLVED",
}

// productARN matches a Security Hub product ARN and captures partition, region and account.
var productARN = regexp.MustCompile(`^arn:(aws[a-z-]*):securityhub:([a-z0-9-]+):(\d{12}):product/[A-Za-z0-9._/-]+$`)

// CheckProductARN checks a --asff-product-arn value.
func CheckProductARN(arn string) error {
	if !productARN.MatchString(arn) {
		return fmt.Errorf("%q is not a Security Hub product ARN (arn:aws:securityhub:REGION:ACCOUNT:product/ACCOUNT/default)", arn)
	}
	return nil
}

func (asffFormat) Write(w io.Writer, r *finding.Report, o Options) error {
	stamp, err := reportTime(r, o)
	if err != nil {
		return fmt.Errorf("asff: %w", err)
	}
	at := stamp.UTC().Format(time.RFC3339)
	var defPartition, defRegion, defAccount string
	if o.ASFFProductARN != "" {
		m := productARN.FindStringSubmatch(o.ASFFProductARN)
		if m == nil {
			return fmt.Errorf("asff: %w", CheckProductARN(o.ASFFProductARN))
		}
		defPartition, defRegion, defAccount = m[1], m[2], m[3]
	}
	// Every finding is checked before anything is written: no half document on an error.
	type target struct{ product, account, region, partition string }
	targets := make([]target, len(r.Findings))
	for i := range r.Findings {
		f := &r.Findings[i]
		account, region := nonEmpty(f.Resource.Account, defAccount), nonEmpty(f.Resource.Region, defRegion)
		if account == "" || region == "" {
			// An AWS account and region are required fields; inventing them would file the
			// finding under the wrong account.
			return fmt.Errorf("asff: %s on %s has no AWS account and region (IaC input): give --asff-product-arn arn:aws:securityhub:REGION:ACCOUNT:product/ACCOUNT/default",
				f.RuleID, f.Resource.Address)
		}
		partition := partitionOf(f.Resource.ARN, defPartition)
		product := o.ASFFProductARN
		if product == "" {
			product = "arn:" + partition + ":securityhub:" + region + ":" + account + ":product/" + account + "/default"
		}
		targets[i] = target{product, account, region, partition}
	}
	return writeJSONArray(w, asffDocument{Findings: []asffFinding{}}, "Findings", len(r.Findings), func(b []byte, i int, _ string) ([]byte, error) {
		// One finding a line: ASFF is read by Security Hub and tools, and indenting a finding
		// cost as much as encoding it.
		t := &targets[i]
		b, err := appendLine(b, asffFindingOf(&r.Findings[i], t.product, t.account, t.region, t.partition, at))
		return bytes.TrimSuffix(b, []byte("\n")), err
	})
}

func asffFindingOf(f *finding.Finding, product, account, region, partition, at string) asffFinding {
	types := []string{asffType(f.Category)}
	sev := asffSeverity{Label: nonEmpty(asffSeverityLabel[f.Severity], "INFORMATIONAL"), Original: f.Severity}
	title := f.Title
	if title == "" {
		title = f.RuleID
	}
	out := asffFinding{
		SchemaVersion: asffSchemaVersion,
		ID:            "mqguard/" + f.Fingerprint,
		ProductArn:    product,
		ProductName:   toolNameFallback,
		CompanyName:   toolNameFallback,
		GeneratorID:   f.RuleID,
		AwsAccountID:  account,
		Region:        region,
		Types:         types,
		CreatedAt:     at,
		UpdatedAt:     at,
		Severity:      sev,
		Title:         truncateRunes(f.RuleID+" "+title, asffTitleMax),
		Description:   truncateRunes(nonEmpty(f.Message, title), asffDescriptionMax),
		SourceURL:     f.HelpURI,
		ProductFields: asffProductFields(f),
		Resources:     []asffResource{asffResourceOf(f, partition, region)},
		Compliance:    asffCompliance{Status: asffComplianceOf(f)},
		Workflow:      asffWorkflow{Status: nonEmpty(asffWorkflowStatus[f.Status], "NEW")},
		RecordState:   "ACTIVE",
		FindingProviderFields: asffProviderFields{
			Severity: sev,
			Types:    types,
		},
	}
	if f.Remediation != "" || f.HelpURI != "" {
		out.Remediation = &asffRemediation{Recommendation: asffRecommendation{
			Text: truncateRunes(f.Remediation, asffTextMax),
			URL:  f.HelpURI,
		}}
	}
	return out
}

// asffComplianceOf is the finding's Compliance.Status. A suppression hides a FAIL or an
// UNKNOWN: the one it hides stays visible, so that an exception cannot turn an undecided check
// into a failure or a pass.
func asffComplianceOf(f *finding.Finding) string {
	status := f.Status
	if status == finding.StatusSuppressed && f.Suppression != nil && f.Suppression.OriginalStatus == finding.StatusUnknown {
		status = finding.StatusUnknown
	}
	return nonEmpty(asffComplianceStatus[status], "NOT_AVAILABLE")
}

func asffType(category string) string {
	if t, ok := asffTypes[category]; ok {
		return t
	}
	return asffTypeFallback
}

// asffResourceOf is the live broker by its ARN, or the IaC resource by its address (Security
// Hub's resource type "Other"), with where it is written.
func asffResourceOf(f *finding.Finding, partition, region string) asffResource {
	if f.Resource.ARN != "" {
		return asffResource{Type: "AwsAmazonMQBroker", ID: f.Resource.ARN, Partition: partition, Region: region}
	}
	other := map[string]string{}
	put := func(k, v string) {
		if v != "" {
			other[k] = truncateRunes(v, asffOtherValue)
		}
	}
	put("type", f.Resource.Type)
	put("name", f.Resource.Name)
	put("engine", f.Resource.Engine)
	put("source", f.Resource.Source)
	put("path", f.Location.Path)
	if f.Location.StartLine > 0 {
		put("start_line", strconv.Itoa(f.Location.StartLine))
	}
	res := asffResource{Type: "Other", ID: truncateRunes(f.Resource.Address, asffTextMax), Partition: partition, Region: region}
	if len(other) > 0 {
		res.Details = &asffResourceDetails{Other: other}
	}
	return res
}

// asffProductFields carries what ASFF has no field for, under the "mqguard/" prefix.
func asffProductFields(f *finding.Finding) map[string]string {
	pf := map[string]string{}
	put := func(k, v string) {
		if v != "" {
			pf["mqguard/"+k] = truncateRunes(v, asffProductValue)
		}
	}
	put("rule_id", f.RuleID)
	put("slug", f.Slug)
	put("status", f.Status)
	put("fingerprint", f.Fingerprint)
	put("value_from", f.ValueFrom)
	put("category", f.Category)
	put("resource_address", f.Resource.Address)
	put("path", f.Location.Path)
	if f.Location.StartLine > 0 {
		put("start_line", strconv.Itoa(f.Location.StartLine))
	}
	put("ref", f.Location.Ref)
	if f.ReplacementRequired {
		put("replacement_required", "true")
	}
	if s := f.Suppression; s != nil {
		put("suppression_kind", s.Kind)
		put("suppression_reason", s.Reason)
		put("suppression_approved_by", nonEmpty(s.ApprovedBy, s.Approver))
		put("suppression_ticket", s.Ticket)
		put("suppression_expires", s.Expires)
		put("suppression_original_status", s.OriginalStatus)
	}
	return pf
}

// partitionOf reads the partition of an ARN, else def, else "aws".
func partitionOf(arn, def string) string {
	if rest, ok := strings.CutPrefix(arn, "arn:"); ok {
		if p, _, ok := strings.Cut(rest, ":"); ok && p != "" {
			return p
		}
	}
	return nonEmpty(def, "aws")
}

// reportTime is when findings are stamped: Options.Time, else midnight UTC of as_of.
func reportTime(r *finding.Report, o Options) (time.Time, error) {
	if !o.Time.IsZero() {
		return o.Time, nil
	}
	if r.AsOf == "" {
		return time.Time{}, errors.New("the report has no as_of date to stamp the findings with")
	}
	t, err := time.Parse("2006-01-02", r.AsOf)
	if err != nil {
		return time.Time{}, fmt.Errorf("the report's as_of %q is not a YYYY-MM-DD date", r.AsOf)
	}
	return t, nil
}

// truncateRunes shortens s to at most n characters, marking the cut with an ellipsis.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	rs := []rune(s)
	return string(rs[:n-1]) + "…"
}
