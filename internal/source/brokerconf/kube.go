package brokerconf

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/mqguard/mqguard/internal/model"
)

// MaxKubeFileSize is the largest Kubernetes manifest or Helm values file read.
const MaxKubeFileSize = 8 << 20

// operatorPlugins are the plugins the RabbitMQ cluster operator always enables.
var operatorPlugins = []string{"rabbitmq_peer_discovery_k8s", "rabbitmq_prometheus", "rabbitmq_management"}

// readRabbitKube reads a Kubernetes manifest (ConfigMap data keys rabbitmq.conf, advanced.config,
// enabled_plugins, *.json definitions; a RabbitmqCluster's spec.replicas and spec.rabbitmq
// additionalConfig, advancedConfig, additionalPlugins) or a Helm values file of a RabbitMQ chart
// (auth, configuration, extraConfiguration, advancedConfiguration, plugins, extraPlugins,
// replicaCount, loadDefinition, ldap) into one broker. Embedded bodies keep the lines of the YAML
// file. Several documents in one file describe one broker.
func readRabbitKube(fsys fs.FS, p string, opts Options) (*model.Broker, []model.Diagnostic) {
	disp := opts.Display(p)
	in := &rabbitInput{name: path.Base(path.Dir(p)), main: disp, files: []string{disp}, kube: &kubeFacts{}}
	if path.Dir(p) == "." {
		in.name = path.Base(p)
	}
	in.mainAt = model.Range{File: disp}
	data, err := readFile(fsys, p, MaxKubeFileSize)
	if err != nil {
		in.errorDiag(err, disp)
		in.mainBroken = err.Error()
		in.confBroken = true
		return buildRabbitBroker(in), in.diag
	}
	in.mainAt = model.Range{File: disp, StartLine: 1, EndLine: lineCount(data)}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*yaml.Node
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			in.errorDiag(yamlError(err, disp), disp)
			in.mainBroken = "the file does not parse"
			in.confBroken = true
			return buildRabbitBroker(in), in.diag
		}
		if len(doc.Content) > 0 && doc.Content[0].Kind == yaml.MappingNode {
			docs = append(docs, doc.Content[0])
		}
	}
	k := &kubeReader{in: in, file: disp}
	for _, d := range docs {
		switch scalarAt(d, "kind") {
		case "ConfigMap", "Secret":
			k.configMap(d)
		case "RabbitmqCluster":
			k.cluster(d)
		case "":
			k.helm(d)
		}
	}
	if in.loadDefinitionsSet() && len(in.defs) == 0 && !in.defsBroken {
		if target, ok := in.loadDefinitionsTarget(fsys, path.Dir(p)); ok {
			td := opts.Display(target)
			in.files = append(in.files, td)
			in.readDefinitions(fsys, target, td, false)
		} else {
			in.defsMissing = true
		}
	}
	return buildRabbitBroker(in), in.diag
}

// yamlError turns a YAML error into a ParseError at its line, without quoting the document.
func yamlError(err error, file string) error {
	msg := err.Error()
	line := 0
	if i := strings.Index(msg, "line "); i >= 0 {
		rest := msg[i+5:]
		j := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		line, _ = strconv.Atoi(rest[:j])
		if k := strings.Index(rest, ": "); k >= 0 {
			msg = rest[k+2:]
		}
	}
	if i := strings.IndexAny(msg, "`'\""); i >= 0 {
		msg = strings.TrimSpace(msg[:i])
	}
	return &ParseError{File: file, Line: line, Msg: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
}

type kubeReader struct {
	in   *rabbitInput
	file string
}

// child returns the value of key in a mapping node.
func child(n *yaml.Node, keys ...string) *yaml.Node {
	for _, key := range keys {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				next = n.Content[i+1]
			}
		}
		n = next
	}
	return n
}

func scalarAt(n *yaml.Node, keys ...string) string {
	c := child(n, keys...)
	if c == nil || c.Kind != yaml.ScalarNode {
		return ""
	}
	return c.Value
}

// bodyLine is the file line of a scalar's first content line.
func bodyLine(n *yaml.Node) int {
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return n.Line + 1
	}
	return n.Line
}

func (k *kubeReader) rng(n *yaml.Node) model.Range {
	return model.Range{File: k.file, StartLine: n.Line, EndLine: n.Line}
}

// conf reads an embedded rabbitmq.conf body.
func (k *kubeReader) conf(n *yaml.Node) {
	if n == nil || n.Kind != yaml.ScalarNode || strings.TrimSpace(n.Value) == "" {
		return
	}
	s, creds, err := parseRabbitConf([]byte(n.Value), k.file, bodyLine(n), strings.Contains(n.Value, "{{"))
	if err != nil {
		k.in.confBroken = true
		k.in.errorDiag(err, k.file)
		return
	}
	if s.ConfState == model.Unknown {
		k.in.confBroken = true
	}
	k.in.mergeConf(s, creds)
}

