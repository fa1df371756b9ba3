package rtcp

import "time"

// srHistory is how many of our last sender reports the Sender remembers
// for matching returning LSR fields.
const srHistory = 8

// Sender keeps the statistics of one outgoing RTP stream: packets and
// octets sent and the latest RTP timestamp with the wallclock time it was
// sampled at, which together give a sender report's timestamps. It also
// remembers the sender reports it produced so that Sender.RTT can match a
// returning report block. It is not safe for concurrent use.
type Sender struct {
	ssrc      uint32
	clockRate int64
	packets   uint32
	octets    uint32
	lastTS    uint32
	lastAt    time.Time
	sent      bool

	srs [srHistory]struct {
		lsr uint32
		at  time.Time
	}
	nsr int
}

// NewSender returns a Sender for our stream ssrc whose RTP clock runs at
// clockRate Hz (0 means 8000).
func NewSender(ssrc uint32, clockRate int) *Sender {
	return &Sender{ssrc: ssrc, clockRate: rate(clockRate)}
}

// SSRC returns the stream's synchronisation source.
func (s *Sender) SSRC() uint32 { return s.ssrc }

// Sent accounts for one RTP packet with timestamp rtpTS and payloadLen
// payload octets, sent at time at. It is called once per packet and
// allocates nothing.
func (s *Sender) Sent(rtpTS uint32, payloadLen int, at time.Time) {
	s.packets++
	s.octets += uint32(max(payloadLen, 0))
	s.lastTS = rtpTS
	s.lastAt = at
	s.sent = true
}

// HasSent reports whether any packet was sent: a participant that sent
// nothing since its last report sends an RR, not an SR.
func (s *Sender) HasSent() bool { return s.sent }

// Info returns the sender information for an SR issued at now: the NTP
// time of now and the RTP timestamp that corresponds to the same instant
// (the last timestamp sent, advanced by the time since at the clock rate),
// with the packet and octet counts. It records the report so that
// Sender.RTT can recognise a block that answers it; call it once per SR
// actually sent.
func (s *Sender) Info(now time.Time) SenderInfo {
	ntp := NTPTime(now)
	ts := s.lastTS
	if s.sent {
		ts += uint32(int64(now.Sub(s.lastAt)/time.Microsecond) * s.clockRate / 1e6)
	}
	e := &s.srs[s.nsr%srHistory]
	e.lsr, e.at = NTPMiddle(ntp), now
	s.nsr++
	return SenderInfo{NTP: ntp, RTPTime: ts, Packets: s.packets, Octets: s.octets}
}

// RTT returns the round-trip time given by report block b, which arrived
// at arrival: the time since we sent the SR that b's LSR names, minus the
// peer's DLSR. It measures on our monotonic clock, so a wall-clock step
// does not disturb it. ok is false when b names none of our last sender
// reports.
func (s *Sender) RTT(b ReportBlock, arrival time.Time) (rtt time.Duration, ok bool) {
	if b.LSR == 0 {
		return 0, false
	}
	for i := range min(s.nsr, srHistory) {
		e := &s.srs[i]
		if e.lsr != b.LSR {
			continue
		}
		d := arrival.Sub(e.at) - time.Duration(int64(b.DLSR)*int64(time.Second)>>16)
		if d < 0 {
			return 0, false
		}
		return d, true
	}
	return 0, false
}
