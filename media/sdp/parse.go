package sdp

import (
	"bytes"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// Parse reads an SDP body as phones send it. It accepts CRLF or LF line
// endings, blank lines, leading and trailing blanks, session lines in any
// order after v= (c= after t=, a missing t= or s=), and skips line types it
// does not use (i=, u=, e=, p=, b=, t=, r=, z=, k= and unknown letters).
// A session-level direction attribute applies to every stream without its
// own. a=rtpmap and a=fmtp for payload types not on the m= line are dropped;
// a=ptime that is not a positive number is ignored.
//
// Parse returns an error wrapping ErrInvalid (a *SyntaxError naming the
// line) when the body exceeds the limits (MaxSize, MaxLines, MaxMedia,
// MaxFormats), does not start with v=0, lacks o=, or has a line that is not
// "x=value" or a malformed o=, c=, m=, a=rtpmap or a=fmtp. It never panics.
func Parse(b []byte) (*Session, error) {
	if len(b) > MaxSize {
		return nil, &SyntaxError{Msg: "body of " + itoa(len(b)) + " bytes exceeds " + itoa(MaxSize)}
	}
	p := parser{s: new(Session)}
	n := 0
	for len(b) > 0 {
		var line []byte
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			line, b = b, nil
		}
		n++
		if n > MaxLines {
			return nil, &SyntaxError{Line: n, Msg: "more than " + itoa(MaxLines) + " lines"}
		}
		l := trimBlanks(string(line))
		if l == "" {
			continue
		}
		if len(l) < 2 || l[1] != '=' || l[0] < 'a' || l[0] > 'z' {
			return nil, &SyntaxError{Line: n, Msg: "not a type=value line: " + quote(l)}
		}
		if strings.ContainsAny(l, "\x00\r") {
			return nil, &SyntaxError{Line: n, Msg: "NUL or CR inside a line"}
		}
		if err := p.line(l[0], l[2:]); err != "" {
			return nil, &SyntaxError{Line: n, Msg: err}
		}
	}
	if !p.version {
		return nil, &SyntaxError{Msg: "no v= line"}
	}
	if !p.origin {
		return nil, &SyntaxError{Msg: "no o= line"}
	}
	if p.s.Name == "" {
		p.s.Name = "-"
	}
	return p.s, nil
}

type parser struct {
	s       *Session
	version bool      // v= seen
	origin  bool      // o= seen
	dir     Direction // session-level direction, default for streams
	m       *Media    // current m= section, nil at session level
}

// line handles one line of type t and returns a description of what is
// wrong with it, or "".
func (p *parser) line(t byte, v string) string {
	if !p.version {
		if t != 'v' {
			return "body does not start with v="
		}
		if v != "0" {
			return "unsupported version v=" + quote(v)
		}
		p.version = true
		return ""
	}
	switch t {
	case 'v':
		return "repeated v="
	case 'o':
		if p.origin {
			return "repeated o="
		}
		p.origin = true
		return p.parseOrigin(v)
	case 's':
		if p.m == nil && p.s.Name == "" {
			p.s.Name = v
		}
	case 'c':
		a, err := parseConn(v)
		if err != "" {
			return err
		}
		if p.m != nil {
			p.m.Conn = a
		} else {
			p.s.Conn = a
		}
	case 'm':
		return p.parseMedia(v)
	case 'a':
		return p.parseAttr(v)
	}
	return ""
}

func (p *parser) parseOrigin(v string) string {
	f := fields(v)
	if len(f) != 6 {
		return "o= needs 6 fields, has " + itoa(len(f))
	}
	id, err1 := strconv.ParseUint(f[1], 10, 64)
	ver, err2 := strconv.ParseUint(f[2], 10, 64)
	if err1 != nil || err2 != nil {
		return "o= session id and version must be numbers below 2^64"
	}
	if f[3] != "IN" {
		return "o= network type " + quote(f[3]) + " is not IN"
	}
	p.s.Origin = Origin{Username: f[0], SessionID: id, Version: ver, Address: f[5]}
	return ""
}

// parseConn reads "IN IP4 192.0.2.1[/ttl[/n]]".
func parseConn(v string) (netip.Addr, string) {
	f := fields(v)
	if len(f) != 3 {
		return netip.Addr{}, "c= needs 3 fields, has " + itoa(len(f))
	}
	if f[0] != "IN" || (f[1] != "IP4" && f[1] != "IP6") {
		return netip.Addr{}, "c= type " + quote(f[0]+" "+f[1]) + " is not IN IP4 or IN IP6"
	}
	host, _, _ := strings.Cut(f[2], "/")
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, "c= address " + quote(host) + " is not an IP address"
	}
	return a.Unmap(), ""
}

