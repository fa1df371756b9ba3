package jitter

import (
	"strconv"
	"time"
)

// Audio format.
const (
	SampleRate       = 8000
	FrameSamples     = 160 // samples returned by Get: 20 ms
	MaxPacketSamples = 480 // longest packet Put accepts: 60 ms
)

const (
	ringSize = 4096 // samples buffered at most (512 ms); a power of two
	ringMask = ringSize - 1
	window   = 64 // packets in the delay estimator's window
	histLen  = 2 * FrameSamples

	minLag     = 20 // 2.5 ms: shortest pitch period / compression step
	maxLag     = 160
	maxSkip    = 80 // longest time-compression step (10 ms)
	overlap    = 40 // cross-fade length (5 ms)
	fadeLen    = 480
	deadBand   = 80 // 10 ms around the target
	decay      = 2  // samples per Get the target falls back by
	lateResync = 25 // late packets in a row, with nothing to play, that resync
	quiet      = 100 * 100 * FrameSamples
)

// Status says what Get returned.
type Status int

const (
	// Empty: silence, because there is nothing to play: no stream yet,
	// the start of a stream before its playout delay has passed, or the
	// sender is silent (DTX) or gone and concealment has faded out.
	Empty Status = iota
	// Normal: received audio.
	Normal
	// Concealed: all or part of the frame was missing and was concealed.
	Concealed
)

func (s Status) String() string {
	switch s {
	case Empty:
		return "empty"
	case Normal:
		return "normal"
	case Concealed:
		return "concealed"
	}
	return "Status(" + strconv.Itoa(int(s)) + ")"
}

// Options configures a Buffer. The zero value (or nil) is valid.
type Options struct {
	// Target is the initial playout delay. Default 40 ms.
	Target time.Duration
	// Min and Max bound the playout delay. Defaults 20 ms and 200 ms;
	// Max is at most 400 ms.
	Min, Max time.Duration
}

// Stats counts what a Buffer did. Counts are of packets for Received,
// Lost, Late and Duplicates, and of 20 ms frames for the others.
type Stats struct {
	Received   uint64 // packets accepted (late ones included, duplicates not)
	Played     uint64 // frames returned with status Normal
	Concealed  uint64 // frames returned with status Concealed
	Lost       uint64 // packets expected from the sequence numbers but never received
	Late       uint64 // packets dropped because their time to play had passed
	Duplicates uint64 // packets dropped because their sequence number was seen
	Overflow   uint64 // frames dropped because more was buffered than Max or the capacity allow
	Adjusted   uint64 // frames dropped in silence or time-compressed to lower the delay
	Resyncs    uint64 // new SSRCs, sequence restarts and timestamp jumps
	Invalid    uint64 // packets ignored: empty or longer than MaxPacketSamples

	Delay  time.Duration // current playout delay
	Target time.Duration // current target delay
	Jitter time.Duration // RFC 3550 interarrival jitter
}

// Buffer is an adaptive jitter buffer for one stream. Create it with New.
type Buffer struct {
	minD, maxD int64 // delay bounds, samples
	target     int64 // current target delay
	need       int64 // delay the last window asked for

	synced  bool // a packet was received
	started bool // a segment was started
	ssrc    uint32
	off     uint32 // internal position = RTP timestamp + off (mod 2^32)
	last    int64  // highest packet start on the internal timeline
	end     int64  // end of the latest audio received
	first   int64  // where the current segment's audio begins
	play    int64  // next sample to play
	gets    int64  // 160 × number of Gets: the Get clock

	ref    time.Time // arrival time origin
	refSet bool

	// Sequence numbers, extended to 64 bits.
	maxSeq, baseSeq int64
	expected        int64 // from previous sources
	seen            [256]int64

	// Delay estimator window.
	wt, wg     [window]int64 // transit; arrival on the Get clock
	wn, wi     int
	minT, maxG int64
	j16        int64 // RFC 3550 jitter × 16, samples
	prevT      int64
	havePrev   bool
	ring       [ringSize]int16
	have       [ringSize]bool
	hist       [histLen]int16 // the last samples returned by Get
	pitch      [maxLag]int16  // the period concealment repeats
	lag, phase int
	concealed  int // samples concealed since received audio last played
	lateRun    int // consecutive late packets
	xf         int // position in the cross-fade out of concealment
	tmp        [histLen]int16
	scratch    [FrameSamples + maxSkip]int16
	out        [FrameSamples]int16
	stats      Stats
}

