package digest

import (
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

func mustVerify(t *testing.T, s *Server, c creds) {
	t.Helper()
	res, err := s.Verify(c.method, c.uri, c.header(), users())
	if err != nil {
		t.Fatalf("Verify(%s) = %v (%s), want success", c.header(), err, Reason(err))
	}
	if want := (Result{User: c.user, Algorithm: c.alg}); res != want {
		t.Fatalf("Verify = %+v, want %+v", res, want)
	}
}

func wantErr(t *testing.T, s *Server, requestURI, header string, want error) error {
	t.Helper()
	res, err := s.Verify("REGISTER", requestURI, header, users())
	if !errors.Is(err, want) {
		t.Fatalf("Verify(%q) = %+v, %v (%s), want %v", header, res, err, Reason(err), want)
	}
	if res != (Result{}) {
		t.Errorf("Verify(%q) result = %+v on error, want zero", header, res)
	}
	return err
}

func TestChallenge(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	got := s.Challenge(false)
	re := regexp.MustCompile(`^Digest realm="deskline", nonce="([A-Za-z0-9_-]{48})", algorithm=(SHA-256|MD5), qop="auth"$`)
	if len(got) != 2 {
		t.Fatalf("Challenge(false) = %q, want 2 values", got)
	}
	for i, alg := range []string{"SHA-256", "MD5"} {
		m := re.FindStringSubmatch(got[i])
		if m == nil || m[2] != alg {
			t.Errorf("Challenge(false)[%d] = %q, want the %s challenge", i, got[i], alg)
		}
	}
	if nonceOf(t, got[0]) != nonceOf(t, got[1]) {
		t.Errorf("Challenge(false) = %q, want one nonce for all algorithms", got)
	}
	if again := s.Challenge(false); nonceOf(t, again[0]) == nonceOf(t, got[0]) {
		t.Errorf("two challenges share nonce %s", nonceOf(t, got[0]))
	}
	for _, v := range s.Challenge(true) {
		if !strings.HasSuffix(v, `, qop="auth", stale=true`) {
			t.Errorf("Challenge(true) value %q, want stale=true", v)
		}
	}
	md5only, _ := newTestServer(t, Options{Algorithms: []Algorithm{MD5}})
	if got := md5only.Challenge(false); len(got) != 1 || !strings.Contains(got[0], "algorithm=MD5") {
		t.Errorf("Challenge with Algorithms={MD5} = %q, want one MD5 value", got)
	}
}

func TestVerifySuccess(t *testing.T) {
	for _, alg := range []Algorithm{SHA256, MD5} {
		t.Run(string(alg), func(t *testing.T) {
			s, _ := newTestServer(t, Options{})
			mustVerify(t, s, good(t, s, alg))
		})
	}
	t.Run("algorithm omitted means MD5", func(t *testing.T) {
		s, _ := newTestServer(t, Options{})
		c := good(t, s, MD5)
		c.algParam = "-"
		mustVerify(t, s, c)
	})
	t.Run("case-insensitive names and upper-case hex", func(t *testing.T) {
		s, _ := newTestServer(t, Options{})
		c := good(t, s, SHA256)
		c.algParam = "sha-256"
		c.responseOverride = strings.ToUpper(c.response())
		h := strings.Replace(c.header(), "Digest username", "DIGEST UserName", 1)
		if _, err := s.Verify(c.method, c.uri, h, users()); err != nil {
			t.Fatalf("Verify(%q) = %v (%s)", h, err, Reason(err))
		}
	})
	t.Run("INVITE", func(t *testing.T) {
		s, _ := newTestServer(t, Options{})
		c := good(t, s, SHA256)
		c.method, c.uri = "INVITE", "sip:1002@pbx.example.net"
		mustVerify(t, s, c)
	})
}

func TestWrongPasswordAndUnknownUser(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	var texts []string
	for _, tt := range []struct {
		name string
		edit func(*creds)
	}{
		{"wrong password", func(c *creds) { c.password = "guess" }},
		{"unknown user", func(c *creds) { c.user = "1999" }},
		{"unknown user, right password of another", func(c *creds) { c.user = "9999" }},
		{"no digest for algorithm", func(c *creds) { c.user, c.password = "1002", "other" }},
		{"empty user", func(c *creds) { c.user = "" }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := good(t, s, SHA256)
			tt.edit(&c)
			err := wantErr(t, s, c.uri, c.header(), ErrDenied)
			texts = append(texts, err.Error())
		})
	}
	for _, txt := range texts {
		if txt != texts[0] {
			t.Errorf("error texts differ: %q vs %q", txt, texts[0])
		}
	}
	// The challenge never depends on who asked: same shape each time.
	shape := func(v []string) string {
		out := fmt.Sprint(v)
		for _, x := range v {
			out = strings.ReplaceAll(out, nonceOf(t, x), "N")
		}
		return out
	}
	if a, b := shape(s.Challenge(false)), shape(s.Challenge(false)); a != b {
		t.Errorf("challenge shape changed: %s vs %s", a, b)
	}
	// Unknown users go through the same hashing with a dummy HA1.
	if _, known := s.lookupHA1(users(), "1999", SHA256); known {
		t.Error("lookupHA1(unknown) known = true")
	}
	if h, _ := s.lookupHA1(users(), "1999", SHA256); len(h) != 64 {
		t.Errorf("dummy SHA-256 HA1 = %q, want 64 hex digits", h)
	}
	if _, err := s.Verify("REGISTER", testURI, good(t, s, MD5).header(), nil); !errors.Is(err, ErrDenied) {
		t.Errorf("Verify with nil Credentials = %v, want ErrDenied", err)
	}
}

