package media_test

import (
	"bytes"
	"fmt"
	"log"
	"net"
	"net/netip"
	"time"

	"github.com/pion/rtp"

	"deskline/media"
)

// A call between a µ-law phone and an A-law phone, bridged on the box. The
// two "phones" are plain UDP sockets.
func ExampleRelay() {
	pool, err := media.NewPortPool(41000, 41998)
	if err != nil {
		log.Fatal(err)
	}
	lo := netip.MustParseAddr("127.0.0.1")
	caller, err := pool.Listen(lo)
	if err != nil {
		log.Fatal(err)
	}
	defer caller.Close()
	callee, err := pool.Listen(lo)
	if err != nil {
		log.Fatal(err)
	}
	defer callee.Close()

	callerPhone, calleePhone := udpPhone(), udpPhone()
	defer callerPhone.Close()
	defer calleePhone.Close()

	// What the two offer/answer exchanges negotiated.
	caller.SetRemote(addrOf(callerPhone))
	caller.SetFormat(media.Format{Codec: media.PCMU, PT: 0, DTMFPT: 101})
	callee.SetRemote(addrOf(calleePhone))
	callee.SetFormat(media.Format{Codec: media.PCMA, PT: 8, DTMFPT: 96})

	relay := media.NewRelay(caller, callee, &media.RelayOptions{
		OnDTMF: func(from *media.Session, event uint8, end bool, d time.Duration) {
			if end {
				fmt.Printf("key %d released after %v\n", event, d)
			}
		},
	})
	relay.Start()
	defer relay.Close()

	// 20 ms of µ-law silence from the caller arrives as A-law silence.
	send(callerPhone, caller.LocalAddr(), 0, bytes.Repeat([]byte{0xff}, 160))
	got := receive(calleePhone)
	fmt.Printf("PT %d, %d bytes, first %#x\n", got.PayloadType, len(got.Payload), got.Payload[0])

	// The caller presses 5: the event is reported and passed on with the
	// callee's telephone-event payload type.
	send(callerPhone, caller.LocalAddr(), 101, []byte{5, 0x8a, 0x03, 0x20})
	got = receive(calleePhone)
	fmt.Printf("PT %d, event %d\n", got.PayloadType, got.Payload[0])

	// Output:
	// PT 8, 160 bytes, first 0xd5
	// key 5 released after 100ms
	// PT 96, event 5
}

func udpPhone() *net.UDPConn {
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		log.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	return c
}

func addrOf(c *net.UDPConn) netip.AddrPort { return c.LocalAddr().(*net.UDPAddr).AddrPort() }

func send(c *net.UDPConn, to netip.AddrPort, pt uint8, payload []byte) {
	pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: pt, SSRC: 42}, Payload: payload}
	b, err := pkt.Marshal()
	if err != nil {
		log.Fatal(err)
	}
	if _, err := c.WriteToUDPAddrPort(b, to); err != nil {
		log.Fatal(err)
	}
}

func receive(c *net.UDPConn) *rtp.Packet {
	buf := make([]byte, 1500)
	n, _, err := c.ReadFromUDPAddrPort(buf)
	if err != nil {
		log.Fatal(err)
	}
	var pkt rtp.Packet
	if err := pkt.Unmarshal(buf[:n]); err != nil {
		log.Fatal(err)
	}
	return &pkt
}
