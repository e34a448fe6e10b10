package rules

import (
	"strconv"
	"strings"
	"time"
)

// EngineVersion is one row of the engine version table: a major.minor line of an engine and the
// date Amazon MQ ends its support.
type EngineVersion struct {
	Engine string // model.EngineActiveMQ or model.EngineRabbitMQ
	// Line is the major.minor version line, e.g. "5.18" or "3.13".
	Line string
	// EndOfSupport is the first day the line is no longer supported, as YYYY-MM-DD; empty while
	// the line is supported with no announced date.
	EndOfSupport string
	// Note qualifies a supported line (recommended, instance type limits).
	Note string
}

// engineVersions is the Amazon MQ engine version table of RULES.md (MQG010), checked against the
// AWS documentation in November 2026. Update it when AWS announces a new line or an end of
// support date; nothing else needs to change.
var engineVersions = []EngineVersion{
	{Engine: "ActiveMQ", Line: "5.19", Note: "recommended"},
	{Engine: "ActiveMQ", Line: "5.18", Note: "supported"},
	{Engine: "ActiveMQ", Line: "5.17", EndOfSupport: "2025-06-16"},
	{Engine: "ActiveMQ", Line: "5.16", EndOfSupport: "2024-11-15"},
	{Engine: "ActiveMQ", Line: "5.15", EndOfSupport: "2024-09-16"},
	{Engine: "RabbitMQ", Line: "4.2", Note: "recommended; mq.m7g only"},
	{Engine: "RabbitMQ", Line: "3.13", Note: "supported"},
	{Engine: "RabbitMQ", Line: "3.12", EndOfSupport: "2025-03-17"},
	{Engine: "RabbitMQ", Line: "3.11", EndOfSupport: "2025-02-17"},
	{Engine: "RabbitMQ", Line: "3.10", EndOfSupport: "2024-10-15"},
	{Engine: "RabbitMQ", Line: "3.9", EndOfSupport: "2024-09-16"},
	{Engine: "RabbitMQ", Line: "3.8", EndOfSupport: "2023-07-05"},
}

// EngineVersions returns a copy of the engine version table.
func EngineVersions() []EngineVersion {
	return append([]EngineVersion(nil), engineVersions...)
}

// LookupEngineVersion finds the table row of an engine's version line. version may carry a
// patch part ("5.17.6" finds the 5.17 row); engine is compared case-insensitively.
func LookupEngineVersion(engine, version string) (EngineVersion, bool) {
	v, ok := ParseVersion(version)
	if !ok {
		return EngineVersion{}, false
	}
	for _, row := range engineVersions {
		line, _ := ParseVersion(row.Line)
		if strings.EqualFold(row.Engine, engine) && line.Major == v.Major && line.Minor == v.Minor {
			return row, true
		}
	}
	return EngineVersion{}, false
}

// EndOfSupportDate parses EndOfSupport; ok is false while the line has no end of support date.
func (e EngineVersion) EndOfSupportDate() (time.Time, bool) {
	if e.EndOfSupport == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, e.EndOfSupport)
	return t, err == nil
}

// cve202346604Fixed gives, per ActiveMQ version line, the first patch level that fixes
// CVE-2023-46604 (remote code execution through the OpenWire protocol). Lines absent from the
// table shipped fixed (5.19) or are judged by end of support alone.
var cve202346604Fixed = map[string]string{
	"5.15": "5.15.16",
	"5.16": "5.16.7",
	"5.17": "5.17.6",
	"5.18": "5.18.3",
}

// VulnerableToCVE202346604 reports whether an ActiveMQ version written with a patch level is
// below the fix for CVE-2023-46604 in its line, and returns the fixed version. A version written
// as major.minor only is patched by Amazon MQ itself and is never reported.
func VulnerableToCVE202346604(version string) (fixed string, vulnerable bool) {
	v, ok := ParseVersion(version)
	if !ok || !v.HasPatch {
		return "", false
	}
	fixed, ok = cve202346604Fixed[v.Line()]
	if !ok {
		return "", false
	}
	f, _ := ParseVersion(fixed)
	return fixed, v.Compare(f) < 0
}

// Version is a parsed engine version: major.minor with an optional patch part.
type Version struct {
	Major, Minor, Patch int
	// HasPatch is false for a version written as major.minor only.
	HasPatch bool
}

// ParseVersion reads "major.minor" or "major.minor.patch" (decimal numbers, surrounding spaces
// ignored). Anything else, including "latest", is not a version.
func ParseVersion(s string) (Version, bool) {
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) < 2 || len(parts) > 3 {
		return Version{}, false
	}
	nums := make([]int, len(parts))
	for i, p := range parts {
		if p == "" || len(p) > 9 || strings.TrimLeft(p, "0123456789") != "" {
			return Version{}, false
		}
		n, err := strconv.Atoi(p)
		if err != nil {
			return Version{}, false
		}
		nums[i] = n
	}
	v := Version{Major: nums[0], Minor: nums[1]}
	if len(nums) == 3 {
		v.Patch, v.HasPatch = nums[2], true
	}
	return v, true
}

// Line returns the major.minor line of v.
func (v Version) Line() string {
	return strconv.Itoa(v.Major) + "." + strconv.Itoa(v.Minor)
}

// String returns v as written: major.minor or major.minor.patch.
func (v Version) String() string {
	if !v.HasPatch {
		return v.Line()
	}
	return v.Line() + "." + strconv.Itoa(v.Patch)
}

// Compare orders versions numerically (so 3.13 > 3.8); a missing patch part counts as 0. It
// returns -1, 0 or +1.
func (v Version) Compare(o Version) int {
	for _, d := range [...]int{v.Major - o.Major, v.Minor - o.Minor, v.Patch - o.Patch} {
		switch {
		case d < 0:
			return -1
		case d > 0:
			return 1
		}
	}
	return 0
}

// AtLeast reports whether v >= major.minor.
func (v Version) AtLeast(major, minor int) bool {
	return v.Compare(Version{Major: major, Minor: minor}) >= 0
}