func TestExpiredNonce(t *testing.T) {
	s, clk := newTestServer(t, Options{NonceTTL: time.Minute})
	c := good(t, s, SHA256)
	clk.Advance(time.Minute + time.Second)
	err := wantErr(t, s, c.uri, c.header(), ErrStale)
	if errors.Is(err, ErrDenied) {
		t.Errorf("stale error %v is also ErrDenied", err)
	}
	c.password = "guess"
	wantErr(t, s, c.uri, c.header(), ErrDenied)

	// Exactly at the lifetime it still counts.
	c = good(t, s, SHA256)
	clk.Advance(time.Minute)
	mustVerify(t, s, c)

	// A clock that went back makes nonces from the future stale, not valid.
	c = good(t, s, MD5)
	clk.Advance(-time.Hour)
	wantErr(t, s, c.uri, c.header(), ErrStale)
}

func TestDefaultTTL(t *testing.T) {
	s, clk := newTestServer(t, Options{})
	c := good(t, s, MD5)
	clk.Advance(DefaultNonceTTL - time.Second)
	mustVerify(t, s, c)
	c.nc = "00000002"
	clk.Advance(2 * time.Second)
	wantErr(t, s, c.uri, c.header(), ErrStale)
}

func TestNonceCount(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	c := good(t, s, SHA256)
	mustVerify(t, s, c)
	wantErr(t, s, c.uri, c.header(), ErrDenied) // replay
	c.nc = "00000002"
	mustVerify(t, s, c)
	c.nc = "00000001" // backwards
	wantErr(t, s, c.uri, c.header(), ErrDenied)
	c.nc = "0000000A" // increasing, upper-case hex, gaps allowed
	mustVerify(t, s, c)
	c.nc = "0000000b"
	c.cnonce = "new-cnonce"
	mustVerify(t, s, c)
	c.nc = "00000000"
	wantErr(t, s, c.uri, c.header(), ErrDenied)

	// A wrong response does not move the count: the right one still passes.
	c.nc = "ffffffff"
	c.password = "guess"
	wantErr(t, s, c.uri, c.header(), ErrDenied)
	c.nc, c.password = "0000000c", "s3cret"
	mustVerify(t, s, c)

	// Counts are per nonce.
	d := good(t, s, MD5)
	mustVerify(t, s, d)
}

