package srtp

import (
	"errors"
	"testing"
)

// FuzzUnprotect feeds arbitrary bytes to the inbound side of every suite:
// no panic, and every failure is one of ours. Seeds live in
// testdata/fuzz/FuzzUnprotect; a genuine packet of each suite is added here.
func FuzzUnprotect(f *testing.F) {
	keys := map[string][2][]byte{}
	for _, s := range Suites() {
		// Fixed keys, so that a crasher replays.
		a, b := make([]byte, KeyLen(s)), make([]byte, KeyLen(s))
		for i := range a {
			a[i], b[i] = byte(i), byte(i*3+1)
		}
		keys[s] = [2][]byte{a, b}
		phone, err := NewPair(s, b, a)
		if err != nil {
			f.Fatal(err)
		}
		e, _ := phone.Protect(nil, g711Packet(f, 42, 7))
		f.Add(e)
		e, _ = phone.ProtectRTCP(nil, receiverReport(f, 42))
		f.Add(e)
	}
	f.Fuzz(func(t *testing.T, pkt []byte) {
		for _, s := range Suites() {
			box, err := NewPair(s, keys[s][0], keys[s][1])
			if err != nil {
				t.Fatal(err)
			}
			check := func(what string, out []byte, err error) {
				if err == nil {
					if len(out) > len(pkt) {
						t.Fatalf("%s %s: output of %d bytes from %d", s, what, len(out), len(pkt))
					}
					return
				}
				if !errors.Is(err, ErrAuth) && !errors.Is(err, ErrReplay) && !errors.Is(err, ErrMalformed) {
					t.Fatalf("%s %s: error %v is none of ours", s, what, err)
				}
			}
			out, err := box.Unprotect(make([]byte, 0, 64), pkt)
			check("Unprotect", out, err)
			out, err = box.UnprotectRTCP(nil, pkt)
			check("UnprotectRTCP", out, err)
			// Whatever came in must also go out without panicking.
			if enc, err := box.Protect(nil, pkt); err == nil && len(enc) > len(pkt)+MaxOverhead {
				t.Fatalf("%s Protect: %d bytes from %d", s, len(enc), len(pkt))
			}
			if enc, err := box.ProtectRTCP(nil, pkt); err == nil && len(enc) > len(pkt)+MaxOverhead {
				t.Fatalf("%s ProtectRTCP: %d bytes from %d", s, len(enc), len(pkt))
			}
		}
	})
}
