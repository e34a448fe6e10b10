package awstest

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// botocoreDirs are where botocore keeps the AWS service models, in the order tried:
// $BOTOCORE_DATA alone when set, else the botocore of each pyenv Python (which the pip-installed
// AWS CLI v1, moto and cfn-lint bring), the one inside Debian's awscli (v2), and Debian's
// python3-botocore.
func botocoreDirs() []string {
	if d := os.Getenv("BOTOCORE_DATA"); d != "" {
		return []string{d}
	}
	root := os.Getenv("PYENV_ROOT")
	if root == "" {
		home, _ := os.UserHomeDir()
		root = filepath.Join(home, ".pyenv")
	}
	dirs, _ := filepath.Glob(filepath.Join(root, "versions", "*", "lib", "python*", "site-packages", "botocore", "data"))
	return append(dirs, "/usr/lib/python3/dist-packages/awscli/botocore/data", "/usr/lib/python3/dist-packages/botocore/data")
}

type serviceModel struct {
	Metadata struct {
		Protocol string `json:"protocol"`
	} `json:"metadata"`
	Operations map[string]struct {
		Output *struct {
			Shape         string `json:"shape"`
			ResultWrapper string `json:"resultWrapper"`
		} `json:"output"`
	} `json:"operations"`
	Shapes map[string]modelShape `json:"shapes"`
}

type modelShape struct {
	Type            string                 `json:"type"`
	Members         map[string]modelMember `json:"members"`
	Member          *modelMember           `json:"member"`
	Value           *modelMember           `json:"value"`
	TimestampFormat string                 `json:"timestampFormat"`
	Flattened       bool                   `json:"flattened"`
}

type modelMember struct {
	Shape        string `json:"shape"`
	Location     string `json:"location"`
	LocationName string `json:"locationName"`
}

var modelServices = []string{"mq", "ec2", "kms", "sts", "organizations"}

var (
	modelsOnce sync.Once
	models     map[string]*serviceModel
	modelsErr  error
)

// loadModels reads the newest service-2.json.gz of each service mqguard calls, once.
func loadModels() (map[string]*serviceModel, error) {
	modelsOnce.Do(func() { models, modelsErr = readModels() })
	return models, modelsErr
}

func readModels() (map[string]*serviceModel, error) {
	var tried []string
	for _, dir := range botocoreDirs() {
		m, err := readModelsIn(dir)
		if err == nil {
			return m, nil
		}
		tried = append(tried, err.Error())
	}
	return nil, errors.New(strings.Join(tried, "; "))
}

// readModelsIn reads the newest service-2.json(.gz) of each service under dir.
func readModelsIn(dir string) (map[string]*serviceModel, error) {
	out := map[string]*serviceModel{}
	for _, svc := range modelServices {
		files, _ := filepath.Glob(filepath.Join(dir, svc, "*", "service-2.json.gz"))
		plain, _ := filepath.Glob(filepath.Join(dir, svc, "*", "service-2.json"))
		files = append(files, plain...)
		if len(files) == 0 {
			return nil, fmt.Errorf("no botocore model for %s under %s", svc, dir)
		}
		// The folder is the API version, a date: the newest sorts last.
		slices.SortFunc(files, func(a, b string) int { return strings.Compare(filepath.Dir(a), filepath.Dir(b)) })
		m, err := readModel(files[len(files)-1])
		if err != nil {
			return nil, err
		}
		out[svc] = m
	}
	return out, nil
}

func readModel(file string) (*serviceModel, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(file, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		r = zr
	}
	var m serviceModel
	if err := json.NewDecoder(r).Decode(&m); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return &m, nil
}

