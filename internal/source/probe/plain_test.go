package probe

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mqguard/mqguard/internal/model"
)

// be32 and be16 write big-endian integers, as the protocols do.
func be32(b *bytes.Buffer, v uint32) { _ = binary.Write(b, binary.BigEndian, v) }
func be16(b *bytes.Buffer, v uint16) { _ = binary.Write(b, binary.BigEndian, v) }

// rabbitStart is a Connection.Start frame shaped like RabbitMQ 3.13's: server-properties
// with a nested capabilities table, strings, a boolean; mechanisms and locales.
func rabbitStart(product, version string) []byte {
	return rabbitStartMech(product, version, "AMQPLAIN PLAIN")
}

func rabbitStartMech(product, version, mechanisms string) []byte {
	var table bytes.Buffer
	str := func(k, v string) {
		table.WriteByte(byte(len(k)))
		table.WriteString(k)
		table.WriteByte('S')
		be32(&table, uint32(len(v)))
		table.WriteString(v)
	}
	var caps bytes.Buffer
	for _, k := range []string{"publisher_confirms", "basic.nack", "consumer_cancel_notify"} {
		caps.WriteByte(byte(len(k)))
		caps.WriteString(k)
		caps.WriteByte('t')
		caps.WriteByte(1)
	}
	table.WriteByte(12)
	table.WriteString("capabilities")
	table.WriteByte('F')
	be32(&table, uint32(caps.Len()))
	table.Write(caps.Bytes())
	str("cluster_name", "rabbit@node1")
	str("copyright", "Copyright (c) 2007-2024 Broadcom Inc and/or its subsidiaries")
	str("information", "Licensed under the MPL 2.0")
	str("platform", "Erlang/OTP 26.2.5")
	if product != "" {
		str("product", product)
	}
	if version != "" {
		str("version", version)
	}
	var payload bytes.Buffer
	be16(&payload, 10)
	be16(&payload, 10)
	payload.Write([]byte{0, 9})
	be32(&payload, uint32(table.Len()))
	payload.Write(table.Bytes())
	be32(&payload, uint32(len(mechanisms)))
	payload.WriteString(mechanisms)
	be32(&payload, 5)
	payload.WriteString("en_US")
	var frame bytes.Buffer
	frame.WriteByte(1)
	be16(&frame, 0)
	be32(&frame, uint32(payload.Len()))
	frame.Write(payload.Bytes())
	frame.WriteByte(0xCE)
	return frame.Bytes()
}

// activeMQWireFormat is the WireFormatInfo an ActiveMQ broker sends on connect, with the
// properties 5.14.0 and later announce (version "" leaves ProviderVersion out, as older ones).
func activeMQWireFormat(version string) []byte {
	var m bytes.Buffer
	type entry struct {
		k string
		t byte
		v []byte
	}
	utf := func(s string) []byte {
		var b bytes.Buffer
		be16(&b, uint16(len(s)))
		b.WriteString(s)
		return b.Bytes()
	}
	entries := []entry{
		{"TcpNoDelayEnabled", 1, []byte{1}},
		{"SizePrefixDisabled", 1, []byte{0}},
		{"CacheSize", 5, []byte{0, 0, 4, 0}},
		{"ProviderName", 9, utf("ActiveMQ")},
		{"StackTraceEnabled", 1, []byte{1}},
		{"PlatformDetails", 9, utf("JVM: 11.0.22, 64-bit, Eclipse Adoptium, OS: Linux")},
		{"CacheEnabled", 1, []byte{1}},
		{"TightEncodingEnabled", 1, []byte{1}},
		{"MaxFrameSize", 6, []byte{0, 0, 0, 0, 0x06, 0x40, 0, 0}},
		{"MaxInactivityDuration", 6, []byte{0, 0, 0, 0, 0, 0, 0x75, 0x30}},
		{"MaxInactivityDurationInitalDelay", 6, []byte{0, 0, 0, 0, 0, 0, 0x27, 0x10}},
	}
	if version != "" {
		entries = append(entries, entry{"ProviderVersion", 9, utf(version)})
	}
	be32(&m, uint32(len(entries)))
	for _, e := range entries {
		m.Write(utf(e.k))
		m.WriteByte(e.t)
		m.Write(e.v)
	}
	var body bytes.Buffer
	body.WriteByte(1) // WIREFORMAT_INFO
	body.WriteString("ActiveMQ")
	be32(&body, 12)
	body.WriteByte(1) // marshalled properties present
	be32(&body, uint32(m.Len()))
	body.Write(m.Bytes())
	var frame bytes.Buffer
	be32(&frame, uint32(body.Len()))
	frame.Write(body.Bytes())
	return frame.Bytes()
}

