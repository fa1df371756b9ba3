package dtmf

import (
	"math"
	"time"
)

// SampleRate is the rate, in Hz, of the audio this package handles.
const SampleRate = 8000

// ZeroDBm0 is the peak amplitude in 16-bit linear units of a sine at
// 0 dBm0 (3.17 dB below a full-scale sine, the G.711 convention).
const ZeroDBm0 = 22752.0

// The DTMF frequencies (Q.23), low (row) group then high (column) group.
var (
	rowFreqs = [4]float64{697, 770, 852, 941}
	colFreqs = [4]float64{1209, 1336, 1477, 1633}
)

const keypad = "123A456B789C*0#D"

// Freqs returns the low- and high-group frequencies of digit (one of
// 0-9, *, #, A-D; lower-case a-d accepted), and false for any other byte.
func Freqs(digit byte) (low, high float64, ok bool) {
	if digit >= 'a' && digit <= 'd' {
		digit -= 'a' - 'A'
	}
	for i := range len(keypad) {
		if keypad[i] == digit {
			return rowFreqs[i/4], colFreqs[i%4], true
		}
	}
	return 0, 0, false
}

// Opts tunes a Detector. The zero value (or a nil *Opts) is the default for
// every field; a zero field means its default.
type Opts struct {
	// MinLevel is the weakest level, in dBm0, each of the two tones may
	// have. Default -30 dBm0.
	MinLevel float64
	// NormalTwist is how many dB the low-group tone may be louder than the
	// high-group tone (line loss usually weakens the high group). Default 8.
	NormalTwist float64
	// ReverseTwist is how many dB the high-group tone may be louder than
	// the low-group tone. Default 4.
	ReverseTwist float64
	// FreqTolerance is the accepted relative deviation of each tone from
	// its nominal frequency. Default 0.025: Q.24 requires accepting 1.5 %
	// and rejecting 3.5 %.
	FreqTolerance float64
	// MinPurity is the share (0..1) of the signal's energy the two tones
	// must carry; the rest is noise, speech or other tones. Default 0.8,
	// which tolerates a signal-to-noise ratio down to about 6 dB.
	MinPurity float64
	// HarmonicRatio is how many dB each tone's second harmonic must be
	// below the tone. Default 15.
	HarmonicRatio float64
	// MinDuration is the shortest digit accepted, measured to about 2 ms
	// (tones of MinDuration+5 ms are accepted, MinDuration-5 ms rejected).
	// Default 40 ms.
	MinDuration time.Duration
	// MinPause is the shortest silence that separates two digits. Gaps of
	// at least MinPause always do; interruptions of up to MinPause-12 ms
	// are bridged (the digit continues). Default 40 ms.
	MinPause time.Duration
}

func (o *Opts) withDefaults() Opts {
	var r Opts
	if o != nil {
		r = *o
	}
	def := func(v *float64, d float64) {
		if *v == 0 || math.IsNaN(*v) {
			*v = d
		}
	}
	def(&r.MinLevel, -30)
	def(&r.NormalTwist, 8)
	def(&r.ReverseTwist, 4)
	def(&r.FreqTolerance, 0.025)
	def(&r.MinPurity, 0.8)
	def(&r.HarmonicRatio, 15)
	if r.MinDuration <= 0 {
		r.MinDuration = 40 * time.Millisecond
	}
	if r.MinPause <= 0 {
		r.MinPause = 40 * time.Millisecond
	}
	return r
}

// Event reports a digit. A Detector emits one event when a digit has
// lasted MinDuration (Ended false) and one when it has ended (Ended true).
type Event struct {
	Digit byte // one of 0-9 * # A-D
	Ended bool
	// Start and End are sample positions (8 kHz, counting from the first
	// sample fed since NewDetector or Reset), measured to about 2 ms.
	// End is the position just after the tone, set only when Ended.
	Start, End int64
}

// Duration returns how long the digit sounded, for an Ended event.
func (e Event) Duration() time.Duration {
	return time.Duration(e.End-e.Start) * time.Second / SampleRate
}

// Analysis runs on sub-blocks of sub samples (5 ms); every sub-block a
// window of the last win sub-blocks (20 ms) is judged.
const (
	sub = 40
	win = 4
	nf  = 8 // the DTMF frequencies, rows then columns
)

// Detector finds DTMF digits in a stream of 8 kHz 16-bit linear samples.
// It is not safe for concurrent use; Feed allocates nothing.
type Detector struct {
	o          Opts
	minAmp     float64 // linear amplitude of MinLevel
	minSamples int64   // MinDuration in samples
	missesEnd  int     // consecutive failing windows that end a digit

	// Per-sample tables of the sub-block DFT and the rotation of each
	// frequency's absolute phase reference per sub-block.
	cos, sin [nf][sub]float64
	step     [nf]complex128

	// Current sub-block.
	ref [nf]complex128 // e^{-jω·n0}, n0 the sub-block's first sample
	acc [nf]complex128
	en  float64
	n   int   // samples in the current sub-block
	pos int64 // samples fed

	// The last win*sub samples, as a ring, and the Hann window for them.
	last     [win * sub]int16
	lastHead int
	hann     [win * sub]float64

	// The last win sub-blocks, as a ring.
	ringX  [win][nf]complex128
	ringE  [win]float64
	filled int
	head   int

	// Digit state machine.
	cand     byte  // digit of the current run of hits, 0 for none
	run      int   // consecutive hits of cand
	misses   int   // consecutive windows without cand since its last hit
	active   bool  // cand has been reported
	runStart int64 // estimated first sample of cand's tone
	lastEnd  int64 // end of the last window that held cand
	toneEnd  int64 // estimated end of cand's tone, after a miss
}

