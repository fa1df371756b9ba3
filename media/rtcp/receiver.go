package rtcp

import (
	"time"
)

// Sequence-number validation constants of RFC 3550 appendix A.1.
const (
	minSequential = 2    // packets in sequence before a source is valid
	maxDropout    = 3000 // largest forward jump taken as loss
	maxMisorder   = 100  // largest backward step taken as reordering
	seqMod        = 1 << 16
)

// dupWindow is how many sequence numbers behind the highest one the
// Receiver remembers, to tell a duplicate from a late packet.
const dupWindow = 64

// Receiver keeps the receive statistics of one RTP source. Create it with
// NewReceiver; feed it every RTP packet of the source, in arrival order,
// with Update. It is not safe for concurrent use.
type Receiver struct {
	ssrc      uint32
	clockRate int64

	started   bool
	probation int
	maxSeq    uint16
	cycles    uint32 // count of sequence wraps, shifted left 16
	baseSeq   uint32
	badSeq    uint32
	seen      uint64 // bit i: maxSeq-i was received
	received  uint32
	dups      uint32
	octets    uint64

	expectedPrior, receivedPrior uint32
	fraction                     uint8

	epoch       time.Time // arrival of the first packet: arrival clock origin
	haveTransit bool
	transit     int64
	jitter      uint32 // RFC 3550 A.8: jitter estimate scaled by 16

	lsr    uint32 // middle 32 bits of the last SR's NTP time
	lsrAt  time.Time
	haveSR bool
}

// NewReceiver returns a Receiver for the source ssrc whose RTP clock runs
// at clockRate Hz (8000 for G.711; 0 means 8000).
func NewReceiver(ssrc uint32, clockRate int) *Receiver {
	return &Receiver{ssrc: ssrc, clockRate: rate(clockRate)}
}

// rate returns clockRate, or 8000 Hz when it is not positive.
func rate(clockRate int) int64 {
	if clockRate <= 0 {
		return 8000
	}
	return int64(clockRate)
}

// SSRC returns the source the Receiver measures.
func (r *Receiver) SSRC() uint32 { return r.ssrc }

// Update accounts for one received RTP packet with sequence number seq and
// RTP timestamp rtpTS, which arrived at arrival (use the packet's receive
// time, with its monotonic reading). It is called once per packet from the
// leg's receive goroutine and allocates nothing.
//
// Update reports whether the packet is valid: false while a new source is
// on probation (RFC 3550 A.1 wants two packets in sequence), for a
// duplicate, and for the first packet after a large jump in sequence
// numbers (a second, consecutive one restarts the statistics: the sender
// restarted).
func (r *Receiver) Update(seq uint16, rtpTS uint32, arrival time.Time) bool {
	if !r.started {
		r.started = true
		r.initSeq(seq)
		r.maxSeq = seq - 1
		r.probation = minSequential
		r.epoch = arrival
	}
	if !r.updateSeq(seq) {
		return false
	}
	r.updateJitter(rtpTS, arrival)
	return true
}

// AddOctets counts n payload octets received (for the statistics only; call
// it for each packet Update accepted, if byte counts are wanted).
func (r *Receiver) AddOctets(n int) {
	if n > 0 {
		r.octets += uint64(n)
	}
}

func (r *Receiver) initSeq(seq uint16) {
	r.baseSeq = uint32(seq)
	r.maxSeq = seq
	r.badSeq = seqMod + 1 // so seq == badSeq is false
	r.cycles = 0
	r.received = 0
	r.receivedPrior = 0
	r.expectedPrior = 0
	r.seen = 1
	r.dups = 0
	r.haveTransit = false
	r.jitter = 0
}

// updateSeq is RFC 3550 A.1 update_seq, with a window that recognises
// duplicates.
func (r *Receiver) updateSeq(seq uint16) bool {
	udelta := seq - r.maxSeq
	if r.probation > 0 {
		if seq == r.maxSeq+1 {
			r.probation--
			r.maxSeq = seq
			if r.probation == 0 {
				r.initSeq(seq)
				r.received++
				return true
			}
		} else {
			r.probation = minSequential - 1
			r.maxSeq = seq
		}
		return false
	}
	switch {
	case udelta == 0:
		r.dups++
		return false
	case udelta < maxDropout:
		if seq < r.maxSeq {
			r.cycles += seqMod
		}
		r.maxSeq = seq
		if udelta >= dupWindow {
			r.seen = 1
		} else {
			r.seen = r.seen<<udelta | 1
		}
	case udelta <= seqMod-maxMisorder:
		// A very large jump.
		if uint32(seq) == r.badSeq {
			// Two sequential packets: the source restarted without
			// telling us. Start over.
			r.initSeq(seq)
		} else {
			r.badSeq = uint32(seq+1) & (seqMod - 1)
			return false
		}
	default:
		// Duplicate or reordered packet.
		back := r.maxSeq - seq
		if back < dupWindow {
			if r.seen&(1<<back) != 0 {
				r.dups++
				return false
			}
			r.seen |= 1 << back
		}
	}
	r.received++
	return true
}

