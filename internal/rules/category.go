package rules

// Categories of weakness. They are tool-neutral: each report format maps them to its own
// taxonomy (ASFF finding types, OCSF finding types).
const (
	CategoryNetworkExposure     = "network-exposure"
	CategoryEncryptionAtRest    = "encryption-at-rest"
	CategoryEncryptionInTransit = "encryption-in-transit"
	CategoryLogging             = "logging"
	CategoryResilience          = "resilience"
	CategoryPatching            = "patching"
	CategoryVulnerability       = "vulnerability"
	CategoryGovernance          = "governance"
	CategorySecrets             = "secrets"
	CategoryPersonalData        = "personal-data"
	CategoryAuthentication      = "authentication"
	CategoryAuthorization       = "authorization"
	CategoryOperations          = "operations"
)

// categories classifies the rule catalog of RULES.md by rule ID, rules not yet built included.
// It is one table, beside the rules, so that the classification reads as a whole; a test checks
// that every built rule has an entry.
var categories = map[string]string{
	"MQG001": CategoryNetworkExposure,
	"MQG002": CategoryResilience,
	"MQG003": CategoryResilience,
	"MQG004": CategoryResilience,
	"MQG005": CategoryEncryptionAtRest,
	"MQG006": CategoryEncryptionAtRest,
	"MQG007": CategoryLogging,
	"MQG008": CategoryLogging,
	"MQG009": CategoryPatching,
	"MQG010": CategoryPatching,
	"MQG011": CategoryGovernance,
	"MQG012": CategoryNetworkExposure,
	"MQG013": CategorySecrets,
	"MQG014": CategoryAuthentication,
	"MQG015": CategoryPersonalData,
	"MQG016": CategorySecrets,
	"MQG017": CategoryEncryptionInTransit,
	"MQG018": CategoryAuthorization,
	"MQG019": CategoryAuthorization,
	"MQG020": CategoryNetworkExposure,
	"MQG021": CategoryGovernance,
	"MQG022": CategoryOperations,
	"MQG023": CategoryEncryptionInTransit,
	"MQG024": CategoryEncryptionInTransit,
	"MQG025": CategoryAuthentication,
	"MQG026": CategoryEncryptionInTransit,
	"MQG027": CategoryOperations,
	"MQG028": CategoryResilience,
	"MQG029": CategoryResilience,
	"MQG030": CategoryAuthorization,
	"MQG031": CategoryAuthentication,
	"MQG032": CategoryAuthorization,
	"MQG033": CategoryNetworkExposure,
	"MQG034": CategoryAuthentication,
	"MQG035": CategoryAuthentication,
	"MQG036": CategoryVulnerability,
}

// Category is the kind of weakness the rule finds; "" for a rule outside the catalog.
func (r *Rule) Category() string { return categories[r.ID] }
