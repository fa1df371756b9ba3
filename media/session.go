package media

import (
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"

	"deskline/media/rtcp"
	"deskline/media/srtp"
)

// learnPackets is how many valid RTP packets in a row from one source lock
// a Session's remote address (symmetric RTP). Three packets are 60 ms of
// audio: enough to ignore a stray packet, short enough to lose nothing.
const learnPackets = 3

// Session is one call leg's RTP endpoint: a UDP socket on a port of a
// PortPool, the peer's address, and the negotiated Format and Direction.
//
// Symmetric RTP: a valid RTP packet from the address given by SetRemote
// locks the Session onto it at once. Until then (a phone behind NAT sends
// from another address than its SDP says) the Session sends to the SetRemote
// address and accepts packets from anywhere, and learnPackets valid packets
// in a row from one source lock it onto that source. Once locked, it sends
// there and drops, and counts, packets from any other source. SetRemote with
// a different address unlocks it and learning starts over.
//
// Control methods (SetRemote, SetFormat, SetDirection, Stats) are called by
// signalling, rarely, and may be called concurrently with each other and with
// a running Relay; a change applies from the next packet. At most one reader
// (a Relay) may use a Session at a time.
type Session struct {
	conn    *net.UDPConn
	local   netip.AddrPort
	release func()

	// RTCP on the next port up: the phone's reports in, ours out.
	rtcpConn    *net.UDPConn
	rtcpDone    chan struct{}
	rtcpDropped atomic.Uint64

	closeOnce sync.Once
	closeErr  error

	mu         sync.Mutex
	format     Format
	dir        Direction
	sdp        netip.AddrPort // from SetRemote; zero if never set
	locked     bool
	learned    netip.AddrPort // valid when locked
	candidate  netip.AddrPort
	candidateN int
	out        outStream
	claims     []any // producers that took the outgoing stream over; the last one sends
	q          quality

	srtp atomic.Pointer[srtp.Pair] // nil: plain RTP

	packetsIn, bytesIn   atomic.Uint64
	packetsOut, bytesOut atomic.Uint64
	droppedSource        atomic.Uint64
	droppedInvalid       atomic.Uint64
	droppedDirection     atomic.Uint64
	droppedAuth          atomic.Uint64
	notSent              atomic.Uint64
	lastPacket           atomic.Int64 // Unix nanoseconds; 0 before the first
}

// Stats is a snapshot of a Session's counters. Every datagram read from the
// socket is counted in exactly one of PacketsIn, DroppedSource,
// DroppedInvalid, DroppedDirection and DroppedAuth.
type Stats struct {
	PacketsIn, BytesIn   uint64 // RTP accepted from the peer and passed on
	PacketsOut, BytesOut uint64 // datagrams sent to the peer

	DroppedSource    uint64 // from a source other than the locked remote
	DroppedInvalid   uint64 // not RTP, malformed, or a payload type not negotiated
	DroppedDirection uint64 // valid, but the peer's Direction says it does not send
	DroppedAuth      uint64 // SRTP that failed authentication or was replayed
	NotSent          uint64 // meant for the peer but withheld: hold, no address, no telephone-event PT, codec mismatch, send error

	Learned    netip.AddrPort // the locked remote; zero while learning
	LastPacket time.Time      // when the last valid packet came from the peer; zero if none
}

func newSession(conn, rtcpConn *net.UDPConn, local netip.AddrPort, release func()) *Session {
	s := &Session{conn: conn, rtcpConn: rtcpConn, local: local, release: release}
	s.out = outStream{ssrc: rand.Uint32(), lastSeq: uint16(rand.Uint32()), lastTS: rand.Uint32()}
	s.q.tx = rtcp.NewSender(s.out.ssrc, 8000)
	if rtcpConn != nil {
		s.rtcpDone = make(chan struct{})
		go s.rtcpLoop()
	}
	return s
}

