package jitter

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// pkt is a packet of a simulated trace.
type pkt struct {
	seq    uint16
	ts     uint32
	ssrc   uint32
	marker bool
	at     time.Duration // arrival, since epoch
	pcm    []int16
}

// source generates a sender's packets of samples gen(sampleIndex).
type source struct {
	seq  uint16
	ts   uint32
	ssrc uint32
	n    int // samples sent so far
	gen  func(i int) int16
}

func (s *source) next(samples int) pkt {
	p := pkt{seq: s.seq, ts: s.ts, ssrc: s.ssrc, pcm: make([]int16, samples)}
	for i := range p.pcm {
		p.pcm[i] = s.gen(s.n + i)
	}
	s.seq++
	s.ts += uint32(samples)
	s.n += samples
	return p
}

// sine returns a generator of a sine of frequency f and amplitude a.
func sine(f, a float64) func(int) int16 {
	return func(i int) int16 { return int16(math.Round(a * math.Sin(2*math.Pi*f*float64(i)/SampleRate))) }
}

// counter is a generator whose frame k (of 160 samples) holds k+1 in
// every sample: the output shows which frame was played.
func counter(i int) int16 { return int16(i/FrameSamples + 1) }

// trace is a simulated network: packets sent every 20 ms from sendAt,
// delayed by 30 ms plus uniform jitter in [-jit, +jit), lost with
// probability loss (never more than 3 in a row), all from seed.
type trace struct {
	pkts []pkt
	lost int
}

func makeTrace(src *source, frames int, sendAt, jit time.Duration, loss float64, seed uint64) *trace {
	rng := rand.New(rand.NewPCG(seed, 7))
	tr := &trace{}
	run := 0
	for k := range frames {
		p := src.next(FrameSamples)
		if loss > 0 && rng.Float64() < loss && run < 3 && k > 10 && k < frames-10 {
			tr.lost++
			run++
			continue
		}
		run = 0
		d := 30 * time.Millisecond
		if jit > 0 {
			d += time.Duration(rng.Int64N(int64(2*jit))) - jit
		}
		p.at = sendAt + time.Duration(k)*20*time.Millisecond + d
		tr.pkts = append(tr.pkts, p)
	}
	return tr
}

// sortByArrival orders the packets as the network delivers them.
func (tr *trace) sortByArrival() {
	slices.SortStableFunc(tr.pkts, func(a, b pkt) int { return int(a.at - b.at) })
}

// playout records what a Buffer played: the audio and each frame's status.
type playout struct {
	audio  []int16
	status []Status
	next   int // index in pkts of the next packet to Put
}

// run drives b for ticks ticks of 20 ms from start: at each tick every
// packet that has arrived is Put, then one frame is got. Successive runs
// continue in pkts where the last one stopped.
func (pl *playout) run(b *Buffer, pkts []pkt, start time.Duration, ticks int) {
	frame := make([]int16, FrameSamples)
	i := pl.next
	defer func() { pl.next = i }()
	for k := range ticks {
		now := start + time.Duration(k)*20*time.Millisecond
		for ; i < len(pkts) && pkts[i].at <= now; i++ {
			p := pkts[i]
			b.Put(p.seq, p.ts, p.ssrc, p.marker, epoch.Add(p.at), p.pcm)
		}
		pl.status = append(pl.status, b.Get(frame))
		pl.audio = append(pl.audio, frame...)
	}
}

// frames returns, per 160 output samples, the counter() frame number
// played, or 0 where they are not exactly one received frame (the first
// 5 ms may be a cross-fade from concealment).
func (pl *playout) frames() []int {
	var ks []int
	for i := 0; i+FrameSamples <= len(pl.audio); i += FrameSamples {
		f := pl.audio[i+overlap : i+FrameSamples]
		k := int(f[0])
		for _, v := range f {
			if v != f[0] {
				k = 0
			}
		}
		ks = append(ks, k)
	}
	return ks
}

// inOrder checks that the whole frames in ks are numbered upwards from
// after prev (each exactly one more when consecutive is set), and returns
// the last.
func inOrder(t *testing.T, ks []int, prev int, consecutive bool) int {
	t.Helper()
	for i, k := range ks {
		if k == 0 {
			continue
		}
		if k <= prev || consecutive && k != prev+1 {
			t.Fatalf("output frame %d plays frame %d after %d", i, k, prev)
		}
		prev = k
	}
	return prev
}

// driver feeds a sorted trace to a Buffer one 20 ms tick at a time.
type driver struct {
	tr    *trace
	b     *Buffer
	i, k  int
	frame []int16
}

// tick puts the packets arrived by the next tick and gets a frame; it
// reports false when the trace is used up.
func (d *driver) tick() bool {
	now := time.Duration(d.k) * 20 * time.Millisecond
	for ; d.i < len(d.tr.pkts) && d.tr.pkts[d.i].at <= now; d.i++ {
		p := &d.tr.pkts[d.i]
		d.b.Put(p.seq, p.ts, p.ssrc, p.marker, epoch.Add(p.at), p.pcm)
	}
	d.b.Get(d.frame)
	d.k++
	return d.i < len(d.tr.pkts)
}

// goertzel returns the amplitude of frequency f (Hz) in x.
func goertzel(x []int16, f float64) float64 {
	w := 2 * math.Pi * f / SampleRate
	c := 2 * math.Cos(w)
	var s1, s2 float64
	for _, v := range x {
		s1, s2 = float64(v)+c*s1-s2, s1
	}
	return 2 * math.Hypot(s1-s2*math.Cos(w), s2*math.Sin(w)) / float64(len(x))
}
