package tone

import (
	"math"
	"testing"
	"time"

	"github.com/zaf/g711"
)

// hannPower returns the power of x at frequency f (Hz) through a Hann
// window, normalised so that a full-scale sine of amplitude A reads A²/4.
func hannPower(x []int16, f float64) float64 {
	n := len(x)
	if len(hann) != n {
		hann = make([]float64, n)
		for i := range hann {
			hann[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n-1))
		}
	}
	// Goertzel recurrence on the windowed samples.
	w := 2 * math.Pi * f / SampleRate
	c := 2 * math.Cos(w)
	var s1, s2 float64
	for i, v := range x {
		s1, s2 = hann[i]*float64(v)+c*s1-s2, s1
	}
	re := s1 - s2*math.Cos(w)
	im := s2 * math.Sin(w)
	// The Hann window's coherent gain is 0.5.
	a := 2 * math.Hypot(re, im) / (0.5 * float64(n))
	return a * a / 4
}

var hann []float64 // cache for hannPower; tests in this file are not parallel

// components lists the frequencies a segment should show in a spectrum.
func components(s Segment) []float64 {
	fs := []float64{s.Freqs[0]}
	if s.Freqs[1] != 0 {
		fs = append(fs, s.Freqs[1])
	}
	if s.Mod != 0 {
		fs = append(fs, s.Freqs[0]-s.Mod, s.Freqs[0]+s.Mod)
	}
	return fs
}

// frameOn reports, per 20 ms frame, whether it carries sound.
func frameOn(x []int16, amp float64) []bool { return blockOn(x, amp, FrameSamples) }

// blockOn reports, per block of n samples, whether it carries sound: at
// least half the energy of a full block of a sine of amplitude amp.
func blockOn(x []int16, amp float64, n int) []bool {
	var out []bool
	for i := 0; i+n <= len(x); i += n {
		var e float64
		for _, v := range x[i : i+n] {
			e += float64(v) * float64(v)
		}
		out = append(out, e/float64(n) > 0.5*amp*amp/2)
	}
	return out
}

func render(t *testing.T, tn Tone, d time.Duration) []int16 {
	t.Helper()
	g, err := NewGenerator(tn)
	if err != nil {
		t.Fatal(err)
	}
	x := make([]int16, samples(d))
	// Odd read sizes: the output must not depend on how it is read.
	for i := 0; i < len(x); {
		n := min(FrameSamples+i%7, len(x)-i)
		g.Read(x[i : i+n])
		i += n
	}
	return x
}

// TestDialToneSpectrum analyses every country's dial tone: the spectral
// peaks are exactly the table's frequencies (within 2 Hz) and nothing else
// within 26 dB of the strongest.
func TestDialToneSpectrum(t *testing.T) {
	for _, c := range Countries() {
		tn, _ := Lookup(c, Dial)
		x := render(t, tn, 3*time.Second)
		// 320 ms of the first sounding stretch: Hann resolution ±6 Hz.
		const win = 2560
		var start int
		if !tn.Continuous() {
			on := frameOn(x, Amplitude(tn.Level))
			run := 0
			for i, o := range on {
				if o {
					run++
				} else {
					run = 0
				}
				if run*FrameSamples >= win+2*FrameSamples {
					start = (i - run + 2) * FrameSamples
					break
				}
			}
		}
		w := x[start : start+win]
		spec := make([]float64, 3601)
		peak := 0.0
		for f := 250; f <= 3600; f++ {
			spec[f] = hannPower(w, float64(f))
			peak = max(peak, spec[f])
		}
		var peaks []float64
		for f := 251; f < 3600; f++ {
			if spec[f] > spec[f-1] && spec[f] >= spec[f+1] && spec[f] > peak*math.Pow(10, -26.0/10) {
				peaks = append(peaks, float64(f))
			}
		}
		want := components(tn.Segments[0])
		for _, p := range peaks {
			ok := false
			for _, f := range want {
				ok = ok || math.Abs(p-f) <= 2
			}
			if !ok {
				t.Errorf("%s dial: spectral peak at %v Hz, want only %v", c, p, want)
			}
		}
		for _, f := range want {
			ok := false
			for _, p := range peaks {
				ok = ok || math.Abs(p-f) <= 2
			}
			if !ok {
				t.Errorf("%s dial: no peak at %v Hz (peaks %v)", c, f, peaks)
			}
		}
		// The level is the table's: each component's amplitude within 1 dB.
		a := Amplitude(tn.Level)
		for _, f := range want[:1] {
			got := 10 * math.Log10(hannPower(w, f)/(a*a/4))
			if tn.Segments[0].Mod == 0 && math.Abs(got) > 1 {
				t.Errorf("%s dial: %v Hz at %.1f dB from the table level", c, f, got)
			}
		}
	}
}

