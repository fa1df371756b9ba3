package media

import (
	"errors"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"time"

	"github.com/pion/rtp"

	"deskline/media/rtcp"
)

// Quality is how a call leg's audio fares, both ways, as RTCP tells it.
type Quality struct {
	// Received is how the box receives the phone: loss and jitter measured
	// here, with the round-trip time.
	Received rtcp.Quality
	// Sent is how the phone receives the box, from the phone's own
	// reception reports; valid only when PeerReports is set.
	Sent        rtcp.Quality
	PeerReports bool
}

// quality keeps a Session's RTCP state. It is guarded by Session.mu.
type quality struct {
	rx     *rtcp.Receiver // the phone's stream; nil until its first packet
	tx     *rtcp.Sender   // the stream we send
	rtt    time.Duration
	peer   rtcp.ReportBlock // the phone's last report on our stream
	peerOK bool
	from   netip.AddrPort // where the phone's RTCP comes from, once seen
}

// received accounts for an audio packet from the phone.
func (q *quality) received(h *rtp.Header, payloadLen int, now time.Time) {
	if q.rx == nil || q.rx.SSRC() != h.SSRC {
		q.rx = rtcp.NewReceiver(h.SSRC, 8000)
	}
	if q.rx.Update(h.SequenceNumber, h.Timestamp, now) {
		q.rx.AddOctets(payloadLen)
	}
}

// sent accounts for an audio packet sent to the phone.
func (q *quality) sent(ts uint32, payloadLen int, now time.Time) {
	q.tx.Sent(ts, payloadLen, now)
}

// Quality returns the leg's call quality so far.
func (s *Session) Quality() Quality {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out Quality
	if s.q.rx != nil {
		st := s.q.rx.Stats()
		loss := 0.0
		if st.Expected > 0 && st.Lost > 0 {
			loss = float64(st.Lost) / float64(st.Expected)
		}
		out.Received = rtcp.NewQuality(loss, st.JitterDuration, s.q.rtt)
	}
	if s.q.peerOK {
		out.Sent = s.q.peer.Quality(8000, s.q.rtt)
		out.PeerReports = true
	}
	return out
}

// rtcpInterval is the time to the next report: RFC 3550's 5 s minimum for
// a two-party session, randomised to between half and one and a half
// times that so that phones' reports do not synchronise.
func rtcpInterval() time.Duration {
	return time.Duration(float64(rtcpMinInterval) * (0.5 + rand.Float64()))
}

// rtcpMinInterval is RFC 3550's minimum interval; tests shorten it.
var rtcpMinInterval = 5 * time.Second

// rtcpLoop is a Session's RTCP goroutine: it reads the phone's reports and
// sends ours, until the Session is closed.
func (s *Session) rtcpLoop() {
	defer close(s.rtcpDone)
	buf := make([]byte, maxDatagram)
	out := make([]byte, 0, 512)
	var parser rtcp.Parser
	next := time.Now().Add(rtcpInterval() / 2) // the first report comes sooner
	for {
		_ = s.rtcpConn.SetReadDeadline(next)
		n, from, err := s.rtcpConn.ReadFromUDPAddrPort(buf)
		now := time.Now()
		switch {
		case err == nil:
			s.takeRTCP(&parser, buf[:n], unmapAddrPort(from), now)
		case errors.Is(err, net.ErrClosed):
			return
		case !errors.Is(err, os.ErrDeadlineExceeded):
			continue // a transient error: an ICMP refusal, say
		}
		if !now.Before(next) {
			out = s.sendRTCP(out[:0], now)
			next = now.Add(rtcpInterval())
		}
	}
}

// takeRTCP reads a compound RTCP packet from the phone.
func (s *Session) takeRTCP(p *rtcp.Parser, b []byte, from netip.AddrPort, now time.Time) {
	if pair := s.srtp.Load(); pair != nil {
		var err error
		if b, err = pair.UnprotectRTCP(b[:0], b); err != nil {
			s.droppedAuth.Add(1)
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// Reports are accepted from the phone's host only.
	if s.locked && from.Addr() != s.learned.Addr() || !s.locked && s.sdp.IsValid() && from.Addr() != s.sdp.Addr() {
		s.rtcpDropped.Add(1)
		return
	}
	err := p.Parse(b, func(r rtcp.Report) {
		if r.Type == rtcp.TypeSR && s.q.rx != nil && r.SSRC == s.q.rx.SSRC() {
			s.q.rx.OnSR(r.Sender.NTP, now)
		}
		for _, blk := range r.Blocks {
			if blk.SSRC != s.out.ssrc {
				continue
			}
			s.q.peer, s.q.peerOK = blk, true
			if rtt, ok := s.q.tx.RTT(blk, now); ok {
				s.q.rtt = rtt
			}
		}
	})
	if err != nil {
		s.rtcpDropped.Add(1)
		return
	}
	s.q.from = from
}

// sendRTCP sends our report to the phone: a sender report once we have
// sent audio, else a receiver report, with a reception report on the
// phone's stream once it has sent audio. It returns buf for reuse.
func (s *Session) sendRTCP(buf []byte, now time.Time) []byte {
	s.mu.Lock()
	to := s.q.from
	if !to.IsValid() {
		if rtpTo := s.destLocked(); rtpTo.IsValid() && rtpTo.Port() < 65535 {
			to = netip.AddrPortFrom(rtpTo.Addr(), rtpTo.Port()+1)
		}
	}
	if !to.IsValid() || s.dir == Inactive {
		s.mu.Unlock()
		return buf
	}
	var blocks [1]rtcp.ReportBlock
	nb := 0
	if s.q.rx != nil {
		if b, ok := s.q.rx.Report(now); ok {
			blocks[0], nb = b, 1
		}
	}
	var err error
	if s.q.tx.HasSent() {
		buf, err = rtcp.AppendSR(buf, s.out.ssrc, s.q.tx.Info(now), blocks[:nb], rtcpCNAME)
	} else {
		buf, err = rtcp.AppendRR(buf, s.out.ssrc, blocks[:nb], rtcpCNAME)
	}
	s.mu.Unlock()
	if err != nil {
		return buf
	}
	wire := buf
	if pair := s.srtp.Load(); pair != nil {
		if wire, err = pair.ProtectRTCP(buf[:0], buf); err != nil {
			return buf[:0]
		}
	}
	_, _ = s.rtcpConn.WriteToUDPAddrPort(wire, to)
	return buf[:0]
}

// rtcpCNAME names the box in its RTCP (RFC 3550 §6.5.1 asks for a stable
// name; the phones only display it).
const rtcpCNAME = "deskline"
