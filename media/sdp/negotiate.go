package sdp

import (
	"errors"
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

	// Proto is the chosen stream's profile as the offer wrote it
	// ("RTP/AVP" or "RTP/SAVP"); Answer echoes it.
	Proto string
	// SRTP is the remote side's key when the stream is SRTP: it decrypts
	// what we receive. nil for plain RTP. For an answer to our offer,
	// SRTP.Tag names which of our a=crypto lines (and so which of our
	// keys) the far end accepted.
	SRTP *Crypto
}

// SRTPPolicy says whether a leg may, must or must not carry SRTP. The zero
// value is SRTPOff, what a caller without keys needs.
type SRTPPolicy uint8

const (
	// SRTPOff: plain RTP only. RTP/SAVP streams are passed over and
	// a=crypto lines on RTP/AVP ignored.
	SRTPOff SRTPPolicy = iota
	// SRTPOptional: SRTP when the stream carries a usable a=crypto line
	// (on RTP/SAVP, or on RTP/AVP as some phones offer "best effort"
	// SRTP), plain RTP on RTP/AVP otherwise.
	SRTPOptional
	// SRTPRequired: SRTP only; a stream without a usable a=crypto line
	// is refused, plain RTP/AVP included.
	SRTPRequired
)

// NegotiateOptions are what NegotiateWith may accept. The zero value takes
// PCMU or PCMA over plain RTP only.
type NegotiateOptions struct {
	// Codecs we accept, as the prefer argument of Negotiate.
	Codecs []string
	// SRTP policy for the leg.
	SRTP SRTPPolicy
	// Suites we accept, in our order of preference; nil means every
	// suite this package knows: AES_CM_128_HMAC_SHA1_80,
	// AES_CM_128_HMAC_SHA1_32, AEAD_AES_128_GCM, AEAD_AES_256_GCM,
	// AES_256_CM_HMAC_SHA1_80. Unknown names are ignored.
	Suites []string
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
// Negotiate takes plain RTP only: streams over RTP/SAVP and other profiles
// are passed over, a=crypto lines ignored. It returns an error wrapping
// ErrNoCodec when nothing fits. NegotiateWith also handles SRTP.
func Negotiate(offer *Session, prefer []string) (Negotiated, error) {
	return NegotiateWith(offer, NegotiateOptions{Codecs: prefer})
}

// NegotiateWith is Negotiate with SRTP (SDES, RFC 4568) as o.SRTP allows.
// Streams over RTP/AVP and RTP/SAVP are considered in the offer's order.
// For SRTP it picks, among the stream's usable a=crypto lines (see
// ParseCrypto: unusable lines are skipped), the one whose suite comes first
// in o.Suites, the earliest line on a tie, and reports it in
// Negotiated.SRTP. An RTP/SAVP stream without a usable line, or any stream
// without one under SRTPRequired, is passed over with the reason. The error
// wraps ErrNoCodec, and also ErrNoCrypto when the last stream considered
// failed for want of SRTP keying.
func NegotiateWith(offer *Session, o NegotiateOptions) (Negotiated, error) {
	var want [2]bool // PCMU, PCMA
	if o.Codecs == nil {
		want = [2]bool{true, true}
	}
	for _, p := range o.Codecs {
		switch c, _ := supported(p); c {
		case PCMU:
			want[0] = true
		case PCMA:
			want[1] = true
		}
	}
	fail := &noCodecError{reason: "no audio stream"}
	for i := range offer.Media {
		m := &offer.Media[i]
		if m.Type != "audio" {
			continue
		}
		if m.Port == 0 {
			fail = &noCodecError{reason: "audio stream disabled (port 0)"}
			continue
		}
		savp := strings.EqualFold(m.Proto, "RTP/SAVP")
		if !savp && !strings.EqualFold(m.Proto, "RTP/AVP") {
			fail = &noCodecError{reason: "audio only over " + m.Proto}
			continue
		}
		if savp && o.SRTP == SRTPOff {
			fail = &noCodecError{reason: "audio only over RTP/SAVP and SRTP is off", crypto: true}
			continue
		}
		n := Negotiated{Index: i, Proto: m.Proto}
		if o.SRTP != SRTPOff {
			var why string
			n.SRTP, why = pickCrypto(*m, o.Suites)
			if n.SRTP == nil && (savp || o.SRTP == SRTPRequired) {
				fail = &noCodecError{reason: m.Proto + " stream without a usable a=crypto line: " + why, crypto: true}
				continue
			}
		}
		fail = &noCodecError{reason: "no common codec"}
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
	return Negotiated{}, fail
}

type noCodecError struct {
	reason string
	crypto bool // for want of SRTP keying: also ErrNoCrypto
}

func (e *noCodecError) Error() string {
	if e.crypto {
		return ErrNoCrypto.Error() + ": " + e.reason
	}
	return ErrNoCodec.Error() + ": " + e.reason
}

func (e *noCodecError) Unwrap() []error {
	if e.crypto {
		return []error{ErrNoCodec, ErrNoCrypto}
	}
	return []error{ErrNoCodec}
}

// pickCrypto returns the stream's usable a=crypto line whose suite comes
// first in prefer (nil: our default order), or nil and why there is none.
func pickCrypto(m Media, prefer []string) (*Crypto, string) {
	usable, skipped := m.Crypto()
	if prefer == nil {
		for _, s := range cryptoSuites {
			prefer = append(prefer, s.name)
		}
	}
	for _, p := range prefer {
		for i := range usable {
			if strings.EqualFold(usable[i].Suite, p) {
				return &usable[i], ""
			}
		}
	}
	switch {
	case len(usable) > 0:
		return nil, "no suite we accept among " + itoa(len(usable)) + " offered"
	case len(skipped) > 0:
		return nil, skipped[0].Error()
	}
	return nil, "none"
}

// Answer builds our answer to offer after Negotiate chose n. It mirrors the
// offer's m= lines in count and order (RFC 3264 section 6): every stream
// other than n.Index is rejected with port 0; the chosen one carries exactly
// the chosen codec and, when offered, telephone-event on the offerer's
// payload type with events 0-16, at local. Its direction is dir limited by
// what the offer allows (offer sendonly: recvonly; inactive: inactive), and
// its ptime mirrors n.Ptime, as many phones expect symmetric packet sizes.
// n must come from Negotiate on this offer. local is our public RTP address;
// the caller chooses sessID and version (see OriginState).
//
// Answer has no key to give: when n carries SRTP it rejects the chosen
// stream too (port 0). Use AnswerWith for SRTP.
func Answer(offer *Session, n Negotiated, local netip.AddrPort, sessID, version uint64, dir Direction) *Session {
	s, err := AnswerWith(offer, n, AnswerParams{Addr: local, SessionID: sessID, Version: version, Direction: dir})
	if err != nil {
		s = answer(offer, n, AnswerParams{Addr: local, SessionID: sessID, Version: version}, -1)
	}
	return s
}

// AnswerParams describe our side of an answer.
type AnswerParams struct {
	// Addr is our public RTP address and port.
	Addr netip.AddrPort
	// SessionID and Version for o= (see OriginState).
	SessionID, Version uint64
	// Direction we want, limited by what the offer allows.
	Direction Direction
	// Key is our SRTP master key||salt for n.SRTP.Suite (media/srtp's
	// GenerateKey makes one): what we encrypt with. Required when
	// n.SRTP is set, ignored otherwise.
	Key []byte
}

// AnswerWith is Answer for a negotiation that may carry SRTP. The chosen
// stream keeps the offer's profile (n.Proto) and, when n.SRTP is set, has
// one a=crypto line with the offer's tag and suite and p.Key. It fails when
// n.SRTP is set and p.Key is not the suite's length.
func AnswerWith(offer *Session, n Negotiated, p AnswerParams) (*Session, error) {
	if n.SRTP != nil {
		suite, l := suiteKeyLen(n.SRTP.Suite)
		if l == 0 || len(p.Key) != l {
			return nil, errors.New("sdp: answer needs a key of " + itoa(l) + " bytes for " + quote(n.SRTP.Suite) + ", has " + itoa(len(p.Key)))
		}
		n.SRTP = &Crypto{Tag: n.SRTP.Tag, Suite: suite, Key: p.Key}
	}
	return answer(offer, n, p, n.Index), nil
}

// answer builds the answer accepting stream index (-1: none).
func answer(offer *Session, n Negotiated, p AnswerParams, index int) *Session {
	s := &Session{
		Origin: Origin{Username: "-", SessionID: p.SessionID, Version: p.Version, Address: p.Addr.Addr().String()},
		Name:   "-",
		Conn:   p.Addr.Addr(),
		Media:  make([]Media, len(offer.Media)),
	}
	for i, om := range offer.Media {
		if i != index {
			s.Media[i] = reject(om)
			continue
		}
		m := audio(om.Type, int(p.Addr.Port()), []codec{{n.Encoding, n.PT}}, n.DTMFPT, n.Direction.And(p.Direction), n.Ptime)
		if n.Proto != "" {
			m.Proto = n.Proto
		}
		if n.SRTP != nil {
			m.Attrs = []Attr{n.SRTP.Attr()}
		}
		s.Media[i] = m
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

	// Crypto, when not empty, makes the offer SRTP: the stream is
	// RTP/SAVP with one a=crypto line per entry, in order (number the
	// tags 1, 2, ...; keys from media/srtp's GenerateKey, one per line).
	// Entries with an unknown suite or a key of the wrong length are
	// left out; if none is left the offer is RTP/SAVP without keys,
	// which the far end refuses rather than talk in clear.
	Crypto []Crypto
	// SRTPOptional puts the a=crypto lines on RTP/AVP instead ("best
	// effort"): a phone without SRTP answers plain RTP.
	SRTPOptional bool
}

// NewOffer builds our offer: one audio stream with the codecs of o and
// telephone-event with events 0-16, and SRTP keys when o.Crypto has some.
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
	if len(o.Crypto) > 0 {
		if !o.SRTPOptional {
			m.Proto = "RTP/SAVP"
		}
		for _, c := range o.Crypto {
			if suite, l := suiteKeyLen(c.Suite); l != 0 && len(c.Key) == l && c.Tag >= 0 && c.Tag <= 999999999 {
				c.Suite = suite
				m.Attrs = append(m.Attrs, c.Attr())
			}
		}
	}
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
