package srtp_test

import (
	"fmt"

	"github.com/pion/rtp"

	"deskline/media/srtp"
)

// One leg of a call: the phone offered a key in its a=crypto line, the box
// answered with its own. The packet loop keeps one receive buffer and one
// send buffer and works in place, so that no packet allocates.
func Example() {
	const suite = srtp.AESCM128HMACSHA1_80
	ourKey, _ := srtp.GenerateKey(suite)   // goes into our answer's a=crypto
	phoneKey, _ := srtp.GenerateKey(suite) // came from the offer's a=crypto
	leg, err := srtp.NewPair(suite, ourKey, phoneKey)
	if err != nil {
		fmt.Println(err)
		return
	}
	phone, _ := srtp.NewPair(suite, phoneKey, ourKey) // the far end, for the demo

	// Sending: marshal RTP into a buffer with MaxOverhead spare, protect in place.
	sendBuf := make([]byte, 1500)
	pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, SequenceNumber: 1, SSRC: 7}, Payload: make([]byte, 160)}
	n, _ := pkt.MarshalTo(sendBuf[:len(sendBuf)-srtp.MaxOverhead])
	wire, _ := leg.Protect(sendBuf[:0], sendBuf[:n])
	fmt.Println("RTP", n, "bytes, SRTP", len(wire), "bytes")

	// Receiving: what ReadFromUDPAddrPort put in recvBuf[:n], unprotected in place.
	recvBuf := make([]byte, 1500)
	n = copy(recvBuf, wire)
	got, err := phone.Unprotect(recvBuf[:0], recvBuf[:n])
	fmt.Println("decrypted", len(got), "bytes:", err)
	_, err = phone.Unprotect(recvBuf[:0], wire) // the same packet again
	fmt.Println(err != nil)
	// Output:
	// RTP 172 bytes, SRTP 182 bytes
	// decrypted 172 bytes: <nil>
	// true
}
