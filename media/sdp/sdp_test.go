package sdp

import (
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

func mustParse(t *testing.T, body string) *Session {
	t.Helper()
	s, err := Parse([]byte(body))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return s
}

func TestParseYealink(t *testing.T) {
	got := mustParse(t, yealinkOffer)
	want := &Session{
		Origin: Origin{Username: "-", SessionID: 20045, Version: 20045, Address: "192.168.1.31"},
		Name:   "SDP data",
		Conn:   netip.MustParseAddr("192.168.1.31"),
		Media: []Media{{
			Type: "audio", Port: 11796, Proto: "RTP/AVP",
			Formats: []uint8{0, 8, 18, 9, 101},
			RTPMap: map[uint8]RTPMap{
				0:   {"PCMU", 8000, 0},
				8:   {"PCMA", 8000, 0},
				18:  {"G729", 8000, 0},
				9:   {"G722", 8000, 0},
				101: {"telephone-event", 8000, 0},
			},
			FMTP:  map[uint8]string{18: "annexb=no", 101: "0-15"},
			Ptime: 20,
		}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse(yealink) =\n%+v\nwant\n%+v", got, want)
	}
}

func TestParseDetails(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		check func(*Session) string
	}{
		{"session direction applies to media", polycomOffer, func(s *Session) string {
			return eq(s.Media[0].Direction, SendRecv)
		}},
		{"c= after t=", ciscoSPAOffer, func(s *Session) string {
			return eq(s.Conn, netip.MustParseAddr("192.168.0.105"))
		}},
		{"media c= overrides session c=", mediaConnOffer, func(s *Session) string {
			a, _ := s.Media[0].Addr(s)
			v, _ := s.Media[1].Addr(s)
			return eq(a.String()+" "+v.String(), "10.0.0.2:40000 10.0.0.1:40002")
		}},
		{"IPv6", ipv6Offer, func(s *Session) string {
			a, ok := s.Media[0].Addr(s)
			return eq(a.String(), "[2001:db8::5]:6000") + eq(ok, true)
		}},
		{"missing t=, LF, trailing blanks, unknown line", sloppyOffer, func(s *Session) string {
			return eq(s.Name, "session") + eq(s.Origin.Address, "172.16.5.9") + eq(s.Media[0].Ptime, 20) +
				eq(s.Media[0].Formats, []uint8{8})
		}},
		{"sendonly", yealinkHold, func(s *Session) string { return eq(s.Media[0].Direction, SendOnly) }},
		{"inactive", inactiveOffer, func(s *Session) string { return eq(s.Media[0].Direction, Inactive) }},
		{"old hold has no address", oldPhoneHold, func(s *Session) string {
			_, ok := s.Media[0].Addr(s)
			return eq(ok, false) + eq(s.Media[0].Direction, SendRecv) + eq(s.Media[0].EffectiveDirection(s), SendOnly)
		}},
		{"video keeps its own payload numbering", videoPhoneOffer, func(s *Session) string {
			return eq(s.Media[0].RTPMap[96].Encoding, "telephone-event") + eq(s.Media[1].RTPMap[96].Encoding, "H264") +
				eq(s.Media[1].Attrs, []Attr{{"rtcp-fb", "* nack"}})
		}},
		{"crypto kept verbatim", savpOffer, func(s *Session) string {
			return eq(s.Media[0].Attrs, []Attr{
				{"crypto", "1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^31|1:1"},
				{"crypto", "2 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|2^20"},
			})
		}},
		{"channels kept", baresipOffer, func(s *Session) string {
			return eq(s.Media[0].RTPMap[96], RTPMap{"opus", 48000, 2}) + eq(s.Media[0].FMTP[96], "stereo=1;sprop-stereo=1")
		}},
		{"session attributes kept", linphoneOffer, func(s *Session) string {
			return eq(len(s.Attrs), 1) + eq(s.Attrs[0].Key, "rtcp-xr")
		}},
		{"non-RTP formats", t38Offer, func(s *Session) string {
			return eq(s.Media[0].RawFormats, []string{"t38"}) + eq(len(s.Media[0].Formats), 0) +
				eq(s.Media[0].Attrs[0], Attr{"T38FaxVersion", "0"})
		}},
		{"static types without rtpmap", ciscoSPAOffer, func(s *Session) string {
			r, ok := s.Media[0].Encoding(8)
			return eq(r.Encoding, "PCMA") + eq(ok, true)
		}},
		{"first audio", bestEffortSRTP, func(s *Session) string {
			m, i := s.AudioMedia()
			return eq(i, 0) + eq(m.Proto, "RTP/SAVP")
		}},
		{"no audio", t38Offer, func(s *Session) string {
			m, i := s.AudioMedia()
			return eq(m == nil, true) + eq(i, -1)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if msg := tt.check(mustParse(t, tt.body)); msg != "" {
				t.Error(msg)
			}
		})
	}
}

// eq returns "" when got equals want and a message otherwise.
func eq(got, want any) string {
	if reflect.DeepEqual(got, want) {
		return ""
	}
	return fmtv("got %v, want %v; ", got, want)
}

func TestRoundTrip(t *testing.T) {
	for name, body := range phoneBodies {
		t.Run(name, func(t *testing.T) {
			s := mustParse(t, body)
			out := s.Marshal()
			checkStrict(t, out)
			s2, err := Parse(out)
			if err != nil {
				t.Fatalf("Parse(Marshal) = %v\n%s", err, out)
			}
			if !reflect.DeepEqual(s, s2) {
				t.Errorf("Parse(Marshal(x)) =\n%+v\nwant\n%+v", s2, s)
			}
			if len(out) > len(body)+64 {
				t.Errorf("Marshal grew the body from %d to %d bytes", len(body), len(out))
			}
		})
	}
}

// checkStrict fails unless b is CRLF-terminated SDP in RFC 8866 order.
func checkStrict(t *testing.T, b []byte) {
	t.Helper()
	s := string(b)
	if !strings.HasSuffix(s, "\r\n") {
		t.Fatalf("body does not end in CRLF: %q", s)
	}
	session := "vosct"
	media := "mca"
	pos, inMedia := 0, false
	for i, l := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		if len(l) < 2 || l[1] != '=' || strings.ContainsAny(l, "\r\n") || strings.HasSuffix(l, " ") {
			t.Fatalf("line %d malformed: %q", i+1, l)
		}
		c := l[0]
		order := session + "a"
		if c == 'm' {
			inMedia, pos = true, 0
		}
		if inMedia {
			order = media
		}
		j := strings.IndexByte(order[pos:], c)
		if j < 0 {
			t.Fatalf("line %d %q out of RFC 8866 order:\n%s", i+1, l, s)
		}
		pos += j
		if c != 'a' && c != 'm' {
			pos++ // each of v o s c t once per section
		}
	}
	if !strings.HasPrefix(s, "v=0\r\no=") {
		t.Fatalf("body does not start with v=0, o=: %q", s)
	}
	if !strings.Contains(s, "\r\nt=0 0\r\n") {
		t.Fatalf("no t=0 0: %q", s)
	}
}

