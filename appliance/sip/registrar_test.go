package sip

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"deskline/appliance/sip/digest"
	"deskline/media"
)

type fakeDir map[string]string // number → password

func (d fakeDir) Credentials(n string) (map[digest.Algorithm]string, bool) {
	pw, ok := d[n]
	if !ok {
		return nil, false
	}
	return map[digest.Algorithm]string{
		digest.MD5:    digest.HA1(digest.MD5, n, "deskline", pw),
		digest.SHA256: digest.HA1(digest.SHA256, n, "deskline", pw),
	}, true
}
func (d fakeDir) DisplayName(n string) string { return n }

type exts fakeDir

func (e exts) Route(caller, dialled string) Target {
	if ext, ok := strings.CutPrefix(dialled, "*9"); ok {
		return Target{Kind: TargetService, Service: "connect", Args: ext}
	}
	if _, ok := e[dialled]; ok {
		return Target{Kind: TargetExtension, Extension: dialled}
	}
	return Target{}
}

type memBindings struct {
	mu    sync.Mutex
	saved []Binding
	saves int
}

func (m *memBindings) SaveBindings(b []Binding) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.saved = append([]Binding(nil), b...)
	m.saves++
	return nil
}
func (m *memBindings) LoadBindings() ([]Binding, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Binding(nil), m.saved...), nil
}

func startServer(t *testing.T, store BindingStore) *Server {
	t.Helper()
	return startServerAlgs(t, store, []digest.Algorithm{digest.SHA256, digest.MD5})
}

func startServerAlgs(t testing.TB, store BindingStore, algs []digest.Algorithm) *Server {
	t.Helper()
	return startServerWith(t, store, algs, nil)
}

// startServerWith starts a test server after adjust has changed its options.
func startServerWith(t testing.TB, store BindingStore, algs []digest.Algorithm, adjust func(*Options)) *Server {
	t.Helper()
	pool, err := media.NewPortPool(46000, 46998)
	if err != nil {
		t.Fatal(err)
	}
	dir := fakeDir{"1001": "alice-secret-1", "1002": "bob-secret-22"}
	o := Options{Addr: "127.0.0.1:0", Directory: dir, Router: exts(dir), Media: pool, Bindings: store, DigestAlgorithms: algs,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), FlushInterval: 20 * time.Millisecond}
	if adjust != nil {
		adjust(&o)
	}
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// uac is a bare SIP client over UDP: it writes messages by hand, so the
// server sees exactly what the test means.
type uac struct {
	t    *testing.T
	c    *net.UDPConn
	srv  string
	cseq int
	wait time.Duration // for an answer; 0 = 3 s
}

func newUAC(t *testing.T, s *Server) *uac {
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &uac{t: t, c: c, srv: s.Addr().String()}
}

func (u *uac) local() string { return u.c.LocalAddr().String() }

// do sends a request and returns the first final response.
func (u *uac) do(method, ruri, user string, hdrs ...string) string {
	u.t.Helper()
	u.cseq++
	msg := fmt.Sprintf("%s %s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK%d%d\r\nMax-Forwards: 70\r\n"+
		"From: <sip:%s@127.0.0.1>;tag=ft%d\r\nTo: <sip:%s@127.0.0.1>\r\nCall-ID: reg-%s@test\r\nCSeq: %d %s\r\n",
		method, ruri, u.local(), u.cseq, time.Now().UnixNano()%100000, user, u.cseq, user, user, u.cseq, method)
	for _, h := range hdrs {
		msg += h + "\r\n"
	}
	msg += "Content-Length: 0\r\n\r\n"
	return u.raw(msg)
}

func (u *uac) raw(msg string) string {
	u.t.Helper()
	dst, _ := net.ResolveUDPAddr("udp", u.srv)
	if _, err := u.c.WriteToUDP([]byte(msg), dst); err != nil {
		u.t.Fatal(err)
	}
	buf := make([]byte, 8192)
	for {
		wait := u.wait
		if wait == 0 {
			wait = 3 * time.Second
		}
		u.c.SetReadDeadline(time.Now().Add(wait))
		n, _, err := u.c.ReadFromUDP(buf)
		if err != nil {
			return ""
		}
		res := string(buf[:n])
		if !strings.HasPrefix(res, "SIP/2.0 1") {
			return res
		}
	}
}

func status(res string) string {
	line, _, _ := strings.Cut(res, "\r\n")
	return strings.TrimPrefix(line, "SIP/2.0 ")
}

