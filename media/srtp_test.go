package media

import (
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtp"

	"deskline/media/srtp"
)

// srtpPeers returns the box's Pair for a leg and the phone's matching one.
func srtpPeers(t testing.TB, suite string) (box, phone *srtp.Pair) {
	t.Helper()
	kb, err := srtp.GenerateKey(suite)
	if err != nil {
		t.Fatal(err)
	}
	kp, err := srtp.GenerateKey(suite)
	if err != nil {
		t.Fatal(err)
	}
	if box, err = srtp.NewPair(suite, kb, kp); err != nil {
		t.Fatal(err)
	}
	if phone, err = srtp.NewPair(suite, kp, kb); err != nil {
		t.Fatal(err)
	}
	return box, phone
}

// TestRelaySRTPToPlain: an SRTP phone and a plain RTP phone talk through
// the box, each in its own terms; forged and replayed packets are dropped
// and never move the learned address.
func TestRelaySRTPToPlain(t *testing.T) {
	br := newBridge(t, Format{Codec: PCMU}, Format{Codec: PCMA, PT: 8}, nil)
	boxA, phoneA := srtpPeers(t, "AES_CM_128_HMAC_SHA1_80")
	br.a.SetSRTP(boxA)
	if !br.a.SRTP() || br.b.SRTP() {
		t.Fatal("SRTP() does not say which leg is encrypted")
	}
	var sent [][]byte
	for i := 0; i < 4; i++ {
		plain := mustMarshal(t, audio(0, uint16(10+i), uint32(160*i), 0xabc, frame(0xff)))
		wire, err := phoneA.Protect(nil, plain)
		if err != nil {
			t.Fatal(err)
		}
		sent = append(sent, wire)
		br.pa.sendRaw(br.a.LocalAddr(), wire)
		got := br.pb.recv()
		if got.PayloadType != 8 || got.Payload[0] != ulawToAlaw[0xff] {
			t.Fatalf("B got PT %d payload %#x, want A's audio in PCMA", got.PayloadType, got.Payload[0])
		}
	}
	// B answers in plain RTP; A's phone gets SRTP it can decrypt.
	br.pb.send(br.b.LocalAddr(), audio(8, 7, 0, 0xdef, frame(0xd5)))
	raw := make([]byte, maxDatagram)
	br.pa.conn.SetReadDeadline(time.Now().Add(time.Second))
	n, _, err := br.pa.conn.ReadFromUDPAddrPort(raw)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := phoneA.Unprotect(nil, raw[:n])
	if err != nil {
		t.Fatalf("A's phone cannot decrypt what the box sent: %v", err)
	}
	var pkt rtp.Packet
	if err := pkt.Unmarshal(dec); err != nil || pkt.PayloadType != 0 || pkt.Payload[0] != alawToUlaw[0xd5] {
		t.Fatalf("A's phone got %v PT %d, want B's audio in PCMU", err, pkt.PayloadType)
	}

	// A replay from the right address, and forged packets from another one.
	learned := br.a.Stats().Learned
	br.pa.sendRaw(br.a.LocalAddr(), sent[3])
	forger := newPhone(t)
	for i := 0; i < 5; i++ {
		forged := append([]byte(nil), sent[0]...)
		forged[len(forged)-1] ^= 0x55
		forger.sendRaw(br.a.LocalAddr(), forged)
		forger.sendRaw(br.a.LocalAddr(), mustMarshal(t, audio(0, uint16(100+i), 0, 0xbad, frame(1))))
	}
	waitFor(t, "forged packets counted", func() bool {
		st := br.a.Stats()
		return st.DroppedAuth+st.DroppedSource >= 11
	})
	br.pb.expectNothing()
	st := br.a.Stats()
	if st.DroppedAuth < 6 || st.Learned != learned {
		t.Errorf("stats %+v: want the replay and 5 forgeries dropped as auth failures, learned address %v kept", st, learned)
	}
}

func TestForwardSRTPAllocatesNothing(t *testing.T) {
	p := newTestPool(t, 2)
	a, b := listen(t, p), listen(t, p)
	sink := newPhone(t)
	b.SetRemote(sink.addr)
	boxA, phoneA := srtpPeers(t, "AEAD_AES_128_GCM")
	boxB, _ := srtpPeers(t, "AES_CM_128_HMAC_SHA1_80")
	a.SetSRTP(boxA)
	b.SetSRTP(boxB)
	pp := newPipe(a, b, nil)
	src := netip.MustParseAddrPort("127.0.0.1:40000")
	var wires [][]byte
	for i := 0; i < 300; i++ {
		w, err := phoneA.Protect(nil, mustMarshal(t, audio(0, uint16(i), uint32(160*i), 1, frame(0x33))))
		if err != nil {
			t.Fatal(err)
		}
		wires = append(wires, w)
	}
	buf := make([]byte, maxDatagram)
	i := 0
	allocs := testing.AllocsPerRun(200, func() {
		n := copy(buf, wires[i])
		i++
		if _, _, ok := pp.forward(buf[:n], src, time.Now()); !ok {
			t.Fatal("packet not forwarded")
		}
	})
	if allocs != 0 {
		t.Errorf("SRTP forward allocates %.1f times per packet", allocs)
	}
}
