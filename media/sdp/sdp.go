package sdp

import (
	"errors"
	"net/netip"
	"strings"
)

// Errors returned by this package. Callers test them with errors.Is.
var (
	// ErrInvalid is returned by Parse when the body is not SDP it can
	// read: too large, too many lines or streams, a line that is not of
	// the form "x=value", or a known line (v=, o=, c=, m=, a=rtpmap,
	// a=fmtp) with a malformed value. The wrapping *SyntaxError names the
	// line. Upstream this becomes 400 Bad Request.
	ErrInvalid = errors.New("sdp: invalid")

	// ErrNoCodec is returned by Negotiate and NegotiateWith when the offer
	// has no stream we can accept: no audio over a profile we take with a
	// non-zero port, no codec in common, or no SRTP keying where the
	// policy needs it. Upstream this becomes 488 Not Acceptable Here.
	ErrNoCodec = errors.New("sdp: no acceptable audio codec")

	// ErrNoCrypto is returned by NegotiateWith, together with ErrNoCodec,
	// when the stream it could have taken fails for want of SRTP keying:
	// RTP/SAVP without a usable a=crypto line, RTP/SAVP while SRTP is off,
	// or plain RTP while SRTP is required. Also 488 upstream.
	ErrNoCrypto = errors.New("sdp: no acceptable SRTP keying")
)

// SyntaxError describes why Parse rejected a body. It wraps ErrInvalid.
type SyntaxError struct {
	Line int    // 1-based line number; 0 when the body as a whole is at fault
	Msg  string // what is wrong
}

func (e *SyntaxError) Error() string {
	if e.Line == 0 {
		return ErrInvalid.Error() + ": " + e.Msg
	}
	return ErrInvalid.Error() + ": line " + itoa(e.Line) + ": " + e.Msg
}

// Unwrap returns ErrInvalid.
func (e *SyntaxError) Unwrap() error { return ErrInvalid }

// Limits enforced by Parse on untrusted input.
const (
	MaxSize    = 16 << 10 // bytes in one body
	MaxLines   = 512      // lines in one body
	MaxMedia   = 16       // m= lines in one body
	MaxFormats = 64       // formats on one m= line
)

// Codec names understood by Negotiate and NewOffer, and the encoding name of
// RFC 4733 events.
const (
	PCMU           = "PCMU" // G.711 µ-law, static payload type 0
	PCMA           = "PCMA" // G.711 A-law, static payload type 8
	TelephoneEvent = "telephone-event"
)

// Session is one SDP body. The zero value is an empty session; Marshal fills
// in "-" for a missing name.
type Session struct {
	Origin Origin     // o=
	Name   string     // s=; "-" when the sender left it out or empty
	Conn   netip.Addr // session-level c=; invalid when absent
	Attrs  []Attr     // session-level a= lines other than a direction, verbatim
	Media  []Media    // m= sections in order
}

// Origin is the o= line. A sender keeps SessionID for the whole dialog and
// increments Version whenever the body changes (see OriginState).
type Origin struct {
	Username  string // "-" when the sender has none
	SessionID uint64
	Version   uint64
	Address   string // IP literal, or a host name as some senders write it
}

// Media is one m= section.
type Media struct {
	Type  string // "audio", "video", "image", ...
	Port  int    // 0 marks a rejected or disabled stream
	Proto string // "RTP/AVP", "RTP/SAVP", "udptl", ...

	// Formats are the RTP payload types of the m= line in the sender's
	// order of preference. Empty for non-RTP streams.
	Formats []uint8
	// RawFormats are the m= formats of a non-RTP stream ("t38", "*")
	// verbatim. Empty for RTP streams.
	RawFormats []string

	// RTPMap holds a=rtpmap for payload types listed in Formats. Static
	// types (0 PCMU, 8 PCMA, ...) may be absent; see Media.Encoding.
	RTPMap map[uint8]RTPMap
	// FMTP holds the parameters of a=fmtp for payload types in Formats.
	FMTP map[uint8]string

	Direction Direction  // a=sendrecv etc.; a session-level value applies when the section has none
	Conn      netip.Addr // media-level c=; overrides Session.Conn when valid
	Ptime     int        // a=ptime in ms; 0 when absent (it is only a hint)
	Attrs     []Attr     // other a= lines (crypto, rtcp, maxptime, ...) verbatim
}

