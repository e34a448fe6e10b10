package rules

// catalog is the ordered list of built-in rules. Adding a rule is one file plus one entry here.
var catalog = []*Rule{
	mqg001,
	mqg002,
	mqg003,
	mqg004,
	mqg005,
	mqg006,
	mqg007,
	mqg008,
	mqg009,
	mqg010,
	mqg011,
	// MQG012–MQG021 are listed below this line, in ID order.
	mqg012,
	mqg013,
	mqg014,
	mqg015,
	mqg016,
	mqg017,
	mqg018,
	mqg019,
	mqg020,
	mqg021,
	// MQG022, MQG026 and MQG027 (live state and LDAP) are listed below this line, in ID order.
	mqg022,
	// MQG023–MQG025 and MQG028–MQG036 (inside the brokers) are listed below this line, in ID order.
	mqg023,
	mqg024,
	mqg025,
	mqg026,
	mqg027,
	mqg028,
	mqg029,
	mqg030,
	mqg031,
	mqg032,
	mqg033,
	mqg034,
	mqg035,
	mqg036,
}

// All returns the catalog in ID order. The slice is new on every call; the rules are shared and
// must not be modified.
func All() []*Rule {
	return append([]*Rule(nil), catalog...)
}

// Lookup finds the first rule of the catalog that name designates (see Rule.Matches): an ID
// (MQG001), a slug (public-access), another tool's ID (CKV_AWS_69) or "tool:ID".
func Lookup(name string) (*Rule, bool) {
	for _, r := range catalog {
		if r.Matches(name) {
			return r, true
		}
	}
	return nil, false
}
