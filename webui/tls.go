package webui

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"
)

// TLSCertificate describes the certificate the box serves HTTPS and SIP
// over TLS with.
type TLSCertificate struct {
	Subject     string    `json:"subject"`
	DNSNames    []string  `json:"dns_names"`
	IPs         []string  `json:"ip_addresses"`
	NotAfter    time.Time `json:"not_after"`
	Fingerprint string    `json:"fingerprint_sha256"` // of the certificate, "AB:CD:…"
	Generated   bool      `json:"generated"`          // the box's own, made on first start
}

// TLSInput replaces the certificate: PEM text, the server's certificate
// first and then any intermediate ones, and its private key.
type TLSInput struct {
	Cert string `json:"cert"`
	Key  string `json:"key"`
}

// TLSBackend manages the box's certificate. It is optional: without it
// /api/v1/tls does not exist.
type TLSBackend interface {
	// TLSCertificate describes the certificate in use.
	TLSCertificate(ctx context.Context) (TLSCertificate, error)
	// ReplaceTLSCertificate validates, stores and starts serving a new
	// certificate; errors about the input wrap ErrInvalid and name the
	// problem.
	ReplaceTLSCertificate(ctx context.Context, in TLSInput) (TLSCertificate, error)
}

func (s *Server) apiGetTLS(w http.ResponseWriter, r *http.Request) {
	c, err := s.tls.TLSCertificate(r.Context())
	if err != nil {
		s.backendError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) apiPutTLS(w http.ResponseWriter, r *http.Request) {
	var in TLSInput
	if !decodeJSON(w, r, &in) {
		return
	}
	c, err := s.tls.ReplaceTLSCertificate(r.Context(), in)
	if err != nil {
		s.backendError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// redirectHTTPS sends plain-HTTP requests from other hosts to the same
// path on the HTTPS port, once an administrator exists. Before that the
// setup page must stay reachable however the box is reached, and clients
// on the box itself (make run, tests, tools) keep using HTTP.
func (s *Server) redirectHTTPS(next http.Handler) http.Handler {
	if s.httpsPort == "" {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS != nil || s.firstBoot() || fromLoopback(r) {
			next.ServeHTTP(w, r)
			return
		}
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		} else {
			host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
		}
		if host == "" {
			if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
				host, _, _ = net.SplitHostPort(a.String())
			}
		}
		u := "https://" + net.JoinHostPort(host, s.httpsPort) + r.URL.RequestURI()
		http.Redirect(w, r, u, http.StatusPermanentRedirect)
	})
}

func fromLoopback(r *http.Request) bool {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	return err == nil && ap.Addr().Unmap().IsLoopback()
}
