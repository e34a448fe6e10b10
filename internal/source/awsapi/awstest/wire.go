package awstest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"reflect"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"
)

var timeType = reflect.TypeFor[time.Time]()

// jsonStyle says how SDK output values become a JSON protocol's wire format.
type jsonStyle struct {
	lowerNames bool // restJson1 (mq): member names as their lower-camel jsonName
	epochTime  bool // awsJson1_1: timestamps as epoch seconds; else ISO 8601 strings
}

var (
	restJSONStyle = jsonStyle{lowerNames: true}
	awsJSONStyle  = jsonStyle{epochTime: true}
	// cliJSONStyle is the AWS CLI's printed form, the snapshot files' format.
	cliJSONStyle = jsonStyle{}
)

// toJSONTree turns an SDK value into a tree for encoding/json (map[string]any, []any, string,
// json.Number, bool). ok is false when the value is absent (nil pointers, slices and maps,
// empty enum strings), so the member is omitted as AWS omits it.
func toJSONTree(v reflect.Value, st jsonStyle) (tree any, ok bool) {
	switch v.Kind() {
	case reflect.Invalid:
		return nil, false
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil, false
		}
		return toJSONTree(v.Elem(), st)
	case reflect.Struct:
		if v.Type() == timeType {
			t := v.Interface().(time.Time)
			if st.epochTime {
				return epochSeconds(t), true
			}
			return t.UTC().Format(time.RFC3339Nano), true
		}
		obj := map[string]any{}
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() || f.Name == "ResultMetadata" {
				continue
			}
			if sub, ok := toJSONTree(v.Field(i), st); ok {
				obj[st.name(f.Name)] = sub
			}
		}
		return obj, true
	case reflect.Slice:
		if v.IsNil() {
			return nil, false
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return base64.StdEncoding.EncodeToString(v.Bytes()), true
		}
		list := make([]any, 0, v.Len())
		for i := range v.Len() {
			sub, _ := toJSONTree(v.Index(i), st)
			list = append(list, sub)
		}
		return list, true
	case reflect.Map:
		if v.IsNil() {
			return nil, false
		}
		obj := make(map[string]any, v.Len())
		iter := v.MapRange()
		for iter.Next() {
			sub, _ := toJSONTree(iter.Value(), st)
			obj[iter.Key().String()] = sub
		}
		return obj, true
	case reflect.String:
		if v.String() == "" && v.Type().Name() != "string" {
			return nil, false // an unset enum
		}
		return v.String(), true
	case reflect.Bool:
		return v.Bool(), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return json.Number(strconv.FormatInt(v.Int(), 10)), true
	case reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return json.Number(strconv.FormatUint(v.Uint(), 10)), true
	case reflect.Float32, reflect.Float64:
		return json.Number(strconv.FormatFloat(v.Float(), 'g', -1, 64)), true
	}
	return nil, false
}

func (st jsonStyle) name(field string) string {
	if st.lowerNames {
		return lowerFirst(field)
	}
	return field
}

func epochSeconds(t time.Time) json.Number {
	ms := t.UnixMilli()
	return json.Number(strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64))
}

// marshalJSON encodes an SDK value in the given style.
func marshalJSON(v any, st jsonStyle) []byte {
	tree, ok := toJSONTree(reflect.ValueOf(v), st)
	if !ok {
		tree = map[string]any{}
	}
	b, err := json.Marshal(tree)
	if err != nil { // unreachable: the tree holds only JSON values
		return []byte("{}")
	}
	return b
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

// xmlStyle says how SDK output values become a query protocol's XML.
type xmlStyle struct {
	ec2 bool // EC2 query: lower-camel locationNames, list members <item>; else awsQuery: member names, <member>
}

// ec2Names are the EC2 locationNames that are not the lower-camel member name, keyed by
// "Type.Field" or "Field".
var ec2Names = map[string]string{
	"DescribeSecurityGroupsOutput.SecurityGroups": "securityGroupInfo",
	"DescribeRegionsOutput.Regions":               "regionInfo",
	"IpPermission.UserIdGroupPairs":               "groups",
	"SecurityGroup.Tags":                          "tagSet",
	"SecurityGroup.Description":                   "groupDescription",
	"Region.Endpoint":                             "regionEndpoint",
	"Region.Geography":                            "geographySet",
}

func (st xmlStyle) name(typeName, field string) string {
	if !st.ec2 {
		return field
	}
	if n, ok := ec2Names[typeName+"."+field]; ok {
		return n
	}
	return lowerFirst(field)
}

func (st xmlStyle) item() string {
	if st.ec2 {
		return "item"
	}
	return "member"
}

// writeXMLMembers writes the members of struct value v as child elements.
func writeXMLMembers(buf *bytes.Buffer, v reflect.Value, st xmlStyle) {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || f.Name == "ResultMetadata" {
			continue
		}
		writeXMLElement(buf, st.name(t.Name(), f.Name), v.Field(i), st)
	}
}

// writeXMLElement writes <name>v</name>, or nothing when v is absent.
func writeXMLElement(buf *bytes.Buffer, name string, v reflect.Value, st xmlStyle) {
	switch v.Kind() {
	case reflect.Invalid:
		return
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return
		}
		writeXMLElement(buf, name, v.Elem(), st)
		return
	case reflect.Slice:
		if v.IsNil() {
			return
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			writeXMLText(buf, name, base64.StdEncoding.EncodeToString(v.Bytes()))
			return
		}
		buf.WriteString("<" + name + ">")
		for i := range v.Len() {
			writeXMLElement(buf, st.item(), v.Index(i), st)
		}
		buf.WriteString("</" + name + ">")
		return
	case reflect.Struct:
		if v.Type() == timeType {
			writeXMLText(buf, name, v.Interface().(time.Time).UTC().Format(time.RFC3339Nano))
			return
		}
		buf.WriteString("<" + name + ">")
		writeXMLMembers(buf, v, st)
		buf.WriteString("</" + name + ">")
		return
	case reflect.String:
		if v.String() == "" && v.Type().Name() != "string" {
			return
		}
		writeXMLText(buf, name, v.String())
	case reflect.Bool:
		writeXMLText(buf, name, strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		writeXMLText(buf, name, strconv.FormatInt(v.Int(), 10))
	case reflect.Float32, reflect.Float64:
		writeXMLText(buf, name, strconv.FormatFloat(v.Float(), 'g', -1, 64))
	}
}

func writeXMLText(buf *bytes.Buffer, name, text string) {
	buf.WriteString("<" + name + ">")
	_ = xml.EscapeText(buf, []byte(text)) // a bytes.Buffer never fails
	buf.WriteString("</" + name + ">")
}
