package sip

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"deskline/appliance/sip/digest"

	"github.com/emiago/sipgo/sip"
)

// FuzzSIPDatagram sends arbitrary datagrams to a running server — through
// sipgo's parser into our registrar and call handlers — and checks that it
// still answers an OPTIONS afterwards: no input may crash or wedge the box.
func FuzzSIPDatagram(f *testing.F) {
	for _, seed := range sipSeeds {
		f.Add([]byte(seed))
	}
	// Thousands of pings a second from one address: this target tests
	// parsing and handling, not rate limits.
	s := startServerWith(f, nil, []digest.Algorithm{digest.SHA256, digest.MD5}, func(o *Options) { o.FloodPolicy.Off = true })
	dst := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: int(s.Addr().Port())}
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		f.Fatal(err)
	}
	defer c.Close()
	n := 0
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 8000 {
			return
		}
		n++
		msg := strings.ReplaceAll(string(data), "{{addr}}", c.LocalAddr().String())
		c.WriteToUDP([]byte(msg), dst)
		ping := fmt.Sprintf("OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bKping%d\r\nMax-Forwards: 70\r\n"+
			"From: <sip:ping@127.0.0.1>;tag=p\r\nTo: <sip:127.0.0.1>\r\nCall-ID: ping-%d\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
			c.LocalAddr(), n, n)
		c.WriteToUDP([]byte(ping), dst)
		buf := make([]byte, 65535)
		deadline := time.Now().Add(3 * time.Second)
		for {
			c.SetReadDeadline(deadline)
			k, _, err := c.ReadFromUDP(buf)
			if err != nil {
				t.Fatalf("no answer to OPTIONS after %q", data)
			}
			if r := string(buf[:k]); strings.HasPrefix(r, "SIP/2.0 200") && strings.Contains(r, fmt.Sprintf("ping-%d", n)) {
				return
			}
		}
	})
}

// sipSeeds are requests phones and scanners send, whole and broken.
var sipSeeds = []string{
	"REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP {{addr}};branch=z9hG4bK1\r\nFrom: <sip:1001@127.0.0.1>;tag=a\r\nTo: <sip:1001@127.0.0.1>\r\nCall-ID: r1\r\nCSeq: 1 REGISTER\r\nContact: <sip:1001@{{addr}}>\r\nExpires: 60\r\nContent-Length: 0\r\n\r\n",
	"REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP {{addr}};branch=z9hG4bK2\r\nFrom: <sip:1001@127.0.0.1>;tag=a\r\nTo: <sip:1001@127.0.0.1>\r\nCall-ID: r2\r\nCSeq: 2 REGISTER\r\nContact: *\r\nExpires: 0\r\nAuthorization: Digest username=\"1001\", realm=\"deskline\", nonce=\"x\", uri=\"sip:127.0.0.1\", response=\"00\", qop=auth, nc=00000001, cnonce=\"c\"\r\nContent-Length: 0\r\n\r\n",
	"INVITE sip:1002@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP {{addr}};branch=z9hG4bK3\r\nFrom: <sip:1001@127.0.0.1>;tag=a\r\nTo: <sip:1002@127.0.0.1>\r\nCall-ID: i1\r\nCSeq: 1 INVITE\r\nContact: <sip:1001@{{addr}}>\r\nContent-Type: application/sdp\r\nContent-Length: 110\r\n\r\nv=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n",
	"INVITE sip:1002@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP {{addr}};branch=z9hG4bK4\r\nFrom: <sip:1002@127.0.0.1>;tag=b\r\nTo: <sip:1001@127.0.0.1>;tag=zz\r\nCall-ID: i2\r\nCSeq: 5 INVITE\r\nContact: <sip:1002@{{addr}}>\r\nContent-Length: 0\r\n\r\n",
	"BYE sip:deskline@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP {{addr}};branch=z9hG4bK5\r\nFrom: <sip:1001@127.0.0.1>;tag=a\r\nTo: <sip:1002@127.0.0.1>;tag=b\r\nCall-ID: nope\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n",
	"CANCEL sip:1002@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP {{addr}};branch=z9hG4bK6\r\nFrom: <sip:1001@127.0.0.1>;tag=a\r\nTo: <sip:1002@127.0.0.1>\r\nCall-ID: nope\r\nCSeq: 1 CANCEL\r\nContent-Length: 0\r\n\r\n",
	"ACK sip:1002@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP {{addr}};branch=z9hG4bK7\r\nFrom: <sip:1001@127.0.0.1>;tag=a\r\nTo: <sip:1002@127.0.0.1>;tag=b\r\nCall-ID: nope\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n",
	"OPTIONS sip:100@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP {{addr}};branch=z9hG4bK8\r\nFrom: \"sipvicious\"<sip:100@1.1.1.1>;tag=x\r\nTo: \"sipvicious\"<sip:100@1.1.1.1>\r\nCall-ID: scan\r\nCSeq: 1 OPTIONS\r\nUser-Agent: friendly-scanner\r\nContent-Length: 0\r\n\r\n",
	"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKx\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: stray\r\nCSeq: 1 INVITE\r\nContact: <sip:x@{{addr}}>\r\nContent-Length: 0\r\n\r\n",
	"INVITE sip:1002@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP {{addr}}\r\nCSeq: x INVITE\r\nContent-Length: 99999\r\n\r\n",
	"REGISTER sip:127.0.0.1 SIP/2.0\r\nContact: <sip:a@b>;expires=-5\r\n\r\n",
	"\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
}

// FuzzOutsideCaller: whatever a provider puts in P-Asserted-Identity and
// From, the caller's number and name come out short and printable.
func FuzzOutsideCaller(f *testing.F) {
	f.Add(`"Carol" <sip:0612345678@provider.example>`, "0612345678", "Carol")
	f.Add(`<tel:+33612345678>`, "", "")
	f.Add(`<sip:@x>`, "anonymous", "Anonymous")
	f.Add("\"a\r\nb\" <sip:1\x00@h>", "x\ny", "\x7f")
	f.Fuzz(func(t *testing.T, pai, fromUser, fromName string) {
		req := sip.NewRequest(sip.INVITE, sip.Uri{Scheme: "sip", User: "5551000", Host: "127.0.0.1"})
		if pai != "" {
			req.AppendHeader(sip.NewHeader("P-Asserted-Identity", pai))
		}
		from := sip.FromHeader{DisplayName: fromName, Address: sip.Uri{Scheme: "sip", User: fromUser, Host: "provider.example"}}
		req.AppendHeader(&from)
		num, name := outsideCaller(req)
		for _, s := range []string{num, name} {
			if len(s) > 64 || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
				t.Fatalf("outsideCaller gave %q", s)
			}
		}
		if num == "" {
			t.Fatal("no number: want anonymous at least")
		}
	})
}
