package media

import (
	"net"
	"net/netip"
	"testing"
)

func TestLearnLockAndDropForeignSource(t *testing.T) {
	br := newBridge(t, Format{Codec: PCMU}, Format{Codec: PCMU}, nil)
	// The SDP address of A is a decoy: the phone really sends from pa, as a
	// phone behind NAT does.
	decoy := newPhone(t)
	br.a.SetRemote(decoy.addr)

	// Before anything is learned, B's audio goes to A's SDP address.
	br.pb.send(br.b.LocalAddr(), audio(0, 1, 160, 7, frame(0xff)))
	if got := decoy.recv(); got.PayloadType != 0 {
		t.Errorf("before learning, SDP address got PT %d", got.PayloadType)
	}

	for i := 0; i < learnPackets; i++ {
		br.pa.send(br.a.LocalAddr(), audio(0, uint16(10+i), uint32(160*i), 9, frame(0xfe)))
		br.pb.recv()
	}
	if got := br.a.Stats().Learned; got != br.pa.addr {
		t.Fatalf("Learned = %v, want %v", got, br.pa.addr)
	}

	// Now B's audio goes to the learned source, not to SDP's address.
	br.pb.send(br.b.LocalAddr(), audio(0, 2, 320, 7, frame(0xff)))
	br.pa.recv()

	// A third party's packets are dropped and counted.
	intruder := newPhone(t)
	intruder.send(br.a.LocalAddr(), audio(0, 99, 0, 66, frame(0x00)))
	intruder.sendRaw(br.a.LocalAddr(), []byte("garbage"))
	waitFor(t, "foreign packets to be counted", func() bool { return br.a.Stats().DroppedSource == 2 })
	br.pb.expectNothing()

	st := br.a.Stats()
	if st.PacketsIn != learnPackets || st.DroppedInvalid != 0 {
		t.Errorf("A stats = %+v, want %d in, 0 invalid", st, learnPackets)
	}
	if st.LastPacket.IsZero() {
		t.Error("LastPacket not set")
	}
	if got := br.b.Stats(); got.PacketsOut != learnPackets {
		t.Errorf("B PacketsOut = %d, want %d", got.PacketsOut, learnPackets)
	}
}

func TestLearningNeedsPacketsInARow(t *testing.T) {
	br := newBridge(t, Format{Codec: PCMU}, Format{Codec: PCMU}, nil)
	br.a.SetRemote(newPhone(t).addr) // pa is behind NAT: not its SDP address
	other := newPhone(t)
	seq := uint16(0)
	send := func(p *phone) {
		seq++
		p.send(br.a.LocalAddr(), audio(0, seq, uint32(seq)*160, 1, frame(1)))
		br.pb.recv() // before the lock, every source is carried on
	}
	for i := 0; i < learnPackets-1; i++ {
		send(br.pa)
	}
	send(other)
	send(br.pa)
	if got := br.a.Stats().Learned; got.IsValid() {
		t.Fatalf("locked on %v after an interrupted run", got)
	}
	for i := 1; i < learnPackets; i++ {
		send(br.pa)
	}
	if got := br.a.Stats().Learned; got != br.pa.addr {
		t.Fatalf("Learned = %v, want %v", got, br.pa.addr)
	}
}

// TestSignalledAddressLocksAtOnce: a stray stream hitting the port while
// the call starts (a leftover call, an attacker) cannot take the place of
// the phone that sends from the address its SDP gave.
func TestSignalledAddressLocksAtOnce(t *testing.T) {
	br := newBridge(t, Format{Codec: PCMU}, Format{Codec: PCMU}, nil)
	stray := newPhone(t)
	for i := 0; i < learnPackets-1; i++ {
		stray.send(br.a.LocalAddr(), audio(0, uint16(500+i), uint32(160*i), 66, frame(0x11)))
		br.pb.recv() // nothing is locked yet: carried on
	}
	br.pa.send(br.a.LocalAddr(), audio(0, 1, 0, 1, frame(1)))
	br.pb.recv()
	if got := br.a.Stats().Learned; got != br.pa.addr {
		t.Fatalf("Learned = %v, want the signalled %v", got, br.pa.addr)
	}
	for i := 0; i < learnPackets; i++ {
		stray.send(br.a.LocalAddr(), audio(0, uint16(600+i), uint32(160*i), 66, frame(0x11)))
	}
	waitFor(t, "the stray packets to be dropped", func() bool { return br.a.Stats().DroppedSource == learnPackets })
	br.pb.expectNothing()
}

