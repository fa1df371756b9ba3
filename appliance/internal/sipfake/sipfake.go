// Package sipfake is a minimal SIP peer for tests: a UDP socket that answers
// each request with a fixed status by method, and a loopback address free for
// a SIP listener. It is for the cases a real phone (phonetest) cannot play: a
// provider that is congested, a registrar that takes everyone.
//
// Imports: the standard library only. Importers: tests of appliance and its
// subpackages (it imports package testing).
package sipfake

import (
	"net"
	"strings"
	"sync"
	"testing"
)

// Start listens on a loopback UDP port and answers each request whose
// method answers names with that status ("INVITE": "486 Busy Here");
// others are ignored. Every INVITE answered is sent whole on invites
// (dropped when nobody reads). The socket closes with the test.
func Start(t testing.TB, answers map[string]string) (addr string, invites <-chan string) {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 16)
	var wg sync.WaitGroup
	wg.Add(1)
	t.Cleanup(func() { c.Close(); wg.Wait() })
	go func() {
		defer wg.Done()
		buf := make([]byte, 65535)
		for {
			n, from, err := c.ReadFromUDP(buf)
			if err != nil {
				return
			}
			msg := string(buf[:n])
			method, _, _ := strings.Cut(msg, " ")
			status, ok := answers[method]
			if !ok {
				continue
			}
			if method == "INVITE" {
				select {
				case got <- msg:
				default:
				}
			}
			c.WriteToUDP([]byte(Response(msg, status, "")), from)
		}
	}()
	return c.LocalAddr().String(), got
}

// Response answers the raw request req with status: its Via, From,
// Call-ID and CSeq, its To with a tag, then extra header lines (each
// ending in CRLF) and no body.
func Response(req, status, extra string) string {
	var res strings.Builder
	res.WriteString("SIP/2.0 " + status + "\r\n")
	for _, l := range strings.Split(req, "\r\n") {
		name, _, _ := strings.Cut(l, ":")
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "via", "from", "call-id", "cseq":
			res.WriteString(l + "\r\n")
		case "to":
			res.WriteString(l + ";tag=sipfake\r\n")
		}
	}
	res.WriteString(extra + "Content-Length: 0\r\n\r\n")
	return res.String()
}

// FreeAddr returns a loopback address whose port is free on both UDP and
// TCP, for a SIP listener a test must know before it starts.
func FreeAddr(t testing.TB) string {
	t.Helper()
	for range 50 {
		u, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := u.LocalAddr().String()
		l, err := net.Listen("tcp", addr)
		u.Close()
		if err == nil {
			l.Close()
			return addr
		}
	}
	t.Fatal("sipfake: no port free on both UDP and TCP")
	return ""
}
