package sip

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"
)

// listenTLS binds the TLS port when one is configured.
func (s *Server) listenTLS() error {
	if s.o.TLSAddr == "" || s.o.TLSConfig == nil {
		return nil
	}
	l, err := net.Listen("tcp", s.o.TLSAddr)
	if err != nil {
		return fmt.Errorf("sip: listen tls %s: %w", s.o.TLSAddr, err)
	}
	s.tls = l
	ap := l.Addr().(*net.TCPAddr).AddrPort()
	s.tlsAddr = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	return nil
}

// TLSAddr is where SIP over TLS is served (after Start); the zero value
// when it is not.
func (s *Server) TLSAddr() netip.AddrPort { return s.tlsAddr }

// tlsListener turns guarded TCP connections into TLS server connections
// whose handshake must finish within Options.TLSHandshake. The handshake
// runs on the connection's reading goroutine, never in Accept, so a slow
// client holds up no one else.
func (s *Server) tlsListener(l *guardedListener) net.Listener {
	d := s.o.TLSHandshake
	if d == 0 {
		d = 10 * time.Second
	}
	return &tlsListener{Listener: l, conf: s.o.TLSConfig, timeout: d}
}

type tlsListener struct {
	net.Listener
	conf    *tls.Config
	timeout time.Duration
}

func (l *tlsListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &handshakeConn{Conn: tls.Server(c, l.conf), timeout: l.timeout}, nil
}

// handshakeConn completes the TLS handshake, bounded in time, before the
// first read or write.
type handshakeConn struct {
	*tls.Conn
	timeout time.Duration
	once    sync.Once
	err     error
}

func (c *handshakeConn) handshake() error {
	c.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
		defer cancel()
		if c.err = c.Conn.HandshakeContext(ctx); c.err != nil {
			c.Conn.Close()
		}
	})
	return c.err
}

func (c *handshakeConn) Read(b []byte) (int, error) {
	if err := c.handshake(); err != nil {
		return 0, err
	}
	return c.Conn.Read(b)
}

func (c *handshakeConn) Write(b []byte) (int, error) {
	if err := c.handshake(); err != nil {
		return 0, err
	}
	return c.Conn.Write(b)
}