// erlang reads an embedded advanced.config body.
func (k *kubeReader) erlang(n *yaml.Node) {
	if n == nil || n.Kind != yaml.ScalarNode || strings.TrimSpace(n.Value) == "" {
		return
	}
	if strings.Contains(n.Value, "{{") {
		k.in.confBroken = true
		return
	}
	s, creds, err := ParseRabbitErlang([]byte(n.Value), k.file, bodyLine(n))
	if err != nil {
		k.in.confBroken = true
		k.in.errorDiag(err, k.file)
		return
	}
	k.in.mergeConf(s, creds)
}

func (k *kubeReader) definitions(n *yaml.Node) {
	if n == nil || n.Kind != yaml.ScalarNode {
		return
	}
	d, err := ReadDefinitions(strings.NewReader(n.Value), k.file, bodyLine(n))
	if err != nil {
		k.in.defsBroken = true
		k.in.errorDiag(err, k.file)
		return
	}
	k.in.defs = append(k.in.defs, d)
	k.in.creds = append(k.in.creds, d.Credentials...)
}

func (k *kubeReader) plugins(n *yaml.Node, base []string) {
	if n == nil || n.Kind != yaml.ScalarNode {
		return
	}
	pl, err := ParseEnabledPlugins([]byte(n.Value), k.file, bodyLine(n))
	if err != nil {
		k.in.errorDiag(err, k.file)
		return
	}
	pl.V = append(append([]string{}, base...), pl.V...)
	k.in.plugins = pl
}

func (k *kubeReader) configMap(d *yaml.Node) {
	// A Secret's data is base64: only its stringData is text with the file's lines.
	data := child(d, "stringData")
	if data == nil && scalarAt(d, "kind") == "ConfigMap" {
		data = child(d, "data")
	}
	if data == nil || data.Kind != yaml.MappingNode {
		return
	}
	if name := scalarAt(d, "metadata", "name"); name != "" && !k.in.explName {
		k.in.name, k.in.nameAt, k.in.explName = name, k.rng(child(d, "metadata", "name")), true
	}
	for i := 0; i+1 < len(data.Content); i += 2 {
		key, v := data.Content[i].Value, data.Content[i+1]
		switch {
		case key == "rabbitmq.conf" || strings.HasSuffix(key, ".conf"):
			k.conf(v)
		case key == "advanced.config" || key == "rabbitmq.config":
			k.erlang(v)
		case key == "enabled_plugins":
			k.plugins(v, nil)
		case strings.HasSuffix(key, ".json") && (strings.Contains(strings.ToLower(key), "definition") || isDefinitions(bytes.TrimLeft([]byte(v.Value), " \t\r\n"))):
			k.definitions(v)
		}
	}
}

func (k *kubeReader) cluster(d *yaml.Node) {
	if n := child(d, "metadata", "name"); n != nil && n.Kind == yaml.ScalarNode && !k.in.explName {
		k.in.name, k.in.nameAt, k.in.explName = n.Value, k.rng(n), true
	}
	spec := child(d, "spec")
	k.in.kube.generatedUser = true
	if r := child(spec, "replicas"); r != nil && r.Kind == yaml.ScalarNode {
		if v, err := strconv.ParseInt(r.Value, 10, 32); err == nil {
			k.in.kube.replicas = model.Int{V: v, State: model.Explicit, At: k.rng(r)}
		} else {
			k.in.kube.replicas = model.Int{At: k.rng(r)}
		}
	} else {
		at := k.in.mainAt
		if spec != nil {
			at = k.rng(spec)
		}
		k.in.kube.replicas = model.Int{V: 1, State: model.Default, At: at}
	}
	rmq := child(spec, "rabbitmq")
	k.conf(child(rmq, "additionalConfig"))
	k.erlang(child(rmq, "advancedConfig"))
	pl := model.StringList{V: append([]string{}, operatorPlugins...), State: model.Explicit, At: k.in.mainAt}
	if spec != nil {
		pl.At = k.rng(spec)
	}
	if add := child(rmq, "additionalPlugins"); add != nil && add.Kind == yaml.SequenceNode {
		pl.At = k.rng(add)
		for _, e := range add.Content {
			if e.Kind == yaml.ScalarNode {
				pl.V = append(pl.V, e.Value)
			}
		}
	}
	k.in.plugins = pl
	k.secretLiterals(d)
}

