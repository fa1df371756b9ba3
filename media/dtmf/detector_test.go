package dtmf

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/zaf/g711"
)

// signal builds test audio independently of Generator: silence, then a
// tone pair lo+hi (Hz) at levels loDB and hiDB (dBm0) for on, then silence
// for off. Phases are random.
type signal struct {
	x   []int16
	rng *rand.Rand
}

func newSignal(seed uint64) *signal { return &signal{rng: rand.New(rand.NewPCG(seed, 1))} }

func (s *signal) pair(lo, hi, loDB, hiDB float64, on, off time.Duration) *signal {
	al, ah := ZeroDBm0*math.Pow(10, loDB/20), ZeroDBm0*math.Pow(10, hiDB/20)
	pl, ph := s.rng.Float64()*2*math.Pi, s.rng.Float64()*2*math.Pi
	n := int(on * SampleRate / time.Second)
	for i := range n {
		t := float64(i) / SampleRate
		s.x = append(s.x, int16(math.Round(al*math.Sin(2*math.Pi*lo*t+pl)+ah*math.Sin(2*math.Pi*hi*t+ph))))
	}
	return s.silence(off)
}

func (s *signal) digit(dg byte, dB float64, on, off time.Duration) *signal {
	lo, hi, ok := Freqs(dg)
	if !ok {
		panic("bad digit")
	}
	return s.pair(lo, hi, dB, dB, on, off)
}

func (s *signal) silence(d time.Duration) *signal {
	s.x = append(s.x, make([]int16, int(d*SampleRate/time.Second))...)
	return s
}

// noise adds white Gaussian noise of the given level (dBm0, mean square).
func (s *signal) noise(dB float64) *signal {
	sd := ZeroDBm0 / math.Sqrt2 * math.Pow(10, dB/20)
	for i, v := range s.x {
		s.x[i] = int16(max(math.MinInt16, min(math.MaxInt16, math.Round(float64(v)+s.rng.NormFloat64()*sd))))
	}
	return s
}

// detect feeds x in chunks of varying size and returns the events.
func detect(o *Opts, x []int16) []Event {
	d := NewDetector(o)
	var evs []Event
	sizes := []int{160, 1, 7, 333, 80, 41}
	for i, k := 0, 0; i < len(x); k++ {
		n := min(sizes[k%len(sizes)], len(x)-i)
		evs = d.Feed(x[i:i+n], evs)
		i += n
	}
	return evs
}

// digits returns the digits of the begin events, and checks that every
// begin has a matching end.
func digits(t *testing.T, evs []Event) string {
	t.Helper()
	var b strings.Builder
	open := byte(0)
	for _, e := range evs {
		switch {
		case !e.Ended && open == 0:
			open = e.Digit
			b.WriteByte(e.Digit)
		case e.Ended && e.Digit == open:
			open = 0
		default:
			t.Errorf("event out of order: %+v (open %q)", e, open)
		}
	}
	if open != 0 {
		t.Errorf("digit %q never ended", open)
	}
	return b.String()
}

func TestEveryDigitAtSeveralLevels(t *testing.T) {
	for _, dB := range []float64{-4, -10, -20, -27} {
		s := newSignal(1).silence(30 * time.Millisecond)
		for i := range len(keypad) {
			s.digit(keypad[i], dB, 60*time.Millisecond, 60*time.Millisecond)
		}
		evs := detect(nil, s.x)
		if got := digits(t, evs); got != keypad {
			t.Errorf("level %v dBm0: detected %q, want %q", dB, got, keypad)
		}
		for _, e := range evs {
			if e.Ended && (e.Duration() < 52*time.Millisecond || e.Duration() > 68*time.Millisecond) {
				t.Errorf("level %v dBm0: %q lasted %v, want 60 ms ± 8 ms", dB, e.Digit, e.Duration())
			}
		}
	}
}

func TestTooQuiet(t *testing.T) {
	s := newSignal(2).digit('5', -36, 100*time.Millisecond, 50*time.Millisecond)
	if got := digits(t, detect(nil, s.x)); got != "" {
		t.Errorf("-36 dBm0 with MinLevel -30: detected %q, want nothing", got)
	}
}

