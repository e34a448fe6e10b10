package report

import (
	"bufio"
	"fmt"
	"io"

	"github.com/mqguard/mqguard/internal/finding"
)

// ocsfFormat writes OCSF Compliance Finding events (class 2003), one JSON object per line, as
// SIEMs and security data lakes (Amazon Security Lake among them) ingest them.
type ocsfFormat struct{}

func (ocsfFormat) Name() string { return "ocsf" }

func (ocsfFormat) Description() string {
	return "OCSF " + ocsfVersion + " Compliance Finding events, one JSON object per line"
}

// OCSF identifiers of the Compliance Finding class.
const (
	ocsfVersion     = "1.3.0"
	ocsfCategoryUID = 2 // Findings
	ocsfCategory    = "Findings"
	ocsfClassUID    = 2003
	ocsfClass       = "Compliance Finding"
	// Every scan is a fresh observation of the finding: activity Create (type_uid is
	// class_uid*100 + activity_id).
	ocsfActivityID = 1
	ocsfActivity   = "Create"
	ocsfStandard   = "mqguard rule catalog"
)

// The OCSF subset mqguard writes; attribute names follow the OCSF schema.
type (
	ocsfEvent struct {
		ActivityID   int              `json:"activity_id"`
		ActivityName string           `json:"activity_name"`
		CategoryUID  int              `json:"category_uid"`
		CategoryName string           `json:"category_name"`
		ClassUID     int              `json:"class_uid"`
		ClassName    string           `json:"class_name"`
		TypeUID      int              `json:"type_uid"`
		TypeName     string           `json:"type_name"`
		Time         int64            `json:"time"`
		SeverityID   int              `json:"severity_id"`
		Severity     string           `json:"severity"`
		StatusID     int              `json:"status_id"`
		Status       string           `json:"status"`
		Message      string           `json:"message"`
		Metadata     ocsfMetadata     `json:"metadata"`
		FindingInfo  ocsfFindingInfo  `json:"finding_info"`
		Compliance   ocsfCompliance   `json:"compliance"`
		Resources    []ocsfResource   `json:"resources"`
		Remediation  *ocsfRemediation `json:"remediation,omitempty"`
		Cloud        *ocsfCloud       `json:"cloud,omitempty"`
		Unmapped     map[string]any   `json:"unmapped,omitempty"`
	}
	ocsfMetadata struct {
		Version string      `json:"version"`
		Product ocsfProduct `json:"product"`
	}
	ocsfProduct struct {
		Name       string `json:"name"`
		VendorName string `json:"vendor_name"`
		Version    string `json:"version,omitempty"`
		URLString  string `json:"url_string"`
	}
	ocsfFindingInfo struct {
		UID      string       `json:"uid"`
		Title    string       `json:"title"`
		Desc     string       `json:"desc,omitempty"`
		Types    []string     `json:"types,omitempty"`
		SrcURL   string       `json:"src_url,omitempty"`
		Analytic ocsfAnalytic `json:"analytic"`
	}
	ocsfAnalytic struct {
		UID    string `json:"uid"`
		Name   string `json:"name,omitempty"`
		TypeID int    `json:"type_id"`
		Type   string `json:"type"`
	}
	ocsfCompliance struct {
		Control   string   `json:"control"`
		Standards []string `json:"standards"`
		StatusID  int      `json:"status_id"`
		Status    string   `json:"status"`
	}
	ocsfResource struct {
		UID            string            `json:"uid"`
		Name           string            `json:"name,omitempty"`
		Type           string            `json:"type,omitempty"`
		Region         string            `json:"region,omitempty"`
		CloudPartition string            `json:"cloud_partition,omitempty"`
		Data           map[string]string `json:"data,omitempty"`
	}
	ocsfRemediation struct {
		Desc       string   `json:"desc"`
		References []string `json:"references,omitempty"`
	}
	ocsfCloud struct {
		Provider string       `json:"provider"`
		Region   string       `json:"region,omitempty"`
		Account  *ocsfAccount `json:"account,omitempty"`
	}
	ocsfAccount struct {
		UID    string `json:"uid"`
		TypeID int    `json:"type_id"`
		Type   string `json:"type"`
	}
)

// ocsfSeverity maps severities to severity_id and its caption.
var ocsfSeverity = map[string]struct {
	id   int
	name string
}{
	"INFO": {1, "Informational"}, "LOW": {2, "Low"}, "MEDIUM": {3, "Medium"}, "HIGH": {4, "High"}, "CRITICAL": {5, "Critical"},
}

// ocsfStatus maps statuses to the finding's status_id (New, Suppressed, Resolved) and the
// compliance status_id (Pass 1, Warning 2, Fail 3; Unknown 0, Other 99). UNKNOWN is OCSF's own
// Unknown: the check could not decide, which is neither a pass nor a fail.
var ocsfStatus = map[string]struct {
	id         int
	name       string
	compliance int
	compName   string
}{
	finding.StatusFail:       {1, "New", 3, "Fail"},
	finding.StatusUnknown:    {1, "New", 0, "Unknown"},
	finding.StatusSuppressed: {3, "Suppressed", 3, "Fail"},
	finding.StatusPass:       {4, "Resolved", 1, "Pass"},
	finding.StatusNA:         {4, "Resolved", 99, "Not applicable"},
}