// RTPMap is an a=rtpmap value such as "telephone-event/8000".
type RTPMap struct {
	Encoding  string
	ClockRate int
	Channels  int // 0 when not given, which means 1 for audio
}

// Attr is an a= line kept verbatim: "a=Key" or "a=Key:Value".
type Attr struct {
	Key, Value string
}

// Direction is a stream's direction from the point of view of the side that
// wrote the SDP. The zero value is SendRecv, the default of RFC 8866.
type Direction uint8

// Directions. Bit 0 means "does not receive", bit 1 "does not send", so
// that the intersection of two directions is their bitwise or.
const (
	SendRecv Direction = 0
	SendOnly Direction = 1
	RecvOnly Direction = 2
	Inactive Direction = 3
)

var directionNames = [...]string{"sendrecv", "sendonly", "recvonly", "inactive"}

func (d Direction) String() string {
	if int(d) < len(directionNames) {
		return directionNames[d]
	}
	return "Direction(" + itoa(int(d)) + ")"
}

// Reverse returns the direction as seen from the other side: sendonly
// becomes recvonly and the reverse; sendrecv and inactive stay.
func (d Direction) Reverse() Direction {
	return (d&1)<<1 | (d&2)>>1
}

// Sends reports whether the side using direction d sends media.
func (d Direction) Sends() bool { return d&2 == 0 }

// Receives reports whether the side using direction d receives media.
func (d Direction) Receives() bool { return d&1 == 0 }

// And returns the direction that satisfies both d and e: only what both allow.
func (d Direction) And(e Direction) Direction { return (d | e) & 3 }

func parseDirection(s string) (Direction, bool) {
	for i, n := range directionNames {
		if s == n {
			return Direction(i), true
		}
	}
	return 0, false
}

// Addr returns where to send this stream's RTP: the media-level c= or, when
// absent, the session-level one, with the m= port. It reports false for a
// rejected stream (port 0), a missing address, and for the unspecified
// address 0.0.0.0 or :: that old phones use for hold (RFC 2543); such a
// stream is reported as not receiving by EffectiveDirection.
func (m Media) Addr(s *Session) (netip.AddrPort, bool) {
	c := m.conn(s)
	if m.Port <= 0 || m.Port > 65535 || !c.IsValid() || c.IsUnspecified() {
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(c, uint16(m.Port)), true
}

func (m Media) conn(s *Session) netip.Addr {
	if m.Conn.IsValid() || s == nil {
		return m.Conn
	}
	return s.Conn
}

// EffectiveDirection returns the stream's direction with the old hold
// convention folded in: a sender whose c= is 0.0.0.0 (or ::) does not
// receive, so sendrecv becomes sendonly and recvonly becomes inactive.
func (m Media) EffectiveDirection(s *Session) Direction {
	d := m.Direction
	if c := m.conn(s); c.IsValid() && c.IsUnspecified() {
		d = d.And(SendOnly)
	}
	return d
}

// Encoding returns the rtpmap of payload type pt: the a=rtpmap line when
// present, otherwise the static assignment of RFC 3551 for the types this
// box cares about (0 PCMU, 8 PCMA, 9 G722, 18 G729).
func (m Media) Encoding(pt uint8) (RTPMap, bool) {
	if r, ok := m.RTPMap[pt]; ok {
		return r, true
	}
	switch pt {
	case 0:
		return RTPMap{Encoding: PCMU, ClockRate: 8000}, true
	case 8:
		return RTPMap{Encoding: PCMA, ClockRate: 8000}, true
	case 9:
		return RTPMap{Encoding: "G722", ClockRate: 8000}, true
	case 18:
		return RTPMap{Encoding: "G729", ClockRate: 8000}, true
	}
	return RTPMap{}, false
}

// isRTP reports whether proto carries RTP payload types as formats.
func isRTP(proto string) bool {
	return strings.Contains(strings.ToUpper(proto), "RTP/")
}

// AudioMedia returns the first audio stream, rejected or not, and its
// index, or nil and -1 when there is none.
func (s *Session) AudioMedia() (*Media, int) {
	for i := range s.Media {
		if s.Media[i].Type == "audio" {
			return &s.Media[i], i
		}
	}
	return nil, -1
}
