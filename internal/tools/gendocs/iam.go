package main

import (
	"encoding/json"
	"strings"
)

// The README's IAM policy sits between these markers.
const (
	iamBegin = "<!-- iam:begin -->"
	iamEnd   = "<!-- iam:end -->"
)

// iamPolicy is an IAM policy document granting exactly actions on every resource.
type iamPolicy struct {
	Version   string
	Statement []iamStatement
}

type iamStatement struct {
	Sid      string
	Effect   string
	Action   []string
	Resource string
}

// iamSection is the README's read-only IAM policy for live scans, between iamBegin and iamEnd.
func iamSection(actions []string) string {
	doc := iamPolicy{
		Version: "2012-10-17",
		Statement: []iamStatement{{
			Sid:      "MqguardReadOnly",
			Effect:   "Allow",
			Action:   actions,
			Resource: "*",
		}},
	}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		// A struct of strings always marshals.
		panic(err)
	}
	return iamBegin + "\n```json\n" + string(data) + "\n```\n" + iamEnd
}

// replaceSection replaces the text from begin to end (inclusive) in doc with section. ok is
// false when doc lacks the markers, in order.
func replaceSection(doc, begin, end, section string) (out string, ok bool) {
	i := strings.Index(doc, begin)
	if i < 0 {
		return doc, false
	}
	j := strings.Index(doc[i:], end)
	if j < 0 {
		return doc, false
	}
	j += i + len(end)
	return doc[:i] + section + doc[j:], true
}
