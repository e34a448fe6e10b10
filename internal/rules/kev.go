package rules

// kevEntry is a vulnerability of the CISA Known Exploited Vulnerabilities catalog that affects
// a broker engine (MQG036). Fixed lists the first fixed version of each affected line; a
// version of a line not listed is affected when it is older than the lowest fixed version.
type kevEntry struct {
	CVE     string
	Engine  string
	KEVDate string // date added to the catalog
	Summary string
	Fixed   []string
	// FileServerDefaultOffFrom, when set, is the version from which the vulnerable component
	// (the fileserver web application of CVE-2016-3088) is off by default: from it on, the
	// entry applies only when the component is enabled.
	FileServerDefaultOffFrom string
	Source                   string
}

// kevCatalog is the data of MQG036, one entry per CVE with its source.
var kevCatalog = []kevEntry{
	{
		CVE: "CVE-2023-46604", Engine: "ActiveMQ", KEVDate: "2023-11-02",
		Summary: "OpenWire deserialisation remote code execution, known ransomware use",
		Fixed:   []string{"5.15.16", "5.16.7", "5.17.6", "5.18.3", "6.0.0"},
		Source:  "https://activemq.apache.org/security-advisories.data/CVE-2023-46604-announcement.txt",
	},
	{
		CVE: "CVE-2026-34197", Engine: "ActiveMQ", KEVDate: "2026-04-16",
		Summary: "Jolokia addNetworkConnector remote code execution",
		Fixed:   []string{"5.19.4", "6.2.3"},
		Source:  "https://www.cisa.gov/known-exploited-vulnerabilities-catalog",
	},
	{
		CVE: "CVE-2016-3088", Engine: "ActiveMQ", KEVDate: "2022-02-10",
		Summary:                  "fileserver web application arbitrary file upload",
		Fixed:                    []string{"5.14.0"},
		FileServerDefaultOffFrom: "5.12.0",
		Source:                   "https://activemq.apache.org/security-advisories.data/CVE-2016-3088-announcement.txt",
	},
}

// kevAffected says whether version v is below the fix of entry e: the fix of its own line;
// else the fix of the next line of its major version (the lines before a fixed one are older
// code); else, with no fix in its major version, the lowest fix. fixed names the upgrade.
func kevAffected(e kevEntry, v Version) (affected bool, fixed string) {
	var lowest, sameMajor *Version
	sameMajorSeen := false
	for _, f := range e.Fixed {
		fv, ok := ParseVersion(f)
		if !ok {
			continue
		}
		if lowest == nil || fv.Compare(*lowest) < 0 {
			lowest = &fv
		}
		if fv.Major != v.Major {
			continue
		}
		sameMajorSeen = true
		if fv.Minor == v.Minor {
			return v.Compare(fv) < 0, fv.String()
		}
		if fv.Minor > v.Minor && (sameMajor == nil || fv.Compare(*sameMajor) < 0) {
			sameMajor = &fv
		}
	}
	switch {
	case sameMajor != nil:
		return true, sameMajor.String()
	case sameMajorSeen || lowest == nil:
		return false, ""
	default:
		return v.Compare(*lowest) < 0, lowest.String()
	}
}
