package brokerconf

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseRabbitErlang(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		want  string // key=value@line, sorted
		creds string
	}{
		{name: "loopback users none", body: "[{rabbit, [{loopback_users, []}]}].",
			want: "loopback_users=none@1"},
		{name: "loopback guest", body: "[{rabbit, [\n{loopback_users, [<<\"guest\">>]}\n]}].",
			want: "loopback_users.guest=true@2"},
		{name: "listeners", body: `%% comment
[{rabbit, [
  {tcp_listeners, [{"127.0.0.1", 5672}, {"::1", 5672}]},
  {ssl_listeners, [5671]}
]}].`,
			want: "listeners.ssl.1=5671@4 listeners.tcp.1=127.0.0.1:5672@3 listeners.tcp.2=::1:5672@3"},
		{name: "no tcp listeners", body: "[{rabbit,[{tcp_listeners,[]}]}].", want: "listeners.tcp=none@1"},
		{name: "ssl options", body: `[{rabbit, [{ssl_options, [
  {versions, ['tlsv1.2', 'tlsv1']},
  {ciphers, [{ecdhe_rsa, aes_256_gcm, aead, sha384}, "ECDHE-RSA-AES128-SHA"]},
  {verify, verify_peer}, {fail_if_no_peer_cert, true},
  {password, "Pp-S3cr3t"}]}]}].`,
			want: "ssl_options.ciphers.1=ecdhe_rsa-aes_256_gcm-aead-sha384@3 ssl_options.ciphers.2=ECDHE-RSA-AES128-SHA@3 " +
				"ssl_options.fail_if_no_peer_cert=true@4 ssl_options.password=<secret>@5 ssl_options.verify=verify_peer@4 " +
				"ssl_options.versions.1=tlsv1.2@2 ssl_options.versions.2=tlsv1@2",
			creds: "rabbit ssl_options password@5"},
		{name: "users and auth", body: `[{rabbit, [{default_user, <<"guest">>}, {default_pass, <<"guest">>},
 {default_vhost, <<"/">>}, {default_permissions, [<<".*">>, <<".*">>, <<"">>]},
 {password_hashing_module, rabbit_password_hashing_md5},
 {auth_mechanisms, ['PLAIN', 'ANONYMOUS']}, {auth_backends, [rabbit_auth_backend_ldap]},
 {default_queue_type, quorum}, {anonymous_login_user, <<"guest">>}]}].`,
			want: "anonymous_login_user=guest@5 auth_backends.1=rabbit_auth_backend_ldap@4 auth_mechanisms.1=PLAIN@4 auth_mechanisms.2=ANONYMOUS@4 " +
				"default_pass=guest@1 default_permissions.configure=.*@2 default_permissions.read=@2 default_permissions.write=.*@2 " +
				"default_queue_type=quorum@5 default_user=guest@1 default_vhost=/@2 password_hashing_module=rabbit_password_hashing_md5@3",
			creds: "rabbit default_pass@1"},
		{name: "cluster nodes", body: "[{rabbit, [{cluster_nodes, {['rabbit@a', 'rabbit@b'], disc}}]}].",
			want: "cluster_formation.classic_config.nodes.1=rabbit@a@1 cluster_formation.classic_config.nodes.2=rabbit@b@1 cluster_formation.node_type=disc@1"},
		{name: "cluster formation", body: "[{rabbit, [{cluster_formation, [{peer_discovery_backend, rabbit_peer_discovery_k8s}]}]}].",
			want: "cluster_formation.peer_discovery_backend=rabbit_peer_discovery_k8s@1"},
		{name: "management", body: `[{rabbitmq_management, [
  {listener, [{port, 15671}, {ssl, true}, {ip, "0.0.0.0"}, {ssl_opts, [{certfile, "/c.pem"}]}]},
  {cors_allow_origins, ["*"]},
  {load_definitions, "/etc/rabbitmq/definitions.json"}]}].`,
			want: "management.cors.allow_origins.1=*@3 management.load_definitions=/etc/rabbitmq/definitions.json@4 " +
				"management.ssl.certfile=/c.pem@2 management.ssl.ip=0.0.0.0@2 management.ssl.port=15671@2"},
		{name: "management plain", body: "[{rabbitmq_management, [{listener, [{port, 15672}]}]}].",
			want: "management.tcp.port=15672@1"},
		{name: "ldap", body: `[{rabbitmq_auth_backend_ldap, [{servers, ["ldap1", "ldap2"]}, {port, 636}, {use_ssl, true},
  {use_starttls, false}, {dn_lookup_bind, {"cn=admin", "Ll-S3cr3t"}}]}].`,
			want: "auth_ldap.dn_lookup_bind.password=<secret>@2 auth_ldap.dn_lookup_bind.user_dn=cn=admin@2 auth_ldap.port=636@1 " +
				"auth_ldap.servers.1=ldap1@1 auth_ldap.servers.2=ldap2@1 auth_ldap.use_ssl=true@1 auth_ldap.use_starttls=false@2",
			creds: "rabbitmq_auth_backend_ldap dn_lookup_bind password@2"},
		{name: "mqtt and stomp", body: `[{rabbitmq_mqtt, [{allow_anonymous, true}, {tcp_listeners, [1883]}, {ssl_listeners, [8883]}]},
 {rabbitmq_stomp, [{tcp_listeners, [{"127.0.0.1", 61613}]}, {default_user, [{login, "guest"}, {passcode, "guest"}]}]}].`,
			want: "mqtt.allow_anonymous=true@1 mqtt.listeners.ssl.1=8883@1 mqtt.listeners.tcp.1=1883@1 " +
				"stomp.default_pass=guest@2 stomp.default_user=guest@2 stomp.listeners.tcp.1=127.0.0.1:61613@2",
			creds: "rabbitmq_stomp default_user passcode@2"},
		{name: "kernel ignored, cookie and shovel URI are credentials", body: `[{kernel, [{inet_dist_listen_min, 25672}, {setcookie, 'Cc-S3cr3t'}]},
 {rabbitmq_shovel, [{shovels, [{s, [{source, [{uris, ["amqp://u:Uu-S3cr3t@h"]}]}]}]}]}].`,
			want:  "",
			creds: "kernel setcookie@1 rabbitmq_shovel shovels s source uris URI@2"},
		{name: "maps, floats, chars, based integers", body: "[{rabbit, [{vm_memory_high_watermark, 0.4}, {x, #{<<\"k\">> => {pem, <<\"v\"/utf8>>}}}, {c, $a}, {h, 16#ff}, {neg, -1.5e3}]}].",
			want: "c=97@1 h=16#ff@1 neg=-1.5e3@1 vm_memory_high_watermark=0.4@1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, creds, err := ParseRabbitErlang([]byte(tt.body), "advanced.config", 1)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, k := range s.WithPrefix("") {
				got = append(got, fmt.Sprintf("%s=%s@%d", k, s.Conf[k].V, s.Conf[k].At.StartLine))
			}
			if g := strings.Join(got, " "); g != tt.want {
				t.Errorf("keys\n got %s\nwant %s", g, tt.want)
			}
			var gc []string
			for _, c := range creds {
				gc = append(gc, fmt.Sprintf("%s@%d", c.Where, c.At.StartLine))
			}
			if g := strings.Join(gc, " "); g != tt.creds {
				t.Errorf("credentials\n got %s\nwant %s", g, tt.creds)
			}
			for k, v := range s.Conf {
				if strings.Contains(v.V, "S3cr3t") {
					t.Errorf("%s keeps a secret", k)
				}
			}
		})
	}
}

