package mix

import (
	"math"
	"strconv"
)

// FrameSamples is the default frame length: 20 ms at 8 kHz.
const FrameSamples = 160

// MaxGainDB is the largest gain SetGain accepts; larger values are clipped
// to it, and smaller than -MaxGainDB to -MaxGainDB.
const MaxGainDB = 24

// Mode says whom a Party hears and who hears it (see the package doc).
type Mode int

// The modes of a Party.
const (
	Talk Mode = iota
	Listen
	Whisper
	Mute
)

func (m Mode) String() string {
	switch m {
	case Talk:
		return "talk"
	case Listen:
		return "listen"
	case Whisper:
		return "whisper"
	case Mute:
		return "mute"
	}
	return "Mode(" + strconv.Itoa(int(m)) + ")"
}

// Options configures a Mixer. The zero value (or nil) is valid.
type Options struct {
	// Samples is the frame length in samples. Default FrameSamples (20 ms
	// at 8 kHz).
	Samples int
	// MaxTalkers, when > 0, mixes only the MaxTalkers loudest Talk
	// parties of each tick. Default 0: every Talk party is mixed.
	MaxTalkers int
}

// Mixer mixes the frames of its parties. Create it with New.
type Mixer struct {
	n       int
	maxTalk int
	parties []*Party
	total   []int32
	// cand is scratch space for the loudest-talker selection.
	cand []*Party
}

// New returns a Mixer with options o (nil for the defaults).
func New(o *Options) *Mixer {
	var opt Options
	if o != nil {
		opt = *o
	}
	if opt.Samples <= 0 {
		opt.Samples = FrameSamples
	}
	return &Mixer{
		n:       opt.Samples,
		maxTalk: max(0, opt.MaxTalkers),
		total:   make([]int32, opt.Samples),
	}
}

// Party is one participant of a Mixer. Create it with Mixer.Add.
type Party struct {
	m      *Mixer // nil once removed
	idx    int    // index in m.parties
	id     int
	mode   Mode
	target *Party
	gain   int32 // Q12 linear gain; unity is 1<<12
	unity  bool

	in      []int16
	out     []int16
	own     []int32 // this tick's contribution (input after gain)
	whisper []int32 // sum of the whispers aimed at this party this tick

	got        bool // input given this tick
	mixed      bool // own was added into the total this tick
	hasWhisper bool
	level      int64 // smoothed frame energy, for MaxTalkers
}

const gainOne = 1 << 12

// Add adds a party with the owner's identifier id in mode m and returns it.
// Its gain is 0 dB and it has no whisper target.
func (m *Mixer) Add(id int, mode Mode) *Party {
	p := &Party{
		m:       m,
		idx:     len(m.parties),
		id:      id,
		mode:    mode,
		gain:    gainOne,
		unity:   true,
		in:      make([]int16, m.n),
		out:     make([]int16, m.n),
		own:     make([]int32, m.n),
		whisper: make([]int32, m.n),
	}
	m.parties = append(m.parties, p)
	if cap(m.cand) < len(m.parties) {
		m.cand = make([]*Party, 0, cap(m.parties))
	}
	return p
}

// Remove takes p out of the mixer. Parties whispering to p are heard by
// nobody until they get a new target. Removing a party twice, or one of
// another Mixer, does nothing.
func (m *Mixer) Remove(p *Party) {
	if p == nil || p.m != m {
		return
	}
	last := len(m.parties) - 1
	m.parties[p.idx] = m.parties[last]
	m.parties[p.idx].idx = p.idx
	m.parties[last] = nil
	m.parties = m.parties[:last]
	p.m = nil
	for _, q := range m.parties {
		if q.target == p {
			q.target = nil
		}
	}
}

// Len returns the number of parties.
func (m *Mixer) Len() int { return len(m.parties) }

// ID returns the identifier given to Add.
func (p *Party) ID() int { return p.id }

// Mode returns p's mode.
func (p *Party) Mode() Mode { return p.mode }

// SetMode changes p's mode from the next Mix on.
func (p *Party) SetMode(m Mode) { p.mode = m }

// Target returns the party p whispers to, or nil.
func (p *Party) Target() *Party { return p.target }

// SetTarget sets the party that hears p when p is in Whisper mode (nil for
// none: a whisperer without a target is heard by nobody). A party cannot
// whisper to itself or to a party of another Mixer; such a target is
// treated as nil.
func (p *Party) SetTarget(t *Party) {
	if t == p || (t != nil && t.m != p.m) {
		t = nil
	}
	p.target = t
}

