package phonetest

import (
	"errors"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
)

// Each Phone gets a block of blockSize consecutive ports on 127.0.0.1:
//
//	base+0  SIP over UDP and TCP (sip_listen)
//	base+1  SIP over TLS, which baresip always opens on sip_listen+1
//	base+2  ctrl_tcp
//	base+4… RTP and RTCP (rtp_ports), room for six calls
//
// Blocks are drawn at random below the kernel's ephemeral range (32768 and
// up on Linux), so outgoing connections do not take them, and every port is
// test-bound on TCP and UDP first. Another process can still take a port
// between that test and baresip's bind; Start then retries with a new block.
const (
	blockSize = 16
	portLow   = 20000
	portHigh  = 32000
)

// blocks remembers the blocks handed out in this process. They are never
// reused, even after the phone stopped: baresip's sockets may linger.
var blocks struct {
	sync.Mutex
	used map[int]bool
}

var errNoPorts = errors.New("phonetest: no free block of ports found")

func allocPorts() (base int, err error) {
	blocks.Lock()
	defer blocks.Unlock()
	if blocks.used == nil {
		blocks.used = make(map[int]bool)
	}
	for range 200 {
		base = portLow + rand.IntN((portHigh-portLow)/blockSize)*blockSize
		if blocks.used[base] || !blockFree(base) {
			continue
		}
		blocks.used[base] = true
		return base, nil
	}
	return 0, errNoPorts
}

func blockFree(base int) bool {
	for p := base; p < base+blockSize; p++ {
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(p))
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return false
		}
		l.Close()
		c, err := net.ListenPacket("udp", addr)
		if err != nil {
			return false
		}
		c.Close()
	}
	return true
}