func TestParseErlangTermsErrors(t *testing.T) {
	deep := strings.Repeat("[", MaxTermDepth+1) + strings.Repeat("]", MaxTermDepth+1) + "."
	tests := []struct {
		body string
		line int
		msg  string
	}{
		{"[{rabbit, [{default_pass, <<\"S3cr3t\">>}]}]", 1, "expected `.`"},
		{"[\n{rabbit, [{f, fun() -> ok end}]}].", 2, "fun"},
		{"[\n\n{rabbit, [{r, #rec{a = 1}}]}].", 3, "records"},
		{"[{rabbit, [{v, Var}]}].", 1, "variables"},
		{"[{rabbit, [{c, os:cmd(\"S3cr3t\")}]}].", 1, "function calls"},
		{"[{rabbit, [{c, erlang_call(\"S3cr3t\")}]}].", 1, "function calls"},
		{"[{rabbit, [{p, \"S3cr3t\n\n", 1, "unterminated"},
		{"[{rabbit, [{p, 1}\n}].", 2, "expected `,` or `]`"},
		{deep, 1, "nested deeper"},
		{"% only a comment\n", 1, "no Erlang term"},
		{"[{a, 12abc}].", 1, "after a number"},
	}
	for _, tt := range tests {
		_, _, err := ParseRabbitErlang([]byte(tt.body), "etc/advanced.config", 1)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%q: error %v, want a ParseError", tt.body, err)
			continue
		}
		if pe.File != "etc/advanced.config" || pe.Line != tt.line || !strings.Contains(pe.Msg, tt.msg) {
			t.Errorf("%q: error %v, want line %d and %q", tt.body, err, tt.line, tt.msg)
		}
		if strings.Contains(err.Error(), "S3cr3t") {
			t.Errorf("%q: the error quotes the file: %v", tt.body, err)
		}
	}
	if _, _, err := ParseRabbitErlang([]byte(strings.Repeat(" ", MaxRabbitConfSize+1)), "big", 1); err == nil {
		t.Errorf("no error for a file over the size limit")
	}
	if _, _, err := ParseRabbitErlang([]byte("{rabbit, []}."), "t", 1); err == nil {
		t.Errorf("no error for a term that is not a list")
	}
}