// New returns an empty Buffer with options o (nil for the defaults).
func New(o *Options) *Buffer {
	var opt Options
	if o != nil {
		opt = *o
	}
	ms := func(d, def time.Duration) int64 {
		if d <= 0 {
			d = def
		}
		return int64(min(d, 400*time.Millisecond) / (time.Second / SampleRate))
	}
	b := &Buffer{
		minD:   ms(opt.Min, 20*time.Millisecond),
		maxD:   ms(opt.Max, 200*time.Millisecond),
		target: ms(opt.Target, 40*time.Millisecond),
	}
	b.maxD = max(b.maxD, b.minD)
	b.target = max(b.minD, min(b.maxD, b.target))
	b.need = b.target
	b.lag = maxLag
	return b
}

// Put adds a decoded packet: its RTP sequence number, timestamp, SSRC and
// marker bit, when it arrived, and its samples (copied; 1 to
// MaxPacketSamples, normally a multiple of 80). It never blocks and
// allocates nothing.
func (b *Buffer) Put(seq uint16, ts uint32, ssrc uint32, marker bool, arrival time.Time, pcm []int16) {
	n := int64(len(pcm))
	if n == 0 || n > MaxPacketSamples {
		b.stats.Invalid++
		return
	}
	if !b.refSet {
		b.ref, b.refSet = arrival, true
	}
	arr := int64(arrival.Sub(b.ref)) / int64(time.Second/SampleRate)

	if !b.synced || ssrc != b.ssrc {
		b.newSource(seq, ssrc)
		b.resync(ts)
	}
	d := int64(int16(seq - uint16(b.maxSeq)))
	if d > 3000 || d < -3000 {
		b.newSource(seq, ssrc)
		b.resync(ts)
		d = 0
	}
	e := b.maxSeq + d
	if b.seen[e&255] == e {
		b.stats.Duplicates++
		return
	}
	b.seen[e&255] = e
	b.maxSeq = max(b.maxSeq, e)
	b.stats.Received++

	pos := b.last + int64(int32(ts+b.off-uint32(b.last)))
	t := arr - pos
	switch {
	case marker && b.wn > 0 && (t-b.minT > b.maxD || t-b.minT < -2*FrameSamples),
		pos-b.play >= 2*ringSize,
		pos+n <= b.play-SampleRate:
		// A timestamp jump: start a new segment.
		b.resync(ts)
		pos = b.last
		t = arr - pos
	}
	b.last = max(b.last, pos)
	b.estimate(t, arr)

	if pos+n <= b.play {
		// Late. Many late in a row with nothing left to play means the
		// cursor has run ahead of the sender (after an overflow): resync.
		if b.lateRun++; b.lateRun < lateResync || b.end > b.play {
			b.stats.Late++
			return
		}
		b.resync(ts)
		pos = b.last
	}
	b.lateRun = 0
	if over := pos + n - b.play - ringSize; over > 0 {
		b.advance(over)
		b.stats.Overflow += uint64(over+FrameSamples-1) / FrameSamples
	}
	for i := max(0, b.play-pos); i < n; i++ {
		k := (pos + i) & ringMask
		b.ring[k] = pcm[i]
		b.have[k] = true
	}
	b.end = max(b.end, pos+n)
}

// newSource starts counting sequence numbers afresh.
func (b *Buffer) newSource(seq uint16, ssrc uint32) {
	if b.synced {
		b.expected += b.maxSeq - b.baseSeq + 1
	}
	b.synced, b.ssrc = true, ssrc
	// Keep extended numbers of different sources apart.
	b.maxSeq = (b.maxSeq>>16+2)<<16 + int64(seq)
	b.baseSeq = b.maxSeq
	for i := range b.seen {
		b.seen[i] = -1
	}
}

// resync maps timestamp ts to where a new segment should begin: after
// the audio still buffered, or one target delay ahead of the cursor.
func (b *Buffer) resync(ts uint32) {
	p := max(b.end, b.play+b.target)
	if b.started {
		b.stats.Resyncs++
	}
	b.started = true
	b.off = uint32(p) - ts
	b.last, b.first = p, p
	b.wn, b.wi, b.havePrev = 0, 0, false
}

