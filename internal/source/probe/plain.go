package probe

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
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
	if slices.Contains(strings.Fields(cs.Mechanisms), "ANONYMOUS") {
		ok, err := amqpAnonymous(conn)
		if err != nil {
			return fmt.Errorf("SASL ANONYMOUS login: %w", err)
		}
		if ok {
			b.SelfManaged.Anonymous = append(b.SelfManaged.Anonymous, model.Finding{
				What: "AMQP 0-9-1 login with the SASL ANONYMOUS mechanism was accepted", At: ep.ref("Connection.Tune"),
			})
		}
	}
	return nil
}

// amqpAnonymous answers Connection.Start with Start-Ok for the ANONYMOUS mechanism (no
// credentials) and reads the server's verdict: Connection.Tune when it let the client in,
// Connection.Close (or a closed connection) when it refused.
func amqpAnonymous(conn net.Conn) (bool, error) {
	var payload []byte
	payload = append(payload, 0, 10, 0, 11) // Connection.Start-Ok
	payload = append(payload, 0, 0, 0, 0)   // client-properties: an empty table
	payload = append(payload, 9)
	payload = append(payload, "ANONYMOUS"...)
	payload = append(payload, 0, 0, 0, 0) // response: empty
	payload = append(payload, 5)
	payload = append(payload, "en_US"...)
	frame := []byte{1, 0, 0}
	frame = binary.BigEndian.AppendUint32(frame, uint32(len(payload)))
	frame = append(frame, payload...)
	frame = append(frame, 0xCE)
	if _, err := conn.Write(frame); err != nil {
		return false, err
	}
	var head [7]byte
	if _, err := io.ReadFull(conn, head[:]); err != nil {
		if isEOF(err) {
			return false, nil // RabbitMQ closes the socket after a refused login
		}
		return false, err
	}
	size := binary.BigEndian.Uint32(head[3:7])
	if head[0] != 1 || size < 4 || size > maxAMQPFrame {
		return false, errors.New("the answer is not an AMQP method frame")
	}
	body := make([]byte, size+1)
	if _, err := io.ReadFull(conn, body); err != nil {
		return false, err
	}
	switch class, method := binary.BigEndian.Uint16(body[0:2]), binary.BigEndian.Uint16(body[2:4]); {
	case class == 10 && method == 30:
		return true, nil // Connection.Tune: authenticated
	case class == 10 && method == 50:
		return false, nil // Connection.Close: ACCESS_REFUSED
	default:
		return false, fmt.Errorf("unexpected method %d.%d", class, method)
	}
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
	cmd, headers, err := readSTOMPFrame(conn)
	if err != nil {
		return err
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

// readSTOMPFrame reads the command and headers of one STOMP frame (at most maxSTOMPFrame
// bytes, heart-beat newlines before it skipped); the first of repeated headers wins, as
// STOMP 1.2 says.
func readSTOMPFrame(r io.Reader) (string, map[string]string, error) {
	br := bufio.NewReader(io.LimitReader(r, maxSTOMPFrame))
	var lines []string
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return "", nil, err
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" && len(lines) == 0 {
			continue
		}
		if line == "" {
			break
		}
		lines = append(lines, line)
	}
	headers := map[string]string{}
	for _, h := range lines[1:] {
		k, v, ok := strings.Cut(h, ":")
		if !ok {
			return "", nil, errors.New("the answer is not a STOMP frame")
		}
		if _, dup := headers[k]; !dup {
			headers[k] = v
		}
	}
	return lines[0], headers, nil
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
