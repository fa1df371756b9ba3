package srtp

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	psrtp "github.com/pion/srtp/v3"
)

// g711Packet returns a 172-byte RTP packet: 12 bytes of header and 160
// bytes (20 ms) of µ-law payload.
func g711Packet(t testing.TB, ssrc uint32, seq uint16) []byte {
	t.Helper()
	p := rtp.Packet{
		Header:  rtp.Header{Version: 2, PayloadType: 0, SequenceNumber: seq, Timestamp: uint32(seq) * 160, SSRC: ssrc},
		Payload: make([]byte, 160),
	}
	for i := range p.Payload {
		p.Payload[i] = byte(i*7) ^ byte(seq)
	}
	b, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func receiverReport(t testing.TB, ssrc uint32) []byte {
	t.Helper()
	b, err := (&rtcp.ReceiverReport{SSRC: ssrc, Reports: []rtcp.ReceptionReport{{SSRC: 7, LastSequenceNumber: 99, Jitter: 12}}}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// legs returns the two ends of one call leg: ours and the phone's, with
// swapped keys.
func legs(t testing.TB, suite string) (box, phone *Pair) {
	t.Helper()
	kb, err := GenerateKey(suite)
	if err != nil {
		t.Fatal(err)
	}
	kp, err := GenerateKey(suite)
	if err != nil {
		t.Fatal(err)
	}
	if box, err = NewPair(suite, kb, kp); err != nil {
		t.Fatal(err)
	}
	if phone, err = NewPair(suite, kp, kb); err != nil {
		t.Fatal(err)
	}
	return box, phone
}

func TestKeys(t *testing.T) {
	want := map[string]int{AESCM128HMACSHA1_80: 30, AESCM128HMACSHA1_32: 30, AEADAES128GCM: 28, AEADAES256GCM: 44, AES256CMHMACSHA1_80: 46}
	for _, s := range Suites() {
		if !Supported(s) || KeyLen(s) != want[s] {
			t.Errorf("Supported(%s) = %v, KeyLen = %d, want true, %d", s, Supported(s), KeyLen(s), want[s])
		}
		a, err := GenerateKey(s)
		if err != nil || len(a) != want[s] {
			t.Fatalf("GenerateKey(%s) = %d bytes, %v", s, len(a), err)
		}
		b, _ := GenerateKey(s)
		if bytes.Equal(a, b) {
			t.Errorf("GenerateKey(%s) returned the same key twice", s)
		}
	}
	if len(want) != len(Suites()) || Suites()[0] != AESCM128HMACSHA1_80 {
		t.Errorf("Suites() = %v", Suites())
	}
	for _, s := range []string{"", "F8_128_HMAC_SHA1_80", "aes_cm_128_hmac_sha1_80", "NULL_HMAC_SHA1_80"} {
		if Supported(s) || KeyLen(s) != 0 {
			t.Errorf("Supported(%q) = true", s)
		}
		if _, err := GenerateKey(s); !errors.Is(err, ErrSuite) {
			t.Errorf("GenerateKey(%q) error = %v, want ErrSuite", s, err)
		}
		if _, err := NewPair(s, make([]byte, 30), make([]byte, 30)); !errors.Is(err, ErrSuite) {
			t.Errorf("NewPair(%q) error = %v, want ErrSuite", s, err)
		}
	}
	if _, err := NewPair(AEADAES128GCM, make([]byte, 30), make([]byte, 30)); !errors.Is(err, ErrKeyLen) {
		t.Errorf("NewPair(GCM, 30-byte keys) error = %v, want ErrKeyLen", err)
	}
}

func TestRoundTrip(t *testing.T) {
	for _, s := range Suites() {
		t.Run(s, func(t *testing.T) {
			box, phone := legs(t, s)
			for seq := uint16(65530); seq != 10; seq++ { // across the rollover
				pkt := g711Packet(t, 0x1234, seq)
				enc, err := box.Protect(nil, pkt)
				if err != nil {
					t.Fatal(err)
				}
				if len(enc) <= len(pkt) || len(enc) > len(pkt)+MaxOverhead {
					t.Fatalf("Protect: %d bytes from %d", len(enc), len(pkt))
				}
				if bytes.Contains(enc, pkt[12:40]) {
					t.Fatal("payload visible in the SRTP packet")
				}
				dec, err := phone.Unprotect(nil, enc)
				if err != nil {
					t.Fatalf("seq %d: Unprotect = %v", seq, err)
				}
				if !bytes.Equal(dec, pkt) {
					t.Fatalf("seq %d: round trip changed the packet", seq)
				}
				// And the other way, in place.
				buf := make([]byte, len(pkt), len(pkt)+MaxOverhead)
				copy(buf, pkt)
				enc, err = phone.Protect(buf[:0], buf)
				if err != nil || &enc[0] != &buf[0] {
					t.Fatalf("in-place Protect = %v (same buffer %v)", err, err == nil && &enc[0] == &buf[0])
				}
				dec, err = box.Unprotect(enc[:0], enc)
				if err != nil || !bytes.Equal(dec, pkt) {
					t.Fatalf("in-place Unprotect = %v", err)
				}
			}
			rr := receiverReport(t, 0x1234)
			enc, err := box.ProtectRTCP(nil, rr)
			if err != nil || len(enc) > len(rr)+MaxOverhead {
				t.Fatalf("ProtectRTCP = %d bytes, %v", len(enc), err)
			}
			dec, err := phone.UnprotectRTCP(nil, enc)
			if err != nil || !bytes.Equal(dec, rr) {
				t.Fatalf("UnprotectRTCP = %v", err)
			}
			if _, err := phone.UnprotectRTCP(nil, enc); !errors.Is(err, ErrReplay) {
				t.Errorf("replayed RTCP: error = %v, want ErrReplay", err)
			}
		})
	}
}

func TestRejects(t *testing.T) {
	for _, s := range Suites() {
		t.Run(s, func(t *testing.T) {
			box, phone := legs(t, s)
			enc, err := phone.Protect(nil, g711Packet(t, 99, 1000))
			if err != nil {
				t.Fatal(err)
			}
			// Tampering: flip one payload bit, then one header bit.
			for _, at := range []int{50, 3} {
				bad := bytes.Clone(enc)
				bad[at] ^= 1
				if _, err := box.Unprotect(nil, bad); !errors.Is(err, ErrAuth) || !errors.Is(err, psrtp.ErrFailedToVerifyAuthTag) || errors.Is(err, ErrReplay) {
					t.Errorf("tampered byte %d: error = %v, want ErrAuth wrapping pion's", at, err)
				}
			}
			// A tampered packet does not burn its sequence number.
			if _, err := box.Unprotect(nil, enc); err != nil {
				t.Fatalf("genuine packet after forgeries: %v", err)
			}
			_, err = box.Unprotect(nil, enc)
			if !errors.Is(err, ErrReplay) || errors.Is(err, ErrAuth) {
				t.Errorf("replayed packet: error = %v, want ErrReplay", err)
			}
			if err != nil && !strings.Contains(err.Error(), "duplicated") {
				t.Errorf("ErrReplay does not carry pion's error: %v", err)
			}
			// An older packet inside the window still passes once.
			for _, seq := range []uint16{1001, 999, 990} {
				e, _ := phone.Protect(nil, g711Packet(t, 99, seq))
				if seq == 1001 {
					if _, err := box.Unprotect(nil, e); err != nil {
						t.Fatalf("seq %d: %v", seq, err)
					}
					continue
				}
				if _, err := box.Unprotect(nil, e); err != nil {
					t.Errorf("late packet %d inside the window: %v", seq, err)
				}
			}
			// A third party with another key.
			stranger, _ := legs(t, s)
			e, _ := stranger.Protect(nil, g711Packet(t, 99, 1002))
			if _, err := box.Unprotect(nil, e); !errors.Is(err, ErrAuth) {
				t.Errorf("wrong key: error = %v, want ErrAuth", err)
			}
			e, _ = stranger.ProtectRTCP(nil, receiverReport(t, 99))
			if _, err := box.UnprotectRTCP(nil, e); !errors.Is(err, ErrAuth) {
				t.Errorf("wrong key RTCP: error = %v, want ErrAuth", err)
			}
			for _, junk := range [][]byte{nil, {0x80}, enc[:14], make([]byte, 40)} {
				if _, err := box.Unprotect(nil, junk); err == nil || errors.Is(err, ErrReplay) {
					t.Errorf("Unprotect(%d junk bytes) error = %v", len(junk), err)
				}
				if _, err := box.UnprotectRTCP(nil, junk); err == nil || errors.Is(err, ErrReplay) {
					t.Errorf("UnprotectRTCP(%d junk bytes) error = %v", len(junk), err)
				}
			}
			if _, err := box.Protect(nil, []byte{1, 2}); !errors.Is(err, ErrMalformed) {
				t.Errorf("Protect(2 bytes) error = %v, want ErrMalformed", err)
			}
		})
	}
}

// A phone that changes SSRC mid-call (a re-INVITE, a transfer on its side)
// is followed; each SSRC keeps its own replay window.
func TestSSRCChange(t *testing.T) {
	box, phone := legs(t, AESCM128HMACSHA1_80)
	send := func(ssrc uint32, seq uint16) error {
		e, err := phone.Protect(nil, g711Packet(t, ssrc, seq))
		if err != nil {
			t.Fatal(err)
		}
		dec, err := box.Unprotect(nil, e)
		if err == nil && !bytes.Equal(dec, g711Packet(t, ssrc, seq)) {
			t.Fatalf("ssrc %x seq %d decoded wrongly", ssrc, seq)
		}
		return err
	}
	for seq := uint16(40000); seq < 40010; seq++ {
		if err := send(0xAAAA, seq); err != nil {
			t.Fatal(err)
		}
	}
	// New SSRC, sequence far back: not a replay of the old stream.
	for seq := uint16(3); seq < 10; seq++ {
		if err := send(0xBBBB, seq); err != nil {
			t.Fatalf("new SSRC seq %d: %v", seq, err)
		}
	}
	e, _ := phone.Protect(nil, g711Packet(t, 0xAAAA, 40009))
	if _, err := box.Unprotect(nil, e); !errors.Is(err, ErrReplay) {
		t.Errorf("old SSRC replay after change: %v, want ErrReplay", err)
	}
	if err := send(0xAAAA, 40010); err != nil {
		t.Errorf("old SSRC resumes: %v", err)
	}
}

// An offer with "|2^31|1:1" means every packet from that phone carries a
// one-byte MKI of value 1.
func TestRemoteMKI(t *testing.T) {
	kb, _ := GenerateKey(AESCM128HMACSHA1_80)
	kp, _ := GenerateKey(AESCM128HMACSHA1_80)
	box, err := NewPairMKI(AESCM128HMACSHA1_80, kb, kp, []byte{1})
	if err != nil {
		t.Fatal(err)
	}
	phone, err := psrtp.CreateContext(kp[:16], kp[16:], psrtp.ProtectionProfileAes128CmHmacSha1_80, psrtp.MasterKeyIndicator([]byte{1}))
	if err != nil {
		t.Fatal(err)
	}
	pkt := g711Packet(t, 5, 5)
	e, err := phone.EncryptRTP(nil, pkt, nil)
	if err != nil || len(e) != len(pkt)+11 {
		t.Fatalf("phone with MKI: %d bytes, %v", len(e), err)
	}
	if d, err := box.Unprotect(nil, e); err != nil || !bytes.Equal(d, pkt) {
		t.Errorf("Unprotect with MKI = %v", err)
	}
	e, _ = phone.EncryptRTP(nil, g711Packet(t, 5, 6), nil)
	e[len(e)-11] = 2 // an MKI we were not told about
	if _, err := box.Unprotect(nil, e); !errors.Is(err, ErrAuth) {
		t.Errorf("unknown MKI: error = %v, want ErrAuth", err)
	}
}

func TestNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	for _, s := range Suites() {
		box, phone := legs(t, s)
		pkt := g711Packet(t, 1, 1)
		enc := make([]byte, 0, 1500)
		dec := make([]byte, 0, 1500)
		seq := uint16(1)
		// Warm up: the first packet of an SSRC creates its state.
		e, _ := phone.Protect(enc, pkt)
		box.Unprotect(dec, e)
		allocs := testing.AllocsPerRun(200, func() {
			seq++
			pkt[2], pkt[3] = byte(seq>>8), byte(seq)
			e, err := phone.Protect(enc, pkt)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := box.Unprotect(dec, e); err != nil {
				t.Fatal(err)
			}
			if _, err := box.Unprotect(dec, e); err == nil {
				t.Fatal("replay accepted")
			}
		})
		// The replay costs pion's error and our wrapper; the rest nothing.
		if allocs > 2 {
			t.Errorf("%s: %v allocs per Protect+Unprotect+replay, want at most 2 (the replay error)", s, allocs)
		}
		allocs = testing.AllocsPerRun(200, func() {
			seq++
			pkt[2], pkt[3] = byte(seq>>8), byte(seq)
			e, _ := phone.Protect(enc, pkt)
			if _, err := box.Unprotect(dec, e); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocs per Protect+Unprotect, want 0", s, allocs)
		}
		rr := receiverReport(t, 1)
		e, _ = phone.ProtectRTCP(enc, rr)
		box.UnprotectRTCP(dec, e)
		allocs = testing.AllocsPerRun(100, func() {
			e, _ := phone.ProtectRTCP(enc, rr)
			if _, err := box.UnprotectRTCP(dec, e); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocs per ProtectRTCP+UnprotectRTCP, want 0", s, allocs)
		}
	}
}

// Several producers send on one leg while its reader receives: run with
// -race. Every packet must arrive intact.
func TestConcurrentDirections(t *testing.T) {
	box, phone := legs(t, AEADAES128GCM)
	const perProducer = 200
	done := make(chan []byte, 2*perProducer)
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 0, 256)
			for i := range perProducer {
				// Producers share the SSRC as the relay and a player do.
				pkt := g711Packet(t, 9, uint16(w*perProducer+i))
				e, err := box.Protect(buf, pkt)
				if err != nil {
					t.Error(err)
					return
				}
				done <- bytes.Clone(e)
			}
		}()
	}
	got := 0
	recv := make([]byte, 0, 256)
	go func() { wg.Wait(); close(done) }()
	for e := range done {
		if _, err := phone.Unprotect(recv, e); err != nil {
			// Two producers interleave far apart in sequence: packets
			// more than ReplayWindow behind are refused, nothing else.
			if !errors.Is(err, ErrReplay) {
				t.Fatal(err)
			}
			continue
		}
		got++
		// The reverse direction at the same time.
		r, _ := phone.Protect(nil, g711Packet(t, 3, uint16(got)))
		if _, err := box.Unprotect(nil, r); err != nil {
			t.Fatal(err)
		}
	}
	if got < perProducer {
		t.Errorf("only %d of %d packets decrypted", got, 2*perProducer)
	}
}