// helm reads a RabbitMQ chart's values (the Bitnami chart's keys).
func (k *kubeReader) helm(d *yaml.Node) {
	k.conf(child(d, "configuration"))
	k.conf(child(d, "extraConfiguration"))
	k.erlang(child(d, "advancedConfiguration"))
	if r := child(d, "replicaCount"); r != nil && r.Kind == yaml.ScalarNode {
		if v, err := strconv.ParseInt(r.Value, 10, 32); err == nil {
			k.in.kube.replicas = model.Int{V: v, State: model.Explicit, At: k.rng(r)}
		}
	}
	var plugins []string
	var at *yaml.Node
	for _, key := range []string{"plugins", "extraPlugins"} {
		if n := child(d, key); n != nil && n.Kind == yaml.ScalarNode {
			plugins = append(plugins, strings.Fields(strings.ReplaceAll(n.Value, ",", " "))...)
			if at == nil {
				at = n
			}
		}
	}
	if at != nil {
		k.in.plugins = model.StringList{V: plugins, State: model.Explicit, At: k.rng(at)}
	}
	if ld := child(d, "loadDefinition"); ld != nil && scalarAt(ld, "enabled") == "true" {
		// The definitions come from a Secret the file does not hold.
		k.in.defsMissing = true
	}
	if auth := child(d, "auth"); auth != nil {
		u := model.BrokerUser{Realm: "default_user", At: k.rng(auth),
			Tags:     model.StringList{V: []string{"administrator"}, State: model.Default, At: k.rng(auth)},
			Username: model.DefaultString("user", k.rng(auth)),
			Password: model.Secret{Origin: model.SecretGenerated, At: k.rng(auth)},
		}
		if n := child(auth, "username"); n != nil && n.Kind == yaml.ScalarNode {
			u.Username = model.ExplicitString(n.Value, k.rng(n))
			u.At = k.rng(n)
		}
		pass := child(auth, "password")
		switch {
		case scalarAt(auth, "existingPasswordSecret") != "":
			u.Password = model.Secret{Origin: model.SecretStore, At: k.rng(child(auth, "existingPasswordSecret"))}
		case pass != nil && pass.Kind == yaml.ScalarNode && pass.Value != "":
			u.Password = model.Secret{Origin: model.SecretLiteral, At: k.rng(pass), LiteralAt: k.rng(pass)}
			u.DefaultPassword = u.Username.V == "guest" && pass.Value == "guest"
		}
		vhost := "/"
		u.Permissions = []model.Permission{{VHost: vhost, Configure: ".*", Write: ".*", Read: ".*", At: u.At}}
		k.in.kube.helmUser = &u
	}
	if ldap := child(d, "ldap"); ldap != nil && scalarAt(ldap, "enabled") == "true" {
		k.helmLDAP(ldap)
	}
	k.secretLiterals(d)
}

// helmLDAP maps the chart's ldap values to the auth_ldap keys they render to.
func (k *kubeReader) helmLDAP(ldap *yaml.Node) {
	if k.in.conf == nil {
		k.in.conf = map[string]model.String{}
	}
	set := func(key, v string, n *yaml.Node) { k.in.conf[key] = model.ExplicitString(v, k.rng(n)) }
	set("auth_backends.1", "rabbit_auth_backend_ldap", child(ldap, "enabled"))
	if s := child(ldap, "servers"); s != nil && s.Kind == yaml.SequenceNode {
		for i, e := range s.Content {
			set(fmt.Sprintf("auth_ldap.servers.%d", i+1), e.Value, e)
		}
	}
	if n := child(ldap, "port"); n != nil && n.Value != "" {
		set("auth_ldap.port", n.Value, n)
	}
	if n := child(ldap, "tls", "enabled"); n != nil {
		if st := child(ldap, "tls", "startTls"); st != nil && st.Value == "true" && n.Value == "true" {
			set("auth_ldap.use_starttls", "true", st)
		} else {
			set("auth_ldap.use_ssl", n.Value, n)
		}
	}
}

// secretLiterals reports literal secrets of the manifest's own keys (passwords, the Erlang
// cookie), not those of embedded bodies, which their parsers report.
func (k *kubeReader) secretLiterals(n *yaml.Node) {
	if n == nil || n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, v := n.Content[i].Value, n.Content[i+1]
		switch key {
		case "configuration", "extraConfiguration", "advancedConfiguration", "additionalConfig", "advancedConfig", "data":
			continue
		}
		if v.Kind == yaml.ScalarNode {
			lk := strings.ToLower(key)
			if v.Value != "" && (lk == "password" || lk == "bindpw" || lk == "erlangcookie" || strings.HasSuffix(lk, "password")) &&
				!strings.HasPrefix(lk, "existing") && !strings.HasPrefix(lk, "secure") && !strings.HasPrefix(lk, "update") && v.Value != "true" && v.Value != "false" {
				k.in.creds = append(k.in.creds, model.CredentialRef{Where: "values " + key, At: k.rng(v)})
			}
			continue
		}
		k.secretLiterals(v)
	}
}