func TestParseEnabledPlugins(t *testing.T) {
	pl, err := ParseEnabledPlugins([]byte("%% plugins\n[rabbitmq_management,\n rabbitmq_mqtt].\n"), "enabled_plugins", 4)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(pl.V, ",") != "rabbitmq_management,rabbitmq_mqtt" || pl.At.StartLine != 5 || pl.At.EndLine != 6 {
		t.Errorf("plugins = %+v", pl)
	}
	if pl, err := ParseEnabledPlugins([]byte("[]."), "enabled_plugins", 1); err != nil || pl.V == nil || len(pl.V) != 0 {
		t.Errorf("empty list = %+v, %v", pl, err)
	}
	for _, bad := range []string{"[rabbitmq_management", "[{a,b}].", "rabbitmq_management."} {
		if _, err := ParseEnabledPlugins([]byte(bad), "enabled_plugins", 1); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func FuzzErlangTerms(f *testing.F) {
	for _, s := range []string{"[].", "[{rabbit, [{loopback_users, []}]}].", "[{a, <<\"b\"/utf8>>}, \"c\" \"d\", 'e f', 1.5e3, $x, 16#1F, #{k => v}].",
		"[a | b].", "%c\n[{rabbitmq_management, [{listener, [{port, 1}, {ssl, true}]}]}].", "[{kernel,[{setcookie,x}]}]."} {
		f.Add([]byte(s))
	}
	addCorpusSeeds(f, RabbitErlang)
	f.Fuzz(func(t *testing.T, data []byte) {
		s, creds, err := ParseRabbitErlang(data, "f.config", 2)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.File != "f.config" || pe.Line < 2 {
				t.Fatalf("error %v", err)
			}
			return
		}
		lines := strings.Count(string(data), "\n") + 2
		for k, v := range s.Conf {
			if v.At.StartLine < 2 || v.At.EndLine > lines || v.At.EndLine < v.At.StartLine {
				t.Fatalf("key %q at %+v (%d lines)", k, v.At, lines)
			}
		}
		for _, c := range creds {
			if c.At.StartLine < 2 || c.At.StartLine > lines {
				t.Fatalf("credential at %+v", c.At)
			}
		}
	})
}
