package sdp

import (
	"net/netip"
	"slices"
	"strings"
)

// Negotiated is what Negotiate chose from a remote offer: everything the
// media engine needs for the stream and Answer needs to reply.
type Negotiated struct {
	Index    int    // index of the chosen m= line in the offer
	PT       uint8  // payload type of the codec, as the offer numbered it
	Encoding string // PCMU or PCMA
	DTMFPT   uint8  // telephone-event/8000 payload type from the offer; 0 when not offered

	// Remote is where to send RTP; invalid when the offerer gave no
	// usable address (c=0.0.0.0 hold). Symmetric RTP may still learn it.
	Remote netip.AddrPort
	// Direction is what we may do on this stream: the reverse of the
	// offer's effective direction (offer sendonly: we may only receive).
	Direction Direction
	// Ptime is the packet time in ms the offerer asked to receive, or 20.
	Ptime int
	// Hold reports that the offerer does not want media: the offer is
	// sendonly or inactive, or uses the c=0.0.0.0 convention.
	Hold bool
}

// supported reports the canonical name of a codec this box can carry.
func supported(name string) (string, bool) {
	switch {
	case strings.EqualFold(name, PCMU):
		return PCMU, true
	case strings.EqualFold(name, PCMA):
		return PCMA, true
	}
	return "", false
}

// Negotiate chooses the stream and codec to answer an offer with. It takes
// the first audio stream over RTP/AVP with a non-zero port that carries a
// codec named in prefer (nil means PCMU and PCMA; names other than those
// two are ignored, as the box carries only G.711) and, within it, the first
// such codec in the offer's order: the offerer's preference wins. A codec
// is recognised by its a=rtpmap (name, clock 8000, one channel) or, without
// one, by its static payload type. telephone-event is taken from an
// a=rtpmap for telephone-event/8000 on any payload type.
//
// Streams over RTP/SAVP and other profiles are passed over until SRTP is
// supported. It returns an error wrapping ErrNoCodec when nothing fits.
func Negotiate(offer *Session, prefer []string) (Negotiated, error) {
	var want [2]bool // PCMU, PCMA
	if prefer == nil {
		want = [2]bool{true, true}
	}
	for _, p := range prefer {
		switch c, _ := supported(p); c {
		case PCMU:
			want[0] = true
		case PCMA:
			want[1] = true
		}
	}
	reason := "no audio stream"
	for i := range offer.Media {
		m := &offer.Media[i]
		if m.Type != "audio" {
			continue
		}
		if m.Port == 0 {
			reason = "audio stream disabled (port 0)"
			continue
		}
		if !strings.EqualFold(m.Proto, "RTP/AVP") {
			reason = "audio only over " + m.Proto
			continue
		}
		reason = "no common codec"
		n := Negotiated{Index: i}
		for _, pt := range m.Formats {
			r, ok := m.Encoding(pt)
			if !ok || r.ClockRate != 8000 || r.Channels > 1 {
				continue
			}
			if n.Encoding == "" {
				if c, ok := supported(r.Encoding); ok && (c == PCMU && want[0] || c == PCMA && want[1]) {
					n.PT, n.Encoding = pt, c
					continue
				}
			}
			if n.DTMFPT == 0 && pt != 0 && strings.EqualFold(r.Encoding, TelephoneEvent) {
				n.DTMFPT = pt
			}
		}
		if n.Encoding == "" {
			continue
		}
		if n.DTMFPT == n.PT {
			n.DTMFPT = 0
		}
		d := m.EffectiveDirection(offer)
		n.Direction = d.Reverse()
		n.Hold = !d.Receives()
		n.Remote, _ = m.Addr(offer)
		n.Ptime = m.Ptime
		if n.Ptime == 0 {
			n.Ptime = 20
		}
		return n, nil
	}
	return Negotiated{}, &noCodecError{reason}
}

type noCodecError struct{ reason string }

func (e *noCodecError) Error() string { return ErrNoCodec.Error() + ": " + e.reason }
func (e *noCodecError) Unwrap() error { return ErrNoCodec }

// Answer builds our answer to offer after Negotiate chose n. It mirrors the
// offer's m= lines in count and order (RFC 3264 section 6): every stream
// other than n.Index is rejected with port 0; the chosen one carries exactly
// the chosen codec and, when offered, telephone-event on the offerer's
// payload type with events 0-16, at local. Its direction is dir limited by
// what the offer allows (offer sendonly: recvonly; inactive: inactive), and
// its ptime mirrors n.Ptime, as many phones expect symmetric packet sizes.
// n must come from Negotiate on this offer. local is our public RTP address;
// the caller chooses sessID and version (see OriginState).
func Answer(offer *Session, n Negotiated, local netip.AddrPort, sessID, version uint64, dir Direction) *Session {
	s := &Session{
		Origin: Origin{Username: "-", SessionID: sessID, Version: version, Address: local.Addr().String()},
		Name:   "-",
		Conn:   local.Addr(),
		Media:  make([]Media, len(offer.Media)),
	}
	for i, om := range offer.Media {
		if i != n.Index {
			s.Media[i] = reject(om)
			continue
		}
		s.Media[i] = audio(om.Type, int(local.Port()), []codec{{n.Encoding, n.PT}}, n.DTMFPT, n.Direction.And(dir), n.Ptime)
	}
	return s
}