func headers(res, name string) []string {
	var out []string
	for _, l := range strings.Split(res, "\r\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.EqualFold(strings.TrimSpace(k), name) {
			out = append(out, strings.TrimSpace(v))
		}
	}
	return out
}

var nonceRE = regexp.MustCompile(`nonce="([^"]+)"`)

// authorize answers the challenge in res the way a phone would.
func authorize(t *testing.T, res, alg, method, ruri, user, pw string, nc int) string {
	t.Helper()
	var chal string
	for _, c := range headers(res, "WWW-Authenticate") {
		if strings.Contains(c, "algorithm="+alg) {
			chal = c
		}
	}
	m := nonceRE.FindStringSubmatch(chal)
	if m == nil {
		t.Fatalf("no %s challenge in %q", alg, res)
	}
	h := func(s string) string {
		if alg == "MD5" {
			x := md5.Sum([]byte(s))
			return hex.EncodeToString(x[:])
		}
		x := sha256.Sum256([]byte(s))
		return hex.EncodeToString(x[:])
	}
	ha1 := h(user + ":deskline:" + pw)
	ncs := fmt.Sprintf("%08x", nc)
	resp := h(ha1 + ":" + m[1] + ":" + ncs + ":abc123:auth:" + h(method+":"+ruri))
	return fmt.Sprintf(`Authorization: Digest username="%s", realm="deskline", nonce="%s", uri="%s", response="%s", algorithm=%s, qop=auth, nc=%s, cnonce="abc123"`,
		user, m[1], ruri, resp, alg, ncs)
}

func TestRegisterWithDigest(t *testing.T) {
	for _, alg := range []string{"SHA-256", "MD5"} {
		t.Run(alg, func(t *testing.T) {
			s := startServer(t, nil)
			u := newUAC(t, s)
			ruri := "sip:127.0.0.1"
			contact := fmt.Sprintf("Contact: <sip:1001@%s>", u.local())
			res := u.do("REGISTER", ruri, "1001", contact, "Expires: 120")
			if status(res) != "401 Unauthorized" {
				t.Fatalf("unauthenticated REGISTER = %q", status(res))
			}
			ch := headers(res, "WWW-Authenticate")
			if len(ch) != 2 || !strings.Contains(ch[0], "SHA-256") || !strings.Contains(ch[1], "MD5") {
				t.Fatalf("challenges = %q, want one SHA-256 then one MD5", ch)
			}
			res = u.do("REGISTER", ruri, "1001", contact, "Expires: 120", authorize(t, res, alg, "REGISTER", ruri, "1001", "alice-secret-1", 1))
			if status(res) != "200 OK" {
				t.Fatalf("authenticated REGISTER = %q", res)
			}
			if c := headers(res, "Contact"); len(c) != 1 || !strings.Contains(c[0], "expires=120") {
				t.Errorf("200 Contact = %q", c)
			}
			regs := s.Registrations()
			if len(regs) != 1 || regs[0].AOR != "1001" || regs[0].Source != u.local() || regs[0].Transport != "udp" {
				t.Fatalf("Registrations() = %+v", regs)
			}
			// Unregister with Expires: 0.
			res = u.do("REGISTER", ruri, "1001", contact, "Expires: 0")
			res = u.do("REGISTER", ruri, "1001", contact, "Expires: 0", authorize(t, res, alg, "REGISTER", ruri, "1001", "alice-secret-1", 1))
			if status(res) != "200 OK" || len(s.Registrations()) != 0 {
				t.Fatalf("unregister = %q, left %+v", status(res), s.Registrations())
			}
		})
	}
}

// TestNoExtensionEnumeration: a wrong password and an unknown extension get
// the same answer.
func TestNoExtensionEnumeration(t *testing.T) {
	s := startServer(t, nil)
	u := newUAC(t, s)
	ruri := "sip:127.0.0.1"
	shape := func(user, pw string) string {
		res := u.do("REGISTER", ruri, user, "Contact: <sip:x@"+u.local()+">")
		res = u.do("REGISTER", ruri, user, "Contact: <sip:x@"+u.local()+">", authorize(t, res, "MD5", "REGISTER", ruri, user, pw, 1))
		ch := headers(res, "WWW-Authenticate")
		for i := range ch {
			ch[i] = nonceRE.ReplaceAllString(ch[i], `nonce="N"`)
		}
		return status(res) + " " + strings.Join(ch, " | ")
	}
	wrong, unknown := shape("1001", "not-the-password"), shape("1999", "not-the-password")
	if wrong != unknown || !strings.HasPrefix(wrong, "401") {
		t.Errorf("wrong password: %q\nunknown user:   %q\nwant the same 401", wrong, unknown)
	}
	if len(s.Registrations()) != 0 {
		t.Errorf("registered: %+v", s.Registrations())
	}
}

