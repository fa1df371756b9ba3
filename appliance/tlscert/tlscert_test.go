package tlscert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

var testNames = Names{Host: "box1", DNS: []string{"deskline.local", "localhost"},
	IPs: []netip.Addr{netip.MustParseAddr("192.0.2.7"), netip.MustParseAddr("127.0.0.1")}}

func TestOpenGeneratesOnce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls")
	s, gen, err := Open(dir, testNames, func() time.Time { return t0 })
	if err != nil || !gen {
		t.Fatalf("Open = %v, generated %v", err, gen)
	}
	in := s.Info()
	if !in.Generated || !strings.Contains(in.Subject, "CN=box1") {
		t.Errorf("Info = %+v, want a generated certificate for box1", in)
	}
	if got := strings.Join(in.DNSNames, ","); got != "box1,deskline.local,localhost" {
		t.Errorf("DNS names = %s", got)
	}
	if got := strings.Join(in.IPs, ","); got != "192.0.2.7,127.0.0.1" {
		t.Errorf("IPs = %s", got)
	}
	if d := in.NotAfter.Sub(t0); d < 3650*24*time.Hour {
		t.Errorf("valid for %v, want 10 years", d)
	}
	if len(in.Fingerprint) != 32*3-1 {
		t.Errorf("fingerprint %q", in.Fingerprint)
	}
	for f, mode := range map[string]os.FileMode{KeyFile: 0o600, CertFile: 0o600} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil || st.Mode().Perm() != mode {
			t.Errorf("%s: %v, mode %v, want %v", f, err, st.Mode().Perm(), mode)
		}
	}
	s2, gen, err := Open(dir, testNames, func() time.Time { return t0 })
	if err != nil || gen || s2.Info().Fingerprint != in.Fingerprint {
		t.Fatalf("second Open = %v, generated %v, fingerprint %s (was %s)", err, gen, s2.Info().Fingerprint, in.Fingerprint)
	}
}

func TestGeneratedSerialsDiffer(t *testing.T) {
	a, _, _ := Generate(testNames, t0)
	b, _, _ := Generate(testNames, t0)
	ca, cb := leafOf(t, a), leafOf(t, b)
	if ca.SerialNumber.Cmp(cb.SerialNumber) == 0 || ca.SerialNumber.Sign() <= 0 {
		t.Errorf("serials %v and %v", ca.SerialNumber, cb.SerialNumber)
	}
	if _, ok := ca.PublicKey.(*ecdsa.PublicKey); !ok || ca.PublicKey.(*ecdsa.PublicKey).Curve != elliptic.P256() {
		t.Errorf("key is %T, want ECDSA P-256", ca.PublicKey)
	}
}

func leafOf(t *testing.T, certPEM []byte) *x509.Certificate {
	t.Helper()
	b, _ := pem.Decode(certPEM)
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// issue makes a key and a certificate signed by parent (self-signed when
// parent is nil), for the table below.
func issue(t *testing.T, tmpl *x509.Certificate, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (certPEM, keyPEM []byte, key *ecdsa.PrivateKey, cert *x509.Certificate) {
	t.Helper()
	key, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ = x509.ParseCertificate(der)
	kder, _ := x509.MarshalECPrivateKey(key)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), key, cert
}

func TestParseRejects(t *testing.T) {
	server := func(serial int64, nb, na time.Time) *x509.Certificate {
		return &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "pbx.example.com"},
			DNSNames: []string{"pbx.example.com"}, NotBefore: nb, NotAfter: na,
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	}
	caT := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Office CA"}, IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign, NotBefore: t0.Add(-time.Hour), NotAfter: t0.Add(time.Hour * 24 * 365)}
	caPEM, caKeyPEM, caKey, ca := issue(t, caT, nil, nil)
	goodPEM, goodKey, _, _ := issue(t, server(2, t0.Add(-time.Hour), t0.Add(24*time.Hour)), ca, caKey)
	_, otherKey, _, _ := issue(t, server(3, t0.Add(-time.Hour), t0.Add(24*time.Hour)), ca, caKey)
	oldPEM, oldKey, _, _ := issue(t, server(4, t0.Add(-48*time.Hour), t0.Add(-24*time.Hour)), ca, caKey)
	clientT := server(5, t0.Add(-time.Hour), t0.Add(24*time.Hour))
	clientT.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	clientPEM, clientKey, _, _ := issue(t, clientT, ca, caKey)
	chain := append(append([]byte{}, goodPEM...), caPEM...)

	for _, c := range []struct {
		name      string
		cert, key []byte
		want      string // "" = accepted
	}{
		{"leaf with chain", chain, goodKey, ""},
		{"leaf alone", goodPEM, goodKey, ""},
		{"empty cert", nil, goodKey, "cert: empty"},
		{"empty key", goodPEM, nil, "key: empty"},
		{"garbage cert", []byte("hello"), goodKey, "no PEM CERTIFICATE block"},
		{"key in cert", goodKey, goodKey, `"EC PRIVATE KEY" PEM block`},
		{"broken DER", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{0x30, 1, 2}}), goodKey, "certificate 1 does not parse"},
		{"cert as key", goodPEM, goodPEM, "want a PRIVATE KEY"},
		{"broken key", goodPEM, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}}), "key: does not parse"},
		{"wrong key", goodPEM, otherKey, "does not belong to the certificate"},
		{"expired", oldPEM, oldKey, "expired on"},
		{"CA only", caPEM, caKeyPEM, "CA certificate"},
		{"client only", clientPEM, clientKey, "does not include TLS server authentication"},
	} {
		_, info, err := Parse(c.cert, c.key, t0)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want == "" && (info.Generated || info.Subject != "CN=pbx.example.com"):
			t.Errorf("%s: info %+v", c.name, info)
		case c.want != "" && (err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: err = %v, want ErrInvalid saying %q", c.name, err, c.want)
		}
	}
}

