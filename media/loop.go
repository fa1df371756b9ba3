package media

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
)

// reader is one goroutine's job: read datagrams from a Session's socket
// into buf and hand each to handle.
type reader struct {
	s      *Session
	handle func(b []byte, from netip.AddrPort)
	buf    []byte
}

func readerOf(s *Session, handle func([]byte, netip.AddrPort), buf []byte) reader {
	return reader{s: s, handle: handle, buf: buf}
}

// readLoop runs the goroutines that read Sessions for a Relay or a
// Receiver, and stops them. Only one of them may read a Session at a time.
type readLoop struct {
	stop    atomic.Bool
	wg      sync.WaitGroup
	mu      sync.Mutex
	started bool
	closed  bool
	readers []reader
}

// start starts one goroutine per reader. Calling it again, or after close,
// does nothing.
func (l *readLoop) start(rs ...reader) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.started || l.closed {
		return
	}
	l.started, l.readers = true, rs
	l.wg.Add(len(rs))
	for _, r := range rs {
		go l.run(r)
	}
}

func (l *readLoop) run(r reader) {
	defer l.wg.Done()
	for {
		n, from, err := r.s.conn.ReadFromUDPAddrPort(r.buf)
		if err != nil {
			if l.stop.Load() || errors.Is(err, net.ErrClosed) {
				return
			}
			continue // transient: a truncated or refused datagram
		}
		r.handle(r.buf[:n], from)
	}
}

// close stops the goroutines and waits for them to return. It is
// idempotent and always returns nil.
func (l *readLoop) close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	started := l.started
	l.mu.Unlock()
	if !started {
		return nil
	}
	// A read deadline in the past wakes a blocked read, and makes any read
	// that starts later return at once; the stop flag says why.
	l.stop.Store(true)
	past := time.Unix(1, 0)
	for _, r := range l.readers {
		_ = r.s.conn.SetReadDeadline(past)
	}
	l.wg.Wait()
	for _, r := range l.readers {
		_ = r.s.conn.SetReadDeadline(time.Time{})
	}
	return nil
}

// dtmfDedup turns the packets of RFC 4733 telephone-events into one report
// when an event begins and one when it ends: an event is recognised by its
// timestamp, and its end packet, sent three times, is reported once.
type dtmfDedup struct {
	seen  bool
	ts    uint32
	ended bool
}

// see reads the telephone-event in pkt (whose payload has at least 4
// bytes) and says whether it begins a new event and whether it ends one.
// dur is how long the key has been down so far.
func (d *dtmfDedup) see(pkt *rtp.Packet) (event uint8, begins, ends bool, dur time.Duration) {
	pl := pkt.Payload
	event, end := pl[0], pl[1]&0x80 != 0
	dur = time.Duration(binary.BigEndian.Uint16(pl[2:4])) * (time.Second / 8000)
	if !d.seen || pkt.Timestamp != d.ts {
		d.seen, d.ts, d.ended = true, pkt.Timestamp, false
		begins = !end
	}
	if end && !d.ended {
		d.ended, ends = true, true
	}
	return event, begins, ends, dur
}