func (ocsfFormat) Write(w io.Writer, r *finding.Report, o Options) error {
	stamp, err := reportTime(r, o)
	if err != nil {
		return fmt.Errorf("ocsf: %w", err)
	}
	ms := stamp.UnixMilli()
	bw := bufio.NewWriter(w)
	product := ocsfProduct{Name: nonEmpty(r.Tool.Name, toolNameFallback), VendorName: toolNameFallback,
		Version: r.Tool.Version, URLString: informationURI}
	// One line per event (JSON Lines), encoded on every core.
	err = encodeParallel(len(r.Findings), func(b []byte, i int) ([]byte, error) {
		return appendLine(b, ocsfEventOf(&r.Findings[i], product, ms))
	}, func(b []byte) { _, _ = bw.Write(b) })
	if err != nil {
		return err
	}
	return bw.Flush()
}

func ocsfEventOf(f *finding.Finding, product ocsfProduct, ms int64) ocsfEvent {
	sev, ok := ocsfSeverity[f.Severity]
	if !ok {
		sev.name = "Unknown"
	}
	st, ok := ocsfStatus[f.Status]
	if !ok {
		st.id, st.name, st.compliance, st.compName = 99, f.Status, 99, f.Status
	}
	// A suppressed UNKNOWN stays undecided: the exception hides it, it does not decide it.
	if f.Status == finding.StatusSuppressed && f.Suppression != nil && f.Suppression.OriginalStatus == finding.StatusUnknown {
		unknown := ocsfStatus[finding.StatusUnknown]
		st.compliance, st.compName = unknown.compliance, unknown.compName
	}
	title := nonEmpty(f.Title, f.RuleID)
	ev := ocsfEvent{
		ActivityID: ocsfActivityID, ActivityName: ocsfActivity,
		CategoryUID: ocsfCategoryUID, CategoryName: ocsfCategory,
		ClassUID: ocsfClassUID, ClassName: ocsfClass,
		TypeUID: ocsfClassUID*100 + ocsfActivityID, TypeName: ocsfClass + ": " + ocsfActivity,
		Time:       ms,
		SeverityID: sev.id, Severity: sev.name,
		StatusID: st.id, Status: st.name,
		Message:  nonEmpty(f.Message, title),
		Metadata: ocsfMetadata{Version: ocsfVersion, Product: product},
		FindingInfo: ocsfFindingInfo{
			UID:      f.Fingerprint,
			Title:    title,
			Desc:     f.Message,
			SrcURL:   f.HelpURI,
			Analytic: ocsfAnalytic{UID: f.RuleID, Name: f.Slug, TypeID: 1, Type: "Rule"},
		},
		Compliance: ocsfCompliance{
			Control:   f.RuleID,
			Standards: []string{ocsfStandard},
			StatusID:  st.compliance,
			Status:    st.compName,
		},
		Resources: []ocsfResource{ocsfResourceOf(f)},
		Unmapped:  ocsfUnmapped(f),
	}
	if f.Category != "" {
		ev.FindingInfo.Types = []string{f.Category}
	}
	if f.Remediation != "" {
		ev.Remediation = &ocsfRemediation{Desc: f.Remediation}
		if f.HelpURI != "" {
			ev.Remediation.References = []string{f.HelpURI}
		}
	}
	if f.Resource.Source == "aws" || f.Resource.Account != "" {
		ev.Cloud = &ocsfCloud{Provider: "AWS", Region: f.Resource.Region}
		if f.Resource.Account != "" {
			ev.Cloud.Account = &ocsfAccount{UID: f.Resource.Account, TypeID: 10, Type: "AWS Account"}
		}
	}
	return ev
}

// ocsfResourceOf is the live broker by its ARN, or the IaC resource by its address with where it
// is written.
func ocsfResourceOf(f *finding.Finding) ocsfResource {
	res := ocsfResource{UID: nonEmpty(f.Resource.ARN, f.Resource.Address), Name: f.Resource.Name,
		Type: f.Resource.Type, Region: f.Resource.Region}
	if f.Resource.ARN != "" {
		res.CloudPartition = partitionOf(f.Resource.ARN, "")
	}
	data := map[string]string{}
	put := func(k, v string) {
		if v != "" {
			data[k] = v
		}
	}
	put("address", f.Resource.Address)
	put("engine", f.Resource.Engine)
	put("source", f.Resource.Source)
	put("path", f.Location.Path)
	put("ref", f.Location.Ref)
	if len(data) > 0 {
		res.Data = data
	}
	return res
}

// ocsfUnmapped carries the mqguard fields OCSF has no attribute for.
func ocsfUnmapped(f *finding.Finding) map[string]any {
	u := map[string]any{"mqguard_status": f.Status}
	if f.ValueFrom != "" {
		u["value_from"] = f.ValueFrom
	}
	if f.Location.StartLine > 0 {
		u["start_line"] = f.Location.StartLine
		u["end_line"] = f.Location.EndLine
	}
	if f.ReplacementRequired {
		u["replacement_required"] = true
	}
	if s := f.Suppression; s != nil {
		sup := map[string]string{"kind": s.Kind, "reason": s.Reason}
		for k, v := range map[string]string{"approved_by": nonEmpty(s.ApprovedBy, s.Approver), "ticket": s.Ticket,
			"expires": s.Expires, "original_status": s.OriginalStatus} {
			if v != "" {
				sup[k] = v
			}
		}
		u["suppression"] = sup
	}
	return u
}
