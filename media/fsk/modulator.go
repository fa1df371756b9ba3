package fsk

import (
	"fmt"
	"math"
)

// SampleRate is the rate, in Hz, of the audio this package handles.
const SampleRate = 8000

// Baud is the signalling rate of both modes, in bits per second.
const Baud = 1200

// ZeroDBm0 is the peak amplitude in 16-bit linear units of a sine at 0 dBm0
// (3.17 dB below a full-scale sine, the G.711 convention).
const ZeroDBm0 = 22752.0

// DefaultLevel is the transmit level used when Options.Level is zero, in
// dBm0 (GR-30 and EN 300 659-1 both put the nominal level near −13.5 dBm).
const DefaultLevel = -13.5

// Mode selects the modem: the frequencies for binary 1 (mark) and 0 (space).
type Mode uint8

const (
	// Bell202 is the North American modem of Telcordia GR-30: mark
	// 1200 Hz, space 2200 Hz.
	Bell202 Mode = iota
	// V23 is ITU-T V.23 (mode 2), used by ETSI EN 300 659 and most of the
	// world: mark 1300 Hz, space 2100 Hz.
	V23
)

// Freqs returns the mark (binary 1) and space (binary 0) frequencies in Hz.
func (m Mode) Freqs() (mark, space float64) {
	if m == V23 {
		return 1300, 2100
	}
	return 1200, 2200
}

func (m Mode) String() string {
	if m == V23 {
		return "V.23"
	}
	return "Bell 202"
}

// Options shape the transmitted signal. The zero value is a Bell 202
// signal with the full preamble at the nominal level.
type Options struct {
	Mode Mode
	// SeizureBits is the length of the channel seizure, alternating 0 and
	// 1 bits: 0 means 300 (GR-30, EN 300 659-1); negative means none (as
	// some ETSI variants, e.g. after a ringing pulse alert signal).
	SeizureBits int
	// MarkBits is the length of the mark signal (steady 1s) before the
	// message: 0 means 180; negative means none (the demodulator of this
	// package then cannot find the message).
	MarkBits int
	// Level is the signal level in dBm0 (at most +3); 0 means
	// DefaultLevel.
	Level float64
}

func (o Options) lengths() (seizure, mark int) {
	seizure, mark = o.SeizureBits, o.MarkBits
	if seizure == 0 {
		seizure = 300
	}
	if mark == 0 {
		mark = 180
	}
	return max(seizure, 0), max(mark, 0)
}

// Modulator renders a caller-ID message as a phase-continuous FSK signal
// at 8 kHz: seizure, mark, then each octet as a start bit (0), eight data
// bits least significant first and a stop bit (1). It is a frame stage:
// call Read once per frame from one goroutine; after NewModulator or Reset
// it allocates nothing.
type Modulator struct {
	msg           []byte
	seizure, mark int
	nbits         int    // total bits
	bit           int    // current bit index
	acc           int    // bit clock: advances Baud per sample, wraps at SampleRate
	ph            uint32 // oscillator phase
	inc           [2]uint32
	amp           float64
	freqScale     float64 // 1 except in tests that model a frequency offset
}

// NewModulator returns a Modulator that will send msg (usually from SDMF
// or MDMF) with options o.
func NewModulator(msg []byte, o Options) (*Modulator, error) {
	m := &Modulator{freqScale: 1}
	if err := m.Reset(msg, o); err != nil {
		return nil, err
	}
	return m, nil
}

// Reset makes m send msg from the start with options o. It copies msg
// (allocating only when msg is longer than any message m sent before);
// the oscillator keeps its phase.
func (m *Modulator) Reset(msg []byte, o Options) error {
	if o.Mode > V23 {
		return fmt.Errorf("fsk: unknown mode %d", o.Mode)
	}
	level := o.Level
	if level == 0 {
		level = DefaultLevel
	}
	if math.IsNaN(level) || level > 3 {
		return fmt.Errorf("fsk: level %v dBm0", o.Level)
	}
	m.msg = append(m.msg[:0], msg...)
	m.seizure, m.mark = o.lengths()
	m.nbits = m.seizure + m.mark + 10*len(msg)
	m.bit, m.acc = 0, 0
	mark, space := o.Mode.Freqs()
	if m.freqScale == 0 {
		m.freqScale = 1
	}
	m.inc = [2]uint32{phaseInc(space * m.freqScale), phaseInc(mark * m.freqScale)}
	m.amp = ZeroDBm0 * math.Pow(10, level/20)
	return nil
}

func phaseInc(f float64) uint32 {
	return uint32(int64(math.Round(f / SampleRate * (1 << 32))))
}

// bitAt returns bit i of the transmission.
func (m *Modulator) bitAt(i int) int {
	if i < m.seizure {
		return i & 1 // 0101…
	}
	i -= m.seizure
	if i < m.mark {
		return 1
	}
	i -= m.mark
	switch k := i % 10; k {
	case 0:
		return 0 // start bit
	case 9:
		return 1 // stop bit
	default:
		return int(m.msg[i/10]>>(k-1)) & 1
	}
}

// Done reports whether the whole message has been rendered.
func (m *Modulator) Done() bool { return m.bit >= m.nbits }

// Samples returns the length of the whole transmission in samples.
func (m *Modulator) Samples() int { return (m.nbits*SampleRate + Baud - 1) / Baud }

// Read fills dst with the next samples of the signal and silence after its
// end. It returns true once the signal has ended (in this call or before).
func (m *Modulator) Read(dst []int16) (done bool) {
	for i := range dst {
		if m.bit >= m.nbits {
			dst[i] = 0
			continue
		}
		dst[i] = int16(math.Round(m.amp * math.Sin(float64(m.ph)*(2*math.Pi/(1<<32)))))
		m.ph += m.inc[m.bitAt(m.bit)]
		m.acc += Baud
		if m.acc >= SampleRate {
			m.acc -= SampleRate
			m.bit++
		}
	}
	return m.bit >= m.nbits
}

// Modulate appends to dst the whole signal for msg with options o.
func Modulate(dst []int16, msg []byte, o Options) ([]int16, error) {
	m, err := NewModulator(msg, o)
	if err != nil {
		return dst, err
	}
	n := len(dst)
	dst = append(dst, make([]int16, m.Samples())...)
	m.Read(dst[n:])
	return dst, nil
}
