//go:build linux

package media

import (
	"errors"
	"net"
	"net/netip"
	"unsafe"

	"golang.org/x/sys/unix"
)

// readBatch is how many datagrams one recvmmsg may take. A leg's peer
// sends one packet per 20 ms, so there is rarely more than one; the second
// slot is what tells a drained socket (fewer than readBatch returned) from
// a burst.
const readBatch = 2

// run reads r's Session until the loop stops or the socket closes.
//
// On Linux it saves a system call per packet. The portable loop reads
// again after every datagram, and that read, which finds the socket empty,
// is what parks the goroutine. Here one recvmmsg takes what is queued; if
// it returns fewer than readBatch datagrams the socket was drained, and
// the goroutine waits for the poller's next readiness report instead of
// asking the kernel again. (Go's poller is edge-triggered: every datagram
// that arrives after its last report raises a new one, so nothing queued
// is left behind.)
func (l *readLoop) run(r reader) {
	defer l.wg.Done()
	rc, err := r.s.conn.SyscallConn()
	if err != nil {
		l.readEach(r)
		return
	}
	var b mmsgBatch
	b.bufs[0] = r.buf
	for i := 1; i < readBatch; i++ {
		b.bufs[i] = make([]byte, len(r.buf))
	}
	b.init()
	read := func(fd uintptr) bool {
		for !l.stop.Load() {
			n, err := b.recv(fd)
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				// EAGAIN: empty; anything else (an ICMP error
				// reported on the socket) is consumed by the read.
				return false
			}
			for i := range n {
				r.handle(b.bufs[i][:b.msgs[i].n], b.from(i))
			}
			if n < readBatch {
				return false
			}
		}
		return true
	}
	for {
		err := rc.Read(read)
		if l.stop.Load() || errors.Is(err, net.ErrClosed) {
			return
		}
	}
}

// mmsghdr is struct mmsghdr of recvmmsg(2).
type mmsghdr struct {
	hdr unix.Msghdr
	n   uint32
}

// mmsgBatch holds the buffers and headers of one recvmmsg, set up once
// and reused, so that reading allocates nothing.
type mmsgBatch struct {
	bufs  [readBatch][]byte
	iovs  [readBatch]unix.Iovec
	names [readBatch]unix.RawSockaddrInet6 // large enough for either family
	msgs  [readBatch]mmsghdr
}

func (b *mmsgBatch) init() {
	for i := range b.msgs {
		b.iovs[i].Base = &b.bufs[i][0]
		b.iovs[i].SetLen(len(b.bufs[i]))
		h := &b.msgs[i].hdr
		h.Name = (*byte)(unsafe.Pointer(&b.names[i]))
		h.Iov = &b.iovs[i]
		h.SetIovlen(1)
	}
}

// recv takes up to readBatch datagrams from the non-blocking socket fd.
func (b *mmsgBatch) recv(fd uintptr) (int, error) {
	for i := range b.msgs {
		b.msgs[i].hdr.Namelen = unix.SizeofSockaddrInet6
	}
	n, _, errno := unix.Syscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&b.msgs[0])), readBatch, unix.MSG_DONTWAIT, 0, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

// from returns the source of datagram i, the zero AddrPort if the kernel
// gave none of a known family.
func (b *mmsgBatch) from(i int) netip.AddrPort {
	sa := &b.names[i]
	switch sa.Family {
	case unix.AF_INET:
		in4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
		return netip.AddrPortFrom(netip.AddrFrom4(in4.Addr), port(in4.Port))
	case unix.AF_INET6:
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr), port(sa.Port))
	}
	return netip.AddrPort{}
}

// port converts a port as the kernel stores it (network byte order) to a
// number.
func port(p uint16) uint16 {
	b := (*[2]byte)(unsafe.Pointer(&p))
	return uint16(b[0])<<8 | uint16(b[1])
}