// SetGain sets the gain applied to p's input, in dB, clipped to
// ±MaxGainDB.
func (p *Party) SetGain(dB float64) {
	if math.IsNaN(dB) {
		dB = 0
	}
	dB = max(-MaxGainDB, min(MaxGainDB, dB))
	p.gain = int32(math.Round(gainOne * math.Pow(10, dB/20)))
	p.unity = p.gain == gainOne
}

// In returns p's input buffer for this tick and marks the input as given.
// The owner writes the decoded frame into it before Mix.
func (p *Party) In() []int16 {
	p.got = true
	return p.in
}

// Put copies frame into p's input for this tick. A shorter frame is padded
// with silence; a longer one is cut.
func (p *Party) Put(frame []int16) {
	n := copy(p.in, frame)
	clear(p.in[n:])
	p.got = true
}

// Out returns what p hears, as mixed by the last Mix. The slice is reused
// by the next Mix.
func (p *Party) Out() []int16 { return p.out }

// Mix mixes one tick: it computes every party's output from the inputs
// given since the previous Mix, then forgets those inputs.
func (m *Mixer) Mix() {
	total := m.total
	clear(total)
	// Contributions: each input after gain, once.
	for _, p := range m.parties {
		p.mixed = false
		if !p.got {
			p.level -= p.level >> 3
			continue
		}
		own := p.own
		if p.unity {
			for i, v := range p.in {
				own[i] = int32(v)
			}
		} else {
			g := p.gain
			for i, v := range p.in {
				own[i] = int32(v) * g >> 12
			}
		}
		if m.maxTalk > 0 && p.mode == Talk {
			p.track()
		}
	}
	// The total of the Talk parties (the loudest ones when limited).
	if m.maxTalk > 0 {
		m.loudest()
	} else {
		for _, p := range m.parties {
			p.mixed = p.got && p.mode == Talk
		}
	}
	for _, p := range m.parties {
		if p.mixed {
			for i, v := range p.own {
				total[i] += v
			}
		}
	}
	// Whispers, into their targets' sums.
	for _, p := range m.parties {
		t := p.target
		if p.mode != Whisper || !p.got || t == nil || t.m != m {
			continue
		}
		if !t.hasWhisper {
			t.hasWhisper = true
			copy(t.whisper, p.own)
			continue
		}
		for i, v := range p.own {
			t.whisper[i] += v
		}
	}
	// Outputs: the total without one's own voice, plus whispers.
	for _, p := range m.parties {
		out := p.out
		switch {
		case p.mixed && p.hasWhisper:
			for i, v := range total {
				out[i] = clip(v - p.own[i] + p.whisper[i])
			}
		case p.mixed:
			for i, v := range total {
				out[i] = clip(v - p.own[i])
			}
		case p.hasWhisper:
			for i, v := range total {
				out[i] = clip(v + p.whisper[i])
			}
		default:
			for i, v := range total {
				out[i] = clip(v)
			}
		}
		p.hasWhisper = false
		p.got = false
	}
}

// track updates p's smoothed level from this tick's contribution: fast
// attack, slow release (about 1/16 per tick).
func (p *Party) track() {
	var e int64
	for _, v := range p.own {
		e += int64(v) * int64(v)
	}
	e /= int64(len(p.own))
	if e > p.level {
		p.level = e
	} else {
		p.level -= (p.level - e) >> 4
	}
}

// loudest marks the m.maxTalk loudest Talk parties that gave input as
// mixed. It is O(parties · maxTalk), with maxTalk small.
func (m *Mixer) loudest() {
	c := m.cand[:0]
	for _, p := range m.parties {
		if !p.got || p.mode != Talk {
			continue
		}
		// Insert p into c, kept sorted by level, loudest first, and at
		// most maxTalk long.
		if len(c) == m.maxTalk && c[len(c)-1].level >= p.level {
			continue
		}
		if len(c) < m.maxTalk {
			c = append(c, p)
		} else {
			c[len(c)-1] = p
		}
		for i := len(c) - 1; i > 0 && c[i-1].level < c[i].level; i-- {
			c[i-1], c[i] = c[i], c[i-1]
		}
	}
	for _, p := range c {
		p.mixed = true
	}
	clear(c)
}

func clip(v int32) int16 {
	return int16(max(math.MinInt16, min(math.MaxInt16, v)))
}