// checkAnswers checks every successful answer against its operation's output shape.
func checkAnswers(models map[string]*serviceModel, all []answer) []string {
	var problems []string
	for _, a := range all {
		if a.status != 200 {
			continue
		}
		m := models[a.call.Service]
		if m == nil {
			problems = append(problems, fmt.Sprintf("%s %s: answered 200 for an unknown service", a.call.Service, a.call.Operation))
			continue
		}
		op, ok := m.Operations[a.call.Operation]
		if !ok || op.Output == nil {
			problems = append(problems, fmt.Sprintf("%s %s: answered 200 for an operation without output", a.call.Service, a.call.Operation))
			continue
		}
		var errs []string
		switch m.Metadata.Protocol {
		case "rest-json", "json":
			errs = checkJSON(m, op.Output.Shape, a.body)
		case "ec2", "query":
			errs = checkXML(m, a.call.Operation, op.Output.Shape, op.Output.ResultWrapper, a.body)
		default:
			errs = []string{"protocol " + m.Metadata.Protocol + " is not checked"}
		}
		for _, e := range errs {
			problems = append(problems, fmt.Sprintf("%s %s: %s", a.call.Service, a.call.Operation, e))
		}
	}
	return problems
}

func checkJSON(m *serviceModel, shape string, body []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return []string{"body is not JSON: " + err.Error()}
	}
	var errs []string
	walkJSON(m, shape, v, "$", &errs)
	return errs
}

func walkJSON(m *serviceModel, shapeName string, v any, at string, errs *[]string) {
	s := m.Shapes[shapeName]
	bad := func(want string) {
		*errs = append(*errs, fmt.Sprintf("%s: want %s (%s), got %T", at, want, shapeName, v))
	}
	switch s.Type {
	case "structure":
		obj, ok := v.(map[string]any)
		if !ok {
			bad("object")
			return
		}
		for k, sub := range obj {
			found := false
			for name, mem := range s.Members {
				if mem.Location != "" {
					continue // headers, URI and query members are not in the body
				}
				wire := name
				if m.Metadata.Protocol == "rest-json" && mem.LocationName != "" {
					wire = mem.LocationName
				}
				if wire == k {
					found = true
					walkJSON(m, mem.Shape, sub, at+"."+k, errs)
				}
			}
			if !found {
				*errs = append(*errs, fmt.Sprintf("%s.%s: not a member of %s", at, k, shapeName))
			}
		}
	case "list":
		list, ok := v.([]any)
		if !ok {
			bad("list")
			return
		}
		for i, sub := range list {
			walkJSON(m, s.Member.Shape, sub, fmt.Sprintf("%s[%d]", at, i), errs)
		}
	case "map":
		obj, ok := v.(map[string]any)
		if !ok {
			bad("map")
			return
		}
		for k, sub := range obj {
			walkJSON(m, s.Value.Shape, sub, at+"."+k, errs)
		}
	case "string", "blob":
		if _, ok := v.(string); !ok {
			bad("string")
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			bad("boolean")
		}
	case "integer", "long":
		n, ok := v.(json.Number)
		if _, err := n.Int64(); !ok || err != nil {
			bad("integer")
		}
	case "float", "double":
		if _, ok := v.(json.Number); !ok {
			bad("number")
		}
	case "timestamp":
		format := s.TimestampFormat
		if format == "" {
			format = map[string]string{"rest-json": "iso8601", "json": "unixTimestamp"}[m.Metadata.Protocol]
		}
		switch format {
		case "iso8601":
			str, ok := v.(string)
			if _, err := time.Parse(time.RFC3339Nano, str); !ok || err != nil {
				bad("ISO 8601 timestamp")
			}
		case "unixTimestamp":
			if _, ok := v.(json.Number); !ok {
				bad("epoch-seconds timestamp")
			}
		}
	default:
		bad("a type this check knows, not " + s.Type)
	}
}

// xmlNode is a parsed XML element.
type xmlNode struct {
	name     string
	children []*xmlNode
	text     string
}

func parseXML(body []byte) (*xmlNode, error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	var stack []*xmlNode
	var root *xmlNode
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return root, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &xmlNode{name: t.Name.Local}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(t)
			}
		}
	}
}