// NewDetector returns a Detector with options o (nil for the defaults).
func NewDetector(o *Opts) *Detector {
	d := &Detector{o: o.withDefaults()}
	d.minAmp = ZeroDBm0 * math.Pow(10, d.o.MinLevel/20)
	const hop = sub * time.Second / SampleRate // 5 ms
	d.minSamples = int64(d.o.MinDuration * SampleRate / time.Second)
	d.missesEnd = max(1, int(d.o.MinPause/hop)+2)
	for k := range nf {
		f := rowFreqs[k%4]
		if k >= 4 {
			f = colFreqs[k-4]
		}
		w := 2 * math.Pi * f / SampleRate
		for n := range sub {
			d.cos[k][n] = math.Cos(w * float64(n))
			d.sin[k][n] = -math.Sin(w * float64(n))
		}
		d.step[k] = complex(math.Cos(w*sub), -math.Sin(w*sub))
	}
	for i := range d.hann {
		d.hann[i] = 0.5 - 0.5*math.Cos(2*math.Pi*(float64(i)+0.5)/(win*sub))
	}
	d.Reset()
	return d
}

// Reset forgets all audio fed so far; positions count from zero again.
func (d *Detector) Reset() {
	for k := range d.ref {
		d.ref[k] = 1
	}
	d.acc = [nf]complex128{}
	d.en, d.n, d.pos = 0, 0, 0
	d.last, d.lastHead = [win * sub]int16{}, 0
	d.filled, d.head = 0, 0
	d.cand, d.run, d.misses, d.active = 0, 0, 0, false
}

// Feed analyses samples, which continue the stream where the last call
// stopped (any length, including zero), and returns dst with the events
// they completed appended. The caller owns dst; with enough capacity Feed
// allocates nothing.
func (d *Detector) Feed(samples []int16, dst []Event) []Event {
	for _, s := range samples {
		x := float64(s)
		i := d.n
		for k := range nf {
			d.acc[k] += complex(x*d.cos[k][i], x*d.sin[k][i])
		}
		d.en += x * x
		d.last[d.lastHead] = s
		d.lastHead = (d.lastHead + 1) % (win * sub)
		d.n++
		d.pos++
		if d.n == sub {
			dst = d.endSub(dst)
		}
	}
	return dst
}

// endSub stores the finished sub-block in the ring and judges the window.
func (d *Detector) endSub(dst []Event) []Event {
	slot := &d.ringX[d.head]
	for k := range nf {
		slot[k] = d.acc[k] * d.ref[k]
		r := d.ref[k] * d.step[k]
		d.ref[k] = r / complex(math.Hypot(real(r), imag(r)), 0)
	}
	d.ringE[d.head] = d.en
	d.head = (d.head + 1) % win
	d.acc = [nf]complex128{}
	d.en, d.n = 0, 0
	if d.filled < win {
		d.filled++
		if d.filled < win {
			return dst
		}
	}
	return d.track(d.judge(), dst)
}

// tone is the estimate of one DTMF tone in the current window.
type tone struct {
	dev   float64 // Hz from nominal
	power float64 // mean square over the window
}

// estimate measures frequency k in the current window: the deviation from
// the phase advance between sub-blocks, then the power by demodulating at
// the estimated frequency.
func (d *Detector) estimate(k int) tone {
	var c complex128
	for h := 1; h < win; h++ {
		a, b := d.ringX[(d.head+h)%win][k], d.ringX[(d.head+h-1)%win][k]
		c += a * complex(real(b), -imag(b))
	}
	dw := math.Atan2(imag(c), real(c)) / sub // rad/sample off nominal
	var sum complex128
	for h := range win {
		ph := -dw * float64(h*sub)
		sum += d.ringX[(d.head+h)%win][k] * complex(math.Cos(ph), math.Sin(ph))
	}
	// Gain of a sub-block's DFT for a tone dw off its bin.
	g := 1.0
	if x := dw / 2; x != 0 {
		g = math.Abs(math.Sin(x*sub) / (sub * math.Sin(x)))
	}
	amp := 2 * (math.Hypot(real(sum), imag(sum)) / (win * sub)) / math.Max(g, 0.5)
	return tone{dev: dw * SampleRate / (2 * math.Pi), power: amp * amp / 2}
}

