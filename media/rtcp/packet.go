package rtcp

import (
	"encoding/binary"
	"errors"
)

// PacketType is the packet type field of an RTCP header (RFC 3550 §12.1).
type PacketType uint8

// RTCP packet types.
const (
	TypeSR   PacketType = 200 // sender report
	TypeRR   PacketType = 201 // receiver report
	TypeSDES PacketType = 202 // source description
	TypeBYE  PacketType = 203 // goodbye
	TypeAPP  PacketType = 204 // application-defined (skipped by Parser)
)

// sdesCNAME is the SDES item type of the canonical name.
const sdesCNAME = 1

// MaxBlocks is the most report blocks one SR or RR can carry (the 5-bit
// count field).
const MaxBlocks = 31

// Errors returned by AppendSR, AppendRR, AppendBYE and Parser.Parse.
// Parse returns them unwrapped, so a flood of malformed packets costs no
// allocation.
var (
	// ErrTooManyBlocks: more than MaxBlocks report blocks or BYE sources.
	ErrTooManyBlocks = errors.New("rtcp: too many report blocks")
	// ErrTextTooLong: a CNAME or BYE reason longer than 255 octets.
	ErrTextTooLong = errors.New("rtcp: text longer than 255 octets")
	// ErrShort: the datagram, or a packet inside it, is shorter than its
	// header or contents require.
	ErrShort = errors.New("rtcp: packet too short")
	// ErrVersion: a packet's version field is not 2.
	ErrVersion = errors.New("rtcp: bad version")
	// ErrLength: a packet's length field points past the datagram.
	ErrLength = errors.New("rtcp: length field exceeds datagram")
	// ErrPadding: padding on a packet other than the last, or a bad
	// padding count.
	ErrPadding = errors.New("rtcp: bad padding")
	// ErrFirst: a compound packet that does not start with an SR or RR
	// (allowed only with Parser.ReducedSize).
	ErrFirst = errors.New("rtcp: compound packet does not start with SR or RR")
	// ErrSDES: a malformed SDES chunk or item.
	ErrSDES = errors.New("rtcp: malformed SDES")
)

// SenderInfo is the sender information section of an SR (RFC 3550 §6.4.1).
type SenderInfo struct {
	NTP     uint64 // wallclock time of the report, NTP format
	RTPTime uint32 // RTP timestamp of the same instant
	Packets uint32 // packets sent since the stream started
	Octets  uint32 // payload octets sent since the stream started
}

// ReportBlock is one reception report block of an SR or RR (RFC 3550
// §6.4.1), describing how the reporter receives source SSRC.
type ReportBlock struct {
	SSRC         uint32
	FractionLost uint8  // lost in the last interval, in 1/256 units
	TotalLost    int32  // cumulative lost (24-bit signed on the wire)
	LastSeq      uint32 // extended highest sequence number received
	Jitter       uint32 // interarrival jitter, RTP timestamp units
	LSR          uint32 // middle 32 bits of the last SR's NTP time, 0 if none
	DLSR         uint32 // delay since that SR, 1/65536 s
}

// appendHeader appends a 4-octet RTCP header with count and the packet's
// length in octets (a multiple of 4, header included).
func appendHeader(buf []byte, count int, pt PacketType, octets int) []byte {
	return append(buf, 2<<6|byte(count), byte(pt), byte((octets/4-1)>>8), byte(octets/4-1))
}

func appendBlocks(buf []byte, blocks []ReportBlock) []byte {
	for _, b := range blocks {
		lost := uint32(b.TotalLost) & 0xffffff
		buf = binary.BigEndian.AppendUint32(buf, b.SSRC)
		buf = binary.BigEndian.AppendUint32(buf, uint32(b.FractionLost)<<24|lost)
		buf = binary.BigEndian.AppendUint32(buf, b.LastSeq)
		buf = binary.BigEndian.AppendUint32(buf, b.Jitter)
		buf = binary.BigEndian.AppendUint32(buf, b.LSR)
		buf = binary.BigEndian.AppendUint32(buf, b.DLSR)
	}
	return buf
}

