package sdp

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzParse checks that Parse never panics, fails only with ErrInvalid, and
// that whatever it accepts survives Marshal and Parse unchanged. Seeds live
// in testdata/fuzz/FuzzParse; the phone samples are added here too.
func FuzzParse(f *testing.F) {
	for _, b := range phoneBodies {
		f.Add([]byte(b))
	}
	recorded, _ := filepath.Glob("testdata/*.sdp")
	for _, name := range recorded {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Parse(b)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Parse error %v does not wrap ErrInvalid", err)
			}
			return
		}
		out := s.Marshal()
		s2, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(Marshal(x)) = %v\ninput %q\nmarshalled %q", err, b, out)
		}
		if !reflect.DeepEqual(s, s2) {
			t.Fatalf("Parse(Marshal(x)) differs\ninput %q\nmarshalled %q\nfirst %+v\nsecond %+v", b, out, s, s2)
		}
		if out2 := s2.Marshal(); string(out2) != string(out) {
			t.Fatalf("Marshal not stable:\n%q\n%q", out, out2)
		}
		// Negotiation and answering must not panic on anything parsed.
		if n, err := Negotiate(s, nil); err == nil {
			Answer(s, n, netipLocal, 1, 1, SendRecv).Marshal()
		}
		for _, pol := range []SRTPPolicy{SRTPOptional, SRTPRequired} {
			n, err := NegotiateWith(s, NegotiateOptions{SRTP: pol})
			if err != nil {
				if !errors.Is(err, ErrNoCodec) {
					t.Fatalf("NegotiateWith error %v does not wrap ErrNoCodec", err)
				}
				continue
			}
			if pol == SRTPRequired && n.SRTP == nil {
				t.Fatalf("SRTP required, negotiated plain RTP from %q", b)
			}
			var key []byte
			if n.SRTP != nil {
				_, l := suiteKeyLen(n.SRTP.Suite)
				key = make([]byte, l)
			}
			a, err := AnswerWith(s, n, AnswerParams{Addr: netipLocal, Key: key})
			if err != nil {
				t.Fatalf("AnswerWith: %v", err)
			}
			// The answer is itself acceptable under the same policy.
			back, err := Parse(a.Marshal())
			if err != nil {
				t.Fatalf("Parse(answer) = %v\n%s", err, a.Marshal())
			}
			if _, err := NegotiateWith(back, NegotiateOptions{SRTP: pol}); err != nil {
				t.Fatalf("our answer is not negotiable: %v\n%s", err, a.Marshal())
			}
		}
	})
}

// FuzzCrypto checks that ParseCrypto never panics, fails only with a
// *CryptoError, and that what it accepts is written back as a line it reads
// the same. Seeds live in testdata/fuzz/FuzzCrypto.
func FuzzCrypto(f *testing.F) {
	for _, b := range phoneBodies {
		s, err := Parse([]byte(b))
		if err != nil {
			continue
		}
		for _, m := range s.Media {
			for _, a := range m.Attrs {
				if a.Key == "crypto" {
					f.Add(a.Value)
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, v string) {
		c, err := ParseCrypto(v)
		if err != nil {
			var ce *CryptoError
			if !errors.As(err, &ce) || !errors.Is(err, ErrCrypto) {
				t.Fatalf("ParseCrypto error %v is not a *CryptoError", err)
			}
			return
		}
		if _, l := suiteKeyLen(c.Suite); l != len(c.Key) {
			t.Fatalf("ParseCrypto(%q): %s with a %d-byte key", v, c.Suite, len(c.Key))
		}
		back, err := ParseCrypto(c.String())
		if err != nil || !reflect.DeepEqual(back, c) {
			t.Fatalf("ParseCrypto(%q) = %v, %v; want %v", c.String(), back, err, c)
		}
	})
}
