package terraform

import (
	"github.com/mqguard/mqguard/internal/source/brokerconf"
)

// parseActiveMQ parses an ActiveMQ XML configuration body; file is the display path and
// firstLine the line of the body's first line in it. A variable so tests can observe calls.
var parseActiveMQ = brokerconf.ParseActiveMQ
