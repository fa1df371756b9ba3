package jitter

import (
	"testing"
	"time"
)

// offset returns a generator like counter, numbering frames from base.
func offset(base int) func(int) int16 {
	return func(i int) int16 { return int16(base + i/FrameSamples + 1) }
}

// checkSegments checks that the output plays frames 1..n1 then
// base+1..base+n2, each once and in order, with at most maxGap frames
// of anything else between the two.
func checkSegments(t *testing.T, pl *playout, n1, base, n2, maxGap int) {
	t.Helper()
	prev, gap, lastA := 0, 0, -1
	for i, k := range pl.frames() {
		if k == 0 {
			gap++
			continue
		}
		switch {
		case prev == 0 && k != 1:
			t.Fatalf("output frame %d: first frame played is %d, want 1", i, k)
		case prev == n1 && k != base+1:
			t.Fatalf("output frame %d: after the last frame of the first stream comes %d, want %d", i, k, base+1)
		case prev != 0 && prev != n1 && k != prev+1:
			t.Fatalf("output frame %d plays %d after %d", i, k, prev)
		}
		if k == base+1 {
			if g := i - lastA - 1; g > maxGap {
				t.Errorf("%d frames between the two streams, want at most %d", g, maxGap)
			}
		}
		if k <= n1 {
			lastA = i
		}
		prev = k
		gap = 0
	}
	if prev != base+n2 {
		t.Errorf("last frame played = %d, want %d", prev, base+n2)
	}
}

func TestResync(t *testing.T) {
	cases := []struct {
		name string
		// second returns the second stream's source, given the first
		// one's after it has sent.
		second func(a *source) *source
		marker bool
	}{
		{"new SSRC", func(a *source) *source {
			return &source{seq: 40000, ts: 0x9000_0000, ssrc: 77, gen: offset(1000)}
		}, true},
		{"new SSRC without marker", func(a *source) *source {
			return &source{seq: 3, ts: a.ts - 50000, ssrc: 78, gen: offset(1000)}
		}, false},
		{"timestamp jump forward", func(a *source) *source {
			return &source{seq: a.seq, ts: a.ts + 123456, ssrc: a.ssrc, gen: offset(1000)}
		}, true},
		{"timestamp jump back", func(a *source) *source {
			return &source{seq: a.seq, ts: a.ts - 40000, ssrc: a.ssrc, gen: offset(1000)}
		}, true},
		{"timestamp jump of 300 ms", func(a *source) *source {
			return &source{seq: a.seq, ts: a.ts + 2400, ssrc: a.ssrc, gen: offset(1000)}
		}, true},
		{"sequence restart", func(a *source) *source {
			return &source{seq: a.seq + 20000, ts: a.ts + 999999, ssrc: a.ssrc, gen: offset(1000)}
		}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := &source{seq: 65000, ts: 0xffff_ff00, ssrc: 5, gen: counter}
			tr1 := makeTrace(a, 100, 0, 5*time.Millisecond, 0, 1)
			b := c.second(a)
			tr2 := makeTrace(b, 100, 2*time.Second, 5*time.Millisecond, 0, 2)
			tr2.pkts[0].marker = c.marker
			all := &trace{pkts: append(tr1.pkts, tr2.pkts...)}
			all.sortByArrival()
			buf := New(&Options{Min: 40 * time.Millisecond}) // whole frames: no shrinking
			var pl playout
			pl.run(buf, all.pkts, 0, 220)
			st := buf.Stats()
			checkSegments(t, &pl, 100, 1000, 100, 1)
			if st.Resyncs != 1 || st.Late != 0 || st.Overflow != 0 || st.Lost != 0 {
				t.Errorf("stats %+v: want 1 resync, nothing late, dropped or lost", st)
			}
		})
	}
}

func TestDTX(t *testing.T) {
	// A talk spurt, 2 s of silence without packets (the timestamp runs
	// on), then the next spurt with the marker bit.
	a := &source{seq: 1, ts: 7, ssrc: 5, gen: counter}
	tr1 := makeTrace(a, 100, 0, 0, 0, 1)
	a.ts += 2 * SampleRate
	a.n += 2 * SampleRate
	tr2 := makeTrace(a, 100, 4*time.Second, 0, 0, 2)
	tr2.pkts[0].marker = true
	pkts := append(tr1.pkts, tr2.pkts...)
	b := New(&Options{Min: 40 * time.Millisecond})
	var pl playout
	pl.run(b, pkts, 0, 200)
	before := b.Stats()
	pl.run(b, pkts, 4*time.Second, 200)
	after := b.Stats()
	ks := pl.frames()
	// After the first spurt: 3 concealed frames fading out, then Empty.
	last := 0
	for i, k := range ks {
		if k == 100 {
			last = i
		}
	}
	for i := last + 1; i < 195; i++ {
		want := Empty
		if i <= last+3 {
			want = Concealed
		}
		if pl.status[i] != want {
			t.Fatalf("frame %d after the talk spurt: %v, want %v", i-last, pl.status[i], want)
		}
	}
	for i := last + 1; i < last+4; i++ {
		if pl.status[i] == Concealed && peak(pl.audio[i*FrameSamples:(i+1)*FrameSamples]) > 100 {
			t.Errorf("concealing a near-silent frame made it loud")
		}
	}
	if after.Played != 200 || after.Resyncs != 0 || after.Late != 0 || after.Lost != 0 {
		t.Errorf("stats after DTX %+v: want 200 played, no resync, late or lost", after)
	}
	if d := after.Delay - before.Delay; d < -5*time.Millisecond || d > 5*time.Millisecond {
		t.Errorf("delay %v before the silence, %v after; want the same", before.Delay, after.Delay)
	}
	// The second spurt (frames 201.. as the silence was 100 frames)
	// plays in order.
	inOrder(t, ks[last+1:], 200, true)
}

func peak(x []int16) int {
	m := 0
	for _, v := range x {
		m = max(m, abs(int(v)))
	}
	return m
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
