package sip

import (
	"net"
	"net/netip"
	"sync"
	"time"
)

// guardedListener bounds what TCP (and TLS) clients can hold: at most
// perSource connections from one address over both (allow-listed ones excepted), a connection
// that sends nothing within firstRead is closed, and one that then falls
// silent for idle is closed too. Banned sources are hung up on at once.
type guardedListener struct {
	net.Listener
	s         *Server
	perSource int
	firstRead time.Duration
	idle      time.Duration
	*sourceCounts
}

// sourceCounts are the open connections per source, shared by the TCP and
// TLS listeners: the limit is on what one source holds in all.
type sourceCounts struct {
	mu     sync.Mutex
	open   map[netip.Addr]int
	warned map[netip.Addr]time.Time
}

func (s *Server) guardTCP(l net.Listener) *guardedListener {
	per, first, idle := s.o.TCPPerSource, s.o.TCPFirstRead, s.o.TCPIdle
	if per == 0 {
		per = 100
	}
	if first == 0 {
		first = 30 * time.Second
	}
	if idle == 0 {
		// A phone registered over TCP may say nothing until it refreshes
		// its registration: keep its connection (and so its reachability)
		// that long.
		idle = s.o.MaxExpires + 5*time.Minute
	}
	s.connsOnce.Do(func() {
		s.conns = &sourceCounts{open: map[netip.Addr]int{}, warned: map[netip.Addr]time.Time{}}
	})
	return &guardedListener{Listener: l, s: s, perSource: per, firstRead: first, idle: idle, sourceCounts: s.conns}
}

func (l *guardedListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ip := addrOf(c.RemoteAddr())
		if l.s.bans.isBanned(ip) {
			c.Close()
			continue
		}
		a := holder(ip) // an IPv6 source is its /64
		l.mu.Lock()
		if l.open[a] >= l.perSource && !l.s.bans.allowed(ip) {
			now := time.Now()
			warn := now.Sub(l.warned[a]) > time.Minute
			if warn {
				l.warned[a] = now
			}
			l.mu.Unlock()
			c.Close()
			if warn {
				l.s.log.Warn("too many TCP/TLS connections from one source: refusing more", "addr", a, "limit", l.perSource)
			}
			continue
		}
		l.open[a]++
		l.mu.Unlock()
		return &guardedConn{Conn: c, l: l, a: a}, nil
	}
}

type guardedConn struct {
	net.Conn
	l     *guardedListener
	a     netip.Addr
	read  bool // read anything yet (only the reading goroutine touches it)
	close sync.Once
}

func (c *guardedConn) Read(b []byte) (int, error) {
	if c.l.s.bans.isBanned(c.a) {
		c.Close() // banned while connected: hang up now, freeing its slot
		return 0, net.ErrClosed
	}
	d := c.l.idle
	if !c.read {
		d = c.l.firstRead
	}
	c.Conn.SetReadDeadline(time.Now().Add(d))
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.read = true
	}
	return n, err
}

func (c *guardedConn) Close() error {
	c.close.Do(func() {
		c.l.mu.Lock()
		if c.l.open[c.a]--; c.l.open[c.a] <= 0 {
			delete(c.l.open, c.a)
		}
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}
