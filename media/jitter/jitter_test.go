package jitter

import (
	"testing"
	"time"
)

func TestJitterPlaysAllInOrder(t *testing.T) {
	src := &source{seq: 65500, ts: 0xffff_f000, ssrc: 1, gen: counter} // both wrap
	tr := makeTrace(src, 1500, 0, 30*time.Millisecond, 0, 1)
	tr.sortByArrival()
	b := New(nil)
	var pl playout
	pl.run(b, tr.pkts, 0, 1600)
	ks := pl.frames()
	st := b.Stats()
	t.Logf("stats %+v", st)
	// After the first 3 s, every frame plays once, in order.
	prev := 0
	for i, k := range ks {
		if i < 150 || k == 0 {
			if i >= 150 && prev != 0 && prev < 1500 {
				t.Fatalf("frame %d of output: not a whole received frame (status %v) after adapting", i, pl.status[i])
			}
			if k != 0 {
				prev = k
			}
			continue
		}
		if prev != 0 && k != prev+1 {
			t.Fatalf("output frame %d plays frame %d after %d", i, k, prev)
		}
		prev = k
	}
	if prev != 1500 {
		t.Errorf("last frame played = %d, want 1500", prev)
	}
	if st.Delay < 60*time.Millisecond || st.Delay > st.Target+10*time.Millisecond {
		t.Errorf("delay %v, target %v; want at least the 60 ms jitter spread, near target", st.Delay, st.Target)
	}
}
