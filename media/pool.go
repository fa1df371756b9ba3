package media

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"syscall"
)

// readBufferBytes is the socket receive buffer each Session asks for: about
// a second of G.711 at 20 ms packets, so a busy relay goroutine loses nothing
// to a short scheduling stall. The kernel may grant less.
const readBufferBytes = 64 << 10

// PortPool hands out the even UDP ports of a configured range, one per
// Session, with the odd port above it for the Session's RTCP. Ports are given round-robin, so a port just released
// is the last to be reused and late packets of an old call do not reach a
// new one.
//
// A PortPool is safe for concurrent use.
type PortPool struct {
	min, max int // even bounds, inclusive

	mu     sync.Mutex
	inUse  []bool // indexed by (port-min)/2
	used   int
	cursor int // index tried first by the next Listen
}

// NewPortPool returns a pool of the even ports from min to max inclusive.
// min must be even and at least 2, max at least min and at most 65535; an
// odd max is rounded down. Otherwise the error wraps ErrBadRange.
func NewPortPool(min, max int) (*PortPool, error) {
	if min < 2 || min%2 != 0 || max < min || max > 65535 {
		return nil, fmt.Errorf("%w: %d-%d", ErrBadRange, min, max)
	}
	max -= max % 2
	return &PortPool{min: min, max: max, inUse: make([]bool, (max-min)/2+1)}, nil
}

// Listen binds a UDP socket on ip at the next free even port of the range
// and returns it as a Session. Ports the operating system refuses (in use by
// another program, or not permitted) are skipped. When no port can be bound
// the error wraps ErrNoPorts. The caller owns the Session and must Close it,
// which returns the port to the pool.
func (p *PortPool) Listen(ip netip.Addr) (*Session, error) {
	if !ip.IsValid() {
		return nil, fmt.Errorf("media: listen: invalid address")
	}
	ip = ip.Unmap()
	network := "udp4"
	if ip.Is6() {
		network = "udp6"
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.inUse)
	var lastErr error
	for k := 0; k < n; k++ {
		i := (p.cursor + k) % n
		if p.inUse[i] {
			continue
		}
		port := p.min + 2*i
		conn, err := net.ListenUDP(network, net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(port))))
		var rtcpConn *net.UDPConn
		if err == nil {
			// RTCP goes to the RTP port + 1 (RFC 3550 §11): both or neither.
			if rtcpConn, err = net.ListenUDP(network, net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(port+1)))); err != nil {
				conn.Close()
			}
		}
		if err != nil {
			if errors.Is(err, syscall.EADDRINUSE) || errors.Is(err, syscall.EACCES) {
				lastErr = err
				continue
			}
			return nil, fmt.Errorf("media: listen on %v: %w", ip, err)
		}
		// The kernel caps the size silently; a failure here is not worth
		// losing the call for.
		_ = conn.SetReadBuffer(readBufferBytes)
		p.inUse[i] = true
		p.used++
		p.cursor = (i + 1) % n
		return newSession(conn, rtcpConn, netip.AddrPortFrom(ip, uint16(port)), func() { p.release(i) }), nil
	}
	if lastErr != nil {
		return nil, fmt.Errorf("%w in %d-%d on %v (last refusal: %v)", ErrNoPorts, p.min, p.max, ip, lastErr)
	}
	return nil, fmt.Errorf("%w in %d-%d on %v", ErrNoPorts, p.min, p.max, ip)
}

// InUse returns how many ports are held by open Sessions.
func (p *PortPool) InUse() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.used
}

func (p *PortPool) release(i int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.inUse[i] {
		p.inUse[i] = false
		p.used--
	}
}