// appendSDES appends an SDES packet with one chunk: ssrc's CNAME.
func appendSDES(buf []byte, ssrc uint32, cname string) []byte {
	// chunk: SSRC, item (type, length, text), at least one null octet,
	// padded to a 32-bit boundary.
	chunk := 4 + 2 + len(cname)
	chunk += 4 - chunk%4
	buf = appendHeader(buf, 1, TypeSDES, 4+chunk)
	buf = binary.BigEndian.AppendUint32(buf, ssrc)
	buf = append(buf, sdesCNAME, byte(len(cname)))
	buf = append(buf, cname...)
	for range chunk - 6 - len(cname) {
		buf = append(buf, 0)
	}
	return buf
}

func checkReport(blocks []ReportBlock, cname string) error {
	if len(blocks) > MaxBlocks {
		return ErrTooManyBlocks
	}
	if len(cname) > 255 {
		return ErrTextTooLong
	}
	return nil
}

// AppendSR appends to buf a compound packet of a sender report from ssrc,
// with sender information info and report blocks blocks, followed by an
// SDES packet with ssrc's CNAME (RFC 3550 §6.4.1, §6.5). It allocates
// nothing when buf has the capacity (28 + 24 per block + 12 + len(cname)
// octets suffice). On error buf is returned unchanged.
func AppendSR(buf []byte, ssrc uint32, info SenderInfo, blocks []ReportBlock, cname string) ([]byte, error) {
	if err := checkReport(blocks, cname); err != nil {
		return buf, err
	}
	buf = appendHeader(buf, len(blocks), TypeSR, 28+24*len(blocks))
	buf = binary.BigEndian.AppendUint32(buf, ssrc)
	buf = binary.BigEndian.AppendUint64(buf, info.NTP)
	buf = binary.BigEndian.AppendUint32(buf, info.RTPTime)
	buf = binary.BigEndian.AppendUint32(buf, info.Packets)
	buf = binary.BigEndian.AppendUint32(buf, info.Octets)
	buf = appendBlocks(buf, blocks)
	return appendSDES(buf, ssrc, cname), nil
}

// AppendRR appends to buf a compound packet of a receiver report from ssrc
// with report blocks blocks, followed by an SDES packet with ssrc's CNAME
// (RFC 3550 §6.4.2, §6.5). It allocates nothing when buf has the capacity.
// On error buf is returned unchanged.
func AppendRR(buf []byte, ssrc uint32, blocks []ReportBlock, cname string) ([]byte, error) {
	if err := checkReport(blocks, cname); err != nil {
		return buf, err
	}
	buf = appendHeader(buf, len(blocks), TypeRR, 8+24*len(blocks))
	buf = binary.BigEndian.AppendUint32(buf, ssrc)
	buf = appendBlocks(buf, blocks)
	return appendSDES(buf, ssrc, cname), nil
}

// AppendBYE appends a BYE packet for the sources ssrcs with an optional
// reason (RFC 3550 §6.6). A BYE ends a compound packet that begins with an
// SR or RR: append it after AppendSR or AppendRR.
func AppendBYE(buf []byte, ssrcs []uint32, reason string) ([]byte, error) {
	if len(ssrcs) > MaxBlocks {
		return buf, ErrTooManyBlocks
	}
	if len(reason) > 255 {
		return buf, ErrTextTooLong
	}
	n := 4 + 4*len(ssrcs)
	if reason != "" {
		n += (1 + len(reason) + 3) &^ 3
	}
	start := len(buf)
	buf = appendHeader(buf, len(ssrcs), TypeBYE, n)
	for _, s := range ssrcs {
		buf = binary.BigEndian.AppendUint32(buf, s)
	}
	if reason != "" {
		buf = append(buf, byte(len(reason)))
		buf = append(buf, reason...)
		for len(buf)-start < n {
			buf = append(buf, 0)
		}
	}
	return buf, nil
}
