package rules

//go:generate go run ../tools/gendocs -root ../..

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

// Markers delimit the generated rule table in the repository README.
const (
	ReadmeBegin = "<!-- rules:begin -->"
	ReadmeEnd   = "<!-- rules:end -->"
)

// DocsDir is where the generated rule pages live, relative to the repository root.
const DocsDir = "docs/rules"

// remediationOrder is the order and heading of remediation texts in the docs.
var remediationOrder = []struct {
	kind  model.SourceKind
	title string
}{
	{model.SourceTerraform, "Terraform"},
	{model.SourceTFPlan, "Terraform plan"},
	{model.SourceCloudFormation, "CloudFormation"},
	{model.SourceAWS, "Live AWS"},
	{model.SourceBrokerConf, "Broker configuration"},
	{model.SourceProbe, "Live broker (--broker)"},
	{"", "Other inputs"},
}

// statusOrder is the order outcomes are listed in the docs.
var statusOrder = []Status{Fail, Unknown, Pass, NotApplicable}

// docExtras adds rule-specific sections (data tables) to a rule's page, after its results.
var docExtras = map[string]func() string{
	"MQG010": versionTableMarkdown,
	"MQG023": cipherTableMarkdown,
	"MQG036": kevTableMarkdown,
}

// cipherTableMarkdown renders MQG023's allowed TLS 1.2 suites as a list (a table of the long
// suite names would not fit a terminal).
func cipherTableMarkdown() string {
	var b strings.Builder
	b.WriteString("\n## Allowed cipher suites\n\n")
	b.WriteString("TLS 1.2 suites outside this list fail; every TLS 1.3 suite (" + strings.Join(tls13Suites, ", ") +
		") passes; TLS 1.0, TLS 1.1 and SSL 3.0 fail. Each suite is given by its IANA name and its OpenSSL name.\n\n")
	for _, s := range allowedTLS12Suites {
		fmt.Fprintf(&b, "- `%s` (`%s`)\n", s.IANA, s.OpenSSL)
	}
	return b.String()
}

// kevTableMarkdown renders MQG036's catalog of known exploited vulnerabilities.
func kevTableMarkdown() string {
	var b strings.Builder
	b.WriteString("\n## Known exploited vulnerabilities\n\n")
	for _, e := range kevCatalog {
		fmt.Fprintf(&b, "- %s (%s, in the CISA KEV catalog since %s): %s; fixed in %s", e.CVE, e.Engine, e.KEVDate,
			e.Summary, strings.Join(e.Fixed, ", "))
		if e.FileServerDefaultOffFrom != "" {
			fmt.Fprintf(&b, "; from %s only when the fileserver is deployed", e.FileServerDefaultOffFrom)
		}
		fmt.Fprintf(&b, ". Source: %s\n", e.Source)
	}
	return b.String()
}

