package terraform

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/hashicorp/go-cty-funcs/cidr"
	"github.com/hashicorp/go-cty-funcs/collection"
	"github.com/hashicorp/go-cty-funcs/crypto"
	"github.com/hashicorp/go-cty-funcs/encoding"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/customdecode"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
	ctyjson "github.com/zclconf/go-cty/cty/json"
	"go.yaml.in/yaml/v3"
)

// baseFuncs are the functions that do not depend on the module's location.
var baseFuncs = map[string]function.Function{
	"abs": stdlib.AbsoluteFunc, "ceil": stdlib.CeilFunc, "floor": stdlib.FloorFunc,
	"log": stdlib.LogFunc, "max": stdlib.MaxFunc, "min": stdlib.MinFunc,
	"parseint": stdlib.ParseIntFunc, "pow": stdlib.PowFunc, "signum": stdlib.SignumFunc,

	"chomp": stdlib.ChompFunc, "format": stdlib.FormatFunc, "formatlist": stdlib.FormatListFunc,
	"indent": stdlib.IndentFunc, "join": stdlib.JoinFunc, "lower": stdlib.LowerFunc,
	"regex": stdlib.RegexFunc, "regexall": stdlib.RegexAllFunc, "replace": stdlib.ReplaceFunc,
	"split": stdlib.SplitFunc, "strrev": stdlib.ReverseFunc, "substr": stdlib.SubstrFunc,
	"title": stdlib.TitleFunc, "trim": stdlib.TrimFunc, "trimprefix": stdlib.TrimPrefixFunc,
	"trimsuffix": stdlib.TrimSuffixFunc, "trimspace": stdlib.TrimSpaceFunc, "upper": stdlib.UpperFunc,
	"startswith": stringPredicate(strings.HasPrefix), "endswith": stringPredicate(strings.HasSuffix),
	"strcontains": stringPredicate(strings.Contains),

	"chunklist": stdlib.ChunklistFunc, "coalesce": collection.CoalesceFunc,
	"coalescelist": stdlib.CoalesceListFunc, "compact": stdlib.CompactFunc,
	"concat": stdlib.ConcatFunc, "contains": stdlib.ContainsFunc, "distinct": stdlib.DistinctFunc,
	"element": stdlib.ElementFunc, "flatten": stdlib.FlattenFunc, "index": indexFunc,
	"keys": stdlib.KeysFunc, "length": lengthFunc, "lookup": lookupFunc,
	"merge": stdlib.MergeFunc, "one": oneFunc, "range": stdlib.RangeFunc,
	"reverse": stdlib.ReverseListFunc, "setintersection": stdlib.SetIntersectionFunc,
	"setproduct": stdlib.SetProductFunc, "setsubtract": stdlib.SetSubtractFunc,
	"setunion": stdlib.SetUnionFunc, "slice": stdlib.SliceFunc, "sort": stdlib.SortFunc,
	"sum": sumFunc, "values": stdlib.ValuesFunc, "zipmap": stdlib.ZipmapFunc,
	"alltrue": boolFold(true), "anytrue": boolFold(false),

	"base64decode": encoding.Base64DecodeFunc, "base64encode": encoding.Base64EncodeFunc,
	"urlencode": encoding.URLEncodeFunc, "csvdecode": stdlib.CSVDecodeFunc,
	"jsondecode": stdlib.JSONDecodeFunc, "jsonencode": stdlib.JSONEncodeFunc,
	"yamldecode": yamlDecodeFunc, "yamlencode": yamlEncodeFunc,

	"basename": pathFunc(path.Base), "dirname": pathFunc(path.Dir), "abspath": pathFunc(path.Clean),

	"formatdate": stdlib.FormatDateFunc, "timeadd": stdlib.TimeAddFunc,
	"timestamp": unknownFunc(cty.String), "plantimestamp": unknownFunc(cty.String),
	"uuid": unknownFunc(cty.String), "bcrypt": unknownVarFunc(cty.String),

	"md5": crypto.Md5Func, "sha1": crypto.Sha1Func, "sha256": crypto.Sha256Func,
	"sha512": crypto.Sha512Func,

	"cidrhost": cidr.HostFunc, "cidrnetmask": cidr.NetmaskFunc, "cidrsubnet": cidr.SubnetFunc,
	"cidrsubnets": cidr.SubnetsFunc,

	"tobool": stdlib.MakeToFunc(cty.Bool), "tolist": stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
	"tomap": stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)), "tonumber": stdlib.MakeToFunc(cty.Number),
	"toset": stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)), "tostring": stdlib.MakeToFunc(cty.String),

	"sensitive": identityFunc, "nonsensitive": identityFunc,
	"try": tryFunc, "can": tryfunc.CanFunc,
}

