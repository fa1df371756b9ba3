package dtmf

import (
	"encoding/binary"
	"testing"
)

// FuzzDetector feeds arbitrary audio (little-endian int16 samples) in
// chunks of arbitrary size: the detector must never panic, and its events
// must be well-formed.
func FuzzDetector(f *testing.F) {
	f.Add([]byte{}, uint8(160))
	f.Add([]byte{0xff, 0x7f, 0x00, 0x80}, uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		x := make([]int16, len(data)/2)
		for i := range x {
			x[i] = int16(binary.LittleEndian.Uint16(data[2*i:]))
		}
		n := max(1, int(chunk))
		d := NewDetector(nil)
		var evs []Event
		for i := 0; i < len(x); i += n {
			evs = d.Feed(x[i:min(i+n, len(x))], evs)
		}
		open := byte(0)
		for _, e := range evs {
			if e.Start < 0 || e.Start > int64(len(x)) {
				t.Fatalf("event %+v starts outside 0..%d", e, len(x))
			}
			if _, _, ok := Freqs(e.Digit); !ok {
				t.Fatalf("event %+v: not a digit", e)
			}
			switch {
			case !e.Ended && open == 0:
				open = e.Digit
			case e.Ended && e.Digit == open:
				if e.End < e.Start || e.End > int64(len(x)) {
					t.Fatalf("event %+v: end outside start..%d", e, len(x))
				}
				open = 0
			default:
				t.Fatalf("event %+v out of order (open %q)", e, open)
			}
		}
	})
}
