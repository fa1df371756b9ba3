//go:build linux

package rtpload

import (
	"errors"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// The floors forward bytes between the same sockets as the relay but do
// no RTP work, so a relayed run compared with them shows what the media
// engine costs beyond the kernel and the Go runtime.

// sockets opens one UDP socket per leg on engineAddr.
func sockets(legs int) ([]*net.UDPConn, error) {
	var cs []*net.UDPConn
	for range legs {
		c, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(engineAddr, 0)))
		if err != nil {
			for _, c := range cs {
				c.Close()
			}
			return nil, err
		}
		cs = append(cs, c)
	}
	return cs, nil
}

func localAddrs(cs []*net.UDPConn) []netip.AddrPort {
	a := make([]netip.AddrPort, len(cs))
	for i, c := range cs {
		a[i] = c.LocalAddr().(*net.UDPAddr).AddrPort()
	}
	return a
}

// copyEngine reads each socket in its own goroutine and writes what it
// reads, unchanged, from the partner's socket to the partner's phone.
type copyEngine struct {
	connect bool // send on connected sockets (write, not sendto)
	conns   []*net.UDPConn
	sent    atomic.Uint64
	wg      sync.WaitGroup
}

func newCopyEngine(legs int, connect bool) (*copyEngine, error) {
	cs, err := sockets(legs)
	if err != nil {
		return nil, err
	}
	return &copyEngine{conns: cs, connect: connect}, nil
}

func (e *copyEngine) addrs() []netip.AddrPort { return localAddrs(e.conns) }
func (e *copyEngine) packetsOut() uint64      { return e.sent.Load() }

func (e *copyEngine) bridge(phones []netip.AddrPort) {
	if e.connect {
		for k, c := range e.conns {
			rc, err := c.SyscallConn()
			if err != nil {
				continue
			}
			p := phones[k]
			rc.Control(func(fd uintptr) {
				unix.Connect(int(fd), &unix.SockaddrInet4{Addr: p.Addr().As4(), Port: int(p.Port())})
			})
		}
	}
	for k, c := range e.conns {
		out, to := e.conns[k^1], phones[k^1]
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			buf := make([]byte, 2048)
			for {
				n, _, err := c.ReadFromUDPAddrPort(buf)
				if errors.Is(err, net.ErrClosed) {
					return
				}
				if err == nil {
					var err error
					if e.connect {
						_, err = out.Write(buf[:n])
					} else {
						_, err = out.WriteToUDPAddrPort(buf[:n], to)
					}
					if err == nil {
						e.sent.Add(1)
					}
				}
			}
		}()
	}
}

func (e *copyEngine) close() {
	for _, c := range e.conns {
		c.Close()
	}
	e.wg.Wait()
}

// epollEngine forwards like copyEngine from a few goroutines, each
// waiting on an epoll set of its sockets and using raw syscalls: one
// wake-up serves every socket that is ready.
type epollEngine struct {
	tick    time.Duration // if set, poll without blocking every tick instead
	conns   []*net.UDPConn
	fds     []int
	workers int
	eps     []int
	sent    atomic.Uint64
	stop    atomic.Bool
	wg      sync.WaitGroup
}

func newEpollEngine(legs, workers int, tick time.Duration) (*epollEngine, error) {
	cs, err := sockets(legs)
	if err != nil {
		return nil, err
	}
	e := &epollEngine{conns: cs, workers: workers, tick: tick}
	for _, c := range cs {
		rc, err := c.SyscallConn()
		if err != nil {
			e.close()
			return nil, err
		}
		rc.Control(func(fd uintptr) { e.fds = append(e.fds, int(fd)) })
	}
	return e, nil
}

func (e *epollEngine) addrs() []netip.AddrPort { return localAddrs(e.conns) }
func (e *epollEngine) packetsOut() uint64      { return e.sent.Load() }

func (e *epollEngine) bridge(phones []netip.AddrPort) {
	to := make([]unix.Sockaddr, len(phones))
	for k, p := range phones {
		to[k] = &unix.SockaddrInet4{Addr: p.Addr().As4(), Port: int(p.Port())}
	}
	for w := range e.workers {
		ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
		if err != nil {
			continue
		}
		e.eps = append(e.eps, ep)
		for k := w; k < len(e.fds); k += e.workers {
			ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(k)}
			unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, e.fds[k], &ev)
		}
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			if e.tick == 0 {
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
			}
			events := make([]unix.EpollEvent, 256)
			buf := make([]byte, 2048)
			for !e.stop.Load() {
				timeout := 100
				if e.tick > 0 {
					timeout = 0
				}
				n, err := unix.EpollWait(ep, events, timeout)
				if err != nil {
					continue
				}
				if e.tick > 0 && n < len(events) {
					time.Sleep(e.tick)
				}
				for _, ev := range events[:n] {
					k := int(ev.Fd)
					for {
						m, err := unix.Read(e.fds[k], buf)
						if err != nil {
							break
						}
						if unix.Sendto(e.fds[k^1], buf[:m], 0, to[k^1]) == nil {
							e.sent.Add(1)
						}
					}
				}
			}
		}()
	}
}

func (e *epollEngine) close() {
	e.stop.Store(true)
	e.wg.Wait()
	for _, ep := range e.eps {
		unix.Close(ep)
	}
	for _, c := range e.conns {
		c.Close()
	}
}