// TestCadence checks every tone of every country: the lengths of sounding
// and silent stretches, measured in 5 ms blocks, match the table within
// one 20 ms frame, over two full periods.
func TestCadence(t *testing.T) {
	for _, c := range Countries() {
		for _, k := range Kinds() {
			tn, _ := Lookup(c, k)
			if tn.Continuous() {
				x := render(t, tn, 2*time.Second)
				for i, o := range frameOn(x, Amplitude(tn.Level)) {
					if !o {
						t.Errorf("%s %v: continuous tone silent in frame %d", c, k, i)
						break
					}
				}
				continue
			}
			x := render(t, tn, 2*tn.Period()+time.Second)
			// Two frequencies beat, and a 100 %-modulated tone dips to
			// silence every modulation period, so energy is measured over
			// whole beat or modulation periods of at least 20 ms.
			win := 40
			s0 := tn.Segments[0]
			b := s0.Mod
			if s0.Freqs[1] != 0 {
				b = math.Abs(s0.Freqs[1] - s0.Freqs[0])
			}
			if b != 0 {
				p := SampleRate / b
				win = int(math.Round(math.Ceil(FrameSamples/p) * p))
			}
			minGain := 0.0
			for _, sg := range tn.Segments {
				minGain = min(minGain, sg.Gain)
			}
			on := slidingOn(x, win, 40, math.Pow(10, minGain/10))
			// Runs of equal frames, as durations.
			type run struct {
				on bool
				d  time.Duration
			}
			var runs []run
			for _, o := range on {
				if len(runs) == 0 || runs[len(runs)-1].on != o {
					runs = append(runs, run{on: o})
				}
				runs[len(runs)-1].d += 5 * time.Millisecond
			}
			var want []run
			for range 2 {
				for _, s := range tn.Segments {
					want = append(want, run{true, s.On}, run{false, s.Off})
				}
			}
			for i := range want {
				if i >= len(runs)-1 { // the last run is cut by the end of x
					t.Errorf("%s %v: %d runs, want at least %d", c, k, len(runs), len(want)+1)
					break
				}
				if runs[i].on != want[i].on || (runs[i].d-want[i].d).Abs() > 20*time.Millisecond {
					t.Errorf("%s %v: run %d = %v %v, want %v %v ±20ms", c, k, i, runs[i].on, runs[i].d, want[i].on, want[i].d)
				}
			}
		}
	}
}

// TestPhaseContinuous checks that the samples across frame and cadence
// boundaries follow the ideal sine: no jump anywhere while sounding.
// slidingOn reports, every step samples, whether the win samples centred
// there hold more than half the energy of the quietest burst (rel times
// the largest window's energy): an edge is placed within step/2 of the
// truth.
func slidingOn(x []int16, win, step int, rel float64) []bool {
	var es []float64
	peak := 0.0
	for c := step / 2; c < len(x); c += step {
		lo, hi := max(0, c-win/2), min(len(x), c+(win+1)/2)
		var e float64
		for _, v := range x[lo:hi] {
			e += float64(v) * float64(v)
		}
		e /= float64(hi - lo)
		es = append(es, e)
		peak = max(peak, e)
	}
	out := make([]bool, len(es))
	for i, e := range es {
		out[i] = e > peak*rel/2
	}
	return out
}