func TestForgedNonce(t *testing.T) {
	s, _ := newTestServer(t, Options{Secret: []byte("0123456789abcdef0123456789abcdef")})
	other, _ := newTestServer(t, Options{Secret: []byte("fedcba9876543210fedcba9876543210")})
	otherRealm, _ := newTestServer(t, Options{Realm: "elsewhere", Secret: []byte("0123456789abcdef0123456789abcdef")})
	c := good(t, s, SHA256)
	raw, err := base64.RawURLEncoding.DecodeString(c.nonce)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) string {
		b := append([]byte(nil), raw...)
		b[i] ^= 1
		return base64.RawURLEncoding.EncodeToString(b)
	}
	for name, nonce := range map[string]string{
		"other secret":       nonceOf(t, other.Challenge(false)[0]),
		"other realm":        nonceOf(t, otherRealm.Challenge(false)[0]),
		"time changed":       flip(7),
		"random changed":     flip(10),
		"mac changed":        flip(len(raw) - 1),
		"truncated":          c.nonce[:len(c.nonce)-1],
		"extended":           c.nonce + "A",
		"not base64":         strings.Repeat("!", len(c.nonce)),
		"RFC 2617 example":   "dcd98b7102dd2f0e8b11d0f600bfb0c093",
		"empty":              "",
		"zeros":              base64.RawURLEncoding.EncodeToString(make([]byte, len(raw))),
		"padding characters": c.nonce[:len(c.nonce)-2] + "==",
	} {
		t.Run(name, func(t *testing.T) {
			f := c
			f.nonce = nonce
			err := wantErr(t, s, f.uri, f.header(), ErrDenied)
			if !strings.Contains(Reason(err), "nonce") {
				t.Errorf("Reason = %q, want a nonce failure", Reason(err))
			}
		})
	}
	mustVerify(t, s, c)
}

func TestMismatches(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	sha, _ := newTestServer(t, Options{Algorithms: []Algorithm{SHA256}})
	for _, tt := range []struct {
		name       string
		srv        *Server
		requestURI string
		edit       func(*creds)
	}{
		{"uri mismatch", s, "sip:other.example.net", nil},
		{"uri differs in case", s, "SIP:pbx.example.net", nil},
		{"realm mismatch", s, testURI, func(c *creds) { c.realm = "other" }},
		{"realm differs in case", s, testURI, func(c *creds) { c.realm = "Deskline" }},
		{"MD5 not offered", sha, testURI, func(c *creds) { c.alg = MD5 }},
		{"MD5 by omission not offered", sha, testURI, func(c *creds) { c.alg, c.algParam = MD5, "-" }},
		{"MD5-sess", s, testURI, func(c *creds) { c.alg, c.algParam = MD5, "MD5-sess" }},
		{"SHA-512-256", s, testURI, func(c *creds) { c.alg, c.algParam = SHA256, "SHA-512-256" }},
		{"qop auth-int", s, testURI, func(c *creds) { c.qop = "auth-int" }},
		{"no qop", s, testURI, func(c *creds) { c.qop = "" }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := good(t, tt.srv, SHA256)
			if tt.edit != nil {
				tt.edit(&c)
			}
			wantErr(t, tt.srv, tt.requestURI, c.header(), ErrDenied)
		})
	}
	t.Run("userhash", func(t *testing.T) {
		c := good(t, s, SHA256)
		wantErr(t, s, c.uri, c.header()+", userhash=true", ErrDenied)
	})
}

func TestRFC2069(t *testing.T) {
	s, clk := newTestServer(t, Options{AllowRFC2069: true})
	c := good(t, s, MD5)
	c.qop, c.algParam = "", "-"
	mustVerify(t, s, c)
	mustVerify(t, s, c) // no nc: replayable while the nonce lives (documented)
	c.password = "guess"
	wantErr(t, s, c.uri, c.header(), ErrDenied)
	c.password = "s3cret"
	clk.Advance(DefaultNonceTTL + time.Second)
	wantErr(t, s, c.uri, c.header(), ErrStale)
	// qop=auth still works and is still counted.
	d := good(t, s, SHA256)
	mustVerify(t, s, d)
	wantErr(t, s, d.uri, d.header(), ErrDenied)
}

func TestMissing(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	for _, h := range []string{"", "   ", "\t"} {
		wantErr(t, s, testURI, h, ErrMissing)
	}
}

