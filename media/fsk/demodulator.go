package fsk

import (
	"math"
)

// Demodulator constants.
const (
	// win is the correlator window in samples, about one bit: short
	// enough not to smear bits, long enough to tell mark from space.
	win = 7
	// tabLen is the length of the oscillator tables: every mode's
	// frequencies complete a whole number of cycles in 80 samples
	// (1200, 1300, 2100 and 2200 Hz at 8 kHz).
	tabLen = 80
	// markNeed is how long a steady mark must last before a start bit is
	// looked for, in samples (10 bits): it keeps the channel seizure and
	// noise from being taken as octets.
	markNeed = 10 * SampleRate / Baud
	// minPower is the weakest signal accepted, −45 dBm0, as mean power.
	minPower = ZeroDBm0 * ZeroDBm0 / 2 * 3.1622776601683795e-05
	// carrierOn and carrierOff are the thresholds, with hysteresis, on the
	// smoothed share of the window's energy that lies at the mark and
	// space frequencies (about 1 for a clean FSK signal, 4/win for
	// white noise, near 0 for ringing or hum).
	carrierOn, carrierOff = 0.8, 0.65
	// qSmooth is the smoothing factor of that share (time constant of
	// about 3 bits).
	qSmooth = 1.0 / 20
	// bitPeriod is the length of one bit in samples.
	bitPeriod = float64(SampleRate) / Baud
)

type demodState uint8

const (
	hunt   demodState = iota // waiting for carrier and a steady mark
	armed                    // in mark: waiting for a start bit
	inByte                   // sampling the bits of an octet
)

// DemodStats counts what a Demodulator found.
type DemodStats struct {
	Messages       int // messages delivered (checksum good)
	ChecksumErrors int // complete messages dropped for a bad checksum
	FramingErrors  int // octets without a stop bit, and messages cut short by loss of carrier
}

// Demodulator decodes caller-ID messages from 8 kHz audio of a line. It is
// a frame stage on the receive path of an analog port: its owner calls
// Write with every frame, in order, from one goroutine (between ring
// bursts, or all the time; ringing, silence and speech are ignored). Write
// allocates nothing.
type Demodulator struct {
	onMessage func(msg []byte)

	cosM, sinM, cosS, sinS [tabLen]float64
	ti                     int // table index

	// ring buffers of the window's products and squares
	mi, mq, si, sq, pw [win]float64
	wi                 int
	filled             int

	q       float64 // smoothed in-band share
	carrier bool
	prevD   float64

	state   demodState
	markRun int
	n       int     // samples since the start edge of the current octet
	t0      float64 // fractional offset of the start edge
	bitAcc  float64
	bitIdx  int
	octet   byte

	msg  [258]byte
	mlen int

	stats DemodStats
}

// NewDemodulator returns a Demodulator for mode that calls onMessage with
// each complete message whose checksum is good: the octets from message
// type to checksum, ready for ParseMessage. msg is valid only during the
// call. Messages of any type are delivered.
func NewDemodulator(mode Mode, onMessage func(msg []byte)) *Demodulator {
	d := &Demodulator{onMessage: onMessage}
	mark, space := mode.Freqs()
	for i := range tabLen {
		a := 2 * math.Pi * float64(i) / SampleRate
		d.cosM[i], d.sinM[i] = math.Cos(a*mark), math.Sin(a*mark)
		d.cosS[i], d.sinS[i] = math.Cos(a*space), math.Sin(a*space)
	}
	return d
}

// Stats returns the counts so far.
func (d *Demodulator) Stats() DemodStats { return d.stats }

// Reset forgets the audio so far (keeping the counts), e.g. when the line
// goes on hook.
func (d *Demodulator) Reset() {
	d.mi, d.mq, d.si, d.sq, d.pw = [win]float64{}, [win]float64{}, [win]float64{}, [win]float64{}, [win]float64{}
	d.wi, d.filled, d.q, d.carrier, d.prevD = 0, 0, 0, false, 0
	d.toHunt()
}

func (d *Demodulator) toHunt() {
	d.state = hunt
	d.markRun = 0
	d.mlen = 0
}