// reject returns the answer to a stream we do not take: port 0, same
// protocol, one format of the offer's.
func reject(om Media) Media {
	m := Media{Type: om.Type, Proto: om.Proto}
	switch {
	case len(om.Formats) > 0:
		m.Formats = om.Formats[:1:1]
	case len(om.RawFormats) > 0:
		m.RawFormats = om.RawFormats[:1:1]
	case isRTP(om.Proto):
		m.Formats = []uint8{0}
	default:
		m.RawFormats = []string{"*"}
	}
	return m
}

// codec is a codec name with the payload type it is sent on.
type codec struct {
	name string
	pt   uint8
}

// audio builds our G.711 stream with codecs, then telephone-event on dtmf
// unless 0.
func audio(typ string, port int, codecs []codec, dtmf uint8, dir Direction, ptime int) Media {
	m := Media{Type: typ, Port: port, Proto: "RTP/AVP", Direction: dir, Ptime: ptime,
		RTPMap: make(map[uint8]RTPMap, len(codecs)+1)}
	for _, c := range codecs {
		m.Formats = append(m.Formats, c.pt)
		m.RTPMap[c.pt] = RTPMap{Encoding: c.name, ClockRate: 8000}
	}
	if dtmf != 0 {
		m.Formats = append(m.Formats, dtmf)
		m.RTPMap[dtmf] = RTPMap{Encoding: TelephoneEvent, ClockRate: 8000}
		m.FMTP = map[uint8]string{dtmf: "0-16"}
	}
	return m
}

// OfferParams describes our offer. The zero value offers PCMU and PCMA
// with telephone-event on 101, sendrecv, 20 ms, but Addr must be set.
type OfferParams struct {
	// Addr is our RTP address and port as the far end must reach it
	// (the public address behind NAT, not the bind address).
	Addr netip.AddrPort
	// Codecs in our order of preference; nil or no known name means
	// PCMU then PCMA. Unknown names are skipped. They get their static
	// payload types.
	Codecs []string
	// DTMFPT is the telephone-event payload type, 96 to 127; others mean 101.
	DTMFPT uint8
	// NoDTMF leaves telephone-event out (in-band DTMF only).
	NoDTMF bool
	// Direction of the offer: SendOnly to hold, Inactive to hold a held party.
	Direction Direction
	// Ptime in ms that we want to receive; 0 means 20.
	Ptime int
	// SessionID and Version for o= (see OriginState).
	SessionID, Version uint64
}

// NewOffer builds our offer: one audio stream with the codecs of o and
// telephone-event with events 0-16.
func NewOffer(o OfferParams) *Session {
	var codecs []codec
	for _, c := range o.Codecs {
		if n, ok := supported(c); ok && !slices.Contains(codecs, codec{n, staticPT(n)}) {
			codecs = append(codecs, codec{n, staticPT(n)})
		}
	}
	if len(codecs) == 0 {
		codecs = []codec{{PCMU, 0}, {PCMA, 8}}
	}
	dtmf := o.DTMFPT
	if dtmf < 96 || dtmf > 127 {
		dtmf = 101
	}
	if o.NoDTMF {
		dtmf = 0
	}
	ptime := o.Ptime
	if ptime <= 0 {
		ptime = 20
	}
	m := audio("audio", int(o.Addr.Port()), codecs, dtmf, o.Direction&3, ptime)
	return &Session{
		Origin: Origin{Username: "-", SessionID: o.SessionID, Version: o.Version, Address: o.Addr.Addr().String()},
		Name:   "-",
		Conn:   o.Addr.Addr(),
		Media:  []Media{m},
	}
}

func staticPT(codec string) uint8 {
	if codec == PCMA {
		return 8
	}
	return 0
}

// OriginState is one call leg's o= identity: a session id fixed for the
// dialog and a version that must grow with every change of the SDP the leg
// sends, and stay put when a re-offer repeats the last one (RFC 3264 section
// 8). The caller picks ID (randomly, at the start of the leg) and an initial
// Version. It is not safe for concurrent use; a leg guards it with its lock.
type OriginState struct {
	ID, Version uint64
	last        []byte // last body stamped, with o= version zeroed
}

// Next increments Version and returns it, for a caller that tracks changes
// itself.
func (o *OriginState) Next() uint64 {
	o.Version++
	return o.Version
}

// Stamp sets s's session id and version: the current Version when s says
// the same as the previous stamped session, the next one when it differs
// (the first call keeps Version).
func (o *OriginState) Stamp(s *Session) {
	s.Origin.SessionID = o.ID
	s.Origin.Version = 0
	body := s.Marshal()
	if o.last != nil && string(body) != string(o.last) {
		o.Version++
	}
	o.last = body
	s.Origin.Version = o.Version
}
