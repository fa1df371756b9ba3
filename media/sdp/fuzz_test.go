package sdp

import (
	"errors"
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
	})
}
