package media

import (
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// FuzzRelayPacket feeds arbitrary datagrams, formats and directions to the
// relay's per-packet handler. It must not panic, and whatever it lets
// through must be RTP for the receiving leg.
func FuzzRelayPacket(f *testing.F) {
	f.Add(mustMarshalTB(f, audio(0, 1, 0, 1, frame(0x7f))), uint8(0), uint8(0), uint8(8), uint8(0), uint8(0x02))
	f.Add(mustMarshalTB(f, dtmfPacket(101, 1, 0, 5, true, 800)), uint8(0), uint8(101), uint8(0), uint8(96), uint8(0))
	f.Add([]byte{0x90, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xbe, 0xde, 0, 1, 0x10, 0xff, 0, 0}, uint8(0), uint8(0), uint8(0), uint8(0), uint8(0x10))
	f.Add([]byte{0xaf}, uint8(0), uint8(0), uint8(0), uint8(0), uint8(0))

	pool := newTestPool(f, 2)
	a, b := listen(f, pool), listen(f, pool)
	sources := [2]netip.AddrPort{
		netip.MustParseAddrPort("127.0.0.1:40000"),
		netip.MustParseAddrPort("[::ffff:127.0.0.2]:40002"),
	}
	remote := netip.MustParseAddrPort("127.0.0.1:40004")
	now := time.Unix(1700000000, 0)

	// Every input starts from the same state, so that coverage depends on
	// the input alone. flags: bit 0 A's codec, bit 1 B's codec, bits 2-3 B's
	// direction, bits 4-5 A's direction, bit 6 the source, bit 7 whether A
	// is locked onto the first source already.
	f.Fuzz(func(t *testing.T, data []byte, aPT, aDTMF, bPT, bDTMF, flags uint8) {
		a.resetForTest()
		b.resetForTest()
		p := newPipe(a, b, func(*Session, uint8, bool, time.Duration) {})
		if flags&0x80 != 0 {
			a.mu.Lock()
			a.locked, a.learned = true, sources[0]
			a.mu.Unlock()
		}
		fa := Format{Codec: Codec(flags & 1), PT: aPT & 0x7f, DTMFPT: aDTMF & 0x7f}
		fb := Format{Codec: Codec(flags >> 1 & 1), PT: bPT & 0x7f, DTMFPT: bDTMF & 0x7f}
		a.SetFormat(fa)
		b.SetFormat(fb)
		b.SetDirection(Direction(flags >> 2 & 3))
		a.SetDirection(Direction(flags >> 4 & 3))
		b.SetRemote(remote)
		in := append([]byte(nil), data...)
		out, to, ok := p.forward(in, sources[flags>>6&1], now)
		if !ok {
			return
		}
		if to != remote {
			t.Fatalf("sent to %v, want %v", to, remote)
		}
		if len(out) > len(data) {
			t.Fatalf("output %d bytes from %d", len(out), len(data))
		}
		var pkt rtp.Packet
		if err := pkt.Unmarshal(out); err != nil {
			t.Fatalf("output is not RTP: %v", err)
		}
		if pkt.Version != 2 || (pkt.PayloadType != fb.PT && (fb.DTMFPT == 0 || pkt.PayloadType != fb.DTMFPT)) {
			t.Fatalf("output version %d PT %d, want 2 and %d or %d", pkt.Version, pkt.PayloadType, fb.PT, fb.DTMFPT)
		}
		if !b.dirForTest().PeerReceives() {
			t.Fatalf("sent to a peer on hold (%v)", b.dirForTest())
		}
	})
}

// resetForTest returns s to the state of a new Session, with a fixed
// outgoing stream.
func (s *Session) resetForTest() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.format, s.dir, s.sdp = Format{}, SendRecv, netip.AddrPort{}
	s.locked, s.learned, s.candidate, s.candidateN = false, netip.AddrPort{}, netip.AddrPort{}, 0
	s.out = outStream{ssrc: 1, lastSeq: 1, lastTS: 1}
}

func (s *Session) dirForTest() Direction {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dir
}