func checkXML(m *serviceModel, op, shape, wrapper string, body []byte) []string {
	root, err := parseXML(body)
	if err != nil || root == nil {
		return []string{fmt.Sprintf("body is not XML: %v", err)}
	}
	var errs []string
	if root.name != op+"Response" {
		errs = append(errs, fmt.Sprintf("root element %s, want %sResponse", root.name, op))
	}
	result := root
	if wrapper != "" {
		result = nil
		for _, c := range root.children {
			switch c.name {
			case wrapper:
				result = c
			case "ResponseMetadata":
			default:
				errs = append(errs, fmt.Sprintf("%s: unexpected element %s", root.name, c.name))
			}
		}
		if result == nil {
			return append(errs, "no "+wrapper+" element")
		}
	}
	walkXMLMembers(m, shape, result, result.name, &errs, m.Metadata.Protocol == "ec2" && wrapper == "")
	return errs
}

func walkXMLMembers(m *serviceModel, shapeName string, n *xmlNode, at string, errs *[]string, top bool) {
	s := m.Shapes[shapeName]
	for _, c := range n.children {
		if top && c.name == "requestId" {
			continue
		}
		found := false
		for name, mem := range s.Members {
			wire := name
			if mem.LocationName != "" {
				wire = mem.LocationName
			}
			if wire == c.name {
				found = true
				walkXML(m, mem.Shape, c, at+"/"+c.name, errs)
			}
		}
		if !found {
			*errs = append(*errs, fmt.Sprintf("%s/%s: not a member of %s", at, c.name, shapeName))
		}
	}
}

func walkXML(m *serviceModel, shapeName string, n *xmlNode, at string, errs *[]string) {
	s := m.Shapes[shapeName]
	bad := func(want string) {
		*errs = append(*errs, fmt.Sprintf("%s: want %s (%s), got %q", at, want, shapeName, n.text))
	}
	text := strings.TrimSpace(n.text)
	if s.Type != "structure" && s.Type != "list" && s.Type != "map" && len(n.children) > 0 {
		bad("a scalar")
		return
	}
	switch s.Type {
	case "structure":
		walkXMLMembers(m, shapeName, n, at, errs, false)
	case "list":
		item := "member"
		if s.Member.LocationName != "" {
			item = s.Member.LocationName
		}
		for _, c := range n.children {
			if c.name != item {
				*errs = append(*errs, fmt.Sprintf("%s/%s: list member must be <%s>", at, c.name, item))
				continue
			}
			walkXML(m, s.Member.Shape, c, at+"/"+item, errs)
		}
	case "string", "blob":
	case "boolean":
		if text != "true" && text != "false" {
			bad("boolean")
		}
	case "integer", "long":
		if _, err := strconv.ParseInt(text, 10, 64); err != nil {
			bad("integer")
		}
	case "float", "double":
		if _, err := strconv.ParseFloat(text, 64); err != nil {
			bad("number")
		}
	case "timestamp":
		if _, err := time.Parse(time.RFC3339Nano, text); err != nil {
			bad("ISO 8601 timestamp")
		}
	default:
		bad("a type this check knows, not " + s.Type)
	}
}

// TestWireFormat runs every operation, with pagination, and checks each answer against the
// botocore service models.
func TestWireFormat(t *testing.T) {
	models, err := loadModels()
	if err != nil {
		// CI installs Debian's awscli, which brings the models.
		if os.Getenv("CI") != "" {
			t.Fatalf("botocore service models are absent (%v)", err)
		}
		t.Skipf("SKIP: botocore service models are absent (%v)", err)
	}
	s, rec := startServer(t, snapshotWorld(t), Faults{})
	exerciseAll(t, s)
	seen := map[string]bool{}
	for _, a := range rec.list() {
		if a.status == 200 {
			seen[a.call.Service+":"+a.call.Operation] = true
		}
	}
	for _, action := range readOnlyActions {
		if !seen[action] {
			t.Errorf("%s was not answered successfully, so its wire format is unchecked", action)
		}
	}
	problems := checkAnswers(models, rec.list())
	for _, p := range problems {
		t.Error(p)
	}
	// The check itself must catch a member that is not in the model.
	bad := []answer{{call: Call{Service: "mq", Operation: "DescribeBroker"}, status: 200, body: []byte(`{"brokerId":"b-1","BrokerId":"b-1","publiclyAccessible":"yes"}`)}}
	if got := checkAnswers(models, bad); len(got) != 2 {
		t.Errorf("the check found %d problems in a bad answer, want 2: %q", len(got), got)
	}
}