// estimate adds a packet's transit t and arrival arr (samples) to the
// delay estimator and raises the target if needed.
func (b *Buffer) estimate(t, arr int64) {
	if b.havePrev {
		d := t - b.prevT
		if d < 0 {
			d = -d
		}
		b.j16 += min(d, SampleRate) - (b.j16+8)>>4
	}
	b.prevT, b.havePrev = t, true

	b.wt[b.wi], b.wg[b.wi] = t, arr-b.gets
	b.wi = (b.wi + 1) % window
	b.wn = min(b.wn+1, window)
	minT, maxG := b.wt[0], b.wg[0]
	top1, top2 := b.wt[0], b.wt[0]
	for i := 1; i < b.wn; i++ {
		v := b.wt[i]
		minT = min(minT, v)
		maxG = max(maxG, b.wg[i])
		switch {
		case v > top1:
			top1, top2 = v, top1
		case v > top2 || i == 1:
			top2 = v
		}
	}
	b.minT, b.maxG = minT, maxG
	if b.wn < 2 {
		return
	}
	b.need = max(b.minD, min(b.maxD, top2-minT+FrameSamples))
	b.target = max(b.target, b.need)
}

// delay returns the current playout delay in samples.
func (b *Buffer) delay() (int64, bool) {
	if b.wn == 0 {
		return 0, false
	}
	// How long the fastest packet waits to be played. A packet at pos is
	// played when the Get clock reads pos − (play − gets), where play −
	// gets sums the cursor's own moves (start, resyncs, waits and drops).
	// Arrival time and the Get clock differ by an unknown offset; the
	// latest arrival seen on the Get clock (a packet Put just before a
	// Get), maxG, estimates it. So the fastest packet, arriving at
	// pos + minT, waits maxG − minT − (play − gets).
	return b.maxG - b.minT - (b.play - b.gets), true
}

// Get writes the next 20 ms to play into dst (FrameSamples samples; a
// shorter dst gets the first len(dst)) and says what they are. The owner
// calls it once per 20 ms tick, whether or not packets came; the number of
// calls is the Buffer's clock. It allocates nothing.
func (b *Buffer) Get(dst []int16) Status {
	out := b.out[:]
	st := b.next(out)
	copy(dst, out)
	b.gets += FrameSamples
	copy(b.hist[:], b.hist[FrameSamples:])
	copy(b.hist[histLen-FrameSamples:], out)
	switch st {
	case Normal:
		b.stats.Played++
	case Concealed:
		b.stats.Concealed++
	}
	return st
}

// next produces the frame at the cursor into out and moves the cursor.
func (b *Buffer) next(out []int16) Status {
	if !b.synced {
		clear(out)
		b.advance(FrameSamples)
		return Empty
	}
	if b.target > b.need {
		b.target = max(b.need, b.target-decay)
	}
	d, ok := b.delay()
	if ok && d > b.target+deadBand {
		switch {
		case d > b.maxD+FrameSamples:
			b.advance(FrameSamples)
			b.stats.Overflow++
		case b.quiet(0) && b.full(FrameSamples, 2*FrameSamples):
			b.advance(FrameSamples)
			b.stats.Adjusted++
		case b.concealed == 0 && b.full(0, FrameSamples+maxSkip):
			b.compress(out)
			b.stats.Adjusted++
			return Normal
		}
	}
	// Count the samples missing at or after the segment's start; those
	// before it are silence, not loss.
	missing, present := 0, 0
	for i := range int64(FrameSamples) {
		switch {
		case b.have[(b.play+i)&ringMask]:
			present++
		case b.play+i >= b.first:
			missing++
		}
	}
	if missing == 0 && present == 0 {
		// Before the segment's audio: silence, and the audio fades in.
		clear(out)
		b.concealed, b.xf = fadeLen, 0
		b.advance(FrameSamples)
		return Empty
	}
	if missing == 0 {
		b.fill(out, true)
		b.advance(FrameSamples)
		return Normal
	}
	later := b.end > b.play+FrameSamples
	if present == 0 && !later && b.concealed >= fadeLen {
		// Nothing to play: DTX, or the sender or network is gone.
		clear(out)
		b.advance(FrameSamples)
		return Empty
	}
	if ok && d < b.target-deadBand {
		// Grow the delay by a frame: conceal it all and let the cursor
		// wait for the missing samples.
		b.fill(out, false)
		return Concealed
	}
	b.fill(out, true)
	b.advance(FrameSamples)
	return Concealed
}

// advance discards n samples at the cursor and moves it past them.
func (b *Buffer) advance(n int64) {
	for i := range n {
		b.have[(b.play+i)&ringMask] = false
	}
	b.play += n
}

// full reports whether the samples from cursor+from to cursor+to are all
// buffered.
func (b *Buffer) full(from, to int64) bool {
	for i := from; i < to; i++ {
		if !b.have[(b.play+i)&ringMask] {
			return false
		}
	}
	return true
}