func TestVerifyMalformed(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	c := good(t, s, SHA256)
	drop := func(param string) string {
		re := regexp.MustCompile(`(, )?\b` + param + `=("[^"]*"|[^,]*)`)
		return re.ReplaceAllString(c.header(), "")
	}
	for name, h := range map[string]string{
		"no username":       drop("username"),
		"no realm":          drop("realm"),
		"no nonce":          drop("nonce"),
		"no uri":            drop("uri"),
		"no response":       drop("response"),
		"no nc":             drop("nc"),
		"no cnonce":         drop("cnonce"),
		"short nc":          strings.Replace(c.header(), "nc=00000001", "nc=1", 1),
		"non-hex nc":        strings.Replace(c.header(), "nc=00000001", "nc=0000000g", 1),
		"short response":    strings.Replace(c.header(), c.response(), c.response()[:32], 1),
		"non-hex response":  strings.Replace(c.header(), c.response(), strings.Repeat("z", 64), 1),
		"basic scheme":      "Basic MTAwMTpzM2NyZXQ=",
		"duplicate nonce":   c.header() + `, nonce="x"`,
		"unterminated":      strings.TrimSuffix(c.header(), `"`),
		"huge":              c.header() + `, x="` + strings.Repeat("a", MaxHeaderBytes) + `"`,
		"garbage":           "\x00\xff\xfe garbage",
		"trailing comma":    c.header() + ",",
		"two schemes":       c.header() + ", Digest username=x",
		"newline injection": strings.Replace(c.header(), "nc=", "\r\nnc=", 1),
	} {
		t.Run(name, func(t *testing.T) {
			wantErr(t, s, c.uri, h, ErrMalformed)
		})
	}
	mustVerify(t, s, c)
}

// Many nonces in use: the table stays within MaxNonces, and a nonce that was
// evicted cannot be replayed — it comes back stale.
func TestNonceTableBounded(t *testing.T) {
	const max = 16
	s, clk := newTestServer(t, Options{MaxNonces: max})
	var first creds
	for i := range 500 {
		clk.Advance(time.Millisecond)
		c := good(t, s, MD5)
		if i == 0 {
			first = c
		}
		mustVerify(t, s, c)
		if n := s.nc.len(); n > max {
			t.Fatalf("after %d nonces the table holds %d, want at most %d", i+1, n, max)
		}
		if n := len(s.nc.byAge); n != s.nc.len() {
			t.Fatalf("heap holds %d entries, map %d", n, s.nc.len())
		}
	}
	wantErr(t, s, first.uri, first.header(), ErrStale) // replay after eviction
	first.nc = "00000002"
	wantErr(t, s, first.uri, first.header(), ErrStale) // even with a higher count

	// Expired entries leave the table on their own.
	clk.Advance(DefaultNonceTTL + time.Second)
	mustVerify(t, s, good(t, s, MD5))
	if n := s.nc.len(); n != 1 {
		t.Errorf("after expiry the table holds %d, want 1", n)
	}
}

