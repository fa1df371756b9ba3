package sip

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"deskline/appliance/sip/digest"
)

// closedSoon reports whether the server hung up on c within d.
func closedSoon(c net.Conn, d time.Duration) bool {
	c.SetReadDeadline(time.Now().Add(d))
	_, err := c.Read(make([]byte, 1))
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return false
	}
	return err != nil
}

func dialFrom(t *testing.T, s *Server, ip string) net.Conn {
	t.Helper()
	return dialAddrFrom(t, s.Addr().String(), ip)
}

// dialAddrFrom opens a TCP connection to addr from the loopback address ip.
func dialAddrFrom(t *testing.T, addr, ip string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestTCPLimits: one address holds at most TCPPerSource connections; a
// connection that says nothing is closed after TCPFirstRead; one that
// speaks SIP is answered and kept.
func TestTCPLimits(t *testing.T) {
	s := startServerWith(t, nil, []digest.Algorithm{digest.MD5}, func(o *Options) {
		o.TCPPerSource, o.TCPFirstRead = 3, 1500*time.Millisecond
	})
	var conns []net.Conn
	for i := 0; i < 5; i++ {
		conns = append(conns, dialFrom(t, s, "127.0.0.6"))
	}
	// The 4th and 5th are refused at once; the first three wait to be spoken to.
	for i, c := range conns {
		if got, want := closedSoon(c, 100*time.Millisecond), i >= 3; got != want {
			t.Errorf("connection %d closed=%v, want %v", i+1, got, want)
		}
	}
	if other := dialFrom(t, s, "127.0.0.7"); closedSoon(other, 100*time.Millisecond) {
		t.Error("another address was refused because of the first one's connections")
	}

	// One of the three speaks SIP: it is answered and survives the first-read limit.
	talker := conns[0]
	fmt.Fprintf(talker, "OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP %s;branch=z9hG4bKt1\r\nMax-Forwards: 70\r\nFrom: <sip:t@127.0.0.6>;tag=t\r\nTo: <sip:127.0.0.1>\r\nCall-ID: tcp-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n", talker.LocalAddr())
	talker.SetReadDeadline(time.Now().Add(3 * time.Second))
	line, err := bufio.NewReader(talker).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "SIP/2.0 200") {
		t.Fatalf("OPTIONS over TCP: %q, %v", line, err)
	}
	// The silent ones are closed after TCPFirstRead; the talker is not.
	if !closedSoon(conns[1], 3*time.Second) || !closedSoon(conns[2], 3*time.Second) {
		t.Error("silent connections were kept past the first-read limit")
	}
	if closedSoon(talker, 500*time.Millisecond) {
		t.Error("a connection that spoke SIP was closed")
	}
	// With the silent ones gone, the address may connect again.
	if again := dialFrom(t, s, "127.0.0.6"); closedSoon(again, 150*time.Millisecond) {
		t.Error("connection refused after the old ones closed")
	}
}

// TestTCPRequestsAreLimitedToo: the scanner filter and the request rate
// limits apply to SIP over TCP as they do over UDP.
func TestTCPRequestsAreLimitedToo(t *testing.T) {
	s := startServerWith(t, nil, []digest.Algorithm{digest.MD5}, func(o *Options) {
		o.FloodPolicy.Options = Rate{Per: 0.01, Burst: 5} // no refill to speak of during the test
	})
	c := dialFrom(t, s, "127.0.0.8")
	r := bufio.NewReader(c)
	options := func(i int, ua string) string {
		fmt.Fprintf(c, "OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP %s;branch=z9hG4bKl%d\r\nMax-Forwards: 70\r\nFrom: <sip:t@127.0.0.8>;tag=t\r\nTo: <sip:127.0.0.1>\r\nCall-ID: tl-%d\r\nCSeq: 1 OPTIONS\r\nUser-Agent: %s\r\nContent-Length: 0\r\n\r\n", c.LocalAddr(), i, i, ua)
		c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		line, _ := r.ReadString('\n')
		for { // skip to the end of the response
			l, err := r.ReadString('\n')
			if err != nil || l == "\r\n" {
				break
			}
		}
		return line
	}
	if got := options(0, "friendly-scanner"); got != "" {
		t.Errorf("a scanner over TCP got %q", got)
	}
	answered := 0
	for i := 1; i <= 10; i++ {
		if strings.HasPrefix(options(i, "Yealink"), "SIP/2.0 200") {
			answered++
		}
	}
	if answered != 5 {
		t.Errorf("%d of 10 rapid OPTIONS over TCP answered, want the burst of 5", answered)
	}
}