// updateJitter is RFC 3550 A.8: the interarrival jitter in timestamp units,
// kept scaled by 16 in integer arithmetic.
func (r *Receiver) updateJitter(rtpTS uint32, arrival time.Time) {
	d := arrival.Sub(r.epoch)
	// Arrival time in RTP timestamp units (the low 32 bits suffice: only
	// differences matter).
	at := int64(d/time.Microsecond) * r.clockRate / 1e6
	transit := int64(int32(uint32(at) - rtpTS))
	if r.haveTransit {
		delta := int64(int32(uint32(transit) - uint32(r.transit)))
		if delta < 0 {
			delta = -delta
		}
		// J += (|D| - J) / 16, on J scaled by 16.
		j := int64(r.jitter)
		j += delta - (j+8)>>4
		if j < 0 {
			j = 0
		}
		r.jitter = uint32(min(j, 1<<32-1))
	}
	r.transit = transit
	r.haveTransit = true
}

// OnSR records a sender report from the source, received at arrival with
// NTP timestamp ntp, for the LSR and DLSR fields of our next report block.
func (r *Receiver) OnSR(ntp uint64, arrival time.Time) {
	r.lsr = NTPMiddle(ntp)
	r.lsrAt = arrival
	r.haveSR = true
}

// Stats is a snapshot of a Receiver's statistics.
type Stats struct {
	// ExtendedSeq is the highest sequence number received, extended with
	// the count of wraps in the high 16 bits.
	ExtendedSeq uint32
	// Expected and Packets count the packets expected (from the sequence
	// numbers) and received (valid, excluding duplicates) since the
	// source became valid.
	Expected, Packets uint32
	// Duplicates counts packets dropped as duplicates.
	Duplicates uint32
	// Octets counts payload octets given to AddOctets.
	Octets uint64
	// Lost is the cumulative number of packets lost: Expected - Packets
	// (negative when duplicates beyond the window were counted).
	Lost int64
	// FractionLost is the fraction lost in the last report interval, in
	// 1/256 units, as of the last Report call.
	FractionLost uint8
	// Jitter is the interarrival jitter in RTP timestamp units, and
	// JitterDuration the same as a duration at the Receiver's clock rate.
	Jitter         uint32
	JitterDuration time.Duration
}

// Stats returns the statistics so far without starting a new report
// interval.
func (r *Receiver) Stats() Stats {
	var s Stats
	if !r.started || r.probation > 0 {
		return s
	}
	s.ExtendedSeq = r.cycles + uint32(r.maxSeq)
	s.Expected = s.ExtendedSeq - r.baseSeq + 1
	s.Packets = r.received
	s.Duplicates = r.dups
	s.Octets = r.octets
	s.Lost = int64(s.Expected) - int64(s.Packets)
	s.FractionLost = r.fraction
	s.Jitter = r.jitter >> 4
	s.JitterDuration = time.Duration(int64(s.Jitter) * int64(time.Second) / r.clockRate)
	return s
}

// Report returns the report block describing the source at time now and
// starts a new report interval (RFC 3550 A.3). ok is false while the source
// is not yet valid: there is nothing to report.
func (r *Receiver) Report(now time.Time) (b ReportBlock, ok bool) {
	if !r.started || r.probation > 0 {
		return b, false
	}
	ext := r.cycles + uint32(r.maxSeq)
	expected := ext - r.baseSeq + 1
	lost := int64(expected) - int64(r.received)
	lost = max(min(lost, 0x7fffff), -0x800000)
	expInt := expected - r.expectedPrior
	r.expectedPrior = expected
	recInt := r.received - r.receivedPrior
	r.receivedPrior = r.received
	lostInt := int64(expInt) - int64(recInt)
	r.fraction = 0
	if expInt != 0 && lostInt > 0 {
		r.fraction = uint8(min(lostInt<<8/int64(expInt), 255))
	}
	b = ReportBlock{
		SSRC:         r.ssrc,
		FractionLost: r.fraction,
		TotalLost:    int32(lost),
		LastSeq:      ext,
		Jitter:       r.jitter >> 4,
	}
	if r.haveSR {
		b.LSR = r.lsr
		b.DLSR = durationToDLSR(now.Sub(r.lsrAt))
	}
	return b, true
}

// durationToDLSR converts d to units of 1/65536 s.
func durationToDLSR(d time.Duration) uint32 {
	if d < 0 {
		return 0
	}
	v := int64(d) * 65536 / int64(time.Second)
	return uint32(min(v, 1<<32-1))
}