// TestReplaceServesAtOnce: a TLS server built on the Store presents the new
// certificate on the next handshake, and a new Store finds it on disk.
func TestReplaceServesAtOnce(t *testing.T) {
	dir := t.TempDir()
	s, _, err := Open(dir, testNames, func() time.Time { return time.Now() })
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", s.TLSConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	served := func() string {
		c, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{InsecureSkipVerify: true})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return Fingerprint(c.ConnectionState().PeerCertificates[0].Raw)
	}
	if got := served(); got != s.Info().Fingerprint {
		t.Fatalf("served %s, want the generated %s", got, s.Info().Fingerprint)
	}
	now := time.Now()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(9), Subject: pkix.Name{CommonName: "pbx.example.com"},
		DNSNames: []string{"pbx.example.com"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour)}
	certPEM, keyPEM, _, _ := issue(t, tmpl, nil, nil)
	if _, err := s.Replace(certPEM, []byte("nope")); err == nil {
		t.Fatal("Replace accepted a broken key")
	}
	info, err := s.Replace(certPEM, keyPEM)
	if err != nil || info.Generated {
		t.Fatalf("Replace = %+v, %v", info, err)
	}
	if got := served(); got != info.Fingerprint {
		t.Errorf("after Replace served %s, want %s", got, info.Fingerprint)
	}
	s2, gen, err := Open(dir, testNames, nil)
	if err != nil || gen || s2.Info().Fingerprint != info.Fingerprint {
		t.Errorf("reopened: %v, generated %v, %s", err, gen, s2.Info().Fingerprint)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*"+newSuffix)); len(m) > 0 {
		t.Errorf("left behind: %v", m)
	}
}

// TestRecoverInterruptedWrite: a crash after the key was renamed but not
// the certificate leaves a pair that recover completes.
func TestRecoverInterruptedWrite(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := Open(dir, testNames, nil); err != nil {
		t.Fatal(err)
	}
	newCert, newKey, _ := Generate(Names{Host: "other"}, time.Now())
	os.WriteFile(filepath.Join(dir, KeyFile), newKey, 0o600)
	os.WriteFile(filepath.Join(dir, CertFile+newSuffix), newCert, 0o600)
	s, gen, err := Open(dir, testNames, nil)
	if err != nil || gen || !strings.Contains(s.Info().Subject, "CN=other") {
		t.Fatalf("Open after crash: %v, generated %v, %+v", err, gen, s.Info())
	}
}

func TestLocalNames(t *testing.T) {
	n := LocalNames()
	if n.Host == "" || len(n.IPs) == 0 {
		t.Fatalf("LocalNames = %+v", n)
	}
	for _, ip := range n.IPs {
		if ip.Zone() != "" || ip.Is4In6() {
			t.Errorf("address %v", ip)
		}
	}
	if _, err := net.LookupHost("localhost"); err == nil && !strings.Contains(strings.Join(n.DNS, ","), "localhost") {
		t.Error("localhost missing")
	}
}

// TestClocklessFirstStart: a box that believes it is 1970 still makes a
// certificate valid once its clock is set, and an expired generated one is
// renewed at start.
func TestClocklessFirstStart(t *testing.T) {
	dir := t.TempDir()
	s, _, err := Open(dir, testNames, func() time.Time { return time.Unix(30, 0) })
	if err != nil {
		t.Fatal(err)
	}
	if in := s.Info(); in.NotBefore.Before(saneTime.Add(-time.Hour)) || in.NotAfter.Before(time.Date(2034, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("made at 1970: valid %v to %v", in.NotBefore, in.NotAfter)
	}
	old := s.Info().Fingerprint
	later := saneTime.Add(Validity + 24*time.Hour)
	s2, gen, err := Open(dir, testNames, func() time.Time { return later })
	if err != nil || !gen || s2.Info().Fingerprint == old || s2.Info().NotAfter.Before(later) {
		t.Errorf("expired generated certificate: %v, renewed %v, %+v", err, gen, s2.Info())
	}
}
