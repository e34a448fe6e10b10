package rules

import (
	"regexp"
	"sort"
	"strings"
)

// Kinds of personal data MQG015 looks for, as messages name them.
const (
	piiEmail = "an email address"
	piiPhone = "a phone number"
	piiCard  = "a payment card number"
	piiSSN   = "a US social security number"
)

// piiMatch is personal data found in a string. Only the masked form ever leaves this file.
type piiMatch struct {
	Kind   string
	Masked string
	start  int
	end    int
}

var (
	// digitRun is a run of digit groups separated by single spaces or hyphens: card numbers and
	// SSNs are judged on the whole run, never on a part of a longer number.
	digitRun = regexp.MustCompile(`[0-9]+(?:[ -][0-9]+)*`)
	emailRe  = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}`)
	// intlPhoneRe is an international number: "+" then digits with spaces, dots, hyphens or
	// parentheses between them.
	intlPhoneRe = regexp.MustCompile(`\+[0-9][0-9 ().-]{6,22}[0-9]`)
	// nanpPhoneRe is a North American number with separators: (202) 555-0143, 202-555-0143,
	// 202.555.0143. A bare ten-digit number is not taken (it is more often an ID).
	nanpPhoneRe = regexp.MustCompile(`\(?[2-9][0-9]{2}\)?[ .-]?[2-9][0-9]{2}[ .-][0-9]{4}`)
)

// findPII returns the personal data found in s, in order of position. It prefers precision over
// recall: version strings, dates, IP addresses and CIDRs, ARNs, account IDs, port lists and
// timestamps are not personal data and must not be reported.
func findPII(s string) []piiMatch {
	var out []piiMatch
	taken := func(start, end int) bool {
		for _, m := range out {
			if start < m.end && m.start < end {
				return true
			}
		}
		return false
	}
	for _, loc := range digitRun.FindAllStringIndex(s, -1) {
		start, end := loc[0], loc[1]
		if !isolated(s, start, end) {
			continue
		}
		run := s[start:end]
		switch {
		case isCardNumber(run):
			out = append(out, piiMatch{Kind: piiCard, Masked: maskCard(run), start: start, end: end})
		case isSSN(run):
			out = append(out, piiMatch{Kind: piiSSN, Masked: maskSSN(run), start: start, end: end})
		}
	}
	for _, loc := range intlPhoneRe.FindAllStringIndex(s, -1) {
		start, end := loc[0], loc[1]
		if isolated(s, start, end) && isIntlPhone(s[start:end]) && !taken(start, end) {
			out = append(out, piiMatch{Kind: piiPhone, Masked: maskPhone(s[start:end]), start: start, end: end})
		}
	}
	for _, loc := range nanpPhoneRe.FindAllStringIndex(s, -1) {
		start, end := loc[0], loc[1]
		if isolated(s, start, end) && isNANPPhone(s[start:end]) && !taken(start, end) {
			out = append(out, piiMatch{Kind: piiPhone, Masked: maskPhone(s[start:end]), start: start, end: end})
		}
	}
	for _, loc := range emailRe.FindAllStringIndex(s, -1) {
		start, end := loc[0], loc[1]
		// user:password@host and scheme://user@host are URL credentials, not addresses.
		if start > 0 && s[start-1] == ':' && !strings.HasSuffix(strings.ToLower(s[:start]), "mailto:") ||
			strings.HasSuffix(s[:start], "://") {
			continue
		}
		if end < len(s) && (isAlnum(s[end]) || s[end] == '@') || taken(start, end) {
			continue
		}
		out = append(out, piiMatch{Kind: piiEmail, Masked: maskEmail(s[start:end]), start: start, end: end})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].start < out[j].start })
	return out
}

// isolated reports whether s[start:end] stands on its own: not glued to letters, digits or a
// dotted/hyphenated/slashed number around it (a version, an IP address, a date, a CIDR).
func isolated(s string, start, end int) bool {
	if start > 0 {
		c := s[start-1]
		if isAlnum(c) || c == '_' || c == '+' || c == '/' || c == ':' {
			return false
		}
		if (c == '.' || c == '-') && start > 1 && isAlnum(s[start-2]) {
			return false
		}
	}
	if end < len(s) {
		c := s[end]
		if isAlnum(c) || c == '_' || c == '/' {
			return false
		}
		if (c == '.' || c == '-' || c == ':') && end+1 < len(s) && isAlnum(s[end+1]) {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool { return isLetter(c) || c >= '0' && c <= '9' }

// digitsOf returns the digits of s.
func digitsOf(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// isCardNumber reports whether a digit run is a payment card number: 13 to 19 digits, written
// together or in groups (first group of 4, then groups of 3 to 6, one separator kind), with an
// issuer prefix of a major scheme and a valid Luhn check digit.
func isCardNumber(run string) bool {
	groups := strings.FieldsFunc(run, func(r rune) bool { return r == ' ' || r == '-' })
	if len(groups) > 1 {
		if strings.Contains(run, " ") && strings.Contains(run, "-") || len(groups[0]) != 4 {
			return false
		}
		for _, g := range groups[1:] {
			if len(g) < 3 || len(g) > 6 {
				return false
			}
		}
	}
	d := digitsOf(run)
	return cardIssuer(d) && luhn(d)
}

// cardIssuer reports whether d has the prefix and length of a major card scheme.
func cardIssuer(d string) bool {
	n := len(d)
	if n < 13 || n > 19 {
		return false
	}
	p2, p3, p4 := atoiPrefix(d, 2), atoiPrefix(d, 3), atoiPrefix(d, 4)
	switch {
	case d[0] == '4': // Visa
		return n == 13 || n == 16 || n == 19
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720: // Mastercard
		return n == 16
	case p2 == 34, p2 == 37: // American Express
		return n == 15
	case p4 == 6011, p3 >= 644 && p3 <= 649, p2 == 65, p2 == 62: // Discover, UnionPay
		return n >= 16
	case p3 >= 300 && p3 <= 305, p2 == 36, p2 == 38, p2 == 39: // Diners Club
		return n >= 14
	case p4 >= 3528 && p4 <= 3589: // JCB
		return n >= 16
	}
	return false
}

func atoiPrefix(d string, n int) int {
	v := 0
	for i := 0; i < n && i < len(d); i++ {
		v = v*10 + int(d[i]-'0')
	}
	return v
}

// luhn reports whether the digits d carry a valid Luhn check digit.
func luhn(d string) bool {
	sum := 0
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if (len(d)-1-i)%2 == 1 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return len(d) > 0 && sum%10 == 0
}

// isSSN reports whether a digit run is a US social security number written AAA-GG-SSSS, with the
// area, group and serial numbers the Social Security Administration can issue.
func isSSN(run string) bool {
	parts := strings.Split(run, "-")
	if len(parts) != 3 || len(parts[0]) != 3 || len(parts[1]) != 2 || len(parts[2]) != 4 {
		return false
	}
	area := atoiPrefix(parts[0], 3)
	return area != 0 && area != 666 && area < 900 && parts[1] != "00" && parts[2] != "0000"
}

// isIntlPhone validates an intlPhoneRe match: 8 to 15 digits, one separator at a time, balanced
// parentheses and at least one group of three digits or more (so "+1.2.3.4.5.6.7.8" is not one).
func isIntlPhone(m string) bool {
	if n := len(digitsOf(m)); n < 8 || n > 15 {
		return false
	}
	if strings.Count(m, "(") != strings.Count(m, ")") || strings.Count(m, "(") > 1 {
		return false
	}
	for _, bad := range []string{"..", "--", "  ", ".-", "-.", " .", ". ", "-(", ")-"} {
		if strings.Contains(m, bad) {
			return false
		}
	}
	for _, g := range strings.FieldsFunc(m, func(r rune) bool { return r < '0' || r > '9' }) {
		if len(g) >= 3 {
			return true
		}
	}
	return false
}

// isNANPPhone validates a nanpPhoneRe match: parentheses come in pairs around the area code, and
// without them both separators are the same character.
func isNANPPhone(m string) bool {
	open, closed := strings.HasPrefix(m, "("), strings.Contains(m, ")")
	if open != closed {
		return false
	}
	if open {
		return true
	}
	return len(m) == 12 && m[3] == m[7]
}

// maskEmail keeps the first letter of the local part and of the domain, and the top-level
// domain: jane.doe@example.com becomes j***@e***.com.
func maskEmail(e string) string {
	local, domain, _ := strings.Cut(e, "@")
	tld := domain[strings.LastIndexByte(domain, '.')+1:]
	return local[:1] + "***@" + domain[:1] + "***." + tld
}

// maskPhone hides every digit but the last two, keeping the layout: +* (***) ***-**43.
func maskPhone(p string) string {
	keep := len(digitsOf(p)) - 2
	b := []byte(p)
	for i := range b {
		if b[i] >= '0' && b[i] <= '9' {
			if keep > 0 {
				b[i] = '*'
			}
			keep--
		}
	}
	return string(b)
}

// maskCard shows only the last four digits: **** **** **** 1234.
func maskCard(run string) string {
	d := digitsOf(run)
	return "**** **** **** " + d[len(d)-4:]
}

// maskSSN shows only the serial number: ***-**-6789.
func maskSSN(run string) string {
	return "***-**-" + run[len(run)-4:]
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
