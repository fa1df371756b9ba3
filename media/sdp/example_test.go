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

// A phone that insists on SRTP (RTP/SAVP with an SDES key): take its key
// for decrypting, answer with ours. The key in a real answer comes from
// media/srtp's GenerateKey.
func ExampleNegotiateWith() {
	offer, _ := sdp.Parse([]byte("v=0\r\n" +
		"o=- 7 7 IN IP4 192.168.1.31\r\n" +
		"s=-\r\n" +
		"c=IN IP4 192.168.1.31\r\n" +
		"t=0 0\r\n" +
		"m=audio 11800 RTP/SAVP 8 0\r\n" +
		"a=crypto:1 AEAD_AES_128_GCM inline:AQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vg\r\n" +
		"a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^31 KDR=1\r\n" +
		"a=crypto:3 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|2^31\r\n"))

	if _, err := sdp.Negotiate(offer, nil); err != nil {
		fmt.Println("plain RTP only:", err)
	}
	n, err := sdp.NegotiateWith(offer, sdp.NegotiateOptions{SRTP: sdp.SRTPRequired})
	if err != nil {
		fmt.Println("488:", err)
		return
	}
	fmt.Printf("%s over %s, their key: tag %d %s, %d bytes\n", n.Encoding, n.Proto, n.SRTP.Tag, n.SRTP.Suite, len(n.SRTP.Key))

	ourKey := make([]byte, 30) // srtp.GenerateKey(n.SRTP.Suite) in real use
	ans, err := sdp.AnswerWith(offer, n, sdp.AnswerParams{Addr: netip.MustParseAddrPort("203.0.113.5:30000"), Key: ourKey})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ans.Media[0].Proto, ans.Media[0].Attrs[0].Value)
	// Output:
	// plain RTP only: sdp: no acceptable SRTP keying: audio only over RTP/SAVP and SRTP is off
	// PCMA over RTP/SAVP, their key: tag 3 AES_CM_128_HMAC_SHA1_32, 30 bytes
	// RTP/SAVP 3 AES_CM_128_HMAC_SHA1_32 inline:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
}
