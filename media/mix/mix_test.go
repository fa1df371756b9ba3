package mix

import (
	"math"
	"testing"
)

const amp = 8000

// tone writes n samples of a sine of frequency f (Hz) and amplitude a,
// starting at sample index start of the stream (so frames join up).
func tone(dst []int16, f, a float64, start int) {
	for i := range dst {
		dst[i] = int16(math.Round(a * math.Sin(2*math.Pi*f*float64(start+i)/8000)))
	}
}

// goertzel returns the amplitude of frequency f (Hz) in x, 8 kHz sampling.
// f should be a whole number of cycles over len(x) samples.
func goertzel(x []int16, f float64) float64 {
	w := 2 * math.Pi * f / 8000
	c := 2 * math.Cos(w)
	var s1, s2 float64
	for _, v := range x {
		s1, s2 = float64(v)+c*s1-s2, s1
	}
	re := s1 - s2*math.Cos(w)
	im := s2 * math.Sin(w)
	return 2 * math.Hypot(re, im) / float64(len(x))
}

// party is a test participant: the tone it speaks (0 for silence) and
// everything it heard.
type party struct {
	p     *Party
	freq  float64
	heard []int16
}

// run mixes ticks frames, feeding each party its tone, and records what
// each heard.
func run(m *Mixer, ps []*party, ticks int) {
	for k := range ticks {
		for _, q := range ps {
			if q.freq != 0 {
				tone(q.p.In(), q.freq, amp, k*FrameSamples)
			}
		}
		m.Mix()
		for _, q := range ps {
			q.heard = append(q.heard, q.p.Out()...)
		}
	}
}

// checkHears asserts that q heard each frequency of want at full level and
// none of the others of all.
func checkHears(t *testing.T, name string, q *party, all []float64, want ...float64) {
	t.Helper()
	for _, f := range all {
		a := goertzel(q.heard, f)
		in := false
		for _, w := range want {
			in = in || w == f
		}
		switch {
		case in && math.Abs(a-amp) > amp/100:
			t.Errorf("%s hears %v Hz at amplitude %.1f, want %d", name, f, a, amp)
		case !in && a > 1:
			t.Errorf("%s hears %v Hz at amplitude %.1f, want nothing", name, f, a)
		}
	}
}

var callFreqs = []float64{1000, 600, 1400}

// supervised returns a call: caller A (1 kHz), agent B (600 Hz), talking,
// and supervisor S (1400 Hz) in mode s.
func supervised(s Mode) (m *Mixer, a, b, sv *party) {
	m = New(nil)
	a = &party{p: m.Add(1, Talk), freq: 1000}
	b = &party{p: m.Add(2, Talk), freq: 600}
	sv = &party{p: m.Add(3, s), freq: 1400}
	if s == Whisper {
		sv.p.SetTarget(b.p)
	}
	return m, a, b, sv
}

func TestListen(t *testing.T) {
	m, a, b, s := supervised(Listen)
	run(m, []*party{a, b, s}, 5)
	checkHears(t, "caller", a, callFreqs, 600)
	checkHears(t, "agent", b, callFreqs, 1000)
	checkHears(t, "supervisor", s, callFreqs, 600, 1000)
}

func TestWhisper(t *testing.T) {
	m, a, b, s := supervised(Whisper)
	run(m, []*party{a, b, s}, 5)
	checkHears(t, "caller", a, callFreqs, 600)
	checkHears(t, "agent", b, callFreqs, 1000, 1400)
	checkHears(t, "supervisor", s, callFreqs, 600, 1000)

	// Not a trace of the whisper reaches the caller: what the caller
	// hears is the agent's voice to the sample, so the energy at 1400 Hz
	// is exactly that of the agent's 600 Hz tone alone, and with the agent
	// silent the caller hears exact silence.
	want := make([]int16, len(a.heard))
	for k := 0; k < len(want); k += FrameSamples {
		tone(want[k:k+FrameSamples], 600, amp, k)
	}
	if ga, gw := goertzel(a.heard, 1400), goertzel(want, 1400); ga != gw {
		t.Errorf("caller's energy at 1400 Hz = %g, want exactly %g (the agent's tone alone)", ga, gw)
	}
	b.freq = 0
	a.heard = nil
	run(m, []*party{a, b, s}, 5)
	if e := goertzel(a.heard, 1400); e != 0 {
		t.Errorf("with the agent silent, caller's energy at 1400 Hz = %g, want exactly 0", e)
	}
	for i, v := range a.heard {
		if v != 0 {
			t.Fatalf("with the agent silent, caller hears sample %d = %d, want 0", i, v)
		}
	}
}

