package media

import (
	"encoding/binary"
	"io"
	"net/netip"
	"time"

	"github.com/pion/rtp"

	"deskline/media/srtp"
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
	loop   readLoop
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
	r.loop.start(
		readerOf(r.ab.src, func(b []byte, from netip.AddrPort) {
			if out, to, ok := r.ab.forward(b, from, time.Now()); ok {
				r.ab.dst.sent(r.ab.dst.conn.WriteToUDPAddrPort(out, to))
			}
		}, r.ab.in[:]),
		readerOf(r.ba.src, func(b []byte, from netip.AddrPort) {
			if out, to, ok := r.ba.forward(b, from, time.Now()); ok {
				r.ba.dst.sent(r.ba.dst.conn.WriteToUDPAddrPort(out, to))
			}
		}, r.ba.in[:]),
	)
}

// Close stops the Relay's goroutines and waits for them to return. It does
// not close the Sessions. It is idempotent and always returns nil.
func (r *Relay) Close() error { return r.loop.close() }

// maxDatagram is the largest datagram a pipe reads whole. RTP for G.711 is
// 172 bytes at 20 ms; anything near this size is not telephony.
const maxDatagram = 2048

// pipe is one direction of a Relay. Its buffer and parsed packet are
// reused for every packet, and only its goroutine touches them. The packet
// sent is written over the one read (see forward), so one buffer serves.
type pipe struct {
	src, dst *Session
	onDTMF   func(from *Session, event uint8, end bool, duration time.Duration)

	pkt rtp.Packet
	in  [maxDatagram]byte

	dtmf dtmfDedup
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
// be sent. out is written over in: the header sent is the fixed 12 bytes
// (no CSRCs, extension or padding), never longer than the one read, so the
// payload only moves towards the front; SRTP's tag goes in in's spare
// capacity (a pipe reads into maxDatagram bytes). Called once per packet
// by the pipe's goroutine; it allocates nothing.
func (p *pipe) forward(in []byte, from netip.AddrPort, now time.Time) (out []byte, to netip.AddrPort, ok bool) {
	from = unmapAddrPort(from)
	in, ok = p.src.unprotect(in)
	if !ok {
		return nil, netip.AddrPort{}, false
	}
	valid := wellFormed(in) && p.pkt.Unmarshal(in) == nil
	kind, srcFmt := p.src.admit(from, valid, &p.pkt.Header, len(p.pkt.Payload), len(in), now)
	if kind == kindDrop {
		return nil, netip.AddrPort{}, false
	}
	if kind == kindDTMF {
		p.reportDTMF()
	}
	h := &p.pkt.Header
	to, table, ok := p.dst.prepareOut(h, kind, srcFmt.Codec, len(p.pkt.Payload), p, now)
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
	n, err := p.pkt.MarshalTo(in)
	if err == nil && n+srtp.MaxOverhead > cap(in) && p.dst.SRTP() {
		err = io.ErrShortBuffer // no room for the SRTP tag: not telephony anyway
	}
	if err == nil {
		out, err = p.dst.protect(in[:n])
	}
	if err != nil {
		p.dst.sent(0, err)
		return nil, netip.AddrPort{}, false
	}
	return out, to, true
}

// reportDTMF passes the telephone-event in p.pkt to onDTMF, once for its
// beginning and once for its end.
func (p *pipe) reportDTMF() {
	if p.onDTMF == nil {
		return
	}
	event, begins, ends, dur := p.dtmf.see(&p.pkt)
	if begins {
		p.onDTMF(p.src, event, false, dur)
	}
	if ends {
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
