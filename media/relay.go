package media

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
)

// RelayOptions configures a Relay. The zero value is valid.
type RelayOptions struct {
	// OnDTMF, if set, is told of RFC 4733 telephone-events arriving on
	// either Session: once when an event begins (its first packet that is
	// not an end packet) and once when it ends (the end packet is sent three
	// times; repeats are recognised by their timestamp and not reported).
	// event is the RFC 4733 event code (0-9, 10 = *, 11 = #, 12-15 = A-D);
	// duration is how long the key has been down so far.
	//
	// It is called on the Relay's goroutine for that direction, so it must
	// return quickly and must not call Relay.Close. Events are reported even
	// when the other Session has no telephone-event payload type and the
	// packets are not passed on.
	OnDTMF func(from *Session, event uint8, end bool, duration time.Duration)
}

// Relay carries RTP between two Sessions in both directions, the way a
// bridged call's audio flows through the box. Per packet it checks the
// source (symmetric RTP), rewrites the payload type to what the receiving
// leg negotiated, converts between µ-law and A-law if the legs differ,
// passes telephone-events on with the receiving leg's payload type, and
// gives the receiving peer one continuous stream (see outStream). CSRCs,
// header extensions and padding are not passed on. Nothing is allocated per
// packet.
//
// Lifecycle: NewRelay, Start once, Close once the call is unbridged. Close
// may also be called without Start. A Relay does not own its Sessions:
// closing a Session ends the Relay's reading of it, and Close leaves both
// Sessions open for the next Relay or another producer.
type Relay struct {
	ab, ba *pipe
	stop   atomic.Bool
	wg     sync.WaitGroup

	mu      sync.Mutex
	started bool
	closed  bool
}

// NewRelay returns a Relay between a and b, which must be different
// Sessions. opts may be nil.
func NewRelay(a, b *Session, opts *RelayOptions) *Relay {
	var o RelayOptions
	if opts != nil {
		o = *opts
	}
	r := &Relay{}
	r.ab = newPipe(a, b, o.OnDTMF)
	r.ba = newPipe(b, a, o.OnDTMF)
	return r
}

// Start starts one goroutine per direction. Calling it again, or after
// Close, does nothing.
func (r *Relay) Start() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started || r.closed {
		return
	}
	r.started = true
	r.wg.Add(2)
	go r.run(r.ab)
	go r.run(r.ba)
}

// Close stops the Relay's goroutines and waits for them to return. It does
// not close the Sessions. It is idempotent and always returns nil.
func (r *Relay) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	started := r.started
	r.mu.Unlock()
	if !started {
		return nil
	}
	// A read deadline in the past wakes a blocked read, and makes any read
	// that starts later return at once; the stop flag says why.
	r.stop.Store(true)
	past := time.Unix(1, 0)
	_ = r.ab.src.conn.SetReadDeadline(past)
	_ = r.ba.src.conn.SetReadDeadline(past)
	r.wg.Wait()
	_ = r.ab.src.conn.SetReadDeadline(time.Time{})
	_ = r.ba.src.conn.SetReadDeadline(time.Time{})
	return nil
}

func (r *Relay) run(p *pipe) {
	defer r.wg.Done()
	for {
		n, from, err := p.src.conn.ReadFromUDPAddrPort(p.in[:])
		if err != nil {
			if r.stop.Load() || errors.Is(err, net.ErrClosed) {
				return
			}
			continue // transient: a truncated or refused datagram
		}
		if out, to, ok := p.forward(p.in[:n], from, time.Now()); ok {
			p.dst.sent(p.dst.conn.WriteToUDPAddrPort(out, to))
		}
	}
}

// maxDatagram is the largest datagram a pipe reads whole. RTP for G.711 is
// 172 bytes at 20 ms; anything near this size is not telephony.
const maxDatagram = 2048