func TestPlaintextProbes(t *testing.T) {
	cases := []struct {
		name       string
		scheme     string
		handle     func(net.Conn)
		engine     string
		version    string
		anonymous  bool
		absent     bool
		wantEngine bool
	}{
		{"AMQP 0-9-1 RabbitMQ", "amqp", func(c net.Conn) {
			var h [8]byte
			if _, err := io.ReadFull(c, h[:]); err == nil && string(h[:]) == "AMQP\x00\x00\x09\x01" {
				_, _ = c.Write(rabbitStart("RabbitMQ", "3.13.7"))
			}
		}, model.EngineRabbitMQ, "3.13.7", false, false, true},
		{"AMQP 0-9-1 RabbitMQ 4 lets ANONYMOUS in", "amqp", anonymousAMQP(true), model.EngineRabbitMQ, "4.0.5", true, false, true},
		{"AMQP 0-9-1 RabbitMQ 4 refuses ANONYMOUS", "amqp", anonymousAMQP(false), model.EngineRabbitMQ, "4.0.5", false, false, true},
		{"AMQP 1.0 broker answers its header", "amqp", func(c net.Conn) {
			var h [8]byte
			if _, err := io.ReadFull(c, h[:]); err == nil {
				_, _ = c.Write([]byte("AMQP\x03\x01\x00\x00"))
			}
		}, "", "", false, false, false},
		{"OpenWire 5.18.3", "tcp", func(c net.Conn) { _, _ = c.Write(activeMQWireFormat("5.18.3")) }, model.EngineActiveMQ, "5.18.3", false, false, true},
		{"OpenWire before 5.14 (no ProviderVersion)", "nio", func(c net.Conn) { _, _ = c.Write(activeMQWireFormat("")) }, model.EngineActiveMQ, "", false, true, true},
		{"STOMP CONNECTED without credentials", "stomp", func(c net.Conn) {
			buf := make([]byte, 512)
			n, _ := c.Read(buf)
			if strings.HasPrefix(string(buf[:n]), "CONNECT\n") && !strings.Contains(string(buf[:n]), "login:") {
				_, _ = io.WriteString(c, "\nCONNECTED\nserver:ActiveMQ/6.1.2\nheart-beat:0,0\nsession:ID:x-1\nversion:1.2\n\n\x00")
			}
		}, model.EngineActiveMQ, "6.1.2", true, false, true},
		{"STOMP ERROR (credentials required)", "stomp", func(c net.Conn) {
			buf := make([]byte, 512)
			_, _ = c.Read(buf)
			_, _ = io.WriteString(c, "ERROR\nmessage:Access refused for user 'guest'\ncontent-type:text/plain\n\nnot allowed\x00")
		}, "", "", false, false, false},
		{"MQTT CONNACK accepted", "mqtt", func(c net.Conn) {
			var h [2]byte
			if _, err := io.ReadFull(c, h[:]); err != nil || h[0] != 0x10 {
				return
			}
			rest := make([]byte, h[1])
			if _, err := io.ReadFull(c, rest); err != nil || string(rest[2:6]) != "MQTT" || rest[7]&0xC0 != 0 {
				return // no user name or password flags may be set
			}
			_, _ = c.Write([]byte{0x20, 2, 0, 0})
		}, "", "", true, false, false},
		{"MQTT CONNACK not authorized", "mqtt", func(c net.Conn) {
			buf := make([]byte, 64)
			_, _ = c.Read(buf)
			_, _ = c.Write([]byte{0x20, 2, 0, 5})
		}, "", "", false, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ln := serve(t, tc.handle)
			u := tc.scheme + "://" + ln.Addr().String()
			b, diags := scanOne(t, Target{URL: u}, Options{})
			if e := errorsOf(diags); len(e) > 0 {
				t.Fatalf("errors: %v", e)
			}
			sm := b.SelfManaged
			ep := sm.Endpoints[0]
			if !ep.Plaintext || ep.Error != "" || ep.TLS != nil {
				t.Fatalf("endpoint %+v, want a plaintext handshake", ep)
			}
			if len(sm.Listeners) != 1 || sm.Listeners[0].TLS.V || sm.Listeners[0].TLS.State != model.Explicit || sm.Listeners[0].Port.V == 0 {
				t.Errorf("listeners %+v", sm.Listeners)
			}
			if tc.wantEngine != b.Engine.Known() || b.Engine.V != tc.engine {
				t.Errorf("engine %+v, want %q", b.Engine, tc.engine)
			}
			if tc.version != "" && (b.EngineVersion.V != tc.version || sm.Version.V != tc.version || b.EngineVersion.State != model.Explicit || ep.Version != tc.version) {
				t.Errorf("version %+v / %+v / %q, want %s", b.EngineVersion, sm.Version, ep.Version, tc.version)
			}
			if tc.version == "" && b.EngineVersion.Known() {
				t.Errorf("version %+v, want unknown", b.EngineVersion)
			}
			if sm.VersionAbsent != tc.absent {
				t.Errorf("VersionAbsent %v", sm.VersionAbsent)
			}
			if (len(sm.Anonymous) > 0) != tc.anonymous {
				t.Errorf("anonymous %+v, want %v", sm.Anonymous, tc.anonymous)
			}
			wantType := map[string]string{"": "endpoint", model.EngineActiveMQ: "activemq", model.EngineRabbitMQ: "rabbitmq"}[tc.engine]
			if b.ID.Type != wantType || b.ID.Source != model.SourceProbe || b.ID.Address != u {
				t.Errorf("identity %+v", b.ID)
			}
		})
	}
}

