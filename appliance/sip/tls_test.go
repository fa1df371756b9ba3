package sip

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"deskline/appliance/sip/digest"
	"deskline/appliance/tlscert"
)

func startTLSServer(t *testing.T, adjust func(*Options)) *Server {
	t.Helper()
	store, _, err := tlscert.Open(t.TempDir(), tlscert.Names{Host: "localhost"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return startServerWith(t, nil, []digest.Algorithm{digest.MD5}, func(o *Options) {
		o.TLSAddr, o.TLSConfig = "127.0.0.1:0", store.TLSConfig()
		if adjust != nil {
			adjust(o)
		}
	})
}

func dialTLSFrom(t *testing.T, s *Server, ip string) net.Conn {
	t.Helper()
	return dialAddrFrom(t, s.TLSAddr().String(), ip)
}

// TestOptionsOverTLS: a request over TLS is answered on the same
// connection, and the Contact the box gives for TLS names the TLS port.
func TestOptionsOverTLS(t *testing.T) {
	s := startTLSServer(t, nil)
	if !s.TLSAddr().IsValid() || s.TLSAddr().Port() == s.Addr().Port() {
		t.Fatalf("TLSAddr = %v (SIP on %v)", s.TLSAddr(), s.Addr())
	}
	c := tls.Client(dialTLSFrom(t, s, "127.0.0.1"), &tls.Config{ServerName: "localhost", InsecureSkipVerify: true})
	fmt.Fprintf(c, "OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TLS %s;branch=z9hG4bKs1\r\nMax-Forwards: 70\r\nFrom: <sip:t@127.0.0.1>;tag=t\r\nTo: <sip:127.0.0.1>\r\nCall-ID: tls-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n", c.LocalAddr())
	c.SetReadDeadline(time.Now().Add(3 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "SIP/2.0 200") {
		t.Fatalf("OPTIONS over TLS: %q, %v", line, err)
	}
	ct := s.contactFor(s.TLSAddr(), "TLS")
	if ct.Address.Port != int(s.TLSAddr().Port()) || !strings.Contains(ct.Address.String(), "transport=tls") {
		t.Errorf("contact for TLS = %s, want port %d and transport=tls", ct.Address.String(), s.TLSAddr().Port())
	}
}

// TestTLSHandshakeTimeout: a client that opens the TLS port and then
// dawdles in the handshake (silent, or one byte of a ClientHello) is hung
// up on after TLSHandshake, well before the first-read limit.
func TestTLSHandshakeTimeout(t *testing.T) {
	s := startTLSServer(t, func(o *Options) { o.TLSHandshake, o.TCPFirstRead = 300*time.Millisecond, 20*time.Second })
	silent := dialTLSFrom(t, s, "127.0.0.9")
	slow := dialTLSFrom(t, s, "127.0.0.9")
	slow.Write([]byte{0x16})
	if !closedSoon(silent, 3*time.Second) || !closedSoon(slow, 3*time.Second) {
		t.Error("a stalled TLS handshake was kept past TLSHandshake")
	}
}

// TestTLSCountsWithTCP: TLS connections count against the per-source limit
// together with TCP ones.
func TestTLSCountsWithTCP(t *testing.T) {
	s := startTLSServer(t, func(o *Options) { o.TCPPerSource = 2 })
	a, b := dialFrom(t, s, "127.0.0.10"), dialTLSFrom(t, s, "127.0.0.10")
	third := dialTLSFrom(t, s, "127.0.0.10")
	if closedSoon(a, 100*time.Millisecond) || closedSoon(b, 100*time.Millisecond) {
		t.Error("connections within the limit were closed")
	}
	if !closedSoon(third, 500*time.Millisecond) {
		t.Error("a third connection (TCP and TLS together) was accepted over a limit of 2")
	}
}
