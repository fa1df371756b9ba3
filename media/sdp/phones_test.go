package sdp

import "strings"

// Bodies in the style of what real phones send. Written for these tests;
// addresses are private or documentation ranges.

// crlf turns a readable LF body into the CRLF most phones send.
func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

var (
	yealinkOffer = crlf(`v=0
o=- 20045 20045 IN IP4 192.168.1.31
s=SDP data
c=IN IP4 192.168.1.31
t=0 0
m=audio 11796 RTP/AVP 0 8 18 9 101
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:18 G729/8000
a=fmtp:18 annexb=no
a=rtpmap:9 G722/8000
a=fmtp:101 0-15
a=rtpmap:101 telephone-event/8000
a=ptime:20
a=sendrecv
`)

	// G722 first, PCMU next; telephone-event after the codecs.
	grandstreamOffer = crlf(`v=0
o=1001 8000 8000 IN IP4 192.168.1.40
s=SIP Call
c=IN IP4 192.168.1.40
t=0 0
m=audio 5004 RTP/AVP 9 0 8 18 101
a=sendrecv
a=rtpmap:9 G722/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:18 G729/8000
a=fmtp:18 annexb=no
a=ptime:20
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
`)

	// Session-level direction, wideband codecs first, telephone-event on 127.
	polycomOffer = crlf(`v=0
o=- 1693318521 1693318521 IN IP4 10.0.0.52
s=Polycom IP Phone
c=IN IP4 10.0.0.52
t=0 0
a=sendrecv
m=audio 2222 RTP/AVP 9 102 0 8 127
a=rtpmap:9 G722/8000
a=rtpmap:102 G7221/16000
a=fmtp:102 bitrate=32000
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:127 telephone-event/8000
`)

	// Opus first, channels on every rtpmap, b= line, ssrc and rtcp noise.
	baresipOffer = crlf(`v=0
o=- 1837483621 2073956147 IN IP4 127.0.0.1
s=-
c=IN IP4 127.0.0.1
t=0 0
m=audio 10002 RTP/AVP 96 9 0 8 101
b=AS:93
a=rtpmap:96 opus/48000/2
a=fmtp:96 stereo=1;sprop-stereo=1
a=rtpmap:9 G722/8000/1
a=rtpmap:0 PCMU/8000/1
a=rtpmap:8 PCMA/8000/1
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=sendrecv
a=label:1
a=ssrc:3218920194 cname:9a1c27e0-5b7e-4f1e
a=rtcp-rsize
a=ptime:20
`)

	// telephone-event at three clock rates; only 100 (8000) fits G.711.
	linphoneOffer = crlf(`v=0
o=alice 3212 1532 IN IP4 192.168.1.77
s=Talk
c=IN IP4 192.168.1.77
t=0 0
a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics
m=audio 7078 RTP/AVP 96 97 98 0 8 18 101 99 100
a=rtpmap:96 opus/48000/2
a=fmtp:96 useinbandfec=1
a=rtpmap:97 speex/16000
a=fmtp:97 vbr=on
a=rtpmap:98 speex/8000
a=fmtp:98 vbr=on
a=fmtp:18 annexb=yes
a=rtpmap:101 telephone-event/48000
a=rtpmap:99 telephone-event/16000
a=rtpmap:100 telephone-event/8000
a=rtcp-fb:* trr-int 1000
a=rtcp-fb:* ccm tmmbr
`)

	// c= after t=, static types without rtpmap, PCMA first, 30 ms.
	ciscoSPAOffer = crlf(`v=0
o=- 108139 108139 IN IP4 192.168.0.105
s=-
t=0 0
c=IN IP4 192.168.0.105
m=audio 16434 RTP/AVP 8 0 2 18 101
a=rtpmap:2 G726-32/8000
a=rtpmap:18 G729a/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=ptime:30
a=sendrecv
`)

	// RFC 2543 hold: c=0.0.0.0, no direction attribute.
	oldPhoneHold = crlf(`v=0
o=- 3 4 IN IP4 192.168.1.20
s=-
c=IN IP4 0.0.0.0
t=0 0
m=audio 3456 RTP/AVP 0 101
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
`)

	yealinkHold = crlf(`v=0
o=- 20045 20046 IN IP4 192.168.1.31
s=SDP data
c=IN IP4 192.168.1.31
t=0 0
m=audio 11796 RTP/AVP 0 101
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=ptime:20
a=sendonly
`)

	inactiveOffer = crlf(`v=0
o=- 20045 20047 IN IP4 192.168.1.31
s=SDP data
c=IN IP4 192.168.1.31
t=0 0
m=audio 11796 RTP/AVP 8 101
a=rtpmap:101 telephone-event/8000
a=inactive
`)

	// Session c= for video, media c= for audio.
	mediaConnOffer = crlf(`v=0
o=- 77 77 IN IP4 10.0.0.1
s=-
c=IN IP4 10.0.0.1
t=0 0
m=audio 40000 RTP/AVP 0
c=IN IP4 10.0.0.2
m=video 40002 RTP/AVP 97
a=rtpmap:97 H264/90000
`)

	ipv6Offer = crlf(`v=0
o=- 5 5 IN IP6 2001:db8::5
s=-
c=IN IP6 2001:db8::5
t=0 0
m=audio 6000 RTP/AVP 0 8 101
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-16
`)

	// Video phone: telephone-event on 96 in audio, 96 again as H264 in video.
	videoPhoneOffer = crlf(`v=0
o=- 1234 1234 IN IP4 192.168.1.60
s=Grandstream GXV
c=IN IP4 192.168.1.60
t=0 0
m=audio 5004 RTP/AVP 0 8 9 96
a=rtpmap:96 telephone-event/8000
a=fmtp:96 0-15
a=ptime:20
a=sendrecv
m=video 5006 RTP/AVP 99 96
b=AS:2048
a=rtpmap:99 H264/90000
a=fmtp:99 profile-level-id=42801F; packetization-mode=1
a=rtpmap:96 H264/90000
a=fmtp:96 profile-level-id=42801F
a=rtcp-fb:* nack
a=sendrecv
`)

	// No t= at all, LF endings, trailing blanks and an unknown line type.
	sloppyOffer = "v=0\n" +
		"o=gateway 1 1 IN IP4 172.16.5.9 \n" +
		"s=session\t\n" +
		"c=IN IP4 172.16.5.9\n" +
		"\n" +
		"y=something-new\n" +
		"m=audio 20000 RTP/AVP 8\n" +
		"a=ptime:20  \n"

	// Only RTP/SAVP with SDES keys.
	savpOffer = crlf(`v=0
o=- 900 900 IN IP4 192.168.1.31
s=-
c=IN IP4 192.168.1.31
t=0 0
m=audio 11800 RTP/SAVP 0 8 101
a=rtpmap:101 telephone-event/8000
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^31|1:1
a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|2^20
a=sendrecv
`)

	// Best-effort SRTP: the same audio twice, SAVP first.
	bestEffortSRTP = crlf(`v=0
o=- 901 901 IN IP4 192.168.1.31
s=-
c=IN IP4 192.168.1.31
t=0 0
m=audio 11800 RTP/SAVP 0 8
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz
m=audio 11802 RTP/AVP 0 8 100
a=rtpmap:100 telephone-event/8000
`)

	g729Only = crlf(`v=0
o=- 1 1 IN IP4 192.168.1.9
s=-
c=IN IP4 192.168.1.9
t=0 0
m=audio 4000 RTP/AVP 18
a=rtpmap:18 G729/8000
`)

	// T.38 re-offer from a fax ATA: a non-RTP stream.
	t38Offer = crlf(`v=0
o=- 11 12 IN IP4 192.168.1.70
s=-
c=IN IP4 192.168.1.70
t=0 0
m=image 4002 udptl t38
a=T38FaxVersion:0
a=T38FaxRateManagement:transferredTCF
a=T38FaxUdpEC:t38UDPRedundancy
`)
)

// phoneBodies lists every sample for round-trip and fuzz seeds.
var phoneBodies = map[string]string{
	"yealink": yealinkOffer, "grandstream": grandstreamOffer, "polycom": polycomOffer,
	"baresip": baresipOffer, "linphone": linphoneOffer, "ciscospa": ciscoSPAOffer,
	"oldhold": oldPhoneHold, "sendonly": yealinkHold, "inactive": inactiveOffer,
	"mediaconn": mediaConnOffer, "ipv6": ipv6Offer, "video": videoPhoneOffer,
	"sloppy": sloppyOffer, "savp": savpOffer, "besteffort": bestEffortSRTP,
	"g729": g729Only, "t38": t38Offer,
}