// tryFunc is hcl's try(), except that a value it cannot decide yet keeps its marks: like
// Terraform it answers unknown when the first expression that succeeds is not wholly known, and
// the answer still says where the value comes from (a generated password, a resource
// reference), as the same expression outside try() would.
var tryFunc = function.New(&function.Spec{
	VarParam: &function.Parameter{Name: "expressions", Type: customdecode.ExpressionClosureType},
	Type: func(args []cty.Value) (cty.Type, error) {
		v, err := tryValue(args)
		if err != nil {
			return cty.NilType, err
		}
		return v.Type(), nil
	},
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) { return tryValue(args) },
})

func tryValue(args []cty.Value) (cty.Value, error) {
	for _, arg := range args {
		v, diags := customdecode.ExpressionClosureFromVal(arg).Value()
		if diags.HasErrors() {
			continue
		}
		if !v.IsWhollyKnown() {
			return cty.DynamicVal.WithMarks(marksOf(v)), nil
		}
		return v, nil
	}
	return cty.NilVal, errors.New("no expression succeeded")
}

// fileMark marks a value read from a file (file, templatefile) with the file's FS path.
type fileMark struct{ file string }

// whyMark says why a value is unknown, in words that name what failed (`file("x.xml") not
// found`), never a value.
type whyMark struct{ why string }

// whyOf returns the reason carried by v's whyMark, or "".
func whyOf(v cty.Value) string {
	for m := range marksOf(v) {
		if w, ok := m.(whyMark); ok {
			return w.why
		}
	}
	return ""
}

// fileLog records, in call order, why file functions failed. A failed call is an error that
// try() may still recover from; the evaluation marks a value left unknown with the reason.
type fileLog struct{ reasons []string }