// quiet reports whether the frame at cursor+from is buffered and near
// silence.
func (b *Buffer) quiet(from int64) bool {
	if !b.full(from, from+FrameSamples) {
		return false
	}
	var e int64
	for i := from; i < from+FrameSamples; i++ {
		v := int64(b.ring[(b.play+i)&ringMask])
		e += v * v
	}
	return e < quiet
}

// compress plays the 160 + r samples at the cursor as 160, r chosen where
// the signal best repeats itself, and moves the cursor past them. The
// caller has checked that FrameSamples+maxSkip samples are buffered.
func (b *Buffer) compress(out []int16) {
	x := b.scratch[:]
	for i := range x {
		x[i] = b.ring[(b.play+int64(i))&ringMask]
	}
	const at = overlap // where the cross-fade starts
	r := bestLag(x[at:at+overlap], x[at:], minLag, maxSkip)
	copy(out[:at], x[:at])
	for i := range overlap {
		out[at+i] = int16((int32(x[at+i])*int32(overlap-i) + int32(x[at+r+i])*int32(i)) / overlap)
	}
	copy(out[at+overlap:], x[at+overlap+r:FrameSamples+r])
	b.advance(int64(FrameSamples + r))
}

// bestLag returns the lag in [lo, hi] at which y[lag:] best matches ref
// (normalised cross-correlation; a longer lag must score 2% better to be
// chosen over a shorter one).
func bestLag(ref, y []int16, lo, hi int) int {
	best, bestScore := hi, -1.0
	for lag := lo; lag <= hi; lag++ {
		var c, e int64
		for i, v := range ref {
			w := int64(y[lag+i])
			c += int64(v) * w
			e += w * w
		}
		score := 0.0
		if e > 0 && c > 0 {
			score = float64(c) * float64(c) / float64(e)
		}
		if score > bestScore*1.02 {
			best, bestScore = lag, score
		}
	}
	return best
}

// fill writes the frame at the cursor into out: the samples received
// (when partial is set; else none) as they are, the others concealed by
// repeating the last pitch period played, fading out over fadeLen
// samples. Where received audio follows concealment it is cross-faded in
// over overlap samples.
func (b *Buffer) fill(out []int16, partial bool) {
	for i := range out {
		p := b.play + int64(i)
		k := p & ringMask
		switch {
		case partial && b.have[k]:
			v := b.ring[k]
			if b.concealed > 0 {
				j := int32(b.xf)
				v = int16((int32(b.peek(b.xf))*(overlap-j) + int32(v)*j) / overlap)
				if b.xf++; b.xf == overlap {
					b.concealed, b.xf = 0, 0
				}
			}
			out[i] = v
		case partial && p < b.first:
			out[i] = 0
			b.concealed, b.xf = fadeLen, 0
		default:
			if b.concealed == 0 || b.xf > 0 {
				b.startConceal(out[:i])
			}
			out[i] = b.peek(0)
			b.phase = (b.phase + 1) % b.lag
			b.concealed = min(fadeLen, b.concealed+1)
		}
	}
}

// startConceal takes the pitch period to repeat from the audio played
// last, which ends with recent.
func (b *Buffer) startConceal(recent []int16) {
	h := b.tmp[:]
	n := copy(h, b.hist[len(recent):])
	copy(h[n:], recent)
	// The period: the lag at which the last 10 ms best match the audio
	// before them.
	const m = 80
	ref := h[histLen-m:]
	b.lag = histLen - m - bestLag(ref, h, histLen-m-maxLag, histLen-m-minLag)
	copy(b.pitch[:b.lag], h[histLen-b.lag:])
	b.phase, b.concealed, b.xf = 0, 0, 0
}

// peek returns the concealment sample j samples ahead.
func (b *Buffer) peek(j int) int16 {
	g := int32(max(0, fadeLen-b.concealed-j))
	return int16(int32(b.pitch[(b.phase+j)%b.lag]) * g / fadeLen)
}

// Stats returns the counters and the current delays.
func (b *Buffer) Stats() Stats {
	s := b.stats
	const sample = time.Second / SampleRate
	d, ok := b.delay()
	if !ok {
		d = b.target
	}
	d = max(-10*SampleRate, min(10*SampleRate, d)) // in range after any input
	s.Delay = time.Duration(d) * sample
	s.Target = time.Duration(b.target) * sample
	s.Jitter = time.Duration(b.j16) * sample / 16
	if b.synced {
		exp := b.expected + b.maxSeq - b.baseSeq + 1
		s.Lost = uint64(max(0, exp-int64(s.Received)))
	}
	return s
}
