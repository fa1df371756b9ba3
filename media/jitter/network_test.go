package jitter

import (
	"slices"
	"testing"
	"time"
)

func TestDuplicates(t *testing.T) {
	src := &source{seq: 65530, ts: 100, ssrc: 1, gen: counter}
	tr := makeTrace(src, 300, 0, 0, 0, 3)
	var pkts []pkt
	for i, p := range tr.pkts {
		pkts = append(pkts, p)
		if i%10 == 0 {
			p.at += 7 * time.Millisecond
			pkts = append(pkts, p)
		}
	}
	(&trace{pkts: pkts}).sortByArrival()
	b := New(&Options{Min: 40 * time.Millisecond})
	var pl playout
	pl.run(b, pkts, 0, 320)
	st := b.Stats()
	if st.Duplicates != 30 || st.Received != 300 || st.Played != 300 {
		t.Errorf("30 of 300 packets twice: %+v; want 30 duplicates, 300 received and played", st)
	}
	inOrder(t, pl.frames(), 0, true)
}

func TestLatePacket(t *testing.T) {
	src := &source{seq: 1, ts: 100, ssrc: 1, gen: counter}
	tr := makeTrace(src, 300, 0, 0, 0, 3)
	tr.pkts[150].at += 300 * time.Millisecond // beyond Max: too late to play
	tr.sortByArrival()
	b := New(nil)
	var pl playout
	pl.run(b, tr.pkts, 0, 320)
	st := b.Stats()
	if st.Late != 1 || st.Lost != 0 || st.Received != 300 {
		t.Errorf("one packet 300 ms late: %+v; want 1 late, 0 lost, 300 received", st)
	}
	if st.Target > 40*time.Millisecond {
		t.Errorf("one late packet raised the target to %v", st.Target)
	}
	for i, k := range pl.frames() {
		if k == 151 {
			t.Errorf("output frame %d plays the late frame", i)
		}
	}
}

// TestStall: the network holds packets for 500 ms and delivers them at
// once. The ones whose time has passed are dropped as late; play goes on
// in order and the delay stays within Max.
func TestStall(t *testing.T) {
	src := &source{seq: 1, ts: 100, ssrc: 1, gen: counter}
	tr := makeTrace(src, 300, 0, 0, 0, 3)
	for i := range tr.pkts {
		if at := tr.pkts[i].at; at > 2*time.Second && at < 2500*time.Millisecond {
			tr.pkts[i].at = 2500 * time.Millisecond
		}
	}
	b := New(nil)
	var pl playout
	pl.run(b, tr.pkts, 0, 320)
	st := b.Stats()
	if st.Late == 0 || st.Late > 25 || st.Received != 300 || st.Lost != 0 {
		t.Errorf("stall: %+v; want 1 to 25 late, all received", st)
	}
	if st.Delay > 200*time.Millisecond {
		t.Errorf("delay after the stall = %v, want at most 200 ms", st.Delay)
	}
	if prev := inOrder(t, pl.frames(), 0, false); prev != 300 {
		t.Errorf("last frame played = %d, want 300", prev)
	}
}

// TestBurst: a sender delivers 1.2 s of audio at once, ahead of time.
// The buffer keeps at most its capacity (the oldest is dropped and
// counted) and returns to its delay range.
func TestBurst(t *testing.T) {
	src := &source{seq: 1, ts: 100, ssrc: 1, gen: offset(1000)}
	tr := makeTrace(src, 1200, 0, 0, 0, 3)
	for i := range tr.pkts {
		if i >= 50 && i < 110 {
			tr.pkts[i].at = tr.pkts[50].at
		}
	}
	tr.sortByArrival()
	b := New(nil)
	var pl playout
	pl.run(b, tr.pkts, 0, 200)
	if st := b.Stats(); st.Delay > 200*time.Millisecond {
		t.Errorf("delay 3 s after the burst = %v, want at most Max", st.Delay)
	}
	pl.run(b, tr.pkts, 4*time.Second, 1020)
	st := b.Stats()
	if st.Overflow == 0 || st.Resyncs != 1 {
		t.Errorf("1.2 s burst: %+v; want overflow counted and one resync", st)
	}
	if st.Delay > 60*time.Millisecond {
		t.Errorf("delay 20 s after the burst = %v, want back near the target", st.Delay)
	}
	inOrder(t, pl.frames(), 0, false)
	// Compression shifts frames against the output's: look for the last
	// frame's samples.
	if last := pl.audio[len(pl.audio)-FrameSamples*30:]; !slices.Contains(last, 2200) {
		t.Errorf("last frame (2200) not played by the end")
	}
}

