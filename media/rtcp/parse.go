package rtcp

import "encoding/binary"

// Report is one item of a parsed compound packet, passed to Parser.Parse's
// callback. Which fields are set depends on Type. Its slices point into the
// Parser and into the datagram: they are valid only during the callback;
// copy what you keep.
type Report struct {
	Type PacketType
	// SSRC is the reporter (SR, RR) or the described source (SDES).
	SSRC uint32
	// Sender is the sender information of an SR.
	Sender SenderInfo
	// Blocks are the report blocks of an SR or RR.
	Blocks []ReportBlock
	// CNAME is the canonical name of an SDES chunk; nil if the chunk has
	// none.
	CNAME []byte
	// Sources and Reason are the sources leaving and the optional reason
	// of a BYE.
	Sources []uint32
	Reason  []byte
}

// Parser reads RTCP compound packets. Keep one per leg and reuse it: Parse
// allocates nothing. It is not safe for concurrent use.
type Parser struct {
	// ReducedSize accepts compound packets that do not start with an SR
	// or RR (RFC 5506 reduced-size RTCP). The default insists on the
	// RFC 3550 §6.1 rule.
	ReducedSize bool

	blocks [MaxBlocks]ReportBlock
	ssrcs  [MaxBlocks]uint32
}

// Parse is a convenience for a one-off Parser.Parse; it allocates a Parser.
func Parse(b []byte, fn func(Report)) error {
	var p Parser
	return p.Parse(b, fn)
}

// Parse validates the compound packet b (one UDP datagram) and then calls
// fn once per SR, RR, SDES chunk and BYE in it, in order. APP, XR and
// unknown packet types are skipped. Validation comes first: when Parse
// returns an error, fn was not called. Parse never reads outside b.
//
// The checks are those of RFC 3550 §6.1 and appendix A.2: version 2 on
// every packet, lengths that add up to the datagram, padding only on the
// last packet, an SR or RR first (unless ReducedSize), and contents that
// fit their packet.
func (p *Parser) Parse(b []byte, fn func(Report)) error {
	if err := p.walk(b, nil); err != nil {
		return err
	}
	if fn == nil {
		return nil
	}
	return p.walk(b, fn)
}

func (p *Parser) walk(b []byte, fn func(Report)) error {
	if len(b) < 4 {
		return ErrShort
	}
	for first := true; len(b) > 0; first = false {
		if len(b) < 4 {
			return ErrShort
		}
		if b[0]>>6 != 2 {
			return ErrVersion
		}
		count := int(b[0] & 0x1f)
		pt := PacketType(b[1])
		n := (int(binary.BigEndian.Uint16(b[2:])) + 1) * 4
		if n > len(b) {
			return ErrLength
		}
		if first && !p.ReducedSize && pt != TypeSR && pt != TypeRR {
			return ErrFirst
		}
		body := b[4:n]
		if b[0]&0x20 != 0 {
			pad := int(b[n-1])
			if n != len(b) || pad == 0 || pad > len(body) {
				return ErrPadding
			}
			body = body[:len(body)-pad]
		}
		b = b[n:]
		var err error
		switch pt {
		case TypeSR, TypeRR:
			err = p.report(pt, count, body, fn)
		case TypeSDES:
			err = sdes(count, body, fn)
		case TypeBYE:
			err = p.bye(count, body, fn)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (p *Parser) report(pt PacketType, count int, body []byte, fn func(Report)) error {
	head := 4
	if pt == TypeSR {
		head = 24
	}
	if len(body) < head+24*count {
		return ErrShort
	}
	if fn == nil {
		return nil
	}
	r := Report{Type: pt, SSRC: binary.BigEndian.Uint32(body)}
	if pt == TypeSR {
		r.Sender = SenderInfo{
			NTP:     binary.BigEndian.Uint64(body[4:]),
			RTPTime: binary.BigEndian.Uint32(body[12:]),
			Packets: binary.BigEndian.Uint32(body[16:]),
			Octets:  binary.BigEndian.Uint32(body[20:]),
		}
	}
	for i := range count {
		q := body[head+24*i : head+24*i+24]
		w := binary.BigEndian.Uint32(q[4:])
		p.blocks[i] = ReportBlock{
			SSRC:         binary.BigEndian.Uint32(q),
			FractionLost: uint8(w >> 24),
			TotalLost:    int32(w<<8) >> 8, // sign-extend 24 bits
			LastSeq:      binary.BigEndian.Uint32(q[8:]),
			Jitter:       binary.BigEndian.Uint32(q[12:]),
			LSR:          binary.BigEndian.Uint32(q[16:]),
			DLSR:         binary.BigEndian.Uint32(q[20:]),
		}
	}
	r.Blocks = p.blocks[:count]
	fn(r)
	return nil
}

// sdes walks count chunks of an SDES packet (RFC 3550 §6.5).
func sdes(count int, body []byte, fn func(Report)) error {
	for range count {
		if len(body) < 4 {
			return ErrSDES
		}
		r := Report{Type: TypeSDES, SSRC: binary.BigEndian.Uint32(body)}
		i := 4
		for {
			if i >= len(body) {
				return ErrSDES
			}
			if body[i] == 0 { // end of items
				break
			}
			if i+2 > len(body) || i+2+int(body[i+1]) > len(body) {
				return ErrSDES
			}
			text := body[i+2 : i+2+int(body[i+1])]
			if body[i] == sdesCNAME {
				r.CNAME = text
			}
			i += 2 + len(text)
		}
		// The null octet ends the list; pad to the next 32-bit boundary.
		i = (i + 4) &^ 3
		if i > len(body) {
			return ErrSDES
		}
		body = body[i:]
		if fn != nil {
			fn(r)
		}
	}
	return nil
}

func (p *Parser) bye(count int, body []byte, fn func(Report)) error {
	if len(body) < 4*count {
		return ErrShort
	}
	rest := body[4*count:]
	var reason []byte
	if len(rest) > 0 {
		n := int(rest[0])
		if 1+n > len(rest) {
			return ErrShort
		}
		reason = rest[1 : 1+n]
	}
	if fn == nil {
		return nil
	}
	for i := range count {
		p.ssrcs[i] = binary.BigEndian.Uint32(body[4*i:])
	}
	fn(Report{Type: TypeBYE, Sources: p.ssrcs[:count], Reason: reason})
	return nil
}