func TestMarshalGolden(t *testing.T) {
	s := &Session{
		Origin: Origin{SessionID: 42, Version: 7, Address: "203.0.113.5"},
		Conn:   netip.MustParseAddr("203.0.113.5"),
		Attrs:  []Attr{{"tool", "deskline"}},
		Media: []Media{{
			Type: "audio", Port: 30000, Proto: "RTP/AVP", Formats: []uint8{8, 101},
			RTPMap:    map[uint8]RTPMap{101: {"telephone-event", 8000, 0}, 8: {"PCMA", 8000, 0}},
			FMTP:      map[uint8]string{101: "0-16"},
			Ptime:     20,
			Direction: SendOnly,
			Attrs:     []Attr{{"rtcp", "30001"}},
		}, {
			Type: "video", Proto: "RTP/AVP", Formats: []uint8{97},
			Conn: netip.MustParseAddr("2001:db8::1"),
		}},
	}
	want := "v=0\r\n" +
		"o=- 42 7 IN IP4 203.0.113.5\r\n" +
		"s=-\r\n" +
		"c=IN IP4 203.0.113.5\r\n" +
		"t=0 0\r\n" +
		"a=tool:deskline\r\n" +
		"m=audio 30000 RTP/AVP 8 101\r\n" +
		"a=rtpmap:8 PCMA/8000\r\n" +
		"a=rtpmap:101 telephone-event/8000\r\n" +
		"a=fmtp:101 0-16\r\n" +
		"a=ptime:20\r\n" +
		"a=rtcp:30001\r\n" +
		"a=sendonly\r\n" +
		"m=video 0 RTP/AVP 97\r\n" +
		"c=IN IP6 2001:db8::1\r\n" +
		"a=sendrecv\r\n"
	if got := string(s.Marshal()); got != want {
		t.Errorf("Marshal() =\n%s\nwant\n%s", got, want)
	}
}

func TestMarshalDropsLineBreaks(t *testing.T) {
	s := &Session{
		Origin: Origin{Username: "a b\r\nm=x", Address: "1.2.3.4"},
		Name:   "x\r\nc=IN IP4 6.6.6.6",
		Attrs:  []Attr{{"k\n", "v\r\na=evil"}},
	}
	out := s.Marshal()
	checkStrict(t, out)
	got, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	if got.Conn.IsValid() || len(got.Media) != 0 || len(got.Attrs) != 1 {
		t.Errorf("a value started a line of its own:\n%s", out)
	}
}

