package probe

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

// maxSTOMPFrame bounds the STOMP answer the probe reads.
const maxSTOMPFrame = 16 << 10

// probePlain runs the plaintext protocol handshake the scheme names.
func (p *prober) probePlain(ctx context.Context, ep *endpoint, b *model.Broker, ds *diagSink) {
	sm := b.SelfManaged
	out := model.EndpointProbe{URL: ep.url, Protocol: ep.scheme, At: ep.ref("")}
	conn, err := p.d.open(ctx, ep.addr)
	if err != nil {
		out.Error = err.Error()
	} else {
		func() {
			defer func() { _ = conn.Close() }()
			switch plainSchemes[ep.scheme] {
			case "amqp":
				err = p.amqp(conn, ep, b, &out)
			case "openwire":
				err = p.openwire(conn, ep, b, &out)
			case "stomp":
				err = p.stomp(conn, ep, b, &out)
			case "mqtt":
				err = p.mqtt(conn, ep, b, &out)
			}
		}()
		if err != nil {
			out.Error = handshakeErr(err)
		}
	}
	if out.Error != "" {
		out.Plaintext = false
		ds.errorf(ep.ref(""), "%s probe of %s: %s", plainSchemes[ep.scheme], ep.url, out.Error)
	} else if out.Plaintext {
		addListener(sm, ep, false)
	}
	sm.Endpoints = append(sm.Endpoints, out)
}

// handshakeErr words a failed plaintext handshake.
func handshakeErr(err error) string {
	switch {
	case isEOF(err):
		return "the endpoint closed the connection during the handshake"
	case isTimeout(err):
		return "timeout: no answer to the handshake"
	}
	return cleanNetErr(err)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func (p *prober) amqp(conn net.Conn, ep *endpoint, b *model.Broker, out *model.EndpointProbe) error {
	if _, err := conn.Write(amqp091Header); err != nil {
		return err
	}
	cs, header, err := readAMQPStart(conn)
	if err != nil {
		return err
	}
	if header != nil {
		// The server answered with the protocol header of the AMQP it speaks (1.0, plain or
		// SASL, for ActiveMQ and Artemis; another 0-9 revision): an AMQP listener in plaintext.
		out.Plaintext = true
		return nil
	}
	out.Plaintext = true
	at := ep.ref("server-properties")
	if strings.EqualFold(cs.Product, "RabbitMQ") {
		setEngine(b, model.EngineRabbitMQ, at)
		setVersion(b, cs.Version, ep.ref("server-properties.version"))
		out.Version = cs.Version
	}
	return nil
}

func (p *prober) openwire(conn net.Conn, ep *endpoint, b *model.Broker, out *model.EndpointProbe) error {
	info, err := readWireFormatInfo(conn)
	if err != nil {
		return err
	}
	out.Plaintext = true
	setEngine(b, model.EngineActiveMQ, ep.ref("WireFormatInfo"))
	if v := info.Props["ProviderVersion"]; v != "" {
		out.Version = v
		setVersion(b, v, ep.ref("WireFormatInfo.ProviderVersion"))
	} else {
		// Every ActiveMQ from 5.14.0 announces its version: its absence says an older one.
		b.SelfManaged.VersionAbsent = true
	}
	return nil
}

func (p *prober) stomp(conn net.Conn, ep *endpoint, b *model.Broker, out *model.EndpointProbe) error {
	// host:/ is RabbitMQ's default virtual host; ActiveMQ ignores the header.
	frame := "CONNECT\naccept-version:1.0,1.1,1.2\nhost:/\nheart-beat:0,0\n\n\x00"
	if _, err := io.WriteString(conn, frame); err != nil {
		return err
	}
	br := bufio.NewReader(io.LimitReader(conn, maxSTOMPFrame))
	var lines []string
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return err
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" && len(lines) == 0 {
			continue // heart-beat newlines before the frame
		}
		if line == "" {
			break
		}
		lines = append(lines, line)
	}
	cmd := lines[0]
	headers := map[string]string{}
	for _, h := range lines[1:] {
		k, v, ok := strings.Cut(h, ":")
		if !ok {
			return errors.New("the answer is not a STOMP frame")
		}
		if _, dup := headers[k]; !dup {
			headers[k] = v
		}
	}
	switch cmd {
	case "CONNECTED":
		out.Plaintext = true
		b.SelfManaged.Anonymous = append(b.SelfManaged.Anonymous, model.Finding{
			What: "STOMP CONNECT without credentials was accepted", At: ep.ref("CONNECTED"),
		})
		name, version, _ := strings.Cut(headers["server"], "/")
		at := ep.ref("CONNECTED.server")
		switch model.NormalizeEngine(name) {
		case model.EngineActiveMQ, model.EngineRabbitMQ:
			setEngine(b, name, at)
			if i := strings.IndexAny(version, " ("); i > 0 {
				version = version[:i]
			}
			out.Version = version
			setVersion(b, version, at)
		}
		_, _ = io.WriteString(conn, "DISCONNECT\n\n\x00")
		return nil
	case "ERROR":
		// A STOMP listener that wants credentials.
		out.Plaintext = true
		return nil
	}
	return errors.New("the answer is not a STOMP CONNECTED or ERROR frame")
}

func (p *prober) mqtt(conn net.Conn, ep *endpoint, b *model.Broker, out *model.EndpointProbe) error {
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	id := "mqguard-probe-" + hex.EncodeToString(rnd[:])
	// MQTT 3.1.1 CONNECT: protocol name, level 4, clean session, keep-alive 30 s, client id.
	vh := []byte{0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 30, 0, byte(len(id))}
	pkt := append([]byte{0x10, byte(len(vh) + len(id))}, vh...)
	pkt = append(pkt, id...)
	if _, err := conn.Write(pkt); err != nil {
		return err
	}
	var ack [4]byte
	if _, err := io.ReadFull(conn, ack[:]); err != nil {
		return err
	}
	if !bytes.Equal(ack[:2], []byte{0x20, 2}) {
		return errors.New("the answer is not an MQTT CONNACK")
	}
	switch rc := ack[len(ack)-1]; {
	case rc == 0:
		out.Plaintext = true
		b.SelfManaged.Anonymous = append(b.SelfManaged.Anonymous, model.Finding{
			What: "MQTT CONNECT without credentials was accepted", At: ep.ref("CONNACK"),
		})
		_, _ = conn.Write([]byte{0xE0, 0})
	case rc <= 5:
		out.Plaintext = true
	default:
		return fmt.Errorf("MQTT CONNACK with unknown return code %d", rc)
	}
	return nil
}
