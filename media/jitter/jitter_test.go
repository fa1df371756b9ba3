package jitter

import (
	"slices"
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
	// In order throughout; after the first 3 s, every frame plays once,
	// whole, following the one before.
	prev := inOrder(t, ks[:150], 0, false)
	rest := ks[150:]
	if end := slices.Index(rest, 1500); end >= 0 {
		if i := slices.Index(rest[:end], 0); i >= 0 {
			t.Fatalf("output frame %d: not a whole received frame (%v) after adapting", 150+i, pl.status[150+i])
		}
	}
	prev = inOrder(t, rest, prev, true)
	if prev != 1500 {
		t.Errorf("last frame played = %d, want 1500", prev)
	}
	if st.Delay < 60*time.Millisecond || st.Delay > st.Target+10*time.Millisecond {
		t.Errorf("delay %v, target %v; want at least the 60 ms jitter spread, near target", st.Delay, st.Target)
	}
}

func TestLossIsConcealed(t *testing.T) {
	src := &source{seq: 1, ts: 1000, ssrc: 1, gen: counter}
	tr := makeTrace(src, 1500, 0, 0, 0.05, 2)
	b := New(&Options{Min: 40 * time.Millisecond}) // no shrinking: whole frames
	var pl playout
	pl.run(b, tr.pkts, 0, 1520)
	st := b.Stats()
	if tr.lost < 50 {
		t.Fatalf("trace lost only %d packets; want about 75", tr.lost)
	}
	// The stream's end is concealed too (fading out over 60 ms: the
	// buffer cannot tell it from loss), then Empty frames follow.
	if st.Lost != uint64(tr.lost) || st.Concealed != uint64(tr.lost+3) {
		t.Errorf("lost %d packets: Stats().Lost = %d, Concealed = %d; want %d and %d (with the fade-out at the end)",
			tr.lost, st.Lost, st.Concealed, tr.lost, tr.lost+3)
	}
	if want := uint64(1500 - tr.lost); st.Played != want {
		t.Errorf("Played = %d, want %d", st.Played, want)
	}
	// Every received frame is played once, in order, each gap filled by
	// concealment frames.
	prev := 0
	for i, k := range pl.frames() {
		switch {
		case k != 0:
			if k <= prev {
				t.Fatalf("output frame %d plays frame %d after %d", i, k, prev)
			}
			prev = k
		case prev != 0 && prev < 1500 && pl.status[i] != Concealed:
			t.Fatalf("output frame %d after frame %d: status %v, want concealed", i, prev, pl.status[i])
		}
	}
}

func TestSineThroughReordering(t *testing.T) {
	for _, f := range []float64{440, 1000, 1770} {
		src := &source{seq: 100, ts: 5000, ssrc: 9, gen: sine(f, 10000)}
		tr := makeTrace(src, 250, 0, 0, 0, 3)
		// Swap every few packets' arrival: the later one comes first.
		for i := 0; i+1 < len(tr.pkts); i += 3 {
			tr.pkts[i].at, tr.pkts[i+1].at = tr.pkts[i+1].at+time.Millisecond, tr.pkts[i].at
		}
		tr.sortByArrival()
		b := New(nil)
		var pl playout
		pl.run(b, tr.pkts, 0, 250)
		if st := b.Stats(); st.Concealed != 0 || st.Late != 0 {
			t.Errorf("%v Hz: %d concealed and %d late frames, want none: %+v", f, st.Concealed, st.Late, st)
		}
		// The sine, whole: a window of 100 ms from the 1 s mark holds f at
		// full amplitude and nothing at other frequencies.
		x := pl.audio[8000 : 8000+800]
		if a := goertzel(x, f); a < 9900 || a > 10100 {
			t.Errorf("%v Hz: output amplitude %.0f, want 10000", f, a)
		}
		var other float64
		for g := 100.0; g < 4000; g += 50 {
			if g < f-60 || g > f+60 {
				other = max(other, goertzel(x, g))
			}
		}
		if other > 150 {
			t.Errorf("%v Hz: strongest other component %.0f, want < 150 (a clean sine)", f, other)
		}
	}
}

func TestDelayShrinksAfterJitter(t *testing.T) {
	src := &source{seq: 1, ts: 0, ssrc: 1, gen: sine(800, 8000)}
	noisy := makeTrace(src, 500, 0, 40*time.Millisecond, 0, 4) // 10 s
	calm := makeTrace(src, 1000, 10*time.Second, 0, 0, 5)      // then 20 s
	all := &trace{pkts: append(noisy.pkts, calm.pkts...)}
	all.sortByArrival()
	b := New(nil)
	var pl playout
	pl.run(b, all.pkts, 0, 500)
	peak := b.Stats()
	pl.run(b, all.pkts, 10*time.Second, 1000)
	end := b.Stats()
	t.Logf("after jitter: %+v\nafter calm: %+v", peak, end)
	if peak.Delay < 70*time.Millisecond {
		t.Errorf("delay under ±40 ms jitter = %v, want at least 70 ms", peak.Delay)
	}
	if end.Delay > 40*time.Millisecond {
		t.Errorf("delay 20 s after the jitter stopped = %v, want back to at most 40 ms", end.Delay)
	}
	if end.Late != peak.Late {
		t.Errorf("%d packets late while shrinking", end.Late-peak.Late)
	}
	if n := end.Concealed - peak.Concealed; n != 0 {
		t.Errorf("%d frames concealed while shrinking, want 0", n)
	}
	// Shrinking time-compresses the sine: it stays an 800 Hz sine.
	x := pl.audio[len(pl.audio)-16000 : len(pl.audio)-16000+800]
	if a := goertzel(x, 800); a < 7000 {
		t.Errorf("800 Hz at %.0f while shrinking, want about 8000", a)
	}
}