// With a persistent Secret, nonces from before a restart are stale, so the
// empty nonce-count table of the new server cannot be used for replays.
func TestRestartWithPersistentSecret(t *testing.T) {
	secret := []byte("persistent secret of this device")
	s1, clk := newTestServer(t, Options{Secret: secret})
	c := good(t, s1, SHA256)
	mustVerify(t, s1, c)
	clk.Advance(time.Second)
	s2, err := NewServer(Options{Realm: testRealm, Secret: secret, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, s2, c.uri, c.header(), ErrStale)
	mustVerify(t, s2, good(t, s2, SHA256))
}

func TestConcurrentVerify(t *testing.T) {
	s, _ := newTestServer(t, Options{MaxNonces: 8})
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for range 8 {
		c := good(t, s, SHA256)
		wg.Go(func() {
			for i := 1; i <= 20; i++ {
				c.nc = fmt.Sprintf("%08x", i)
				if _, err := s.Verify(c.method, c.uri, c.header(), users()); err != nil {
					errs <- fmt.Errorf("nc %d: %w (%s)", i, err, Reason(err))
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestNewServerOptions(t *testing.T) {
	for name, o := range map[string]Options{
		"no realm":         {},
		"quote in realm":   {Realm: `a"b`},
		"newline in realm": {Realm: "a\nb"},
		"negative TTL":     {Realm: "r", NonceTTL: -time.Second},
		"negative max":     {Realm: "r", MaxNonces: -1},
		"unknown alg":      {Realm: "r", Algorithms: []Algorithm{"SHA-512-256"}},
		"sess alg":         {Realm: "r", Algorithms: []Algorithm{"MD5-sess"}},
		"duplicate alg":    {Realm: "r", Algorithms: []Algorithm{MD5, MD5}},
		"short secret":     {Realm: "r", Secret: []byte("short")},
	} {
		if _, err := NewServer(o); err == nil {
			t.Errorf("NewServer(%s) succeeded, want an error", name)
		}
	}
	s, err := NewServer(Options{Realm: "r"})
	if err != nil {
		t.Fatalf("NewServer with only Realm: %v", err)
	}
	if s.ttl != DefaultNonceTTL || s.nc.max != DefaultMaxNonces || len(s.algs) != 2 || s.algs[0] != SHA256 {
		t.Errorf("defaults: ttl %v max %d algs %v", s.ttl, s.nc.max, s.algs)
	}
}

func TestReason(t *testing.T) {
	if got := Reason(nil); got != "" {
		t.Errorf("Reason(nil) = %q", got)
	}
	if got := Reason(ErrMissing); got != ErrMissing.Error() {
		t.Errorf("Reason(ErrMissing) = %q", got)
	}
	err := fmt.Errorf("sip: %w", denied("uri mismatch"))
	if got := Reason(err); got != "uri mismatch" {
		t.Errorf("Reason(wrapped) = %q, want %q", got, "uri mismatch")
	}
	if got := denied("x").Error(); got != ErrDenied.Error() {
		t.Errorf("Error() = %q, want the bare sentinel text %q", got, ErrDenied.Error())
	}
}

func BenchmarkVerify(b *testing.B) {
	for _, alg := range []Algorithm{SHA256, MD5} {
		b.Run(string(alg), func(b *testing.B) {
			s, _ := newTestServer(b, Options{})
			c := good(b, s, alg)
			lookup := users()
			headers := make([]string, 1<<12)
			for i := range headers {
				c.nc = fmt.Sprintf("%08x", i+1)
				headers[i] = c.header()
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if i == len(headers) {
					// Fresh nonce: counts on the old one are used up.
					b.StopTimer()
					c = good(b, s, alg)
					for j := range headers {
						c.nc = fmt.Sprintf("%08x", j+1)
						headers[j] = c.header()
					}
					i = 0
					b.StartTimer()
				}
				if _, err := s.Verify(c.method, c.uri, headers[i], lookup); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
	// The two refusals an enumeration attempt compares.
	for name, edit := range map[string]func(*creds){
		"wrong password": func(c *creds) { c.password = "guess" },
		"unknown user":   func(c *creds) { c.user = "1999" },
	} {
		b.Run(name, func(b *testing.B) { benchRefusal(b, edit) })
	}
}

func benchRefusal(b *testing.B, edit func(*creds)) {
	{
		s, _ := newTestServer(b, Options{})
		c := good(b, s, SHA256)
		edit(&c)
		h := c.header()
		lookup := users()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Verify(c.method, c.uri, h, lookup); !errors.Is(err, ErrDenied) {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkChallenge(b *testing.B) {
	s, _ := newTestServer(b, Options{})
	b.ReportAllocs()
	for b.Loop() {
		s.Challenge(false)
	}
}

// TestNonceBoundToClient: a nonce is good only from the client it was
// issued to. From any other address, or forged, it is an unknown nonce (a
// kind of ErrDenied) that callers answer like a stale one and never count
// as a failed login, so a spoofed source cannot earn someone a ban.
func TestNonceBoundToClient(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	c := good(t, s, SHA256)
	c.nonce = nonceOf(t, s.ChallengeFor(false, "192.0.2.10")[0])
	if _, err := s.VerifyFor(c.method, c.uri, c.header(), "192.0.2.10", users()); err != nil {
		t.Fatalf("VerifyFor from the client the nonce was issued to: %v (%s)", err, Reason(err))
	}
	c.nc = "00000002"
	_, err := s.VerifyFor(c.method, c.uri, c.header(), "198.51.100.9", users())
	if !errors.Is(err, ErrUnknownNonce) || !errors.Is(err, ErrDenied) || errors.Is(err, ErrStale) {
		t.Errorf("nonce used from another address: %v, want ErrUnknownNonce and ErrDenied", err)
	}
	// A wrong password on a nonce of our own for this client is a plain denial.
	c.password = "not-it"
	c.nonce = nonceOf(t, s.ChallengeFor(false, "192.0.2.10")[0])
	_, err = s.VerifyFor(c.method, c.uri, c.header(), "192.0.2.10", users())
	if !errors.Is(err, ErrDenied) || errors.Is(err, ErrUnknownNonce) {
		t.Errorf("wrong password: %v, want ErrDenied without ErrUnknownNonce", err)
	}
	// Unbound nonces (Challenge) are unknown to VerifyFor with a client, and
	// the other way round.
	c = good(t, s, MD5)
	if _, err := s.VerifyFor(c.method, c.uri, c.header(), "192.0.2.10", users()); !errors.Is(err, ErrUnknownNonce) {
		t.Errorf("unbound nonce with a client: %v, want ErrUnknownNonce", err)
	}
}
