package sdp

import (
	"net/netip"
	"strconv"
	"strings"
)

// Marshal writes the session strictly in RFC 8866 order with CRLF line
// endings: v=, o=, s=, c= (when Session.Conn is valid), t=0 0, session
// attributes, then for each stream m=, c= (when Media.Conn is valid),
// a=rtpmap and a=fmtp in payload-type order of the m= line, a=ptime, other
// attributes, and always the direction. Nothing else is written, to keep the
// body small. NUL, CR and LF are dropped from strings (and blanks from
// fields of o= and m=) so that no value can start a line of its own. For a session returned by Parse,
// Parse(s.Marshal()) yields an equal session.
func (s *Session) Marshal() []byte {
	b := make([]byte, 0, 256+192*len(s.Media))
	b = append(b, "v=0\r\no="...)
	user := s.Origin.Username
	if user == "" {
		user = "-"
	}
	addr := s.Origin.Address
	if addr == "" {
		addr = "0.0.0.0"
		if s.Conn.Is6() {
			addr = "::"
		}
	}
	b = appendToken(b, user)
	b = append(b, ' ')
	b = strconv.AppendUint(b, s.Origin.SessionID, 10)
	b = append(b, ' ')
	b = strconv.AppendUint(b, s.Origin.Version, 10)
	b = append(b, " IN "...)
	if a, err := netip.ParseAddr(addr); err == nil && a.Is6() && !a.Is4In6() {
		b = append(b, "IP6 "...)
	} else {
		b = append(b, "IP4 "...)
	}
	b = appendToken(b, addr)
	b = append(b, "\r\ns="...)
	name := s.Name
	if trimBlanks(name) == "" {
		name = "-"
	}
	b = appendText(b, name)
	b = append(b, "\r\n"...)
	b = appendConn(b, s.Conn)
	b = append(b, "t=0 0\r\n"...)
	for _, a := range s.Attrs {
		b = appendAttr(b, a)
	}
	for i := range s.Media {
		b = s.Media[i].appendTo(b)
	}
	return b
}

func (m *Media) appendTo(b []byte) []byte {
	b = append(b, "m="...)
	b = appendToken(b, m.Type)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(m.Port), 10)
	b = append(b, ' ')
	b = appendToken(b, m.Proto)
	rtp := isRTP(m.Proto)
	if rtp {
		for _, pt := range m.Formats {
			b = append(b, ' ')
			b = strconv.AppendUint(b, uint64(pt&127), 10)
		}
	} else {
		for _, f := range m.RawFormats {
			b = append(b, ' ')
			b = appendToken(b, f)
		}
	}
	b = append(b, "\r\n"...)
	b = appendConn(b, m.Conn)
	if rtp {
		for _, pt := range m.Formats {
			r, ok := m.RTPMap[pt]
			if !ok {
				continue
			}
			b = append(b, "a=rtpmap:"...)
			b = strconv.AppendUint(b, uint64(pt&127), 10)
			b = append(b, ' ')
			b = appendToken(b, strings.ReplaceAll(r.Encoding, "/", ""))
			b = append(b, '/')
			b = strconv.AppendInt(b, int64(r.ClockRate), 10)
			if r.Channels > 0 {
				b = append(b, '/')
				b = strconv.AppendInt(b, int64(r.Channels), 10)
			}
			b = append(b, "\r\n"...)
		}
		for _, pt := range m.Formats {
			f, ok := m.FMTP[pt]
			if !ok {
				continue
			}
			b = append(b, "a=fmtp:"...)
			b = strconv.AppendUint(b, uint64(pt&127), 10)
			b = append(b, ' ')
			b = appendText(b, f)
			b = append(b, "\r\n"...)
		}
		if m.Ptime > 0 {
			b = append(b, "a=ptime:"...)
			b = strconv.AppendInt(b, int64(m.Ptime), 10)
			b = append(b, "\r\n"...)
		}
	}
	for _, a := range m.Attrs {
		b = appendAttr(b, a)
	}
	b = append(b, "a="...)
	b = append(b, (m.Direction & 3).String()...)
	b = append(b, "\r\n"...)
	return b
}

func appendConn(b []byte, a netip.Addr) []byte {
	if !a.IsValid() {
		return b
	}
	b = append(b, "c=IN "...)
	if a.Is6() && !a.Is4In6() {
		b = append(b, "IP6 "...)
	} else {
		b = append(b, "IP4 "...)
		a = a.Unmap()
	}
	b = a.AppendTo(b)
	return append(b, "\r\n"...)
}

func appendAttr(b []byte, a Attr) []byte {
	if a.Key == "" && a.Value == "" {
		return b
	}
	b = append(b, "a="...)
	b = appendText(b, strings.ReplaceAll(a.Key, ":", ""))
	if a.Value != "" {
		b = append(b, ':')
		b = appendText(b, a.Value)
	}
	return append(b, "\r\n"...)
}

// appendText appends s without the bytes RFC 8866 forbids in text: NUL,
// CR and LF.
func appendText(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != 0 && c != '\r' && c != '\n' {
			b = append(b, c)
		}
	}
	return b
}

// appendToken appends s without blanks, NUL, CR or LF; "-" if nothing is
// left.
func appendToken(b []byte, s string) []byte {
	n := len(b)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != 0 && c != '\r' && c != '\n' && !isBlank(c) {
			b = append(b, c)
		}
	}
	if len(b) == n {
		b = append(b, '-')
	}
	return b
}
