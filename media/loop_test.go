package media

import (
	"testing"
	"time"
)

// A burst of packets, queued before the Relay starts or arriving faster
// than it reads, all reach the other phone without waiting for more
// traffic: a read loop that waits for the poller too early (say, one that
// reads in batches and assumes a short batch drained the socket) would
// leave datagrams behind.
func TestRelayPassesBurstsWhole(t *testing.T) {
	const burst = 25
	a, b, pa, pb := sessionPair(t)

	sendBurst := func(first uint16) {
		for i := range uint16(burst) {
			pa.send(a.LocalAddr(), audio(0, first+i, uint32(first+i)*160, 7, frame(byte(i))))
		}
	}
	expectBurst := func(when string) {
		t.Helper()
		for i := range burst {
			pkt, ok := pb.recvWithin(time.Second)
			if !ok {
				t.Fatalf("%s: %d of %d packets arrived", when, i, burst)
			}
			if pkt.Payload[0] != byte(i) {
				t.Fatalf("%s: packet %d carries frame %d", when, i, pkt.Payload[0])
			}
		}
		pb.expectNothing()
	}

	sendBurst(100) // queued in A's socket before anyone reads it
	r := NewRelay(a, b, nil)
	r.Start()
	defer r.Close()
	expectBurst("queued before Start")
	sendBurst(200)
	expectBurst("while running")
}

// The whole packet path — reading the socket, forwarding, writing — allocates
// nothing. AllocsPerRun counts every goroutine's allocations, the Relay's
// included.
func TestRelayPathAllocatesNothing(t *testing.T) {
	a, b, pa, pb := sessionPair(t)
	r := NewRelay(a, b, nil)
	r.Start()
	defer r.Close()

	pkt := mustMarshalTB(t, audio(0, 1, 0, 9, frame(0x55)))
	buf := make([]byte, maxDatagram)
	pb.conn.SetReadDeadline(time.Now().Add(time.Minute))
	hop := func() {
		if _, err := pa.conn.WriteToUDPAddrPort(pkt, a.LocalAddr()); err != nil {
			t.Fatal(err)
		}
		if _, _, err := pb.conn.ReadFromUDPAddrPort(buf); err != nil {
			t.Fatal(err)
		}
	}
	for range 10 {
		hop() // learn the source, grow the goroutine's stack
	}
	if n := testing.AllocsPerRun(500, hop); n != 0 {
		t.Errorf("a relayed packet allocates %v times, want 0", n)
	}
}

// sessionPair returns two Sessions, not yet relayed, each pointed at its
// own phone.
func sessionPair(t *testing.T) (a, b *Session, pa, pb *phone) {
	t.Helper()
	checkGoroutines(t)
	pool := newTestPool(t, 4)
	a, b = listen(t, pool), listen(t, pool)
	pa, pb = newPhone(t), newPhone(t)
	a.SetRemote(pa.addr)
	b.SetRemote(pb.addr)
	return a, b, pa, pb
}