func TestPhaseContinuous(t *testing.T) {
	tn := Tone{Level: -10, Segments: []Segment{
		{Freqs: [2]float64{1000}, On: 100 * time.Millisecond, Off: 0},
		{Freqs: [2]float64{1000}, On: 60 * time.Millisecond, Off: 40 * time.Millisecond},
	}}
	x := render(t, tn, time.Second)
	a := Amplitude(tn.Level)
	w := 2 * math.Pi * 1000 / SampleRate
	for i, v := range x {
		want := a * math.Sin(w*float64(i))
		pos := i % 1600
		silent := pos >= 1280
		ramp := (pos >= 1280-rampSamples && pos < 1280) || pos < rampSamples
		switch {
		case silent && v != 0:
			t.Fatalf("sample %d = %d, want silence", i, v)
		case !silent && !ramp && math.Abs(float64(v)-want) > 2:
			t.Fatalf("sample %d = %d, want %.0f (phase broken)", i, v, want)
		}
	}
}

func TestG711(t *testing.T) {
	tn, _ := Lookup("US", Dial)
	lin, _ := NewGenerator(tn)
	mu, _ := NewGenerator(tn)
	al, _ := NewGenerator(tn)
	x := make([]int16, FrameSamples)
	u := make([]byte, FrameSamples)
	a := make([]byte, FrameSamples)
	for range 10 {
		lin.Read(x)
		mu.ReadUlaw(u)
		al.ReadAlaw(a)
		for i := range x {
			if u[i] != g711.EncodeUlawFrame(x[i]) || a[i] != g711.EncodeAlawFrame(x[i]) {
				t.Fatalf("sample %d: µ-law %#x A-law %#x, want encodings of %d", i, u[i], a[i], x[i])
			}
		}
	}
}

func TestReadAllocatesNothing(t *testing.T) {
	tn, _ := Lookup("AU", Ringback)
	g, _ := NewGenerator(tn)
	x := make([]int16, FrameSamples)
	b := make([]byte, FrameSamples)
	if n := testing.AllocsPerRun(1000, func() { g.Read(x); g.ReadUlaw(b); g.ReadAlaw(b) }); n != 0 {
		t.Errorf("Read+ReadUlaw+ReadAlaw allocate %v times per frame, want 0", n)
	}
	other, _ := Lookup("IT", Dial)
	g.Reset(other) // grow once
	if n := testing.AllocsPerRun(100, func() { g.Reset(tn); g.Read(x) }); n != 0 {
		t.Errorf("Reset to a tone with fewer segments allocates %v times, want 0", n)
	}
}

func BenchmarkRead(b *testing.B) {
	for _, c := range []struct {
		country string
		k       Kind
	}{{"US", Dial}, {"DE", Busy}, {"AU", Ringback}} {
		tn, _ := Lookup(c.country, c.k)
		b.Run(c.country+"_"+c.k.String(), func(b *testing.B) {
			g, _ := NewGenerator(tn)
			x := make([]int16, FrameSamples)
			b.ReportAllocs()
			for b.Loop() {
				g.Read(x)
			}
		})
	}
	tn, _ := Lookup("US", Dial)
	b.Run("US_dial_ulaw", func(b *testing.B) {
		g, _ := NewGenerator(tn)
		x := make([]byte, FrameSamples)
		b.ReportAllocs()
		for b.Loop() {
			g.ReadUlaw(x)
		}
	})
}

func TestSegmentGain(t *testing.T) {
	tn, _ := Lookup("AU", Congestion)
	x := render(t, tn, 1500*time.Millisecond)
	energy := func(from, to time.Duration) float64 {
		var e float64
		for _, v := range x[samples(from):samples(to)] {
			e += float64(v) * float64(v)
		}
		return e
	}
	first, second := energy(50*time.Millisecond, 325*time.Millisecond), energy(800*time.Millisecond, 1075*time.Millisecond)
	if got := 10 * math.Log10(second/first); math.Abs(got-(-10)) > 0.2 {
		t.Errorf("AU congestion: second burst at %.2f dB from the first, want -10", got)
	}
}