// pipe is one direction of a Relay. Its buffers and parsed packet are
// reused for every packet, and only its goroutine touches them.
type pipe struct {
	src, dst *Session
	onDTMF   func(from *Session, event uint8, end bool, duration time.Duration)

	pkt rtp.Packet
	in  [maxDatagram]byte
	out [maxDatagram]byte

	// De-duplication of telephone-event reports: the timestamp of the
	// current event and what has been reported of it.
	dtmfSeen  bool
	dtmfTS    uint32
	dtmfEnded bool
}

func newPipe(src, dst *Session, onDTMF func(*Session, uint8, bool, time.Duration)) *pipe {
	p := &pipe{src: src, dst: dst, onDTMF: onDTMF}
	// Room for the most CSRCs and extensions a header can carry, so that
	// Unmarshal never grows them on the packet path.
	p.pkt.CSRC = make([]uint32, 0, 15)
	p.pkt.Extensions = make([]rtp.Extension, 0, 16)
	return p
}

// forward handles one datagram read from p.src at time now and returns the
// datagram to send to p.dst's peer and where, or ok false if nothing is to
// be sent. It may modify in. Called once per packet by the pipe's goroutine;
// it allocates nothing.
func (p *pipe) forward(in []byte, from netip.AddrPort, now time.Time) (out []byte, to netip.AddrPort, ok bool) {
	from = unmapAddrPort(from)
	valid := wellFormed(in) && p.pkt.Unmarshal(in) == nil
	kind, srcFmt := p.src.admit(from, valid, p.pkt.PayloadType, len(p.pkt.Payload), len(in), now)
	if kind == kindDrop {
		return nil, netip.AddrPort{}, false
	}
	if kind == kindDTMF {
		p.reportDTMF()
	}
	h := &p.pkt.Header
	to, table, ok := p.dst.prepareOut(h, kind, srcFmt.Codec, p, now)
	if !ok {
		return nil, netip.AddrPort{}, false
	}
	if table != nil {
		convert(p.pkt.Payload, table)
	}
	h.Version = 2
	h.Padding, h.PaddingSize, p.pkt.PaddingSize = false, 0, 0
	h.Extension = false
	h.CSRC = h.CSRC[:0]
	n, err := p.pkt.MarshalTo(p.out[:])
	if err != nil {
		p.dst.sent(0, err)
		return nil, netip.AddrPort{}, false
	}
	return p.out[:n], to, true
}

// reportDTMF passes the telephone-event in p.pkt to onDTMF, once for its
// beginning and once for its end.
func (p *pipe) reportDTMF() {
	if p.onDTMF == nil {
		return
	}
	pl := p.pkt.Payload
	event, end := pl[0], pl[1]&0x80 != 0
	dur := time.Duration(binary.BigEndian.Uint16(pl[2:4])) * (time.Second / 8000)
	ts := p.pkt.Timestamp
	if !p.dtmfSeen || ts != p.dtmfTS {
		p.dtmfSeen, p.dtmfTS, p.dtmfEnded = true, ts, false
		if !end {
			p.onDTMF(p.src, event, false, dur)
		}
	}
	if end && !p.dtmfEnded {
		p.dtmfEnded = true
		p.onDTMF(p.src, event, true, dur)
	}
}

// wellFormed reports whether b has the shape of an RTP packet (RFC 3550
// section 5.1) that pion's Unmarshal accepts: version 2, the header with its
// CSRCs and extension inside b, sane padding, and not RTCP sent to the RTP
// port. Checking first keeps garbage off Unmarshal's error path, which
// allocates.
func wellFormed(b []byte) bool {
	if len(b) < 12 || b[0]>>6 != 2 {
		return false
	}
	if b[1] >= 200 && b[1] <= 204 { // RTCP SR, RR, SDES, BYE, APP
		return false
	}
	n := 12 + 4*int(b[0]&0x0f)
	if b[0]&0x10 != 0 {
		if len(b) < n+4 {
			return false
		}
		n += 4 + 4*int(binary.BigEndian.Uint16(b[n+2:]))
	}
	if len(b) < n {
		return false
	}
	if b[0]&0x20 != 0 {
		pad := int(b[len(b)-1])
		if pad == 0 || len(b)-pad < n {
			return false
		}
	}
	return true
}
