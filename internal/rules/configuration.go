package rules

import "github.com/mqguard/mqguard/internal/model"

// usedConfiguration returns the configuration a broker uses. declared is false when the broker
// names no configuration (Amazon MQ then applies its default configuration). When the reference
// or the body could not be resolved, c is nil and res holds the UNKNOWN result to return.
func usedConfiguration(b *model.Broker) (c *model.Configuration, declared bool, res []Result) {
	ref := b.Configuration
	switch {
	case ref == nil:
		return nil, false, nil
	case ref.Config == nil:
		return nil, true, unknownResult("The configuration the broker uses", ref.At)
	case ref.Config.Data == model.Unknown:
		return nil, true, unknownBody("The body of configuration "+configLabel(ref.Config), ref.Config)
	}
	return ref.Config, true, nil
}

// activeMQDocument returns the parsed ActiveMQ XML of a configuration whose body was read, or an
// UNKNOWN result when the body is not a parsed ActiveMQ document.
func activeMQDocument(c *model.Configuration) (*model.ActiveMQConfig, []Result) {
	if c.Data == model.Unknown || c.ActiveMQ == nil {
		return nil, unknownBody("The ActiveMQ XML of configuration "+configLabel(c), c)
	}
	return c.ActiveMQ, nil
}

// unknownBody is the UNKNOWN result for a configuration body that could not be read, saying why
// when the source knows (a file() target that is not there, XML that does not parse).
func unknownBody(what string, c *model.Configuration) []Result {
	res := unknownResult(what, configAt(c))
	if c.DataWhy != "" {
		res[0].Message = what + " could not be determined: " + c.DataWhy + "."
	}
	return res
}

// configAt locates a configuration's body, or the configuration itself.
func configAt(c *model.Configuration) model.Range {
	if !c.DataAt.IsZero() {
		return c.DataAt
	}
	return c.ID.At
}

// configLabel names a configuration in messages: its address in code, else its ARN, else its
// name.
func configLabel(c *model.Configuration) string {
	switch {
	case c.ID.Address != "":
		return c.ID.Address
	case c.ID.ARN != "":
		return c.ID.ARN
	case c.Name.Known() && c.Name.V != "":
		return "'" + c.Name.V + "'"
	}
	return "(unnamed)"
}

// configIsEngine reports whether a configuration's engine is known and equals name.
func configIsEngine(c *model.Configuration, name string) Tri {
	switch {
	case !c.Engine.Known():
		return Maybe
	case model.NormalizeEngine(c.Engine.V) == name:
		return Yes
	default:
		return No
	}
}