// Write feeds the next frame of audio (any length).
func (d *Demodulator) Write(frame []int16) {
	for _, s := range frame {
		d.sample(float64(s))
	}
}

func (d *Demodulator) sample(x float64) {
	i := d.ti
	d.ti++
	if d.ti == tabLen {
		d.ti = 0
	}
	w := d.wi
	d.mi[w], d.mq[w] = x*d.cosM[i], x*d.sinM[i]
	d.si[w], d.sq[w] = x*d.cosS[i], x*d.sinS[i]
	d.pw[w] = x * x
	d.wi++
	if d.wi == win {
		d.wi = 0
	}
	if d.filled < win {
		d.filled++
		return
	}
	var mi, mq, si, sq, pw float64
	for k := range win {
		mi += d.mi[k]
		mq += d.mq[k]
		si += d.si[k]
		sq += d.sq[k]
		pw += d.pw[k]
	}
	em := mi*mi + mq*mq
	es := si*si + sq*sq
	share := 0.0
	if pw > 0 {
		share = (em + es) / (pw * win / 2)
	}
	d.q += (share - d.q) * qSmooth
	loud := pw/win > minPower
	switch {
	case d.carrier && (d.q < carrierOff || !loud):
		d.carrier = false
	case !d.carrier && d.q > carrierOn && loud:
		d.carrier = true
	}
	dv := 0.0
	if em+es > 0 {
		dv = (em - es) / (em + es)
	}
	d.uart(dv)
	d.prevD = dv
}

// uart runs the asynchronous receiver on the soft bit value dv (+1 mark,
// −1 space) of the current sample.
func (d *Demodulator) uart(dv float64) {
	if !d.carrier {
		if d.state == inByte || d.mlen > 0 {
			d.stats.FramingErrors++
		}
		d.toHunt()
		return
	}
	switch d.state {
	case hunt:
		if dv > 0 {
			d.markRun++
			if d.markRun >= markNeed {
				d.state = armed
			}
		} else {
			d.markRun = 0
		}
	case armed:
		if dv < 0 {
			// Start edge: locate the crossing between the previous
			// sample and this one (level-triggered: right after a
			// stop bit the edge may already be behind us).
			d.t0 = 0
			if d.prevD > 0 {
				d.t0 = 1 - d.prevD/(d.prevD-dv) // fraction of a sample before now
			}
			d.n = 0
			d.bitIdx, d.bitAcc, d.octet = 0, 0, 0
			d.state = inByte
		}
	case inByte:
		d.n++
		// Position of this sample in bits since the start edge.
		// The stop bit is judged early, to be ready for the next
		// start bit whatever the timing error.
		p := (float64(d.n)+d.t0)/bitPeriod - float64(d.bitIdx)
		lo, hi := 0.25, 0.75
		if d.bitIdx == 9 {
			lo, hi = 0.15, 0.55
		}
		if p >= lo && p < hi {
			d.bitAcc += dv
		}
		if p >= hi {
			d.bit(d.bitAcc > 0)
			d.bitIdx++
			d.bitAcc = 0
		}
	}
}

// bit takes the decision on bit d.bitIdx of the current octet.
func (d *Demodulator) bit(one bool) {
	switch k := d.bitIdx; {
	case k == 0:
		if one { // no start bit after all: a glitch in the mark
			d.state = armed
		}
	case k <= 8:
		if one {
			d.octet |= 1 << (k - 1)
		}
	default:
		if !one {
			d.stats.FramingErrors++
			d.toHunt()
			return
		}
		d.state = armed
		d.octet1(d.octet)
	}
}

// octet1 adds a received octet to the message.
func (d *Demodulator) octet1(c byte) {
	d.msg[d.mlen] = c
	d.mlen++
	if d.mlen < 2 || d.mlen < MessageLen(d.msg[1]) {
		return
	}
	m := d.msg[:d.mlen]
	if Checksum(m) {
		d.stats.Messages++
		if d.onMessage != nil {
			d.onMessage(m)
		}
	} else {
		d.stats.ChecksumErrors++
	}
	d.toHunt()
}