func TestRelearnAfterSetRemote(t *testing.T) {
	br := newBridge(t, Format{Codec: PCMU}, Format{Codec: PCMU}, nil)
	for i := 0; i < learnPackets; i++ {
		br.pa.send(br.a.LocalAddr(), audio(0, uint16(i), uint32(160*i), 1, frame(1)))
		br.pb.recv()
	}
	// Same address again (a re-INVITE that only changed the direction):
	// the lock holds.
	br.a.SetRemote(br.pa.addr)
	if got := br.a.Stats().Learned; got != br.pa.addr {
		t.Fatalf("SetRemote(same) dropped the lock: Learned = %v", got)
	}

	// The phone moved (re-INVITE with a new address): learn again.
	moved := newPhone(t)
	br.a.SetRemote(moved.addr)
	if got := br.a.Stats().Learned; got.IsValid() {
		t.Fatalf("SetRemote(new) kept the lock on %v", got)
	}
	br.pb.send(br.b.LocalAddr(), audio(0, 1, 0, 2, frame(2)))
	moved.recv() // sent to the new SDP address meanwhile
	for i := 0; i < learnPackets; i++ {
		moved.send(br.a.LocalAddr(), audio(0, uint16(100+i), uint32(160*i), 3, frame(1)))
		br.pb.recv()
	}
	if got := br.a.Stats().Learned; got != moved.addr {
		t.Fatalf("Learned = %v, want %v", got, moved.addr)
	}
	br.pa.send(br.a.LocalAddr(), audio(0, 50, 0, 1, frame(1)))
	waitFor(t, "the old source to be dropped", func() bool { return br.a.Stats().DroppedSource == 1 })
}

func TestHoldStopsSending(t *testing.T) {
	br := newBridge(t, Format{Codec: PCMU}, Format{Codec: PCMU}, nil)
	seq := uint16(0)
	sendA := func() {
		seq++
		br.pa.send(br.a.LocalAddr(), audio(0, seq, uint32(seq)*160, 1, frame(1)))
	}
	for _, tc := range []struct {
		dir  Direction
		sent bool
	}{
		{SendOnly, false},
		{Inactive, false},
		{RecvOnly, true},
		{SendRecv, true},
	} {
		br.b.SetDirection(tc.dir)
		before := br.b.Stats()
		sendA()
		if tc.sent {
			br.pb.recv()
			continue
		}
		waitFor(t, "the held packet to be withheld", func() bool { return br.b.Stats().NotSent == before.NotSent+1 })
		br.pb.expectNothing()
	}

	// Old-style hold: c=0.0.0.0 in SDP stops sending even to a learned peer.
	br.b.SetRemote(netip.AddrPortFrom(netip.IPv4Unspecified(), br.pb.addr.Port()))
	before := br.b.Stats().NotSent
	sendA()
	waitFor(t, "the packet to be withheld", func() bool { return br.b.Stats().NotSent == before+1 })
	br.pb.expectNothing()
	br.b.SetRemote(br.pb.addr)
	sendA()
	br.pb.recv()

	// A peer that declared recvonly or inactive is not listened to.
	for _, d := range []Direction{RecvOnly, Inactive} {
		br.a.SetDirection(d)
		before := br.a.Stats().DroppedDirection
		sendA()
		waitFor(t, "the packet to be ignored", func() bool { return br.a.Stats().DroppedDirection == before+1 })
		br.pb.expectNothing()
	}
}

func TestUnlearnedWithoutRemoteSendsNothing(t *testing.T) {
	checkGoroutines(t)
	p := newTestPool(t, 2)
	a, b := listen(t, p), listen(t, p)
	pa := newPhone(t)
	a.SetRemote(pa.addr)
	r := NewRelay(a, b, nil)
	r.Start()
	defer r.Close()
	pa.send(a.LocalAddr(), audio(0, 1, 0, 1, frame(1)))
	waitFor(t, "the packet to be withheld", func() bool { return b.Stats().NotSent == 1 })
}

func TestRelayOverIPv6(t *testing.T) {
	checkGoroutines(t)
	lo6 := netip.IPv6Loopback()
	p := newTestPool(t, 4)
	a, err := p.Listen(lo6)
	if err != nil {
		skipOutsideCI(t, "no IPv6 loopback: %v", err)
	}
	defer a.Close()
	b, err := p.Listen(lo6)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	pa, pb := newPhone6(t), newPhone6(t)
	a.SetRemote(pa.addr)
	b.SetRemote(pb.addr)
	r := NewRelay(a, b, nil)
	r.Start()
	defer r.Close()
	for i := 0; i < learnPackets; i++ {
		pa.send(a.LocalAddr(), audio(0, uint16(i), 0, 1, frame(1)))
		pb.recv()
	}
	if got := a.Stats().Learned; got != pa.addr {
		t.Errorf("Learned = %v, want %v", got, pa.addr)
	}
}

func newPhone6(t *testing.T) *phone {
	t.Helper()
	c, err := net.ListenUDP("udp6", net.UDPAddrFromAddrPort(netip.AddrPortFrom(netip.IPv6Loopback(), 0)))
	if err != nil {
		skipOutsideCI(t, "no IPv6 loopback: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return &phone{tb: t, conn: c, addr: c.LocalAddr().(*net.UDPAddr).AddrPort()}
}
