package sdp_test

import (
	"fmt"
	"net/netip"
	"strings"

	"deskline/media/sdp"
)

// A desk phone calls in: read its offer, pick the codec, answer from the
// box's public RTP address.
func Example() {
	offer := []byte("v=0\r\n" +
		"o=- 20045 20045 IN IP4 192.168.1.31\r\n" +
		"s=SDP data\r\n" +
		"t=0 0\r\n" +
		"c=IN IP4 192.168.1.31\r\n" +
		"m=audio 11796 RTP/AVP 9 8 0 96\r\n" +
		"a=rtpmap:9 G722/8000\r\n" +
		"a=rtpmap:96 telephone-event/8000\r\n" +
		"a=fmtp:96 0-15\r\n" +
		"a=sendrecv\r\n")

	s, err := sdp.Parse(offer)
	if err != nil {
		fmt.Println("400:", err)
		return
	}
	n, err := sdp.Negotiate(s, []string{sdp.PCMU, sdp.PCMA})
	if err != nil {
		fmt.Println("488:", err)
		return
	}
	fmt.Printf("send %s (PT %d) to %v, DTMF on PT %d, every %d ms\n", n.Encoding, n.PT, n.Remote, n.DTMFPT, n.Ptime)

	leg := sdp.OriginState{ID: 3905, Version: 3905}
	ans := sdp.Answer(s, n, netip.MustParseAddrPort("203.0.113.5:30000"), leg.ID, leg.Version, sdp.SendRecv)
	// Lines end in CRLF on the wire; shown here with LF.
	fmt.Print(strings.ReplaceAll(string(ans.Marshal()), "\r\n", "\n"))
	// Output:
	// send PCMA (PT 8) to 192.168.1.31:11796, DTMF on PT 96, every 20 ms
	// v=0
	// o=- 3905 3905 IN IP4 203.0.113.5
	// s=-
	// c=IN IP4 203.0.113.5
	// t=0 0
	// m=audio 30000 RTP/AVP 8 96
	// a=rtpmap:8 PCMA/8000
	// a=rtpmap:96 telephone-event/8000
	// a=fmtp:96 0-16
	// a=ptime:20
	// a=sendrecv
}
