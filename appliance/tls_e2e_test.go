package appliance_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"deskline/appliance/internal/phonetest"
	"deskline/appliance/tlscert"
)

// TestCallOverTLS: two baresip phones register over TLS (verifying the
// box's generated certificate against its PEM file), each binding
// remembers the transport, and a call between them carries audio both ways.
// The box's INVITE can only reach Bob over the TLS connection he registered
// on: the binding's source is that connection's ephemeral client port,
// where nothing listens, so a new connection to it would be refused.
func TestCallOverTLS(t *testing.T) {
	phonetest.Require(t)
	b := startBox(t, "", "")
	b.addExtension(t, "1001", "Alice", pwAlice)
	b.addExtension(t, "1002", "Bob", pwBob)
	ca := filepath.Join(b.cfg.DataDir, "tls", "cert.pem")
	tlsPhone := func(user, pw string, o phonetest.Options) *phonetest.Phone {
		o.User, o.Password, o.Registrar, o.Register, o.Transport, o.CAFile = user, pw, b.a.SIPTLSAddr(), true, "tls", ca
		p := phonetest.Start(t, o)
		if err := p.WaitRegistered(ctxT(t, 15*time.Second)); err != nil {
			t.Fatalf("%s did not register over TLS: %v\n%s", user, err, p.Log())
		}
		return p
	}
	alice := tlsPhone("1001", pwAlice, phonetest.Options{PlayWAV: tone(t, 1000)})
	bob := tlsPhone("1002", pwBob, phonetest.Options{PlayWAV: tone(t, 600), AutoAnswer: true})

	code, body := b.api(t, "GET", "/registrations", nil)
	var regs []struct{ Extension, Transport string }
	if err := json.Unmarshal(body, &regs); code != 200 || err != nil || len(regs) != 2 {
		t.Fatalf("GET /registrations = %d %s", code, body)
	}
	for _, r := range regs {
		if r.Transport != "tls" {
			t.Errorf("registration of %s over %q, want tls", r.Extension, r.Transport)
		}
	}

	ctx := ctxT(t, 30*time.Second)
	// baresip adds the account's transport=tls to what it dials.
	if err := alice.Dial(ctx, "sip:1002@"+b.a.SIPTLSAddr()); err != nil {
		t.Fatal(err)
	}
	// Each phone sees the call up, three seconds of tones flow each way,
	// Alice hangs up and both see it end.
	steps := []struct {
		event string
		wait  time.Duration
	}{{"CALL_ESTABLISHED", 3 * time.Second}, {"CALL_CLOSED", 0}}
	for i, step := range steps {
		for _, p := range []*phonetest.Phone{alice, bob} {
			if _, err := p.WaitEvent(ctx, phonetest.IsType(step.event)); err != nil {
				t.Fatalf("no %s: %v\n%s", step.event, err, p.Log())
			}
		}
		time.Sleep(step.wait)
		if i == 0 {
			if err := alice.Hangup(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, h := range []struct {
		who     string
		p       *phonetest.Phone
		wantHz  float64
		speaker string
	}{{"Bob", bob, 1000, "Alice"}, {"Alice", alice, 600, "Bob"}} {
		if hz, rms := heardFrequency(t, h.p); !within(hz, h.wantHz, 0.03) || rms < 0.01 {
			t.Errorf("%s heard %.0f Hz (rms %.3f), want %s's %.0f Hz", h.who, hz, rms, h.speaker, h.wantHz)
		}
	}
	if c := b.waitCDR(t, "1001", "1002"); c.Disposition != "answered" {
		t.Errorf("CDR = %+v, want answered", c)
	}
}

// trustBox is an HTTP client that trusts only the box's own certificate.
func trustBox(t *testing.T, b *box) *tls.Config {
	t.Helper()
	pem, err := os.ReadFile(filepath.Join(b.cfg.DataDir, "tls", "cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("cert.pem holds no certificate")
	}
	return &tls.Config{RootCAs: pool}
}

// TestHTTPSWithGeneratedCertificate: the panel answers over HTTPS with the
// certificate generated on first start (a client trusting only its PEM file
// verifies it by name and by address); GET /api/v1/tls describes it and
// the status shows its fingerprint; an uploaded certificate is checked,
// served from the next handshake on, audited, and kept over a restart.
func TestHTTPSWithGeneratedCertificate(t *testing.T) {
	b := startBox(t, "", "")
	conf := trustBox(t, b)
	get := func(host, path string) (*http.Response, []byte, error) {
		c := conf.Clone()
		c.ServerName = host
		cl := &http.Client{Transport: &http.Transport{TLSClientConfig: c}}
		req, _ := http.NewRequest("GET", "https://"+b.a.HTTPSAddr()+path, nil)
		req.SetBasicAuth("admin", adminPassword)
		res, err := cl.Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res, body, nil
	}
	var info struct {
		Subject     string   `json:"subject"`
		DNSNames    []string `json:"dns_names"`
		Fingerprint string   `json:"fingerprint_sha256"`
		Generated   bool     `json:"generated"`
	}
	for _, host := range []string{"localhost", "deskline.local", "127.0.0.1"} {
		res, body, err := get(host, "/api/v1/tls")
		if err != nil {
			t.Fatalf("HTTPS as %s: %v", host, err)
		}
		if err := json.Unmarshal(body, &info); res.StatusCode != 200 || err != nil || !info.Generated {
			t.Fatalf("GET /api/v1/tls over HTTPS = %d %s", res.StatusCode, body)
		}
		if got := tlscert.Fingerprint(res.TLS.PeerCertificates[0].Raw); got != info.Fingerprint || got != b.a.TLSFingerprint() {
			t.Errorf("served %s; API says %s", got, info.Fingerprint)
		}
	}
	if _, body, _ := get("localhost", "/api/v1/status"); !strings.Contains(string(body), `"tls_fingerprint":"`+info.Fingerprint+`"`) {
		t.Errorf("status lacks the fingerprint: %s", body)
	}
	if !strings.Contains(b.logs.String(), "sha256="+info.Fingerprint) {
		t.Error("the fingerprint was not logged at start")
	}

	// A bad upload is refused with the reason; a good one is served at once.
	now := time.Now()
	certPEM, keyPEM := selfSigned(t, "pbx.example.com", now.Add(-time.Hour), now.Add(24*time.Hour))
	_, otherKey := selfSigned(t, "pbx.example.com", now.Add(-time.Hour), now.Add(24*time.Hour))
	if code, body := b.api(t, "PUT", "/tls", map[string]string{"cert": string(certPEM), "key": string(otherKey)}); code != 422 ||
		!strings.Contains(string(body), "key: does not belong to the certificate") {
		t.Errorf("PUT with the wrong key = %d %s", code, body)
	}
	oldPEM, oldKey := selfSigned(t, "pbx.example.com", now.Add(-48*time.Hour), now.Add(-24*time.Hour))
	if code, body := b.api(t, "PUT", "/tls", map[string]string{"cert": string(oldPEM), "key": string(oldKey)}); code != 422 ||
		!strings.Contains(string(body), "cert: expired on") {
		t.Errorf("PUT of an expired certificate = %d %s", code, body)
	}
	code, body := b.api(t, "PUT", "/tls", map[string]string{"cert": string(certPEM), "key": string(keyPEM)})
	if err := json.Unmarshal(body, &info); code != 200 || err != nil || info.Generated || info.Subject != "CN=pbx.example.com" {
		t.Fatalf("PUT /tls = %d %s", code, body)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	conf = &tls.Config{RootCAs: pool}
	if res, _, err := get("pbx.example.com", "/api/v1/tls"); err != nil || tlscert.Fingerprint(res.TLS.PeerCertificates[0].Raw) != info.Fingerprint {
		t.Fatalf("after PUT the new certificate is not served: %v", err)
	}
	if c, err := tls.Dial("tcp", b.a.SIPTLSAddr(), &tls.Config{RootCAs: pool, ServerName: "pbx.example.com"}); err != nil {
		t.Errorf("SIP over TLS does not serve the new certificate: %v", err)
	} else {
		c.Close()
	}
	_, body = b.api(t, "GET", "/audit", nil)
	if !strings.Contains(string(body), `"action":"tls-certificate-replaced","object":"CN=pbx.example.com"`) {
		t.Errorf("the replacement is not in the audit log: %s", body)
	}

	dir := b.cfg.DataDir
	b.stop(t)
	b2 := startBox(t, dir, "")
	if b2.a.TLSFingerprint() != info.Fingerprint {
		t.Errorf("after a restart the box serves %s, want the uploaded %s", b2.a.TLSFingerprint(), info.Fingerprint)
	}
}

func selfSigned(t *testing.T, name string, notBefore, notAfter time.Time) (certPEM, keyPEM []byte) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		DNSNames: []string{name}, NotBefore: notBefore, NotAfter: notAfter}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalPKCS8PrivateKey(key)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
}
