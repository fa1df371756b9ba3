package media

import (
	"errors"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/pion/rtp"
)

var loopback = netip.MustParseAddr("127.0.0.1")

// freeRange returns an even port range of n ports on loopback that could all
// be bound a moment ago. Other programs may race us for them; the pool
// skips ports it cannot bind, so only exhaustion counts depend on this.
func freeRange(tb testing.TB, n int) (min, max int) {
	tb.Helper()
	for try := 0; try < 100; try++ {
		base := 20000 + 2*rand.IntN(20000)
		ok := true
		for i := 0; i < n && ok; i++ {
			c, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, uint16(base+2*i))))
			if err != nil {
				ok = false
				break
			}
			c.Close()
		}
		if ok {
			return base, base + 2*(n-1)
		}
	}
	tb.Fatal("no free port range")
	return 0, 0
}

func newTestPool(tb testing.TB, n int) *PortPool {
	tb.Helper()
	min, max := freeRange(tb, n)
	p, err := NewPortPool(min, max)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func listen(tb testing.TB, p *PortPool) *Session {
	tb.Helper()
	s, err := p.Listen(loopback)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// checkGoroutines fails the test if, after cleanup, more goroutines run than
// before it started. It polls briefly, because an exiting goroutine is
// counted until it is gone.
func checkGoroutines(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(2 * time.Second)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<16)
				t.Errorf("goroutines: %d after, %d before\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
}

// waitFor polls cond until it holds, for at most two seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// phone is a plain UDP socket standing in for a telephone.
type phone struct {
	tb   testing.TB
	conn *net.UDPConn
	addr netip.AddrPort
	buf  [maxDatagram]byte
}

func newPhone(tb testing.TB) *phone {
	tb.Helper()
	c, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, 0)))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return &phone{tb: tb, conn: c, addr: c.LocalAddr().(*net.UDPAddr).AddrPort()}
}

func (p *phone) sendRaw(to netip.AddrPort, b []byte) {
	p.tb.Helper()
	if _, err := p.conn.WriteToUDPAddrPort(b, to); err != nil {
		p.tb.Fatal(err)
	}
}

func (p *phone) send(to netip.AddrPort, pkt *rtp.Packet) {
	p.tb.Helper()
	b, err := pkt.Marshal()
	if err != nil {
		p.tb.Fatal(err)
	}
	p.sendRaw(to, b)
}

// recv returns the next RTP packet, failing the test after a second.
func (p *phone) recv() *rtp.Packet {
	p.tb.Helper()
	pkt, ok := p.recvWithin(time.Second)
	if !ok {
		p.tb.Fatal("no packet arrived")
	}
	return pkt
}

// recvWithin returns the next RTP packet if one arrives within d.
func (p *phone) recvWithin(d time.Duration) (*rtp.Packet, bool) {
	p.tb.Helper()
	p.conn.SetReadDeadline(time.Now().Add(d))
	n, _, err := p.conn.ReadFromUDPAddrPort(p.buf[:])
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return nil, false
	}
	if err != nil {
		p.tb.Fatal(err)
	}
	pkt := &rtp.Packet{}
	if err := pkt.Unmarshal(append([]byte(nil), p.buf[:n]...)); err != nil {
		p.tb.Fatalf("phone got a non-RTP datagram: %v", err)
	}
	return pkt, true
}

// expectNothing checks that no datagram is waiting. Use it only after
// polling a counter that proves the relay has handled the packet in
// question: loopback delivers a datagram before the send returns.
func (p *phone) expectNothing() {
	p.tb.Helper()
	if pkt, ok := p.recvWithin(time.Millisecond); ok {
		p.tb.Fatalf("unexpected packet: PT %d seq %d", pkt.PayloadType, pkt.SequenceNumber)
	}
}

func audio(pt uint8, seq uint16, ts, ssrc uint32, payload []byte) *rtp.Packet {
	return &rtp.Packet{
		Header:  rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: seq, Timestamp: ts, SSRC: ssrc},
		Payload: payload,
	}
}

func frame(b byte) []byte {
	p := make([]byte, 160)
	for i := range p {
		p[i] = b
	}
	return p
}

// bridge is two legs A and B relayed through the box, with a phone on each.
type bridge struct {
	pool   *PortPool
	a, b   *Session
	pa, pb *phone
	relay  *Relay
}

func newBridge(t *testing.T, fa, fb Format, opts *RelayOptions) *bridge {
	t.Helper()
	checkGoroutines(t)
	br := &bridge{pool: newTestPool(t, 4)}
	br.a, br.b = listen(t, br.pool), listen(t, br.pool)
	br.pa, br.pb = newPhone(t), newPhone(t)
	br.a.SetRemote(br.pa.addr)
	br.b.SetRemote(br.pb.addr)
	br.a.SetFormat(fa)
	br.b.SetFormat(fb)
	br.relay = NewRelay(br.a, br.b, opts)
	br.relay.Start()
	t.Cleanup(func() { br.relay.Close() })
	return br
}