// parseMedia reads "audio 49170[/2] RTP/AVP 0 8 101".
func (p *parser) parseMedia(v string) string {
	if len(p.s.Media) == MaxMedia {
		return "more than " + itoa(MaxMedia) + " m= lines"
	}
	f := fields(v)
	if len(f) < 3 {
		return "m= needs media, port and protocol"
	}
	portStr, _, _ := strings.Cut(f[1], "/")
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 0 || port > 65535 {
		return "m= port " + quote(f[1]) + " is not a number from 0 to 65535"
	}
	if len(f)-3 > MaxFormats {
		return "m= lists more than " + itoa(MaxFormats) + " formats"
	}
	m := Media{Type: f[0], Port: port, Proto: f[2], Direction: p.dir}
	if isRTP(m.Proto) {
		seen := [128]bool{}
		for _, s := range f[3:] {
			pt, ok := parsePT(s)
			if !ok {
				return "m= format " + quote(s) + " is not an RTP payload type"
			}
			if !seen[pt] {
				seen[pt] = true
				m.Formats = append(m.Formats, pt)
			}
		}
	} else if len(f) > 3 {
		m.RawFormats = f[3:]
	}
	p.s.Media = append(p.s.Media, m)
	p.m = &p.s.Media[len(p.s.Media)-1]
	return ""
}

// parsePT reads an RTP payload type, 0 to 127.
func parsePT(s string) (uint8, bool) {
	if len(s) == 0 || len(s) > 3 {
		return 0, false
	}
	n := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if n > 127 {
		return 0, false
	}
	return uint8(n), true
}

func (p *parser) parseAttr(v string) string {
	key, val, _ := strings.Cut(v, ":")
	key = trimBlanks(key) // "a=foo :" is foo; Marshal could not keep the blank
	if key == "" && val == "" {
		return ""
	}
	if d, ok := parseDirection(key); ok {
		if p.m != nil {
			p.m.Direction = d
		} else {
			p.dir = d
		}
		return ""
	}
	m := p.m
	if m == nil || !isRTP(m.Proto) {
		if m == nil {
			p.s.Attrs = append(p.s.Attrs, Attr{key, val})
		} else {
			m.Attrs = append(m.Attrs, Attr{key, val})
		}
		return ""
	}
	switch key {
	case "rtpmap":
		ptStr, rest := cutBlank(val)
		pt, ok := parsePT(ptStr)
		if !ok {
			return "a=rtpmap payload type " + quote(ptStr) + " is not 0 to 127"
		}
		r, ok := parseRTPMap(trimBlanks(rest))
		if !ok {
			return "a=rtpmap value " + quote(rest) + " is not encoding/clock[/channels]"
		}
		if slices.Contains(m.Formats, pt) {
			if _, dup := m.RTPMap[pt]; !dup {
				if m.RTPMap == nil {
					m.RTPMap = make(map[uint8]RTPMap)
				}
				m.RTPMap[pt] = r
			}
		}
	case "fmtp":
		ptStr, rest := cutBlank(val)
		pt, ok := parsePT(ptStr)
		if !ok {
			return "a=fmtp payload type " + quote(ptStr) + " is not 0 to 127"
		}
		rest = trimBlanks(rest)
		if slices.Contains(m.Formats, pt) && rest != "" {
			if _, dup := m.FMTP[pt]; !dup {
				if m.FMTP == nil {
					m.FMTP = make(map[uint8]string)
				}
				m.FMTP[pt] = rest
			}
		}
	case "ptime":
		if f, err := strconv.ParseFloat(trimBlanks(val), 64); err == nil && f >= 1 && f <= 1000 {
			m.Ptime = int(f)
		}
	default:
		m.Attrs = append(m.Attrs, Attr{key, val})
	}
	return ""
}

// parseRTPMap reads "PCMU/8000" or "opus/48000/2".
func parseRTPMap(s string) (RTPMap, bool) {
	enc, rest, ok := strings.Cut(s, "/")
	if !ok || enc == "" || strings.ContainsAny(enc, " \t\v\f") {
		return RTPMap{}, false
	}
	clock, ch, hasCh := strings.Cut(rest, "/")
	r := RTPMap{Encoding: enc}
	var err error
	if r.ClockRate, err = strconv.Atoi(clock); err != nil || r.ClockRate <= 0 || r.ClockRate > 10_000_000 {
		return RTPMap{}, false
	}
	if hasCh {
		if r.Channels, err = strconv.Atoi(ch); err != nil || r.Channels <= 0 || r.Channels > 255 {
			return RTPMap{}, false
		}
	}
	return r, true
}

// isBlank reports ASCII white space other than LF.
func isBlank(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'
}

func trimBlanks(s string) string {
	for len(s) > 0 && isBlank(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isBlank(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// cutBlank splits s at its first run of blanks.
func cutBlank(s string) (before, after string) {
	s = trimBlanks(s)
	for i := 0; i < len(s); i++ {
		if isBlank(s[i]) {
			return s[:i], trimBlanks(s[i:])
		}
	}
	return s, ""
}

// fields splits s at runs of blanks.
func fields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r < 0x80 && isBlank(byte(r)) })
}

func itoa(i int) string { return strconv.Itoa(i) }

// quote shortens and quotes untrusted text for an error message.
func quote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return strconv.Quote(s)
}