func TestRegisterRules(t *testing.T) {
	s := startServer(t, nil)
	u := newUAC(t, s)
	ruri := "sip:127.0.0.1"
	contact := "Contact: <sip:1001@" + u.local() + ">"
	reg := func(user string, hdrs ...string) string {
		res := u.do("REGISTER", ruri, user, hdrs...)
		return u.do("REGISTER", ruri, user, append(hdrs, authorize(t, res, "SHA-256", "REGISTER", ruri, "1001", "alice-secret-1", 1))...)
	}
	if res := reg("1001", contact, "Expires: 10"); status(res) != "423 Interval Too Brief" || len(headers(res, "Min-Expires")) != 1 {
		t.Errorf("Expires 10 = %q", res)
	}
	if res := reg("1002", contact); status(res) != "403 Forbidden" {
		t.Errorf("registering 1002 with 1001's credentials = %q, want 403", status(res))
	}
	if res := reg("1001", contact, "Expires: 99999"); status(res) != "200 OK" || !strings.Contains(res, "expires=3600") {
		t.Errorf("long Expires not capped to 3600: %q", res)
	}
	if res := reg("1001", "Contact: *", "Expires: 0"); status(res) != "200 OK" || len(s.Registrations()) != 0 {
		t.Errorf("wildcard unregister = %q, left %+v", status(res), s.Registrations())
	}
	if res := reg("1001", "Contact: *", "Expires: 60"); status(res) != "400 Wildcard Contact Needs Expires 0" {
		t.Errorf("wildcard with expiry = %q", status(res))
	}
}

func TestOptionsAndGarbage(t *testing.T) {
	s := startServer(t, nil)
	u := newUAC(t, s)
	for _, junk := range []string{"", "hello", "INVITE\r\n\r\n", "SIP/2.0 200 OK\r\n\r\n", strings.Repeat("A", 4000),
		"REGISTER sip:x SIP/2.0\r\nVia: nonsense\r\nContent-Length: 99999\r\n\r\n"} {
		dst, _ := net.ResolveUDPAddr("udp", u.srv)
		u.c.WriteToUDP([]byte(junk), dst)
	}
	res := u.do("OPTIONS", "sip:127.0.0.1", "anyone")
	if status(res) != "200 OK" || len(headers(res, "Allow")) != 1 {
		t.Fatalf("OPTIONS after garbage = %q", res)
	}
	if res := u.do("SUBSCRIBE", "sip:127.0.0.1", "anyone"); !strings.HasPrefix(status(res), "405") {
		t.Errorf("SUBSCRIBE = %q, want 405", status(res))
	}
}

// TestBindingsSurviveRestart: bindings are saved and a new server restores
// them, so phones stay reachable across a restart.
func TestBindingsSurviveRestart(t *testing.T) {
	store := &memBindings{}
	s := startServer(t, store)
	u := newUAC(t, s)
	ruri := "sip:127.0.0.1"
	contact := "Contact: <sip:1001@" + u.local() + ">"
	res := u.do("REGISTER", ruri, "1001", contact)
	if res = u.do("REGISTER", ruri, "1001", contact, authorize(t, res, "MD5", "REGISTER", ruri, "1001", "alice-secret-1", 1)); status(res) != "200 OK" {
		t.Fatal(res)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if len(store.saved) != 1 || store.saved[0].AOR != "1001" {
		t.Fatalf("saved = %+v", store.saved)
	}
	s2 := startServer(t, store)
	if b, ok := s2.RegistrationOf("1001"); !ok || b.Source != u.local() {
		t.Errorf("after restart RegistrationOf(1001) = %+v, %v", b, ok)
	}
}

// TestDefaultChallengeIsMD5Only: without configuration the box offers one
// MD5 challenge, which every phone understands.
func TestDefaultChallengeIsMD5Only(t *testing.T) {
	s := startServerAlgs(t, nil, nil)
	u := newUAC(t, s)
	res := u.do("REGISTER", "sip:127.0.0.1", "1001", "Contact: <sip:1001@"+u.local()+">")
	if ch := headers(res, "WWW-Authenticate"); len(ch) != 1 || !strings.Contains(ch[0], "algorithm=MD5") {
		t.Errorf("default challenges = %q, want one MD5", ch)
	}
}
