package sdp

import (
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

func TestNegotiatePhones(t *testing.T) {
	ap := netip.MustParseAddrPort
	tests := []struct {
		name   string
		body   string
		prefer []string
		want   Negotiated
		err    error
	}{
		{"yealink", yealinkOffer, nil, Negotiated{PT: 0, Encoding: PCMU, DTMFPT: 101,
			Remote: ap("192.168.1.31:11796"), Ptime: 20}, nil},
		{"grandstream G722 first", grandstreamOffer, nil, Negotiated{PT: 0, Encoding: PCMU, DTMFPT: 101,
			Remote: ap("192.168.1.40:5004"), Ptime: 20}, nil},
		{"polycom te 127", polycomOffer, nil, Negotiated{PT: 0, Encoding: PCMU, DTMFPT: 127,
			Remote: ap("10.0.0.52:2222"), Ptime: 20}, nil},
		{"baresip opus first", baresipOffer, nil, Negotiated{PT: 0, Encoding: PCMU, DTMFPT: 101,
			Remote: ap("127.0.0.1:10002"), Ptime: 20}, nil},
		{"linphone te 100 at 8000", linphoneOffer, nil, Negotiated{PT: 0, Encoding: PCMU, DTMFPT: 100,
			Remote: ap("192.168.1.77:7078"), Ptime: 20}, nil},
		{"cisco PCMA first, 30 ms", ciscoSPAOffer, nil, Negotiated{PT: 8, Encoding: PCMA, DTMFPT: 101,
			Remote: ap("192.168.0.105:16434"), Ptime: 30}, nil},
		{"offer order beats ours", ciscoSPAOffer, []string{"PCMU", "PCMA"}, Negotiated{PT: 8, Encoding: PCMA,
			DTMFPT: 101, Remote: ap("192.168.0.105:16434"), Ptime: 30}, nil},
		{"we allow only PCMU", ciscoSPAOffer, []string{"pcmu"}, Negotiated{PT: 0, Encoding: PCMU,
			DTMFPT: 101, Remote: ap("192.168.0.105:16434"), Ptime: 30}, nil},
		{"old phone hold", oldPhoneHold, nil, Negotiated{PT: 0, Encoding: PCMU, DTMFPT: 101,
			Direction: RecvOnly, Ptime: 20, Hold: true}, nil},
		{"sendonly hold", yealinkHold, nil, Negotiated{PT: 0, Encoding: PCMU, DTMFPT: 101,
			Remote: ap("192.168.1.31:11796"), Direction: RecvOnly, Ptime: 20, Hold: true}, nil},
		{"inactive", inactiveOffer, nil, Negotiated{PT: 8, Encoding: PCMA, DTMFPT: 101,
			Remote: ap("192.168.1.31:11796"), Direction: Inactive, Ptime: 20, Hold: true}, nil},
		{"media-level c=", mediaConnOffer, nil, Negotiated{PT: 0, Encoding: PCMU,
			Remote: ap("10.0.0.2:40000"), Ptime: 20}, nil},
		{"IPv6", ipv6Offer, nil, Negotiated{PT: 0, Encoding: PCMU, DTMFPT: 101,
			Remote: ap("[2001:db8::5]:6000"), Ptime: 20}, nil},
		{"video phone te 96", videoPhoneOffer, nil, Negotiated{PT: 0, Encoding: PCMU, DTMFPT: 96,
			Remote: ap("192.168.1.60:5004"), Ptime: 20}, nil},
		{"only PCMA, no te", sloppyOffer, nil, Negotiated{PT: 8, Encoding: PCMA,
			Remote: ap("172.16.5.9:20000"), Ptime: 20}, nil},
		{"best-effort SRTP takes the RTP/AVP copy", bestEffortSRTP, nil, Negotiated{Index: 1, PT: 0,
			Encoding: PCMU, DTMFPT: 100, Remote: ap("192.168.1.31:11802"), Ptime: 20}, nil},
		{"SAVP only", savpOffer, nil, Negotiated{}, ErrNoCodec},
		{"G729 only", g729Only, nil, Negotiated{}, ErrNoCodec},
		{"PCMA only but we want PCMU", sloppyOffer, []string{"PCMU", "G722"}, Negotiated{}, ErrNoCodec},
		{"fax", t38Offer, nil, Negotiated{}, ErrNoCodec},
	}
	for _, tt := range tests {
		if tt.err == nil {
			tt.want.Proto = "RTP/AVP"
		}
		t.Run(tt.name, func(t *testing.T) {
			got, err := Negotiate(mustParse(t, tt.body), tt.prefer)
			if !errors.Is(err, tt.err) {
				t.Fatalf("Negotiate() error = %v, want %v", err, tt.err)
			}
			if got != tt.want {
				t.Errorf("Negotiate() =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestNegotiateDynamicPCMU(t *testing.T) {
	s := mustParse(t, "v=0\no=- 1 1 IN IP4 10.0.0.9\nc=IN IP4 10.0.0.9\nm=audio 5000 RTP/AVP 0 97 98\n"+
		"a=rtpmap:0 G722/8000\na=rtpmap:97 pcmu/8000\na=rtpmap:98 telephone-event/8000\n")
	got, err := Negotiate(s, nil)
	if err != nil || got.PT != 97 || got.Encoding != PCMU || got.DTMFPT != 98 {
		t.Errorf("Negotiate = %+v, %v; want PCMU on 97, DTMF 98 (rtpmap beats the static table)", got, err)
	}
}

func TestAnswerDirection(t *testing.T) {
	tests := []struct {
		offer string // offer's a= direction, or "hold0" for c=0.0.0.0
		ours  Direction
		want  Direction
	}{
		{"sendrecv", SendRecv, SendRecv},
		{"sendonly", SendRecv, RecvOnly},
		{"recvonly", SendRecv, SendOnly},
		{"inactive", SendRecv, Inactive},
		{"hold0", SendRecv, RecvOnly},
		{"sendrecv", SendOnly, SendOnly}, // we hold while they offer
		{"sendrecv", RecvOnly, RecvOnly},
		{"sendrecv", Inactive, Inactive},
		{"sendonly", SendOnly, Inactive}, // both hold
		{"recvonly", SendOnly, SendOnly},
		{"recvonly", RecvOnly, Inactive},
		{"inactive", SendOnly, Inactive},
		{"hold0", SendOnly, Inactive},
	}
	local := netip.MustParseAddrPort("203.0.113.5:30000")
	for _, tt := range tests {
		body := "v=0\no=- 1 1 IN IP4 10.0.0.9\nc=IN IP4 10.0.0.9\nm=audio 5000 RTP/AVP 0\n"
		if tt.offer == "hold0" {
			body = strings.Replace(body, "c=IN IP4 10.0.0.9", "c=IN IP4 0.0.0.0", 1)
		} else {
			body += "a=" + tt.offer + "\n"
		}
		offer := mustParse(t, body)
		n, err := Negotiate(offer, nil)
		if err != nil {
			t.Fatal(err)
		}
		ans := Answer(offer, n, local, 1, 1, tt.ours)
		if got := ans.Media[0].Direction; got != tt.want {
			t.Errorf("offer %s, ours %v: answer %v, want %v", tt.offer, tt.ours, got, tt.want)
		}
	}
}

func TestAnswerMirrorsStreams(t *testing.T) {
	offer := mustParse(t, crlf(`v=0
o=- 1 1 IN IP4 192.168.1.60
s=-
c=IN IP4 192.168.1.60
t=0 0
m=video 5006 RTP/AVP 99 96
a=rtpmap:99 H264/90000
m=audio 11800 RTP/SAVP 0
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz
m=audio 5004 RTP/AVP 9 8 0 96
a=rtpmap:96 telephone-event/8000
a=fmtp:96 0-15
a=ptime:20
m=image 0 udptl t38
m=application 0 TCP/BFCP
`))
	n, err := Negotiate(offer, nil)
	if err != nil {
		t.Fatal(err)
	}
	ans := Answer(offer, n, netip.MustParseAddrPort("203.0.113.5:30000"), 99, 3, SendRecv)
	want := "v=0\r\n" +
		"o=- 99 3 IN IP4 203.0.113.5\r\n" +
		"s=-\r\n" +
		"c=IN IP4 203.0.113.5\r\n" +
		"t=0 0\r\n" +
		"m=video 0 RTP/AVP 99\r\n" +
		"a=sendrecv\r\n" +
		"m=audio 0 RTP/SAVP 0\r\n" +
		"a=sendrecv\r\n" +
		"m=audio 30000 RTP/AVP 8 96\r\n" +
		"a=rtpmap:8 PCMA/8000\r\n" +
		"a=rtpmap:96 telephone-event/8000\r\n" +
		"a=fmtp:96 0-16\r\n" +
		"a=ptime:20\r\n" +
		"a=sendrecv\r\n" +
		"m=image 0 udptl t38\r\n" +
		"a=sendrecv\r\n" +
		"m=application 0 TCP/BFCP *\r\n" +
		"a=sendrecv\r\n"
	got := string(ans.Marshal())
	if got != want {
		t.Errorf("Answer().Marshal() =\n%s\nwant\n%s", got, want)
	}
	checkStrict(t, []byte(got))
	if _, err := Parse([]byte(got)); err != nil {
		t.Errorf("Parse(answer) = %v", err)
	}
}

func TestAnswerWithoutDTMF(t *testing.T) {
	offer := mustParse(t, sloppyOffer)
	n, err := Negotiate(offer, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := Answer(offer, n, netip.MustParseAddrPort("10.1.1.1:4000"), 1, 1, SendRecv).Media[0]
	if !reflect.DeepEqual(m.Formats, []uint8{8}) || m.FMTP != nil {
		t.Errorf("answer to an offer without telephone-event = %+v, want PCMA only", m)
	}
}

func TestNewOffer(t *testing.T) {
	s := NewOffer(OfferParams{Addr: netip.MustParseAddrPort("203.0.113.5:30000"), SessionID: 7, Version: 8})
	want := "v=0\r\n" +
		"o=- 7 8 IN IP4 203.0.113.5\r\n" +
		"s=-\r\n" +
		"c=IN IP4 203.0.113.5\r\n" +
		"t=0 0\r\n" +
		"m=audio 30000 RTP/AVP 0 8 101\r\n" +
		"a=rtpmap:0 PCMU/8000\r\n" +
		"a=rtpmap:8 PCMA/8000\r\n" +
		"a=rtpmap:101 telephone-event/8000\r\n" +
		"a=fmtp:101 0-16\r\n" +
		"a=ptime:20\r\n" +
		"a=sendrecv\r\n"
	if got := string(s.Marshal()); got != want {
		t.Errorf("NewOffer(zero).Marshal() =\n%s\nwant\n%s", got, want)
	}

	tests := []struct {
		name string
		p    OfferParams
		fmts []uint8
		dir  Direction
		pt   int
	}{
		{"PCMA first", OfferParams{Codecs: []string{"pcma", "PCMU"}}, []uint8{8, 0, 101}, SendRecv, 20},
		{"PCMA only, own DTMF PT", OfferParams{Codecs: []string{"PCMA"}, DTMFPT: 96}, []uint8{8, 96}, SendRecv, 20},
		{"unknown codecs dropped", OfferParams{Codecs: []string{"G722", "PCMU", "PCMU"}}, []uint8{0, 101}, SendRecv, 20},
		{"only unknown codecs", OfferParams{Codecs: []string{"opus"}}, []uint8{0, 8, 101}, SendRecv, 20},
		{"bad DTMF PT", OfferParams{DTMFPT: 8}, []uint8{0, 8, 101}, SendRecv, 20},
		{"no DTMF, hold, 30 ms", OfferParams{NoDTMF: true, Direction: SendOnly, Ptime: 30}, []uint8{0, 8}, SendOnly, 30},
	}
	for _, tt := range tests {
		tt.p.Addr = netip.MustParseAddrPort("[2001:db8::7]:4000")
		s := NewOffer(tt.p)
		m := s.Media[0]
		if !reflect.DeepEqual(m.Formats, tt.fmts) || m.Direction != tt.dir || m.Ptime != tt.pt {
			t.Errorf("%s: NewOffer = %v %v %d, want %v %v %d", tt.name, m.Formats, m.Direction, m.Ptime, tt.fmts, tt.dir, tt.pt)
		}
		// Our offer must be acceptable to ourselves.
		back, err := Parse(s.Marshal())
		if err != nil {
			t.Fatalf("%s: Parse(offer) = %v", tt.name, err)
		}
		if _, err := Negotiate(back, nil); err != nil {
			t.Errorf("%s: Negotiate(our offer) = %v", tt.name, err)
		}
		if !strings.Contains(string(s.Marshal()), "c=IN IP6 2001:db8::7\r\n") {
			t.Errorf("%s: no IPv6 c= in\n%s", tt.name, s.Marshal())
		}
	}
}

func TestSizes(t *testing.T) {
	// Worst case (longest numbers and addresses) must leave room for SIP
	// headers in a ~1300-byte datagram.
	offer := NewOffer(OfferParams{Addr: netip.MustParseAddrPort("[2001:db8:1234:5678:9abc:def0:1234:5678]:65000"),
		SessionID: 1<<64 - 1, Version: 1<<64 - 1})
	if n := len(offer.Marshal()); n > 320 {
		t.Errorf("offer is %d bytes:\n%s", n, offer.Marshal())
	}
	in := mustParse(t, linphoneOffer)
	n, _ := Negotiate(in, nil)
	ans := Answer(in, n, netip.MustParseAddrPort("203.0.113.5:30000"), 1<<64-1, 1<<64-1, SendRecv)
	if n := len(ans.Marshal()); n > 320 {
		t.Errorf("answer is %d bytes:\n%s", n, ans.Marshal())
	}
}

func TestOriginState(t *testing.T) {
	o := OriginState{ID: 5000, Version: 5000}
	offer := func(d Direction) *Session {
		return NewOffer(OfferParams{Addr: netip.MustParseAddrPort("10.0.0.1:4000"), Direction: d})
	}
	steps := []struct {
		dir  Direction
		want uint64
	}{
		{SendRecv, 5000}, // first body keeps the initial version
		{SendRecv, 5000}, // same body again (session refresh): unchanged
		{SendOnly, 5001}, // hold
		{SendOnly, 5001},
		{SendRecv, 5002}, // resume
	}
	for i, st := range steps {
		s := offer(st.dir)
		o.Stamp(s)
		if s.Origin.SessionID != 5000 || s.Origin.Version != st.want {
			t.Errorf("step %d: o= %d %d, want 5000 %d", i, s.Origin.SessionID, s.Origin.Version, st.want)
		}
	}
	if got := o.Next(); got != 5003 || o.Version != 5003 {
		t.Errorf("Next() = %d, Version %d, want 5003", got, o.Version)
	}
}