// LocalAddr returns the address and port the Session is bound to, for SDP.
func (s *Session) LocalAddr() netip.AddrPort { return s.local }

// SetRemote sets the peer's address from its SDP (c= and m= lines). Until a
// source is learned, packets go there. An address different from the
// previous one (a re-INVITE moved the media) discards the learned source and
// learning starts over; the same address keeps it.
//
// An unspecified address (0.0.0.0 or ::, the old way to put a call on hold)
// or port 0 (a rejected stream) means nothing is sent to the peer, learned
// or not, until SetRemote gives a real address.
func (s *Session) SetRemote(addr netip.AddrPort) {
	addr = unmapAddrPort(addr)
	s.mu.Lock()
	defer s.mu.Unlock()
	if addr != s.sdp {
		s.locked = false
		s.learned = netip.AddrPort{}
		s.candidate = netip.AddrPort{}
		s.candidateN = 0
	}
	s.sdp = addr
}

// SetFormat sets the codec and payload types negotiated with the peer. They
// apply both to what the peer sends and to what is sent to it.
func (s *Session) SetFormat(f Format) {
	s.mu.Lock()
	s.format = f
	s.mu.Unlock()
}

// SetDirection sets the direction attribute from the peer's SDP, which says
// whether we may send to the peer and whether its packets are carried on;
// see Direction. SendOnly and Inactive put the peer on hold: nothing is sent
// to it.
func (s *Session) SetDirection(d Direction) {
	s.mu.Lock()
	s.dir = d
	s.mu.Unlock()
}

// SetSRTP makes the Session carry SRTP with the keys of p (negotiated by
// SDES in the leg's SDP), or plain RTP when p is nil. Packets that fail
// authentication or are replays are dropped and counted, and never teach
// the Session a remote address. Call it again with a new Pair only when a
// key changed: a Pair holds the rollover and replay state of the stream.
func (s *Session) SetSRTP(p *srtp.Pair) { s.srtp.Store(p) }

// SRTP reports whether the Session carries SRTP.
func (s *Session) SRTP() bool { return s.srtp.Load() != nil }

// unprotect turns a datagram read from the socket into plain RTP: it
// decrypts SRTP in place, and passes anything else through. ok is false
// (and the datagram counted) when SRTP did not authenticate.
func (s *Session) unprotect(b []byte) (out []byte, ok bool) {
	p := s.srtp.Load()
	if p == nil || len(b) < 2 || b[1] >= 192 && b[1] <= 223 {
		return b, true // plain RTP, or RTCP: admit sorts it out
	}
	out, err := p.Unprotect(b[:0], b)
	if err != nil {
		s.droppedAuth.Add(1)
		return nil, false
	}
	return out, true
}

// protect turns a marshalled RTP packet into what goes on the wire, in
// place: buf must have srtp.MaxOverhead bytes of capacity beyond it.
func (s *Session) protect(pkt []byte) ([]byte, error) {
	p := s.srtp.Load()
	if p == nil {
		return pkt, nil
	}
	return p.Protect(pkt[:0], pkt)
}

// Stats returns a snapshot of the Session's counters. It is safe to call at
// any time, also after Close.
func (s *Session) Stats() Stats {
	st := Stats{
		PacketsIn:        s.packetsIn.Load(),
		BytesIn:          s.bytesIn.Load(),
		PacketsOut:       s.packetsOut.Load(),
		BytesOut:         s.bytesOut.Load(),
		DroppedSource:    s.droppedSource.Load(),
		DroppedInvalid:   s.droppedInvalid.Load(),
		DroppedDirection: s.droppedDirection.Load(),
		DroppedAuth:      s.droppedAuth.Load(),
		NotSent:          s.notSent.Load(),
	}
	if ns := s.lastPacket.Load(); ns != 0 {
		st.LastPacket = time.Unix(0, ns)
	}
	s.mu.Lock()
	if s.locked {
		st.Learned = s.learned
	}
	s.mu.Unlock()
	return st
}