// versionTableMarkdown renders the engine version table and the CVE-2023-46604 fixes.
func versionTableMarkdown() string {
	var b strings.Builder
	b.WriteString("\n## Version table\n\n")
	b.WriteString("Versions are read as major.minor (a patch part is allowed). A version written as major.minor " +
		"only is patched by Amazon MQ and never judged on its patch level; a version not in the table is UNKNOWN.\n\n")
	b.WriteString("| Engine | Version | End of support |\n|---|---|---|\n")
	for _, row := range engineVersions {
		eos := row.EndOfSupport
		if eos == "" {
			eos = "(" + row.Note + ")"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", row.Engine, row.Line, eos)
	}
	lines := make([]string, 0, len(cve202346604Fixed))
	for line := range cve202346604Fixed {
		lines = append(lines, line)
	}
	sort.Slice(lines, func(i, j int) bool {
		a, _ := ParseVersion(lines[i])
		c, _ := ParseVersion(lines[j])
		return a.Compare(c) < 0
	})
	fixed := make([]string, len(lines))
	for i, line := range lines {
		fixed[i] = cve202346604Fixed[line]
	}
	fmt.Fprintf(&b, "\nCVE-2023-46604 is fixed in ActiveMQ %s (FAIL CRITICAL below the fix of its line).\n",
		strings.Join(fixed, ", "))
	return b.String()
}

// DocFileName is the name of a rule's page in DocsDir.
func DocFileName(r *Rule) string { return r.ID + "-" + r.Slug + ".md" }

// DocFiles returns every generated file of DocsDir, by file name: one page per rule and the
// README.md index.
func DocFiles(rs []*Rule) map[string]string {
	files := make(map[string]string, len(rs)+1)
	for _, r := range rs {
		files[DocFileName(r)] = Markdown(r)
	}
	files["README.md"] = IndexMarkdown(rs)
	return files
}

// Markdown is the documentation page of one rule.
func Markdown(r *Rule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s: %s\n\n", r.ID, r.Title)
	b.WriteString("<!-- Generated from the rule's metadata by internal/tools/gendocs. Do not edit. -->\n\n")
	b.WriteString("| | |\n|---|---|\n")
	fmt.Fprintf(&b, "| ID | `%s` |\n", r.ID)
	fmt.Fprintf(&b, "| Slug | `%s` |\n", r.Slug)
	fmt.Fprintf(&b, "| Severity | %s |\n", r.Severity)
	fmt.Fprintf(&b, "| Engines | %s |\n", engineList(r))
	fmt.Fprintf(&b, "| Replacement required | %s |\n", yesNo(r.ReplacementRequired))
	fmt.Fprintf(&b, "| Self-managed brokers | %s |\n", yesNo(r.SelfManaged))
	if r.CheckConfiguration != nil {
		b.WriteString("| Also checks | unused broker configurations |\n")
	}

	fmt.Fprintf(&b, "\n## Why it matters\n\n%s\n", strings.TrimSpace(r.Rationale))

	b.WriteString("\n## Results\n\n")
	for _, st := range statusOrder {
		for _, ex := range r.Examples {
			if ex.Want == st {
				fmt.Fprintf(&b, "- **%s**: %s\n", st, strings.TrimSpace(ex.Note))
			}
		}
	}
	b.WriteString("- **UNKNOWN** whenever a value the rule reads cannot be decided (an unresolved variable, " +
		"a module output, an unreadable API field): never PASS or FAIL.\n")
	if len(r.Engines) > 0 {
		fmt.Fprintf(&b, "- **N/A** on engines other than %s.\n", strings.Join(r.Engines, ", "))
	}
	if !r.SelfManaged {
		b.WriteString("- **N/A** on self-managed brokers (configuration files, --broker): the rule is about " +
			"a setting of Amazon MQ.\n")
	}

	if extra := docExtras[r.ID]; extra != nil {
		b.WriteString(extra())
	}

	b.WriteString("\n## Remediation\n")
	if r.ReplacementRequired {
		b.WriteString("\nThe fix cannot be applied in place: AWS requires a new broker. " +
			"`mqguard plan-migration` writes the replacement and the cutover runbook.\n")
	}
	for _, ro := range remediationOrder {
		if text := strings.TrimSpace(r.Remediation[ro.kind]); text != "" {
			fmt.Fprintf(&b, "\n### %s\n\n%s\n", ro.title, text)
		}
		for _, engine := range []string{model.EngineActiveMQ, model.EngineRabbitMQ} {
			if text := strings.TrimSpace(r.Remediation[ForEngine(ro.kind, engine)]); text != "" {
				fmt.Fprintf(&b, "\n### %s (%s)\n\n%s\n", ro.title, engine, text)
			}
		}
	}

	if len(r.Aliases) > 0 || len(r.Controls) > 0 {
		b.WriteString("\n## Aliases and controls\n\n")
		if len(r.Aliases) > 0 {
			b.WriteString("Other tools' IDs for this check; their inline ignores are honoured.\n\n")
			b.WriteString("| Tool | ID |\n|---|---|\n")
			for _, a := range r.Aliases {
				fmt.Fprintf(&b, "| %s | `%s` |\n", a.Tool, a.ID)
			}
		}
		if len(r.Controls) > 0 {
			if len(r.Aliases) > 0 {
				b.WriteString("\n")
			}
			b.WriteString("Controls:\n\n")
			for _, c := range r.Controls {
				fmt.Fprintf(&b, "- %s\n", c)
			}
		}
	}

	if len(r.Examples) > 0 {
		b.WriteString("\n## Examples\n")
		for _, ex := range r.Examples {
			fmt.Fprintf(&b, "\n### %s: %s\n\n", ex.Want, strings.TrimSpace(ex.Note))
			fmt.Fprintf(&b, "Input: %s; result for `%s`: **%s**.\n", kindTitle(ex.Kind), ex.Address, ex.Want)
			names := make([]string, 0, len(ex.Files))
			for name := range ex.Files {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				body := ex.Files[name]
				if !strings.HasSuffix(body, "\n") {
					body += "\n"
				}
				fmt.Fprintf(&b, "\n`%s`:\n\n%s%s\n%s%s\n", name, fence(body), fenceLanguage(name), body, fence(body))
			}
		}
	}
	return b.String()
}

// IndexMarkdown is the rule index page of DocsDir: one table row per rule.
func IndexMarkdown(rs []*Rule) string {
	var b strings.Builder
	b.WriteString("# Rules\n\n")
	b.WriteString("<!-- Generated from the rules' metadata by internal/tools/gendocs. Do not edit. -->\n\n")
	b.WriteString("Every rule answers FAIL, PASS, UNKNOWN (a value could not be decided) or N/A (the rule " +
		"does not apply, e.g. to the broker's engine). \"Replacement\" says whether the fix needs a new broker.\n\n")
	b.WriteString(indexTable(rs, ""))
	return b.String()
}

// ReadmeSection is the rule table for the repository README, with links into DocsDir, between
// ReadmeBegin and ReadmeEnd.
func ReadmeSection(rs []*Rule) string {
	return ReadmeBegin + "\n" + indexTable(rs, DocsDir+"/") + ReadmeEnd
}

// ReplaceReadmeSection replaces the text from ReadmeBegin to ReadmeEnd (inclusive) in doc with
// section. ok is false when doc lacks the markers, in order.
func ReplaceReadmeSection(doc, section string) (out string, ok bool) {
	i := strings.Index(doc, ReadmeBegin)
	if i < 0 {
		return doc, false
	}
	j := strings.Index(doc[i:], ReadmeEnd)
	if j < 0 {
		return doc, false
	}
	j += i + len(ReadmeEnd)
	return doc[:i] + section + doc[j:], true
}

func indexTable(rs []*Rule, linkPrefix string) string {
	var b strings.Builder
	b.WriteString("| ID | Slug | Severity | Engines | Title | Replacement |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	for _, r := range rs {
		fmt.Fprintf(&b, "| [%s](%s) | `%s` | %s | %s | %s | %s |\n",
			r.ID, path.Join(linkPrefix, DocFileName(r)), r.Slug, r.Severity, engineList(r),
			strings.ReplaceAll(r.Title, "|", `\|`), yesNo(r.ReplacementRequired))
	}
	return b.String()
}

func engineList(r *Rule) string {
	if len(r.Engines) == 0 {
		return "all"
	}
	return strings.Join(r.Engines, ", ")
}

func yesNo(v bool) string {
	if v {
		return "yes"
	}
	return "no"
}

func kindTitle(k model.SourceKind) string {
	for _, ro := range remediationOrder {
		if ro.kind == k && k != "" {
			return ro.title
		}
	}
	return string(k)
}

// fenceLanguage picks the code block language from a file name.
func fenceLanguage(name string) string {
	switch ext := strings.ToLower(path.Ext(name)); ext {
	case ".tf", ".tfvars", ".hcl":
		return "hcl"
	case ".json":
		return "json"
	case ".yaml", ".yml":
		return "yaml"
	case ".xml":
		return "xml"
	case ".conf":
		return "ini"
	default:
		return ""
	}
}

// fence is a code fence longer than any run of backticks in body.
func fence(body string) string {
	longest, run := 0, 0
	for _, c := range body {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}