func TestPacketSizes(t *testing.T) {
	for _, n := range []int{80, 160, 240, 480} {
		src := &source{seq: 1, ts: 0xffff_0000, ssrc: 1, gen: sine(1000, 10000)}
		var pkts []pkt
		for k := range 8000 * 4 / n {
			p := src.next(n)
			p.at = time.Duration(k*n)*time.Second/SampleRate + 30*time.Millisecond
			pkts = append(pkts, p)
		}
		b := New(nil)
		var pl playout
		pl.run(b, pkts, 0, 200)
		st := b.Stats()
		if st.Concealed > 3 || st.Late != 0 || st.Lost != 0 {
			t.Errorf("%d-sample packets: %+v; want no loss, late or concealment but the final fade", n, st)
		}
		x := pl.audio[8000:8800]
		if a := goertzel(x, 1000); a < 9900 || a > 10100 {
			t.Errorf("%d-sample packets: 1 kHz at %.0f, want 10000", n, a)
		}
	}
	b := New(nil)
	b.Put(1, 1, 1, false, epoch, nil)
	b.Put(1, 1, 1, false, epoch, make([]int16, MaxPacketSamples+1))
	if st := b.Stats(); st.Invalid != 2 || st.Received != 0 {
		t.Errorf("empty and oversized packets: %+v; want 2 invalid, none received", st)
	}
}

// TestConcealmentIsSmooth: losses in a sine are filled without clicks:
// no step between samples exceeds the sine's own largest by more than a
// quarter of its amplitude (a hard cut would jump by up to twice the
// amplitude).
func TestConcealmentIsSmooth(t *testing.T) {
	for _, f := range []float64{300, 440, 1000} {
		src := &source{seq: 1, ts: 0, ssrc: 1, gen: sine(f, 10000)}
		tr := makeTrace(src, 500, 0, 0, 0.1, 11)
		b := New(nil)
		var pl playout
		pl.run(b, tr.pkts, 0, 520)
		maxStep := 2 * 3.1416 * f * 10000 / SampleRate
		for i := 1; i < 500*FrameSamples; i++ {
			if d := abs(int(pl.audio[i]) - int(pl.audio[i-1])); float64(d) > maxStep+2500 {
				t.Errorf("%v Hz: step of %d at sample %d (frame %d, %v), sine's largest is %.0f",
					f, d, i, i/FrameSamples, pl.status[i/FrameSamples], maxStep)
				break
			}
		}
		if st := b.Stats(); st.Concealed < 30 {
			t.Errorf("%v Hz: only %d frames concealed", f, st.Concealed)
		}
	}
}

func TestAllocs(t *testing.T) {
	src := &source{seq: 1, ts: 0, ssrc: 1, gen: sine(1000, 8000)}
	tr := makeTrace(src, 3000, 0, 30*time.Millisecond, 0.05, 1)
	tr.sortByArrival()
	d := &driver{tr: tr, b: New(nil), frame: make([]int16, FrameSamples)}
	if n := testing.AllocsPerRun(2000, func() { d.tick() }); n != 0 {
		t.Errorf("Put+Get allocate %v times per frame, want 0", n)
	}
}