// anonymousAMQP offers ANONYMOUS and answers a Start-Ok for it with Connection.Tune (accept)
// or Connection.Close 403 (refuse).
func anonymousAMQP(accept bool) func(net.Conn) {
	return func(c net.Conn) {
		var h [8]byte
		if _, err := io.ReadFull(c, h[:]); err != nil {
			return
		}
		_, _ = c.Write(rabbitStartMech("RabbitMQ", "4.0.5", "ANONYMOUS PLAIN AMQPLAIN"))
		var head [7]byte
		if _, err := io.ReadFull(c, head[:]); err != nil {
			return
		}
		body := make([]byte, binary.BigEndian.Uint32(head[3:])+1)
		if _, err := io.ReadFull(c, body); err != nil || !bytes.Contains(body, []byte("\x09ANONYMOUS\x00\x00\x00\x00")) {
			return
		}
		if accept {
			// Connection.Tune: channel-max 2047, frame-max 131072, heartbeat 60.
			_, _ = c.Write([]byte{1, 0, 0, 0, 0, 0, 12, 0, 10, 0, 30, 0x07, 0xff, 0, 2, 0, 0, 0, 60, 0xCE})
			return
		}
		reason := "ACCESS_REFUSED - Login was refused using authentication mechanism ANONYMOUS"
		var p bytes.Buffer
		p.Write([]byte{0, 10, 0, 50, 1, 0x93})
		p.WriteByte(byte(len(reason)))
		p.WriteString(reason)
		p.Write([]byte{0, 0, 0, 0})
		var f bytes.Buffer
		f.Write([]byte{1, 0, 0})
		be32(&f, uint32(p.Len()))
		f.Write(p.Bytes())
		f.WriteByte(0xCE)
		_, _ = c.Write(f.Bytes())
	}
}