func TestParseErrors(t *testing.T) {
	good := "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
	tests := []struct {
		name string
		body string
		line int
	}{
		{"empty", "", 0},
		{"no o=", "v=0\r\ns=-\r\n", 0},
		{"not v= first", "o=- 1 1 IN IP4 10.0.0.1\r\nv=0\r\n", 1},
		{"v=1", "v=1\r\n", 1},
		{"repeated v=", "v=0\r\nv=0\r\n", 2},
		{"repeated o=", good + "o=- 1 1 IN IP4 10.0.0.1\r\n", 6},
		{"no equals", good + "m audio 1 RTP/AVP 0\r\n", 6},
		{"upper-case type", good + "M=audio 1 RTP/AVP 0\r\n", 6},
		{"SIP header pasted in", "v=0\r\nContent-Length: 3\r\n", 2},
		{"NUL inside", good + "a=x\x00y\r\n", 6},
		{"short o=", "v=0\r\no=- 1 IN IP4 10.0.0.1\r\n", 2},
		{"o= id not a number", "v=0\r\no=- abc 1 IN IP4 10.0.0.1\r\n", 2},
		{"o= id too large", "v=0\r\no=- 18446744073709551616 1 IN IP4 10.0.0.1\r\n", 2},
		{"o= nettype", "v=0\r\no=- 1 1 ATM NSAP x\r\n", 2},
		{"c= host name", good + "m=audio 1 RTP/AVP 0\r\nc=IN IP4 pbx.example.com\r\n", 7},
		{"c= short", "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\nc=IN IP4\r\n", 3},
		{"c= addrtype", "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\nc=IN IPX 1.2.3.4\r\n", 3},
		{"m= short", good + "m=audio 1\r\n", 6},
		{"m= port", good + "m=audio 70000 RTP/AVP 0\r\n", 6},
		{"m= port word", good + "m=audio x RTP/AVP 0\r\n", 6},
		{"m= payload type 128", good + "m=audio 1 RTP/AVP 0 128\r\n", 6},
		{"m= payload type word", good + "m=audio 1 RTP/AVP PCMU\r\n", 6},
		{"rtpmap pt", good + "m=audio 1 RTP/AVP 0\r\na=rtpmap:x PCMU/8000\r\n", 7},
		{"rtpmap no clock", good + "m=audio 1 RTP/AVP 0\r\na=rtpmap:0 PCMU\r\n", 7},
		{"rtpmap bad clock", good + "m=audio 1 RTP/AVP 0\r\na=rtpmap:0 PCMU/-1\r\n", 7},
		{"rtpmap bad channels", good + "m=audio 1 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000/x\r\n", 7},
		{"fmtp pt", good + "m=audio 1 RTP/AVP 0\r\na=fmtp:999 0-15\r\n", 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse([]byte(tt.body))
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Parse(%q) = %v, %v, want ErrInvalid", tt.body, s, err)
			}
			var se *SyntaxError
			if !errors.As(err, &se) || se.Line != tt.line {
				t.Errorf("Parse(%q) error %q, want line %d", tt.body, err, tt.line)
			}
			if tt.line > 0 && !strings.Contains(err.Error(), "line "+itoa(tt.line)+":") {
				t.Errorf("error %q does not name line %d", err, tt.line)
			}
		})
	}
}

func TestParseLimits(t *testing.T) {
	head := "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
	tests := []struct {
		name string
		body string
	}{
		{"oversize", head + "a=x:" + strings.Repeat("y", MaxSize) + "\r\n"},
		{"too many lines", head + strings.Repeat("a=x\r\n", MaxLines)},
		{"too many blank lines", head + strings.Repeat("\n", MaxLines)},
		{"too many streams", head + strings.Repeat("m=audio 0 RTP/AVP 0\r\n", MaxMedia+1)},
		{"too many formats", head + "m=audio 1 RTP/AVP" + strings.Repeat(" 0", MaxFormats+1) + "\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse([]byte(tt.body)); !errors.Is(err, ErrInvalid) {
				t.Errorf("Parse = %v, want ErrInvalid", err)
			}
		})
	}
	// At the limits it still parses.
	ok := head + strings.Repeat("m=audio 0 RTP/AVP"+strings.Repeat(" 0", MaxFormats)+"\r\n", MaxMedia)
	if _, err := Parse([]byte(ok)); err != nil {
		t.Errorf("Parse at the limits = %v", err)
	}
}

func TestDirection(t *testing.T) {
	tests := []struct {
		d, rev         Direction
		sends, receive bool
	}{
		{SendRecv, SendRecv, true, true},
		{SendOnly, RecvOnly, true, false},
		{RecvOnly, SendOnly, false, true},
		{Inactive, Inactive, false, false},
	}
	for _, tt := range tests {
		if got := tt.d.Reverse(); got != tt.rev {
			t.Errorf("%v.Reverse() = %v, want %v", tt.d, got, tt.rev)
		}
		if tt.d.Sends() != tt.sends || tt.d.Receives() != tt.receive {
			t.Errorf("%v sends %v receives %v, want %v %v", tt.d, tt.d.Sends(), tt.d.Receives(), tt.sends, tt.receive)
		}
		if got, ok := parseDirection(tt.d.String()); !ok || got != tt.d {
			t.Errorf("parseDirection(%q) = %v, %v", tt.d.String(), got, ok)
		}
	}
}
