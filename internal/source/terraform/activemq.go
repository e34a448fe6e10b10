package terraform

import (
	"errors"

	"github.com/mqguard/mqguard/internal/source/brokerconf"
)

// parseActiveMQ parses an ActiveMQ XML configuration body; file is the display path and
// firstLine the line of the body's first line in it. A variable so tests can observe calls.
var parseActiveMQ = brokerconf.ParseActiveMQ

// errorLine returns the line an XML parse error names, or fallback.
func errorLine(err error, fallback int) int {
	var pe *brokerconf.ParseError
	if errors.As(err, &pe) && pe.Line > 0 {
		return pe.Line
	}
	return fallback
}

// parseErrorDetail is the parser's message, which never quotes attribute values.
func parseErrorDetail(err error) string {
	var pe *brokerconf.ParseError
	if errors.As(err, &pe) && pe.Msg != "" {
		return ": " + pe.Msg
	}
	return ""
}