func TestPlaintextBadInput(t *testing.T) {
	schemes := []string{"amqp", "tcp", "stomp", "mqtt"}
	servers := []struct {
		name   string
		handle func(net.Conn)
		errSub string
	}{
		{"accepts then closes", func(net.Conn) {}, "closed"},
		{"garbage", func(c net.Conn) {
			_, _ = c.Write([]byte("SSH-2.0-OpenSSH_9.6\r\n\x00\x00\x00\x00\x00\x00\x00\x00garbage garbage\n\n\x00"))
			_, _ = io.Copy(io.Discard, c)
		}, ""},
		{"never answers", func(c net.Conn) { _, _ = io.Copy(io.Discard, c) }, "timeout"},
		{"drops mid-handshake", func(c net.Conn) {
			var h [8]byte
			_, _ = c.Read(h[:])
			_, _ = c.Write(rabbitStart("RabbitMQ", "3.13.7")[:20])
			_, _ = c.Write(activeMQWireFormat("5.18.3")[:20])
		}, ""},
	}
	for _, s := range servers {
		for _, scheme := range schemes {
			t.Run(s.name+"/"+scheme, func(t *testing.T) {
				u := scheme + "://" + serve(t, s.handle).Addr().String()
				b, diags := scanOne(t, Target{URL: u}, Options{Timeout: 300 * time.Millisecond})
				ep := b.SelfManaged.Endpoints[0]
				if ep.Error == "" || ep.Plaintext {
					t.Fatalf("endpoint %+v, want an error", ep)
				}
				if !strings.Contains(ep.Error, s.errSub) {
					t.Errorf("error %q, want %q", ep.Error, s.errSub)
				}
				if !hasError(diags, u) {
					t.Errorf("no error diagnostic: %v", diags)
				}
				if len(b.SelfManaged.Listeners) != 0 || len(b.SelfManaged.Anonymous) != 0 || b.Engine.Known() {
					t.Errorf("a failed probe decided something: %+v", b.SelfManaged)
				}
			})
		}
	}
}

func TestDecodeConnectionStart(t *testing.T) {
	cs, err := decodeConnectionStart(rabbitStart("RabbitMQ", "4.0.5"))
	if err != nil {
		t.Fatal(err)
	}
	if cs.Product != "RabbitMQ" || cs.Version != "4.0.5" || cs.Platform != "Erlang/OTP 26.2.5" || cs.Mechanisms != "AMQPLAIN PLAIN" || cs.VersionMajor != 0 || cs.VersionMinor != 9 {
		t.Errorf("%+v", cs)
	}
	good := rabbitStart("RabbitMQ", "4.0.5")
	for _, bad := range map[string][]byte{
		"truncated":     good[:len(good)-3],
		"no frame end":  append(append([]byte{}, good[:len(good)-1]...), 0),
		"channel 1":     append([]byte{1, 0, 1}, good[3:]...),
		"heartbeat":     append([]byte{8}, good[1:]...),
		"huge size":     {1, 0, 0, 0x7f, 0xff, 0xff, 0xff, 0xCE},
		"unknown field": badFieldFrame(),
	} {
		if _, err := decodeConnectionStart(bad); err == nil {
			t.Errorf("no error for %x", bad)
		}
	}
}

func badFieldFrame() []byte {
	f := rabbitStart("RabbitMQ", "1")
	i := bytes.Index(f, []byte("product"))
	f[i+len("product")] = '?'
	return f
}