func TestBarge(t *testing.T) {
	m, a, b, s := supervised(Listen)
	s.p.SetMode(Talk) // barge: between ticks
	run(m, []*party{a, b, s}, 5)
	checkHears(t, "caller", a, callFreqs, 600, 1400)
	checkHears(t, "agent", b, callFreqs, 1000, 1400)
	checkHears(t, "supervisor", s, callFreqs, 600, 1000)
}

func TestMute(t *testing.T) {
	m, a, b, s := supervised(Talk)
	b.p.SetMode(Mute)
	run(m, []*party{a, b, s}, 5)
	checkHears(t, "caller", a, callFreqs, 1400)
	checkHears(t, "muted agent", b, callFreqs, 1000, 1400)
	checkHears(t, "third party", s, callFreqs, 1000)
}

func TestModeChangesBetweenTicks(t *testing.T) {
	m, a, b, s := supervised(Listen)
	ps := []*party{a, b, s}
	steps := []struct {
		mode Mode
		// whether A and B hear S
		aHears, bHears bool
	}{
		{Listen, false, false},
		{Whisper, false, true},
		{Talk, true, true},
		{Mute, false, false},
		{Whisper, false, true},
		{Listen, false, false},
	}
	s.p.SetTarget(b.p)
	for _, st := range steps {
		s.p.SetMode(st.mode)
		for _, q := range ps {
			q.heard = nil
		}
		run(m, ps, 5)
		for _, c := range []struct {
			name  string
			q     *party
			hears bool
		}{{"caller", a, st.aHears}, {"agent", b, st.bHears}} {
			if got := goertzel(c.q.heard, 1400) > amp/2; got != c.hears {
				t.Errorf("supervisor in %v: %s hears supervisor = %v, want %v", st.mode, c.name, got, c.hears)
			}
		}
		checkHears(t, "supervisor in "+st.mode.String(), s, callFreqs, 600, 1000)
	}
}

func TestConference(t *testing.T) {
	freqs := []float64{500, 700, 900, 1100, 1300}
	m := New(nil)
	var ps []*party
	for i, f := range freqs {
		ps = append(ps, &party{p: m.Add(i, Talk), freq: f})
	}
	run(m, ps, 5)
	for i, q := range ps {
		var others []float64
		for j, f := range freqs {
			if j != i {
				others = append(others, f)
			}
		}
		checkHears(t, "member "+q.p.Mode().String(), q, freqs, others...)
	}
}

func TestMissingInputIsSilent(t *testing.T) {
	m, a, b, s := supervised(Talk)
	run(m, []*party{a, b, s}, 1)
	// Next tick only A's input arrives: B and S must not be heard again
	// from stale buffers.
	tone(a.p.In(), 1000, amp, FrameSamples)
	m.Mix()
	if g := goertzel(a.p.Out(), 600) + goertzel(a.p.Out(), 1400); g != 0 {
		t.Errorf("caller hears absent parties at amplitude %g, want 0", g)
	}
	if g := goertzel(b.p.Out(), 1000); math.Abs(g-amp) > amp/100 {
		t.Errorf("agent hears caller at %g, want %d", g, amp)
	}
}

func TestClipping(t *testing.T) {
	m := New(nil)
	ps := make([]*Party, 4)
	for i := range ps {
		ps[i] = m.Add(i, Talk)
	}
	// Three loud parties in phase: the sum of the others is up to 3×30000,
	// which must saturate, never wrap around.
	for k := range 3 {
		in := make([]int16, FrameSamples)
		for _, p := range ps[:3] {
			tone(in, 1000, 30000, k*FrameSamples)
			p.Put(in)
		}
		m.Mix()
		out := ps[3].Out()
		var hiSeen, loSeen bool
		for i, v := range out {
			want := max(-32768, min(32767, 3*int32(in[i])))
			if int32(v) != want {
				t.Fatalf("tick %d sample %d: %d, want %d (3×%d saturated)", k, i, v, want, in[i])
			}
			hiSeen = hiSeen || v == math.MaxInt16
			loSeen = loSeen || v == math.MinInt16
		}
		if !hiSeen || !loSeen {
			t.Errorf("tick %d: output never reaches ±full scale", k)
		}
		// Party 0 hears parties 1 and 2: 2×30000 also saturates, and the
		// subtraction of its own voice happens before clipping.
		for i, v := range ps[0].Out() {
			if want := max(-32768, min(32767, 2*int32(in[i]))); int32(v) != want {
				t.Fatalf("tick %d: party 0 sample %d = %d, want %d", k, i, v, want)
			}
		}
	}
}