// makeFuncs returns the function table for a module: the file functions read through fsys,
// relative to the root module directory (Terraform's working directory) or, failing that, to
// the module directory. Their failures are recorded in log.
func makeFuncs(fsys fs.FS, rootDir, moduleDir string, log *fileLog) map[string]function.Function {
	funcs := make(map[string]function.Function, len(baseFuncs)+6)
	for k, v := range baseFuncs {
		funcs[k] = v
	}
	resolve := func(p string) (string, bool) {
		if path.IsAbs(p) || strings.Contains(p, "\\") {
			return "", false
		}
		for _, base := range []string{rootDir, moduleDir} {
			full := path.Join(base, p)
			if !fs.ValidPath(full) {
				continue
			}
			if info, err := fs.Stat(fsys, full); err == nil && !info.IsDir() {
				return full, true
			}
		}
		return "", false
	}
	read := func(fn, p string) (string, []byte, error) {
		full, ok := resolve(p)
		if !ok {
			log.reasons = append(log.reasons, fmt.Sprintf("%s(%q) not found", fn, p))
			return "", nil, function.NewArgErrorf(0, "no file %q", p)
		}
		src, d := readFile(fsys, full)
		if d != nil {
			log.reasons = append(log.reasons, fmt.Sprintf("%s(%q) cannot be read", fn, p))
			return "", nil, function.NewArgErrorf(0, "cannot read file")
		}
		return full, src, nil
	}
	funcs["file"] = function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			full, src, err := read("file", args[0].AsString())
			if err != nil {
				return cty.UnknownVal(cty.String), err
			}
			return cty.StringVal(string(src)).Mark(fileMark{full}), nil
		},
	})
	funcs["filebase64"] = function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			_, src, err := read("filebase64", args[0].AsString())
			if err != nil {
				return cty.UnknownVal(cty.String), err
			}
			return encoding.Base64Encode(cty.StringVal(string(src)))
		},
	})
	funcs["fileexists"] = function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			_, ok := resolve(args[0].AsString())
			return cty.BoolVal(ok), nil
		},
	})
	// templatefile's own table has no templatefile: Terraform forbids recursion too.
	inner := make(map[string]function.Function, len(funcs))
	for k, v := range funcs {
		inner[k] = v
	}
	funcs["templatefile"] = function.New(&function.Spec{
		Params: []function.Parameter{
			{Name: "path", Type: cty.String},
			{Name: "vars", Type: cty.DynamicPseudoType},
		},
		Type: function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			full, src, err := read("templatefile", args[0].AsString())
			if err != nil {
				return cty.UnknownVal(cty.String), err
			}
			vars := args[1]
			if !vars.IsWhollyKnown() {
				return cty.UnknownVal(cty.String).Mark(fileMark{full}), nil
			}
			if why := checkTemplate(src); why != "" {
				return cty.UnknownVal(cty.String), function.NewArgErrorf(0, "template not parsed: %s", why)
			}
			tmpl, diags := hclsyntax.ParseTemplate(src, full, hcl.InitialPos)
			if diags.HasErrors() {
				log.reasons = append(log.reasons, fmt.Sprintf("templatefile(%q) is not a valid template", args[0].AsString()))
				return cty.UnknownVal(cty.String), function.NewArgErrorf(0, "invalid template")
			}
			ctx := &hcl.EvalContext{Variables: map[string]cty.Value{}, Functions: inner}
			if !vars.IsNull() && (vars.Type().IsObjectType() || vars.Type().IsMapType()) {
				for it := vars.ElementIterator(); it.Next(); {
					k, v := it.Element()
					ctx.Variables[k.AsString()] = v
				}
			}
			v, diags := tmpl.Value(ctx)
			if diags.HasErrors() || !v.IsKnown() {
				return cty.UnknownVal(cty.String).Mark(fileMark{full}), nil
			}
			s, err := convert.Convert(v, cty.String)
			if err != nil {
				return cty.UnknownVal(cty.String), err
			}
			s, _ = s.Unmark()
			return s.Mark(fileMark{full}), nil
		},
	})
	funcs["fileset"] = unknownVarFunc(cty.Set(cty.String))
	return funcs
}

var identityFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "v", Type: cty.DynamicPseudoType, AllowNull: true, AllowUnknown: true, AllowDynamicType: true, AllowMarked: true}},
	Type:   func(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil },
	Impl:   func(args []cty.Value, _ cty.Type) (cty.Value, error) { return args[0], nil },
})

// unknownFunc returns a function without parameters whose result is unknown (timestamp, uuid).
func unknownFunc(t cty.Type) function.Function {
	return function.New(&function.Spec{
		Type: function.StaticReturnType(t),
		Impl: func([]cty.Value, cty.Type) (cty.Value, error) { return cty.UnknownVal(t), nil },
	})
}

// unknownVarFunc accepts any arguments and returns an unknown value.
func unknownVarFunc(t cty.Type) function.Function {
	return function.New(&function.Spec{
		VarParam: &function.Parameter{Name: "args", Type: cty.DynamicPseudoType, AllowNull: true, AllowUnknown: true, AllowDynamicType: true},
		Type:     function.StaticReturnType(t),
		Impl:     func([]cty.Value, cty.Type) (cty.Value, error) { return cty.UnknownVal(t), nil },
	})
}

func stringPredicate(f func(s, sub string) bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "str", Type: cty.String}, {Name: "sub", Type: cty.String}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.BoolVal(f(args[0].AsString(), args[1].AsString())), nil
		},
	})
}

func pathFunc(f func(string) string) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.StringVal(f(args[0].AsString())), nil
		},
	})
}

// lengthFunc is Terraform's length: strings count characters, collections their elements.
var lengthFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowDynamicType: true, AllowUnknown: true}},
	Type:   function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v := args[0]
		if v.Type() == cty.String {
			if !v.IsKnown() {
				return cty.UnknownVal(cty.Number), nil
			}
			return stdlib.Strlen(v)
		}
		if v.Type() == cty.DynamicPseudoType {
			return cty.UnknownVal(cty.Number), nil
		}
		return stdlib.Length(v)
	},
})

