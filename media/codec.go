package media

import (
	"strconv"

	"github.com/zaf/g711"
)

// Codec is an audio codec the media engine can carry and convert.
// The zero value is PCMU.
type Codec uint8

// The codecs of G.711, both sampled at 8000 Hz, one byte per sample.
const (
	PCMU Codec = iota // G.711 µ-law, static payload type 0
	PCMA              // G.711 A-law, static payload type 8
)

// String returns the codec's name as written in SDP rtpmap lines.
func (c Codec) String() string {
	switch c {
	case PCMU:
		return "PCMU"
	case PCMA:
		return "PCMA"
	}
	return "Codec(" + strconv.Itoa(int(c)) + ")"
}

// StaticPT returns the payload type RFC 3551 assigns to c, and false for a
// codec without a static payload type.
func (c Codec) StaticPT() (uint8, bool) {
	switch c {
	case PCMU:
		return 0, true
	case PCMA:
		return 8, true
	}
	return 0, false
}

// ClockRate returns the RTP clock rate of c in Hz.
func (c Codec) ClockRate() int { return 8000 }

// Format is what signalling negotiated for one leg: the audio codec with its
// payload type, and the payload type of RFC 4733 telephone-events.
//
// The zero value is PCMU on payload type 0 without telephone-events.
type Format struct {
	Codec Codec
	// PT is the payload type the peer uses for Codec (0..127).
	PT uint8
	// DTMFPT is the negotiated telephone-event payload type; 0 means none
	// was negotiated. It is never assumed to be 101.
	DTMFPT uint8
}

// Direction is the media direction attribute the peer of a Session put in
// its SDP (a=sendrecv, a=sendonly, a=recvonly, a=inactive), that is, the
// peer's point of view. The zero value is SendRecv.
//
// From the Session's side this means:
//
//	peer's attribute  we send to peer  we accept from peer
//	SendRecv          yes              yes
//	SendOnly          no  (hold)       yes
//	RecvOnly          yes              no
//	Inactive          no               no
type Direction uint8

// The four directions of RFC 3264, as declared by the peer.
const (
	SendRecv Direction = iota
	SendOnly
	RecvOnly
	Inactive
)

// String returns the SDP attribute name of d.
func (d Direction) String() string {
	switch d {
	case SendRecv:
		return "sendrecv"
	case SendOnly:
		return "sendonly"
	case RecvOnly:
		return "recvonly"
	case Inactive:
		return "inactive"
	}
	return "Direction(" + strconv.Itoa(int(d)) + ")"
}

// PeerReceives reports whether a peer that declared d wants our audio, that
// is, whether we may send to it.
func (d Direction) PeerReceives() bool { return d == SendRecv || d == RecvOnly }

// PeerSends reports whether a peer that declared d may send audio to us, that
// is, whether what it sends is carried on.
func (d Direction) PeerSends() bool { return d == SendRecv || d == SendOnly }

// Conversion tables between the two G.711 laws, filled once from zaf/g711's
// per-sample functions and read-only afterwards.
var (
	ulawToAlaw = lawTable(g711.Ulaw2AlawFrame)
	alawToUlaw = lawTable(g711.Alaw2UlawFrame)
)

func lawTable(conv func(uint8) uint8) *[256]byte {
	var t [256]byte
	for i := range t {
		t[i] = conv(uint8(i))
	}
	return &t
}

// transcoder returns the table that converts payloads of codec from into
// codec to, nil when no conversion is needed, and ok false when the pair
// cannot be converted.
func transcoder(from, to Codec) (table *[256]byte, ok bool) {
	switch {
	case from == to:
		return nil, true
	case from == PCMU && to == PCMA:
		return ulawToAlaw, true
	case from == PCMA && to == PCMU:
		return alawToUlaw, true
	}
	return nil, false
}

// TranscodeFrame converts a G.711 payload from codec from to codec to in
// place. It allocates nothing and returns false, leaving p untouched, when
// the pair cannot be converted. Equal codecs are a no-op.
func TranscodeFrame(p []byte, from, to Codec) bool {
	t, ok := transcoder(from, to)
	if !ok {
		return false
	}
	if t != nil {
		convert(p, t)
	}
	return true
}

func convert(p []byte, t *[256]byte) {
	for i, c := range p {
		p[i] = t[c]
	}
}

// Decoding tables of the two laws, filled once and read-only afterwards.
var (
	ulawLinear = decodeTable(g711.DecodeUlawFrame)
	alawLinear = decodeTable(g711.DecodeAlawFrame)
)

func decodeTable(dec func(uint8) int16) *[256]int16 {
	var t [256]int16
	for i := range t {
		t[i] = dec(uint8(i))
	}
	return &t
}

// Encode writes the first min(len(dst), len(pcm)) samples of 8 kHz 16-bit
// linear audio pcm into dst in codec c and returns how many it wrote. It
// allocates nothing.
func (c Codec) Encode(dst []byte, pcm []int16) int {
	n := min(len(dst), len(pcm))
	enc := g711.EncodeUlawFrame
	if c == PCMA {
		enc = g711.EncodeAlawFrame
	}
	for i, v := range pcm[:n] {
		dst[i] = enc(v)
	}
	return n
}

// Decode writes the first min(len(dst), len(payload)) samples of payload,
// in codec c, into dst as 16-bit linear audio and returns how many it
// wrote. It allocates nothing.
func (c Codec) Decode(dst []int16, payload []byte) int {
	n := min(len(dst), len(payload))
	t := ulawLinear
	if c == PCMA {
		t = alawLinear
	}
	for i, b := range payload[:n] {
		dst[i] = t[b]
	}
	return n
}
