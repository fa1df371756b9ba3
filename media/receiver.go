package media

import (
	"net/netip"
	"time"

	"github.com/pion/rtp"

	"deskline/media/dtmf"
)

// ReceiverOptions configures a Receiver. The zero value is valid (and
// discards what it reads).
type ReceiverOptions struct {
	// OnAudio, if set, gets every audio packet the Session accepts: its
	// header and its payload decoded to 8 kHz 16-bit linear samples. pcm
	// is reused for the next packet.
	OnAudio func(h *rtp.Header, pcm []int16)
	// OnDigit, if set, is told of DTMF digits (0-9 * # A-D): once when a
	// digit begins and once when it ends. They come from RFC 4733
	// telephone-events, or, when the Session negotiated none and InBand
	// is set, from the tones in the audio.
	OnDigit func(digit byte, end bool)
	// InBand turns on the in-band DTMF detector for a Session whose peer
	// sends digits as tones (no telephone-event payload type).
	InBand bool
}

// Receiver reads a Session whose audio ends in the box rather than going
// on to another leg: a caller in an IVR menu, a queue caller hearing
// music, a party in the mixer. It keeps the Session's symmetric-RTP learning
// and statistics going (so the call is not thought dead), decodes audio and
// reports DTMF.
//
// Lifecycle as for a Relay: NewReceiver, Start, Close. A Session is read by
// at most one Relay or Receiver at a time. Callbacks run on the Receiver's
// goroutine, must return quickly and must not call Close.
type Receiver struct {
	s      *Session
	o      ReceiverOptions
	loop   readLoop
	in     [maxDatagram]byte
	pkt    rtp.Packet
	pcm    [maxDatagram]int16
	dedup  dtmfDedup
	det    *dtmf.Detector
	events [8]dtmf.Event
}

// NewReceiver returns a Receiver for s.
func NewReceiver(s *Session, o ReceiverOptions) *Receiver {
	r := &Receiver{s: s, o: o}
	r.pkt.CSRC = make([]uint32, 0, 15)
	r.pkt.Extensions = make([]rtp.Extension, 0, 16)
	if o.InBand && o.OnDigit != nil {
		r.det = dtmf.NewDetector(nil)
	}
	return r
}

// Start starts the Receiver's goroutine. Calling it again, or after Close,
// does nothing.
func (r *Receiver) Start() {
	r.loop.start(readerOf(r.s, r.handle, r.in[:]))
}

// Close stops the Receiver and waits for its goroutine. It does not close
// the Session. It is idempotent and always returns nil.
func (r *Receiver) Close() error { return r.loop.close() }

// handle takes one datagram; it allocates nothing.
func (r *Receiver) handle(b []byte, from netip.AddrPort) {
	from = unmapAddrPort(from)
	b, ok := r.s.unprotect(b)
	if !ok {
		return
	}
	valid := wellFormed(b) && r.pkt.Unmarshal(b) == nil
	kind, f := r.s.admit(from, valid, &r.pkt.Header, len(r.pkt.Payload), len(b), time.Now())
	switch kind {
	case kindDTMF:
		event, begins, ends, _ := r.dedup.see(&r.pkt)
		if r.o.OnDigit == nil || event > 15 {
			return
		}
		d := eventDigits[event]
		if begins {
			r.o.OnDigit(d, false)
		}
		if ends {
			r.o.OnDigit(d, true)
		}
	case kindAudio:
		n := f.Codec.Decode(r.pcm[:], r.pkt.Payload)
		pcm := r.pcm[:n]
		if r.o.OnAudio != nil {
			r.o.OnAudio(&r.pkt.Header, pcm)
		}
		if r.det != nil && f.DTMFPT == 0 {
			for _, e := range r.det.Feed(pcm, r.events[:0]) {
				r.o.OnDigit(e.Digit, e.Ended)
			}
		}
	}
}

// eventDigits maps RFC 4733 event codes 0-15 to their keys.
const eventDigits = "0123456789*#ABCD"

// DigitEvent returns the RFC 4733 event code of a DTMF key (0-9 * # A-D),
// and false for any other byte.
func DigitEvent(d byte) (uint8, bool) {
	for i := 0; i < len(eventDigits); i++ {
		if eventDigits[i] == d {
			return uint8(i), true
		}
	}
	return 0, false
}
