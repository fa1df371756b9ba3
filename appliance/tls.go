package appliance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"deskline/appliance/tlscert"
	"deskline/webui"
)

// This file is the box's TLS: the certificate in <data>/tls (generated on
// first start, replaceable through PUT /api/v1/tls), the HTTPS listener of
// the panel and the certificate SIP over TLS serves.

// tlsEnabled reports whether anything serves TLS.
func (a *Appliance) tlsEnabled() bool { return a.cfg.HTTPSAddr != "" || a.cfg.SIPSAddr != "" }

// openTLS loads the certificate, generating it on first start.
func (a *Appliance) openTLS() error {
	if !a.tlsEnabled() {
		return nil
	}
	store, generated, err := tlscert.Open(filepath.Join(a.cfg.DataDir, "tls"), tlscert.LocalNames(), a.now)
	if err != nil {
		return fmt.Errorf("appliance: %w", err)
	}
	a.certs = store
	in := store.Info()
	if generated {
		a.log.Info("tls certificate generated", "subject", in.Subject, "dns", strings.Join(in.DNSNames, ","), "ips", strings.Join(in.IPs, ","))
	}
	a.log.Info("tls certificate", "sha256", in.Fingerprint, "subject", in.Subject, "not_after", in.NotAfter.Format(time.RFC3339), "generated", in.Generated)
	return nil
}

// sipTLSAddr is the SIP over TLS listen address, "" when it is off.
func (a *Appliance) sipTLSAddr() string {
	if a.certs == nil {
		return ""
	}
	return a.cfg.SIPSAddr
}

// listenHTTPS binds the HTTPS port; serveHTTPS serves it once the panel
// exists.
func (a *Appliance) listenHTTPS() (err error) {
	if a.cfg.HTTPSAddr == "" || a.certs == nil {
		return nil
	}
	if a.hsl, err = net.Listen("tcp", a.cfg.HTTPSAddr); err != nil {
		return fmt.Errorf("appliance: https listen %s: %w", a.cfg.HTTPSAddr, err)
	}
	a.httpsAddr = a.hsl.Addr().String()
	return nil
}

// httpsPort is the port plain-HTTP clients are redirected to, "" without
// HTTPS.
func (a *Appliance) httpsPort() string {
	if a.hsl == nil {
		return ""
	}
	_, p, _ := net.SplitHostPort(a.httpsAddr)
	return p
}

func (a *Appliance) serveHTTPS(h http.Handler) {
	if a.hsl == nil {
		return
	}
	a.https = &http.Server{
		Handler:           h,
		TLSConfig:         a.certs.TLSConfig(),
		ReadHeaderTimeout: 10 * time.Second, // includes the TLS handshake
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelDebug), // handshake noise from scanners
	}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		if err := a.https.ServeTLS(a.hsl, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("https server stopped", "err", err)
		}
	}()
}

// closeHTTPS stops the HTTPS server, or closes its listener when serving
// never began.
func (a *Appliance) closeHTTPS(ctx context.Context) {
	switch {
	case a.https != nil:
		if err := a.https.Shutdown(ctx); err != nil {
			a.https.Close()
		}
	case a.hsl != nil:
		a.hsl.Close()
	}
}

// HTTPSAddr is where the panel is served over HTTPS (after Start); "" when
// it is not.
func (a *Appliance) HTTPSAddr() string { return a.httpsAddr }

// SIPTLSAddr is where SIP over TLS is served (after Start); "" when it is
// not.
func (a *Appliance) SIPTLSAddr() string {
	if ap := a.sip.TLSAddr(); ap.IsValid() {
		return ap.String()
	}
	return ""
}

// TLSFingerprint is the SHA-256 fingerprint of the certificate served; ""
// without TLS.
func (a *Appliance) TLSFingerprint() string {
	if a.certs == nil {
		return ""
	}
	return a.certs.Info().Fingerprint
}

// tlsBackend serves /api/v1/tls.
type tlsBackend struct{ a *Appliance }

func (a *Appliance) tlsBackend() webui.TLSBackend {
	if a.certs == nil {
		return nil
	}
	return tlsBackend{a}
}

func certView(in tlscert.Info) webui.TLSCertificate {
	return webui.TLSCertificate{Subject: in.Subject, DNSNames: in.DNSNames, IPs: in.IPs, NotAfter: in.NotAfter,
		Fingerprint: in.Fingerprint, Generated: in.Generated}
}

func (b tlsBackend) TLSCertificate(ctx context.Context) (webui.TLSCertificate, error) {
	return certView(b.a.certs.Info()), nil
}

func (b tlsBackend) ReplaceTLSCertificate(ctx context.Context, in webui.TLSInput) (webui.TLSCertificate, error) {
	old := b.a.certs.Info()
	info, err := b.a.certs.Replace([]byte(in.Cert), []byte(in.Key))
	if errors.Is(err, tlscert.ErrInvalid) {
		msg := strings.TrimPrefix(err.Error(), tlscert.ErrInvalid.Error()+": ")
		if field, problem, ok := strings.Cut(msg, ": "); ok && (field == "cert" || field == "key") {
			return webui.TLSCertificate{}, &webui.FieldError{Field: field, Problem: problem}
		}
		return webui.TLSCertificate{}, fmt.Errorf("%w: %s", webui.ErrInvalid, msg)
	}
	if err != nil {
		return webui.TLSCertificate{}, err
	}
	b.a.log.Info("tls certificate replaced", "sha256", info.Fingerprint, "subject", info.Subject, "not_after", info.NotAfter.Format(time.RFC3339))
	b.a.auditChange(ctx, "tls-certificate-replaced", info.Subject,
		fmt.Sprintf("sha256 %s, valid until %s; was sha256 %s", info.Fingerprint, info.NotAfter.Format(time.RFC3339), old.Fingerprint))
	return certView(info), nil
}

// writeTLSWelcome adds the HTTPS and SIP over TLS addresses, and the
// fingerprint to compare with the browser's warning, to the welcome text.
func (a *Appliance) writeTLSWelcome(out io.Writer) {
	if a.httpsAddr != "" {
		fmt.Fprintf(out, "  HTTPS:     https://%s/\n", welcomeHost(a.httpsAddr))
	}
	if s := a.SIPTLSAddr(); s != "" {
		fmt.Fprintf(out, "  SIP TLS:   %s\n", s)
	}
	if fp := a.TLSFingerprint(); fp != "" {
		fmt.Fprintf(out, "  Certificate SHA-256: %s\n", fp)
	}
}

// welcomeHost replaces a wildcard host with words a person understands.
func welcomeHost(addr string) string {
	if h, p, err := net.SplitHostPort(addr); err == nil && (h == "" || h == "::" || h == "0.0.0.0") {
		return "<this box's address>:" + p
	}
	return addr
}