// lookupFunc is Terraform's lookup(map, key[, default]), which go-cty's differs from: the
// default may be null (lookup(var.context, "tenant", null), the null-label pattern), it may
// be left out (a missing key is then an error), and an unknown value elsewhere in the map does
// not hide a known one.
var lookupFunc = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "inputMap", Type: cty.DynamicPseudoType, AllowMarked: true},
		{Name: "key", Type: cty.String, AllowMarked: true},
	},
	VarParam: &function.Parameter{
		Name: "default", Type: cty.DynamicPseudoType,
		AllowUnknown: true, AllowDynamicType: true, AllowNull: true, AllowMarked: true,
	},
	Type: func(args []cty.Value) (cty.Type, error) {
		if len(args) > 3 {
			return cty.NilType, fmt.Errorf("lookup() takes two or three arguments, got %d", len(args))
		}
		ty := args[0].Type()
		switch {
		case ty.IsObjectType():
			if !args[1].IsKnown() {
				return cty.DynamicPseudoType, nil
			}
			key, _ := args[1].Unmark()
			if ty.HasAttribute(key.AsString()) {
				return ty.AttributeType(key.AsString()), nil
			}
			if len(args) == 3 {
				return args[2].Type(), nil
			}
			return cty.DynamicPseudoType, function.NewArgErrorf(0, "the given object has no attribute %q", key.AsString())
		case ty.IsMapType():
			if len(args) == 3 {
				if _, err := convert.Convert(args[2], ty.ElementType()); err != nil {
					return cty.NilType, function.NewArgErrorf(2, "the default value must have the same type as the map elements")
				}
			}
			return ty.ElementType(), nil
		}
		return cty.NilType, function.NewArgErrorf(0, "lookup() requires a map as the first argument")
	},
	Impl: func(args []cty.Value, ret cty.Type) (cty.Value, error) {
		m, mapMarks := args[0].Unmark()
		key, keyMarks := args[1].Unmark()
		k := key.AsString()
		if !m.IsKnown() {
			return cty.UnknownVal(ret).WithMarks(mapMarks, keyMarks), nil
		}
		if m.Type().IsObjectType() {
			if m.Type().HasAttribute(k) {
				return m.GetAttr(k).WithMarks(mapMarks, keyMarks), nil
			}
		} else if m.HasIndex(cty.StringVal(k)).True() {
			return m.Index(cty.StringVal(k)).WithMarks(mapMarks, keyMarks), nil
		}
		if len(args) == 3 {
			def, err := convert.Convert(args[2], ret)
			if err != nil {
				return cty.NilVal, err
			}
			return def.WithMarks(mapMarks, keyMarks), nil
		}
		return cty.UnknownVal(cty.DynamicPseudoType), function.NewArgErrorf(1, "no element with this key")
	},
})

// indexFunc is Terraform's index(list, value).
var indexFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "list", Type: cty.DynamicPseudoType}, {Name: "value", Type: cty.DynamicPseudoType}},
	Type:   function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		l := args[0]
		if !(l.Type().IsListType() || l.Type().IsTupleType()) {
			return cty.UnknownVal(cty.Number), function.NewArgErrorf(0, "argument must be a list or tuple")
		}
		if !l.IsWhollyKnown() || !args[1].IsKnown() {
			return cty.UnknownVal(cty.Number), nil
		}
		i := 0
		for it := l.ElementIterator(); it.Next(); i++ {
			_, e := it.Element()
			if eq := e.Equals(args[1]); eq.IsKnown() && eq.True() {
				return cty.NumberIntVal(int64(i)), nil
			}
		}
		return cty.UnknownVal(cty.Number), function.NewArgErrorf(1, "item not found")
	},
})

var oneFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "list", Type: cty.DynamicPseudoType}},
	Type: func(args []cty.Value) (cty.Type, error) {
		t := args[0].Type()
		switch {
		case t.IsListType() || t.IsSetType():
			return t.ElementType(), nil
		case t.IsTupleType() && len(t.TupleElementTypes()) == 1:
			return t.TupleElementTypes()[0], nil
		case t.IsTupleType() && len(t.TupleElementTypes()) == 0:
			return cty.DynamicPseudoType, nil
		}
		return cty.NilType, function.NewArgErrorf(0, "must be a list, set or tuple with at most one element")
	},
	Impl: func(args []cty.Value, ret cty.Type) (cty.Value, error) {
		v := args[0]
		if !v.IsKnown() {
			return cty.UnknownVal(ret), nil
		}
		switch v.LengthInt() {
		case 0:
			return cty.NullVal(ret), nil
		case 1:
			it := v.ElementIterator()
			it.Next()
			_, e := it.Element()
			return e, nil
		}
		return cty.UnknownVal(ret), function.NewArgErrorf(0, "must have at most one element")
	},
})

var sumFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "list", Type: cty.DynamicPseudoType}},
	Type:   function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v := args[0]
		if !v.CanIterateElements() {
			return cty.UnknownVal(cty.Number), function.NewArgErrorf(0, "must be a collection")
		}
		if !v.IsWhollyKnown() {
			return cty.UnknownVal(cty.Number), nil
		}
		total := cty.NumberIntVal(0)
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			n, err := convert.Convert(e, cty.Number)
			if err != nil || n.IsNull() {
				return cty.UnknownVal(cty.Number), function.NewArgErrorf(0, "elements must be numbers")
			}
			total = total.Add(n)
		}
		return total, nil
	},
})

// boolFold is alltrue (all=true) or anytrue (all=false).
func boolFold(all bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "list", Type: cty.List(cty.Bool)}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			v := args[0]
			if !v.IsWhollyKnown() {
				return cty.UnknownVal(cty.Bool), nil
			}
			for it := v.ElementIterator(); it.Next(); {
				_, e := it.Element()
				if e.IsNull() {
					continue
				}
				if e.True() != all {
					return cty.BoolVal(!all), nil
				}
			}
			return cty.BoolVal(all), nil
		},
	})
}

var yamlDecodeFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "src", Type: cty.String}},
	Type:   function.StaticReturnType(cty.DynamicPseudoType),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		var doc any
		if err := yaml.Unmarshal([]byte(args[0].AsString()), &doc); err != nil {
			return cty.DynamicVal, function.NewArgErrorf(0, "invalid YAML")
		}
		js, err := json.Marshal(jsonable(doc, 0))
		if err != nil {
			return cty.DynamicVal, function.NewArgErrorf(0, "unsupported YAML")
		}
		return jsonToCty(js)
	},
})

var yamlEncodeFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowNull: true}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if !args[0].IsWhollyKnown() {
			return cty.UnknownVal(cty.String), nil
		}
		js, err := ctyjson.Marshal(args[0], args[0].Type())
		if err != nil {
			return cty.UnknownVal(cty.String), err
		}
		var doc any
		if err := json.Unmarshal(js, &doc); err != nil {
			return cty.UnknownVal(cty.String), err
		}
		out, err := yaml.Marshal(doc)
		if err != nil {
			return cty.UnknownVal(cty.String), err
		}
		return cty.StringVal(string(out)), nil
	},
})

func jsonToCty(js []byte) (cty.Value, error) {
	t, err := ctyjson.ImpliedType(js)
	if err != nil {
		return cty.DynamicVal, err
	}
	return ctyjson.Unmarshal(js, t)
}

// jsonable turns decoded YAML into values encoding/json accepts (string map keys).
func jsonable(v any, depth int) any {
	if depth > 100 {
		return nil
	}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = jsonable(e, depth+1)
		}
		return x
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			ks, _ := json.Marshal(k)
			if s, ok := k.(string); ok {
				m[s] = jsonable(e, depth+1)
			} else {
				m[strings.Trim(string(ks), `"`)] = jsonable(e, depth+1)
			}
		}
		return m
	case []any:
		for i, e := range x {
			x[i] = jsonable(e, depth+1)
		}
		return x
	}
	return v
}
