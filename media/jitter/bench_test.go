package jitter

import (
	"testing"
	"time"
)

// BenchmarkPutGet measures one 20 ms frame: putting the packets that
// arrived (±30 ms jitter, 5% loss) and getting the frame to play.
func BenchmarkPutGet(b *testing.B) {
	src := &source{seq: 1, ts: 0, ssrc: 1, gen: sine(440, 8000)}
	tr := makeTrace(src, 5000, 0, 30*time.Millisecond, 0.05, 1)
	tr.sortByArrival()
	d := &driver{tr: tr, b: New(nil), frame: make([]int16, FrameSamples)}
	b.ReportAllocs()
	for b.Loop() {
		if !d.tick() {
			// Start the trace again with a new Buffer (once per 100 s
			// of audio: the few bytes per op that shows).
			d.b, d.i, d.k = New(nil), 0, 0
		}
	}
}