// Close closes the socket, which ends any Relay reading it, and returns the
// port to its pool. It is idempotent: later calls return the first result.
func (s *Session) Close() error {
	s.closeOnce.Do(func() {
		s.closeErr = s.conn.Close()
		if s.rtcpConn != nil {
			s.rtcpConn.Close()
			<-s.rtcpDone
		}
		if s.release != nil {
			s.release()
		}
	})
	return s.closeErr
}

// packetKind is what admit made of a datagram.
type packetKind uint8

const (
	kindDrop  packetKind = iota
	kindAudio            // the negotiated codec's payload type
	kindDTMF             // the negotiated telephone-event payload type
)

// admit accounts for one datagram of size n read from the socket and decides
// whether it is carried on. valid says whether it parsed as RTP; pt and
// payloadLen describe it if so. It does the learning and locking of the
// remote. Called by the reading goroutine once per datagram.
func (s *Session) admit(from netip.AddrPort, valid bool, h *rtp.Header, payloadLen, n int, now time.Time) (packetKind, Format) {
	pt := h.PayloadType
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.locked && from != s.learned {
		s.droppedSource.Add(1)
		return kindDrop, Format{}
	}
	kind := kindDrop
	if valid {
		switch {
		case pt == s.format.PT:
			kind = kindAudio
		case s.format.DTMFPT != 0 && pt == s.format.DTMFPT && payloadLen >= 4:
			kind = kindDTMF
		}
	}
	if kind == kindDrop {
		s.droppedInvalid.Add(1)
		return kindDrop, Format{}
	}
	if !s.locked {
		if from == s.sdp {
			// The address the phone signalled: lock at once, so a stray
			// stream arriving in the same moment can never win the port.
			s.locked, s.learned = true, from
		} else if from == s.candidate {
			s.candidateN++
		} else {
			s.candidate, s.candidateN = from, 1
		}
		if !s.locked && s.candidateN >= learnPackets {
			s.locked, s.learned = true, from
		}
	}
	s.lastPacket.Store(now.UnixNano())
	if !s.dir.PeerSends() {
		s.droppedDirection.Add(1)
		return kindDrop, Format{}
	}
	s.packetsIn.Add(1)
	s.bytesIn.Add(uint64(n))
	if kind == kindAudio {
		s.q.received(h, payloadLen, now)
	}
	return kind, s.format
}

// destLocked returns where packets for the peer go, or the zero AddrPort if
// nowhere. s.mu must be held.
func (s *Session) destLocked() netip.AddrPort {
	if s.sdp.IsValid() && (s.sdp.Addr().IsUnspecified() || s.sdp.Port() == 0) {
		return netip.AddrPort{}
	}
	if s.locked {
		return s.learned
	}
	return s.sdp
}

// prepareOut decides whether a packet from producer may be sent to the peer
// and, if so, rewrites h for it: payload type, SSRC, sequence number,
// timestamp and marker. For audio it returns the table that converts the
// payload from codec src (nil if none is needed). Called by the producing
// goroutine once per packet, before the payload is converted and marshalled.
func (s *Session) prepareOut(h *rtp.Header, kind packetKind, src Codec, payloadLen int, producer any, now time.Time) (to netip.AddrPort, table *[256]byte, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := len(s.claims); n > 0 && s.claims[n-1] != producer {
		// Another producer has the stream (music on hold over the relay,
		// a prompt over the music): this packet is superseded, not lost.
		return netip.AddrPort{}, nil, false
	}
	to = s.destLocked()
	if !s.dir.PeerReceives() || !to.IsValid() {
		s.notSent.Add(1)
		return netip.AddrPort{}, nil, false
	}
	switch kind {
	case kindAudio:
		if table, ok = transcoder(src, s.format.Codec); !ok {
			s.notSent.Add(1)
			return netip.AddrPort{}, nil, false
		}
		h.PayloadType = s.format.PT
	case kindDTMF:
		if s.format.DTMFPT == 0 {
			s.notSent.Add(1)
			return netip.AddrPort{}, nil, false
		}
		h.PayloadType = s.format.DTMFPT
	default:
		s.notSent.Add(1)
		return netip.AddrPort{}, nil, false
	}
	s.out.stamp(h, producer, now)
	if kind == kindAudio {
		s.q.sent(h.Timestamp, payloadLen, now)
	}
	return to, table, true
}