// TestFrequencyDeviation: Q.24 — accept ±1.5 %, reject ±3.5 %, on each of
// the eight frequencies (digits 1, 5, 9 and D cover them all).
func TestFrequencyDeviation(t *testing.T) {
	for _, dg := range []byte("159D") {
		for _, group := range []string{"low", "high"} {
			for _, dev := range []float64{-0.035, -0.015, 0, 0.015, 0.035} {
				lo, hi, _ := Freqs(dg)
				if group == "low" {
					lo *= 1 + dev
				} else {
					hi *= 1 + dev
				}
				want := ""
				if math.Abs(dev) < 0.02 {
					want = string(dg)
				}
				for seed := range uint64(3) {
					s := newSignal(seed).silence(20*time.Millisecond).pair(lo, hi, -10, -10, 80*time.Millisecond, 50*time.Millisecond)
					if got := digits(t, detect(nil, s.x)); got != want {
						t.Errorf("%q %s group %+.1f%% (%.1f+%.1f Hz): detected %q, want %q", dg, group, dev*100, lo, hi, got, want)
					}
				}
			}
		}
	}
}

func TestTwist(t *testing.T) {
	tests := []struct {
		o          *Opts
		loDB, hiDB float64
		ok         bool
	}{
		{nil, -10, -10, true},
		{nil, -6, -13, true},  // normal twist 7 dB
		{nil, -5, -14, false}, // normal twist 9 dB
		{nil, -12, -9, true},  // reverse twist 3 dB
		{nil, -13, -8, false}, // reverse twist 5 dB
		{&Opts{NormalTwist: 4, ReverseTwist: 10}, -7, -12, false},
		{&Opts{NormalTwist: 4, ReverseTwist: 10}, -8, -11, true},
		{&Opts{NormalTwist: 4, ReverseTwist: 10}, -15, -6, true},
		{&Opts{NormalTwist: 4, ReverseTwist: 10}, -17, -6, false},
	}
	for _, tt := range tests {
		for _, dg := range []byte("1#") {
			lo, hi, _ := Freqs(dg)
			s := newSignal(3).silence(10*time.Millisecond).pair(lo, hi, tt.loDB, tt.hiDB, 80*time.Millisecond, 50*time.Millisecond)
			want := ""
			if tt.ok {
				want = string(dg)
			}
			if got := digits(t, detect(tt.o, s.x)); got != want {
				t.Errorf("%q low %v high %v dBm0 opts %+v: detected %q, want %q", dg, tt.loDB, tt.hiDB, tt.o, got, want)
			}
		}
	}
}

// TestDuration: 35 ms is rejected and 45 ms accepted, whatever the tone's
// alignment with the detector's blocks.
func TestDuration(t *testing.T) {
	for _, c := range []struct {
		on   time.Duration
		want string
	}{{30 * time.Millisecond, ""}, {35 * time.Millisecond, ""}, {45 * time.Millisecond, "7"}, {60 * time.Millisecond, "7"}} {
		for shift := 0; shift < sub; shift += 3 {
			s := newSignal(uint64(shift)).silence(time.Duration(shift)*time.Second/SampleRate).
				digit('7', -12, c.on, 100*time.Millisecond)
			if got := digits(t, detect(nil, s.x)); got != c.want {
				t.Errorf("%v tone shifted %d samples: detected %q, want %q", c.on, shift, got, c.want)
			}
		}
	}
}

func TestPauseAndInterruption(t *testing.T) {
	for _, c := range []struct {
		gap  time.Duration
		want string
	}{{5 * time.Millisecond, "3"}, {10 * time.Millisecond, "3"}, {40 * time.Millisecond, "33"}, {60 * time.Millisecond, "33"}} {
		s := newSignal(4).silence(10*time.Millisecond).
			digit('3', -10, 80*time.Millisecond, c.gap).
			digit('3', -10, 80*time.Millisecond, 100*time.Millisecond)
		if got := digits(t, detect(nil, s.x)); got != c.want {
			t.Errorf("gap %v: detected %q, want %q", c.gap, got, c.want)
		}
	}
	// Different digits back to back with a short pause are both reported.
	s := newSignal(5).digit('1', -10, 60*time.Millisecond, 40*time.Millisecond).digit('2', -10, 60*time.Millisecond, 60*time.Millisecond)
	if got := digits(t, detect(nil, s.x)); got != "12" {
		t.Errorf("1 then 2 after 40 ms: detected %q, want \"12\"", got)
	}
}

func TestNoise(t *testing.T) {
	for _, snr := range []float64{20, 12} {
		for seed := range uint64(3) {
			s := newSignal(seed).silence(50 * time.Millisecond)
			for i := range len(keypad) {
				s.digit(keypad[i], -13, 70*time.Millisecond, 70*time.Millisecond)
			}
			// Two tones at -13 dBm0 carry -10 dBm0 together.
			s.noise(-10 - snr)
			if got := digits(t, detect(nil, s.x)); got != keypad {
				t.Errorf("SNR %v dB seed %d: detected %q, want %q", snr, seed, got, keypad)
			}
		}
	}
	s := newSignal(9).silence(10 * time.Second).noise(-10)
	if got := digits(t, detect(nil, s.x)); got != "" {
		t.Errorf("10 s of noise at -10 dBm0: detected %q, want nothing", got)
	}
}