func TestDecodeWireFormatInfo(t *testing.T) {
	info, err := decodeWireFormatInfo(activeMQWireFormat("5.15.16"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"ProviderName": "ActiveMQ", "ProviderVersion": "5.15.16", "CacheSize": "1024", "TightEncodingEnabled": "true", "MaxInactivityDuration": "30000", "PlatformDetails": "JVM: 11.0.22, 64-bit, Eclipse Adoptium, OS: Linux"}
	for k, v := range want {
		if info.Props[k] != v {
			t.Errorf("%s = %q, want %q", k, info.Props[k], v)
		}
	}
	if info.Version != 12 {
		t.Errorf("version %d", info.Version)
	}
	good := activeMQWireFormat("5.15.16")
	bad := map[string][]byte{
		"truncated":  good[:len(good)-4],
		"size lies":  append([]byte{0, 0, 0, 9}, good[4:]...),
		"no magic":   bytes.Replace(append([]byte{}, good...), []byte("ActiveMQ"), []byte("ActiveMX"), 1),
		"wrong type": append(append([]byte{}, good[:4]...), append([]byte{2}, good[5:]...)...),
		"huge count": hugeCount(good),
	}
	for name, b := range bad {
		if _, err := decodeWireFormatInfo(b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func hugeCount(good []byte) []byte {
	b := append([]byte{}, good...)
	// The map count follows size(4) type(1) magic(8) version(4) flag(1) length(4).
	binary.BigEndian.PutUint32(b[22:26], 0x7fffffff)
	return b
}

func FuzzConnectionStart(f *testing.F) {
	f.Add(rabbitStart("RabbitMQ", "3.13.7"))
	f.Add(rabbitStart("", ""))
	f.Add([]byte{1, 0, 0, 0, 0, 0, 4, 0, 10, 0, 10, 0xCE})
	f.Add([]byte("AMQP\x00\x00\x09\x01"))
	f.Fuzz(func(t *testing.T, b []byte) {
		cs, err := decodeConnectionStart(b)
		if err == nil && (cs == nil || len(cs.Product) > len(b) || len(cs.Version) > len(b)) {
			t.Fatalf("result %+v from %d bytes", cs, len(b))
		}
		// The stream reader agrees with the frame decoder and never reads past the frame.
		_, _, _ = readAMQPStart(bytes.NewReader(b))
	})
}

func FuzzWireFormatInfo(f *testing.F) {
	f.Add(activeMQWireFormat("5.18.3"))
	f.Add(activeMQWireFormat(""))
	f.Add([]byte{0, 0, 0, 14, 1, 'A', 'c', 't', 'i', 'v', 'e', 'M', 'Q', 0, 0, 0, 12, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		info, err := decodeWireFormatInfo(b)
		if err != nil {
			return
		}
		total := 0
		for k, v := range info.Props {
			total += len(k) + len(v)
		}
		if info.Props == nil || total > 4*len(b)+64 {
			t.Fatalf("%d bytes of properties from %d bytes", total, len(b))
		}
		if _, err := readWireFormatInfo(bytes.NewReader(b)); err != nil {
			t.Fatalf("the stream reader refuses what the decoder accepts: %v", err)
		}
	})
}

func FuzzSTOMPFrame(f *testing.F) {
	f.Add([]byte("CONNECTED\nserver:RabbitMQ/3.13.7\nversion:1.2\n\n\x00"))
	f.Add([]byte("\n\nERROR\nmessage:denied\nmessage:second\n\nbody\x00"))
	f.Add([]byte("CONNECTED\nno-colon\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		cmd, headers, err := readSTOMPFrame(bytes.NewReader(b))
		if err != nil {
			return
		}
		if cmd == "" || strings.ContainsAny(cmd, "\n") || len(headers) > len(b) {
			t.Fatalf("command %q, %d headers from %d bytes", cmd, len(headers), len(b))
		}
	})
}