// claim makes producer the only one whose packets reach the peer, until it
// calls unclaim. Claims stack: the newest claim sends, and when it ends the
// one before it sends again; with no claim, the Relay's packets pass.
func (s *Session) claim(producer any) {
	s.mu.Lock()
	s.claims = append(s.claims, producer)
	s.mu.Unlock()
}

// unclaim removes producer's claim, wherever it is in the stack.
func (s *Session) unclaim(producer any) {
	s.mu.Lock()
	for i := len(s.claims) - 1; i >= 0; i-- {
		if s.claims[i] == producer {
			s.claims = append(s.claims[:i], s.claims[i+1:]...)
			break
		}
	}
	s.mu.Unlock()
}

// codec returns the codec negotiated with the peer.
func (s *Session) codec() Codec {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.format.Codec
}

// sent accounts for one datagram written to the peer.
func (s *Session) sent(n int, err error) {
	if err != nil {
		s.notSent.Add(1)
		return
	}
	s.packetsOut.Add(1)
	s.bytesOut.Add(uint64(n))
}

// outStream keeps the stream sent to a peer continuous: one SSRC for the
// life of the Session and one unbroken sequence, whatever produces the
// packets. When the source behind it changes (another producer, or a new
// SSRC from the same one) the sequence continues, the timestamp jumps
// forward by the time that passed (at least one 20 ms frame) and the marker
// bit is set, which is what phones expect of a new talkspurt.
type outStream struct {
	ssrc     uint32
	started  bool
	producer any
	inSSRC   uint32
	seqDelta uint16
	tsDelta  uint32
	lastSeq  uint16 // highest sequence number sent
	lastTS   uint32 // its timestamp
	lastAt   time.Time
}

const (
	minTSJump = 160                 // one 20 ms frame at 8 kHz
	maxTSJump = 8000 * 60 * 60 * 24 // a day: keeps the arithmetic sane
)

func (o *outStream) stamp(h *rtp.Header, producer any, now time.Time) {
	if !o.started || producer != o.producer || h.SSRC != o.inSSRC {
		jump := uint32(minTSJump)
		if !o.lastAt.IsZero() {
			if el := now.Sub(o.lastAt); el > 0 {
				samples := int64(el / (time.Second / 8000))
				if samples > maxTSJump {
					samples = maxTSJump
				}
				if samples > minTSJump {
					jump = uint32(samples)
				}
			}
		}
		seq := o.lastSeq + 1
		ts := o.lastTS + jump
		o.seqDelta = seq - h.SequenceNumber
		o.tsDelta = ts - h.Timestamp
		o.started, o.producer, o.inSSRC = true, producer, h.SSRC
		o.lastSeq, o.lastTS = seq-1, ts // so the packet below counts as newest
		h.Marker = true
	}
	h.SSRC = o.ssrc
	h.SequenceNumber += o.seqDelta
	h.Timestamp += o.tsDelta
	if int16(h.SequenceNumber-o.lastSeq) > 0 {
		o.lastSeq, o.lastTS = h.SequenceNumber, h.Timestamp
	}
	o.lastAt = now
}

func unmapAddrPort(a netip.AddrPort) netip.AddrPort {
	if a.Addr().Is4In6() {
		return netip.AddrPortFrom(a.Addr().Unmap(), a.Port())
	}
	return a
}
