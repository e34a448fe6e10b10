package report

import (
	"strconv"
	"unicode/utf8"

	"github.com/mqguard/mqguard/internal/finding"
)

// appendFinding appends f as encoding/json writes it with SetIndent("    ", "  ") and
// SetEscapeHTML(false), without the trailing newline. A report holds up to hundreds of thousands
// of findings and encoding/json's reflection and re-indentation were a tenth of a scan; the
// tests compare this encoder with encoding/json on every field of the type, so the two cannot
// drift apart.
func appendFinding(b []byte, f *finding.Finding) []byte {
	const in1, in2, in3 = "\n      ", "\n        ", "\n          "
	b = append(b, '{')
	b = appendField(b, in1, "rule_id", f.RuleID, true)
	b = appendField(b, in1, "slug", f.Slug, false)
	b = appendField(b, in1, "title", f.Title, false)
	b = appendField(b, in1, "severity", f.Severity, false)
	b = appendField(b, in1, "status", f.Status, false)
	b = append(b, ","+in1+`"resource": {`...)
	r := &f.Resource
	b = appendField(b, in2, "address", r.Address, true)
	b = appendField(b, in2, "type", r.Type, false)
	b = appendField(b, in2, "name", r.Name, false)
	b = appendField(b, in2, "engine", r.Engine, false)
	b = appendField(b, in2, "source", r.Source, false)
	b = appendField(b, in2, "account", r.Account, false)
	b = appendField(b, in2, "region", r.Region, false)
	if r.ARN != "" {
		b = appendField(b, in2, "arn", r.ARN, false)
	}
	b = append(b, in1+"}"...)
	b = append(b, ","+in1+`"location": `...)
	b = appendLocation(b, &f.Location, in1, in2)
	b = appendField(b, in1, "message", f.Message, false)
	b = appendField(b, in1, "value_from", f.ValueFrom, false)
	b = append(b, ","+in1+`"replacement_required": `...)
	b = strconv.AppendBool(b, f.ReplacementRequired)
	b = appendField(b, in1, "remediation", f.Remediation, false)
	b = append(b, ","+in1+`"suppression": `...)
	if s := f.Suppression; s == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '{')
		b = appendField(b, in2, "kind", s.Kind, true)
		if s.Tool != "" {
			b = appendField(b, in2, "tool", s.Tool, false)
		}
		b = appendField(b, in2, "reason", s.Reason, false)
		if s.Approver != "" {
			b = appendField(b, in2, "approver", s.Approver, false)
		}
		if s.ApprovedBy != "" {
			b = appendField(b, in2, "approved_by", s.ApprovedBy, false)
		}
		if s.Ticket != "" {
			b = appendField(b, in2, "ticket", s.Ticket, false)
		}
		if s.Expires != "" {
			b = appendField(b, in2, "expires", s.Expires, false)
		}
		if s.Expired {
			b = append(b, ","+in2+`"expired": true`...)
		}
		if s.OriginalStatus != "" {
			b = appendField(b, in2, "original_status", s.OriginalStatus, false)
		}
		if s.Location != nil {
			b = append(b, ","+in2+`"location": `...)
			b = appendLocation(b, s.Location, in2, in3)
		}
		b = append(b, in1+"}"...)
	}
	b = appendField(b, in1, "fingerprint", f.Fingerprint, false)
	if len(f.Aliases) > 0 {
		b = append(b, ","+in1+`"aliases": [`...)
		for i, a := range f.Aliases {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, in2...)
			b = appendString(b, a)
		}
		b = append(b, in1+"]"...)
	}
	if f.HelpURI != "" {
		b = appendField(b, in1, "help_uri", f.HelpURI, false)
	}
	if f.Category != "" {
		b = appendField(b, in1, "category", f.Category, false)
	}
	return append(b, "\n    }"...)
}

func appendLocation(b []byte, l *finding.Location, outer, inner string) []byte {
	b = append(b, '{')
	b = appendField(b, inner, "path", l.Path, true)
	b = append(b, ","+inner+`"start_line": `...)
	b = strconv.AppendInt(b, int64(l.StartLine), 10)
	b = append(b, ","+inner+`"end_line": `...)
	b = strconv.AppendInt(b, int64(l.EndLine), 10)
	if l.Ref != "" {
		b = appendField(b, inner, "ref", l.Ref, false)
	}
	return append(b, outer+"}"...)
}

// appendField appends `"name": "value"` on a new line with the given indentation, after a comma
// unless it is the first field of its object.
func appendField(b []byte, indent, name, value string, first bool) []byte {
	if !first {
		b = append(b, ',')
	}
	b = append(b, indent...)
	b = append(b, '"')
	b = append(b, name...)
	b = append(b, `": `...)
	return appendString(b, value)
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaped as encoding/json does without HTML escaping:
// quotes, backslashes and control characters; U+2028 and U+2029; invalid UTF-8 as U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
