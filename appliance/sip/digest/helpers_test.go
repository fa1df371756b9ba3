package digest

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Independent implementation of the RFC 2617 / RFC 7616 formulas for tests.

func hashHex(alg Algorithm, s string) string {
	switch alg {
	case MD5:
		h := md5.Sum([]byte(s))
		return hex.EncodeToString(h[:])
	case SHA256:
		h := sha256.Sum256([]byte(s))
		return hex.EncodeToString(h[:])
	}
	panic("unknown algorithm " + alg)
}

type creds struct {
	alg                   Algorithm
	algParam              string // "" = send alg; "-" = omit the parameter
	user, realm, password string
	method, uri, nonce    string
	nc, cnonce, qop       string
	responseOverride      string
}

func (c creds) response() string {
	ha1 := hashHex(c.alg, c.user+":"+c.realm+":"+c.password)
	ha2 := hashHex(c.alg, c.method+":"+c.uri)
	if c.qop == "" {
		return hashHex(c.alg, ha1+":"+c.nonce+":"+ha2)
	}
	return hashHex(c.alg, strings.Join([]string{ha1, c.nonce, c.nc, c.cnonce, c.qop, ha2}, ":"))
}

func (c creds) header() string {
	resp := c.response()
	if c.responseOverride != "" {
		resp = c.responseOverride
	}
	h := fmt.Sprintf(`Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s"`,
		c.user, c.realm, c.nonce, c.uri, resp)
	switch c.algParam {
	case "":
		h += ", algorithm=" + string(c.alg)
	case "-":
	default:
		h += ", algorithm=" + c.algParam
	}
	if c.qop != "" {
		h += fmt.Sprintf(`, qop=%s, nc=%s, cnonce="%s"`, c.qop, c.nc, c.cnonce)
	}
	return h
}

// clock is a fake clock advanced by hand.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time          { return c.t }
func (c *clock) Advance(d time.Duration) { c.t = c.t.Add(d) }

const (
	testRealm = "deskline"
	testURI   = "sip:pbx.example.net"
)

// users is a Credentials over a fixed table: 1001 has both digests, 1002
// only MD5.
func users() Credentials {
	m := map[string]map[Algorithm]string{
		"1001": {
			MD5:    HA1(MD5, "1001", testRealm, "s3cret"),
			SHA256: HA1(SHA256, "1001", testRealm, "s3cret"),
		},
		"1002": {MD5: HA1(MD5, "1002", testRealm, "other")},
	}
	return func(user string) (map[Algorithm]string, bool) {
		h, ok := m[user]
		return h, ok
	}
}

func newTestServer(t testing.TB, o Options) (*Server, *clock) {
	t.Helper()
	clk := &clock{t: time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)}
	if o.Realm == "" {
		o.Realm = testRealm
	}
	if o.Now == nil {
		o.Now = clk.Now
	}
	s, err := NewServer(o)
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	return s, clk
}

// nonceOf extracts the nonce from a challenge value.
func nonceOf(t testing.TB, challenge string) string {
	t.Helper()
	p, err := ParseAuthorization(challenge)
	if err != nil {
		t.Fatalf("ParseAuthorization(%q): %v", challenge, err)
	}
	return p["nonce"]
}

// good returns valid credentials for user 1001 on a fresh nonce from s.
func good(t testing.TB, s *Server, alg Algorithm) creds {
	t.Helper()
	return creds{
		alg: alg, user: "1001", realm: testRealm, password: "s3cret",
		method: "REGISTER", uri: testURI, nonce: nonceOf(t, s.Challenge(false)[0]),
		nc: "00000001", cnonce: "0a4f113b", qop: "auth",
	}
}