func TestHarmonicRejected(t *testing.T) {
	lo, hi, _ := Freqs('4')
	clean := newSignal(6).pair(lo, hi, -10, -10, 80*time.Millisecond, 0)
	dirty := newSignal(6).pair(lo, hi, -10, -10, 80*time.Millisecond, 0)
	harm := newSignal(6).pair(2*lo, 2*hi, -20, -20, 80*time.Millisecond, 0)
	for i := range dirty.x {
		dirty.x[i] += harm.x[i]
	}
	clean.silence(50 * time.Millisecond)
	dirty.silence(50 * time.Millisecond)
	if got := digits(t, detect(nil, clean.x)); got != "4" {
		t.Errorf("clean 4: detected %q", got)
	}
	if got := digits(t, detect(nil, dirty.x)); got != "" {
		t.Errorf("4 with second harmonics at -10 dB: detected %q, want nothing", got)
	}
}

func TestG711RoundTrip(t *testing.T) {
	codecs := []struct {
		name string
		rt   func(int16) int16
	}{
		{"PCMU", func(v int16) int16 { return g711.DecodeUlawFrame(g711.EncodeUlawFrame(v)) }},
		{"PCMA", func(v int16) int16 { return g711.DecodeAlawFrame(g711.EncodeAlawFrame(v)) }},
	}
	for _, c := range codecs {
		for _, dB := range []float64{-6, -25} {
			g := NewGenerator(&GenOpts{LowLevel: dB, HighLevel: dB})
			if err := g.Play(keypad, 50*time.Millisecond, 50*time.Millisecond); err != nil {
				t.Fatal(err)
			}
			var x []int16
			frame := make([]int16, 160)
			for !g.Done() {
				g.Read(frame)
				for _, v := range frame {
					x = append(x, c.rt(v))
				}
			}
			if got := digits(t, detect(nil, x)); got != keypad {
				t.Errorf("%s at %v dBm0: detected %q, want %q", c.name, dB, got, keypad)
			}
		}
	}
}

func TestFeedAllocatesNothing(t *testing.T) {
	s := newSignal(7).digit('9', -10, 100*time.Millisecond, 100*time.Millisecond)
	d := NewDetector(nil)
	evs := make([]Event, 0, 8)
	frame := s.x[:160]
	i := 0
	allocs := testing.AllocsPerRun(200, func() {
		frame = s.x[i*160 : i*160+160]
		i = (i + 1) % (len(s.x) / 160)
		evs = d.Feed(frame, evs[:0])
	})
	if allocs != 0 {
		t.Errorf("Feed allocates %v times per 20 ms frame, want 0", allocs)
	}
	g := NewGenerator(nil)
	out := make([]int16, 160)
	allocs = testing.AllocsPerRun(200, func() {
		if g.Done() {
			g.Play("123", 70*time.Millisecond, 70*time.Millisecond)
		}
		g.Read(out)
	})
	if allocs != 0 {
		t.Errorf("Generator.Play+Read allocate %v times per frame, want 0", allocs)
	}
}

func TestGeneratorRejects(t *testing.T) {
	g := NewGenerator(nil)
	for _, c := range []struct {
		digits  string
		on, off time.Duration
	}{{"12x", time.Second, 0}, {"1", 0, 0}, {"1", time.Second, -1}} {
		if err := g.Play(c.digits, c.on, c.off); err == nil {
			t.Errorf("Play(%q, %v, %v) = nil, want an error", c.digits, c.on, c.off)
		}
	}
}

func BenchmarkFeed(b *testing.B) {
	s := newSignal(8).silence(100 * time.Millisecond)
	for i := range len(keypad) {
		s.digit(keypad[i], -10, 60*time.Millisecond, 60*time.Millisecond)
	}
	s.noise(-40)
	x := s.x[:len(s.x)/160*160]
	d := NewDetector(nil)
	evs := make([]Event, 0, 8)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		evs = d.Feed(x[i:i+160], evs[:0])
		i = (i + 160) % len(x)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/20, "ns/ms-audio")
}

func BenchmarkGeneratorRead(b *testing.B) {
	g := NewGenerator(nil)
	out := make([]int16, 160)
	b.ReportAllocs()
	for b.Loop() {
		if g.Done() {
			g.Play("0123456789", 70*time.Millisecond, 70*time.Millisecond)
		}
		g.Read(out)
	}
}