// harmonic returns the mean-square power at f Hz in the current window,
// through a Hann window (sidelobes at least 31 dB down, so a DTMF tone more
// than 100 Hz away does not leak into it). It runs only on windows that
// passed every other test.
func (d *Detector) harmonic(f float64) float64 {
	w := 2 * math.Pi * f / SampleRate
	c := 2 * math.Cos(w)
	var s1, s2 float64
	for i := range win * sub {
		x := float64(d.last[(d.lastHead+i)%(win*sub)]) * d.hann[i]
		s1, s2 = x+c*s1-s2, s1
	}
	re, im := s1-s2*math.Cos(w), s2*math.Sin(w)
	// The Hann window's coherent gain is 1/2.
	amp := 2 * math.Hypot(re, im) / (win * sub / 2)
	return amp * amp / 2
}

// judge returns the digit the current window holds, or 0.
func (d *Detector) judge() byte {
	var total, emax, emin float64
	emin = math.Inf(1)
	for _, e := range d.ringE {
		total += e
		emax = max(emax, e)
		emin = min(emin, e)
	}
	meanSq := total / (win * sub)
	// Quick exits: too quiet for two tones at MinLevel, or not steady.
	if meanSq < d.minAmp*d.minAmp || emin < 0.5*emax {
		return 0
	}
	// Strongest row and column by incoherent power: robust to deviation.
	best := func(lo int) int {
		bk, bp := lo, -1.0
		for k := lo; k < lo+4; k++ {
			var p float64
			for h := range win {
				x := d.ringX[h][k]
				p += real(x)*real(x) + imag(x)*imag(x)
			}
			if p > bp {
				bk, bp = k, p
			}
		}
		return bk
	}
	r, c := best(0), best(4)
	rt, ct := d.estimate(r), d.estimate(c)
	o := &d.o
	if math.Abs(rt.dev) > o.FreqTolerance*rowFreqs[r] || math.Abs(ct.dev) > o.FreqTolerance*colFreqs[c-4] {
		return 0
	}
	minP := d.minAmp * d.minAmp / 2
	if rt.power < minP || ct.power < minP {
		return 0
	}
	if rt.power > ct.power*math.Pow(10, o.NormalTwist/10) || ct.power > rt.power*math.Pow(10, o.ReverseTwist/10) {
		return 0
	}
	if rt.power+ct.power < o.MinPurity*meanSq {
		return 0
	}
	hr := math.Pow(10, -o.HarmonicRatio/10)
	lo, hi := rowFreqs[r]+rt.dev, colFreqs[c-4]+ct.dev
	// Some rows' second harmonics lie within 100 Hz of a column frequency
	// (697→1394 near 1336 and 1477, 770→1540 near 1477 and 1633, 852→1704
	// near 1633): with that column present the check would measure the
	// column, so it is skipped for those pairs (digits 2, 3, 6, B, C).
	if math.Abs(2*lo-hi) > 100 && d.harmonic(2*lo) > hr*rt.power {
		return 0
	}
	if d.harmonic(2*hi) > hr*ct.power {
		return 0
	}
	return keypad[r*4+c-4]
}

// coverage estimates which share (0..1) of sub-block i of the ring the
// tone covers, from its energy relative to the other sub-blocks of the
// window, all of which the tone covers.
func (d *Detector) coverage(i int) float64 {
	var ref float64
	for j, e := range d.ringE {
		if j != i {
			ref += e
		}
	}
	ref /= win - 1
	if ref <= 0 {
		return 0
	}
	return min(1, d.ringE[i]/ref)
}

// track runs the digit state machine on one window's verdict. Tone edges
// are placed within a sub-block by the energy of the partly covered
// sub-block, so durations are measured to about a millisecond.
func (d *Detector) track(hit byte, dst []Event) []Event {
	winEnd := d.pos
	oldest, newest := d.head, (d.head+win-1)%win
	switch {
	case hit != 0 && hit == d.cand:
		d.run++
		d.misses = 0
		d.lastEnd = winEnd
	case hit != 0:
		// A different digit: the current one (if any) is over.
		if d.active {
			dst = append(dst, Event{Digit: d.cand, Ended: true, Start: d.runStart, End: d.lastEnd})
		}
		d.cand, d.run, d.misses, d.active = hit, 1, 0, false
		d.runStart = winEnd - win*sub + int64((1-d.coverage(oldest))*sub)
		d.lastEnd = winEnd
	case d.cand != 0:
		d.misses++
		if d.misses == 1 {
			// The tone ended (or dropped out) in the newest sub-block.
			d.toneEnd = d.lastEnd + int64(d.coverage(newest)*sub)
			if !d.active && d.toneEnd-d.runStart >= d.minSamples {
				d.active = true
				dst = append(dst, Event{Digit: d.cand, Start: d.runStart})
			}
		}
		if !d.active || d.misses >= d.missesEnd {
			if d.active {
				dst = append(dst, Event{Digit: d.cand, Ended: true, Start: d.runStart, End: d.toneEnd})
			}
			d.cand, d.run, d.misses, d.active = 0, 0, 0, false
		}
	}
	if d.cand != 0 && !d.active && d.misses == 0 && d.lastEnd-d.runStart >= d.minSamples {
		d.active = true
		dst = append(dst, Event{Digit: d.cand, Start: d.runStart})
	}
	return dst
}