func TestGain(t *testing.T) {
	m, a, b, s := supervised(Listen)
	a.p.SetGain(-6)
	b.p.SetGain(100) // clipped to +24 dB; 8000 × 15.8 saturates
	run(m, []*party{a, b, s}, 5)
	if g, want := goertzel(b.heard, 1000), amp*math.Pow(10, -6.0/20); math.Abs(g-want) > want/100 {
		t.Errorf("agent hears caller at -6 dB as %.1f, want %.1f", g, want)
	}
	for _, v := range a.heard {
		if v == math.MaxInt16 {
			return
		}
	}
	t.Errorf("agent at +24 dB never saturates the caller's output")
}

func TestMaxTalkers(t *testing.T) {
	m := New(&Options{MaxTalkers: 2})
	levels := []float64{8000, 4000, 50, 30}
	freqs := []float64{500, 700, 900, 1100}
	ps := make([]*party, len(levels))
	for i := range ps {
		ps[i] = &party{p: m.Add(i, Talk), freq: freqs[i]}
	}
	listener := &party{p: m.Add(9, Listen)}
	for k := range 5 {
		for i, q := range ps {
			tone(q.p.In(), q.freq, levels[i], k*FrameSamples)
		}
		m.Mix()
		listener.heard = append(listener.heard, listener.p.Out()...)
		for _, q := range ps {
			q.heard = append(q.heard, q.p.Out()...)
		}
	}
	for i, f := range freqs {
		g := goertzel(listener.heard, f)
		if loud := i < 2; loud != (g > levels[i]/2) {
			t.Errorf("with 2 talkers, listener hears %v Hz (level %v) at %.1f", f, levels[i], g)
		}
	}
	// A loud talker does not hear itself but hears the other loud one.
	if g := goertzel(ps[0].heard, 500); g > 1 {
		t.Errorf("loudest talker hears itself at %.1f", g)
	}
	if g := goertzel(ps[0].heard, 700); g < 2000 {
		t.Errorf("loudest talker hears the second at %.1f, want ~4000", g)
	}
}

func TestRemove(t *testing.T) {
	m, a, b, s := supervised(Whisper)
	m.Remove(b.p)
	m.Remove(b.p) // twice: no effect
	if m.Len() != 2 {
		t.Fatalf("Len = %d after removing one of 3, want 2", m.Len())
	}
	if s.p.Target() != nil {
		t.Errorf("whisper target still set to a removed party")
	}
	run(m, []*party{a, s}, 5)
	checkHears(t, "caller", a, callFreqs)
	checkHears(t, "supervisor", s, callFreqs, 1000)
	// Targets of another mixer and oneself are refused.
	other := New(nil).Add(1, Talk)
	s.p.SetTarget(other)
	if s.p.Target() != nil {
		t.Errorf("SetTarget accepted a party of another mixer")
	}
	s.p.SetTarget(s.p)
	if s.p.Target() != nil {
		t.Errorf("SetTarget accepted the party itself")
	}
}

func TestMixAllocs(t *testing.T) {
	for _, o := range []*Options{nil, {MaxTalkers: 3}} {
		m := New(o)
		ps := make([]*Party, 10)
		for i := range ps {
			ps[i] = m.Add(i, Talk)
			ps[i].SetGain(float64(i))
		}
		ps[9].SetMode(Whisper)
		ps[9].SetTarget(ps[0])
		frame := make([]int16, FrameSamples)
		tone(frame, 1000, amp, 0)
		if n := testing.AllocsPerRun(100, func() {
			for _, p := range ps {
				p.Put(frame)
			}
			m.Mix()
		}); n != 0 {
			t.Errorf("Mix (options %+v) allocates %v times per tick, want 0", o, n)
		}
	}
}
