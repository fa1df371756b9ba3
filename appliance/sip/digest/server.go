package digest

import (
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Defaults for the zero values of Options.
const (
	DefaultNonceTTL  = 5 * time.Minute
	DefaultMaxNonces = 4096
)

// Options configures a Server. The zero value is valid except for Realm.
type Options struct {
	// Realm is sent in every challenge and must match the realm parameter
	// of the credentials exactly. Required; it may not contain '"', '\\'
	// or control characters. It is part of every HA1, so changing it
	// invalidates all stored digests.
	Realm string

	// NonceTTL is how long a nonce is accepted after it was issued; a
	// correct response on an older nonce gets ErrStale. 0 means
	// DefaultNonceTTL (5 minutes).
	NonceTTL time.Duration

	// Algorithms are offered in this order, one challenge each, and are the
	// only ones accepted. 0 means SHA-256 then MD5.
	Algorithms []Algorithm

	// Now is the clock; nil means time.Now. Only the wall-clock reading is
	// used (nonces carry their issue time).
	Now func() time.Time

	// Secret keys the nonce HMAC; at least 16 bytes. nil means 32 random
	// bytes per Server, so nonces do not survive a restart.
	Secret []byte

	// MaxNonces bounds how many nonces have their nonce count tracked;
	// about 100 bytes each. 0 means DefaultMaxNonces (4096).
	MaxNonces int

	// AllowRFC2069 accepts responses without qop. They carry no nonce
	// count, so they can be replayed while their nonce lives; leave it off
	// unless a phone that matters needs it.
	AllowRFC2069 bool
}

// Credentials looks up a user's stored HA1 digests (lower- or upper-case
// hex, as made by HA1) by algorithm; ok is false for an unknown user. It is
// called once per Verify whose header passed the checks that do not depend
// on the user, possibly concurrently. It should take the same time for
// known and unknown users (a map lookup does).
type Credentials func(user string) (ha1 map[Algorithm]string, ok bool)

// Result describes verified credentials.
type Result struct {
	User      string
	Algorithm Algorithm
}

// Server issues digest challenges and verifies the responses. It is safe
// for concurrent use; it starts no goroutines and needs no Close.
type Server struct {
	realm     string
	ttl       time.Duration
	algs      []Algorithm
	now       func() time.Time
	secret    []byte
	allow2069 bool
	dummy     map[Algorithm]string // HA1 used for unknown users
	macs      sync.Pool            // of keyed HMAC hashes for nonces

	mu sync.Mutex
	nc *ncTable
}

// NewServer validates o and returns a Server.
func NewServer(o Options) (*Server, error) {
	if o.Realm == "" {
		return nil, errors.New("digest: Options.Realm is empty")
	}
	for i := 0; i < len(o.Realm); i++ {
		if c := o.Realm[i]; c == '"' || c == '\\' || isCtl(c) {
			return nil, fmt.Errorf("digest: Options.Realm contains %q", c)
		}
	}
	if o.NonceTTL < 0 {
		return nil, fmt.Errorf("digest: Options.NonceTTL %v is negative", o.NonceTTL)
	}
	if o.NonceTTL == 0 {
		o.NonceTTL = DefaultNonceTTL
	}
	if o.MaxNonces < 0 {
		return nil, fmt.Errorf("digest: Options.MaxNonces %d is negative", o.MaxNonces)
	}
	if o.MaxNonces == 0 {
		o.MaxNonces = DefaultMaxNonces
	}
	algs := o.Algorithms
	if len(algs) == 0 {
		algs = []Algorithm{SHA256, MD5}
	}
	seen := make(map[Algorithm]bool)
	for _, a := range algs {
		if a.hexLen() == 0 {
			return nil, fmt.Errorf("digest: Options.Algorithms: unsupported algorithm %q", a)
		}
		if seen[a] {
			return nil, fmt.Errorf("digest: Options.Algorithms: %q listed twice", a)
		}
		seen[a] = true
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	secret := o.Secret
	if len(secret) == 0 {
		secret = make([]byte, 32)
		rand.Read(secret)
	} else if len(secret) < 16 {
		return nil, fmt.Errorf("digest: Options.Secret has %d bytes, want at least 16", len(secret))
	}
	s := &Server{
		realm:     o.Realm,
		ttl:       o.NonceTTL,
		algs:      append([]Algorithm(nil), algs...),
		now:       o.Now,
		secret:    append([]byte(nil), secret...),
		allow2069: o.AllowRFC2069,
		dummy:     make(map[Algorithm]string),
		nc:        newNCTable(o.MaxNonces, o.Now().UnixNano()),
	}
	var pw [32]byte
	rand.Read(pw[:])
	for _, a := range s.algs {
		s.dummy[a] = HA1(a, "", s.realm, string(pw[:]))
	}
	return s, nil
}

// Challenge returns the challenge header values, one per offered algorithm
// in the order of Options.Algorithms, all with one fresh nonce. Send each as
// its own WWW-Authenticate (401) or Proxy-Authenticate (407) header. stale
// adds stale=true; pass it when Verify returned ErrStale.
func (s *Server) Challenge(stale bool) []string { return s.ChallengeFor(stale, "") }

// ChallengeFor is Challenge with a nonce bound to client (typically the
// source IP address): VerifyFor accepts it only from that client.
func (s *Server) ChallengeFor(stale bool, client string) []string {
	nonce := s.mintNonce(s.now().UnixNano(), client)
	out := make([]string, len(s.algs))
	for i, a := range s.algs {
		v := `Digest realm="` + s.realm + `", nonce="` + nonce + `", algorithm=` + string(a) + `, qop="auth"`
		if stale {
			v += ", stale=true"
		}
		out[i] = v
	}
	return out
}

// Verify checks an Authorization or Proxy-Authorization header value for a
// request with the given method and Request-URI (as it appeared on the
// wire; the digest uri parameter must equal it exactly). On success it
// returns the user and algorithm; otherwise an error wrapping ErrMissing,
// ErrMalformed, ErrStale or ErrDenied (see there).
func (s *Server) Verify(method, requestURI, authorization string, lookup Credentials) (Result, error) {
	return s.VerifyFor(method, requestURI, authorization, "", lookup)
}

// VerifyFor is Verify for a request from client, whose nonce must have been
// issued to that client by ChallengeFor; any other nonce gives an error
// matching both ErrDenied and ErrUnknownNonce.
func (s *Server) VerifyFor(method, requestURI, authorization, client string, lookup Credentials) (Result, error) {
	if strings.TrimSpace(authorization) == "" {
		return Result{}, ErrMissing
	}
	p, err := ParseAuthorization(authorization)
	if err != nil {
		return Result{}, err
	}
	for _, k := range [...]string{"username", "realm", "nonce", "uri", "response"} {
		if _, ok := p[k]; !ok {
			return Result{}, fmt.Errorf("%w: no %s parameter", ErrMalformed, k)
		}
	}
	user, nonce, uri := p["username"], p["nonce"], p["uri"]

	// Checks that do not depend on the user come first.
	alg := MD5 // RFC 2617: absent means MD5
	if name, ok := p["algorithm"]; ok {
		if alg, ok = canonical(name); !ok {
			return Result{}, denied("algorithm " + strconv.Quote(name) + " not supported")
		}
	}
	if !slices.Contains(s.algs, alg) {
		return Result{}, denied("algorithm " + string(alg) + " not offered")
	}
	resp := p["response"]
	if len(resp) != alg.hexLen() || !isHex(resp) {
		return Result{}, fmt.Errorf("%w: response is not %d hex digits", ErrMalformed, alg.hexLen())
	}
	if p["realm"] != s.realm {
		return Result{}, denied("realm mismatch")
	}
	if uri != requestURI {
		return Result{}, denied("uri mismatch")
	}
	if strings.EqualFold(p["userhash"], "true") {
		return Result{}, denied("userhash not offered")
	}
	qop, hasQop := p["qop"]
	var nc uint32
	cnonce := p["cnonce"]
	switch {
	case hasQop && strings.EqualFold(qop, "auth"):
		ncs, ok := p["nc"]
		if !ok || len(ncs) != 8 || !isHex(ncs) {
			return Result{}, fmt.Errorf("%w: qop=auth needs nc as 8 hex digits", ErrMalformed)
		}
		n, _ := strconv.ParseUint(ncs, 16, 32)
		if n == 0 {
			return Result{}, denied("nc is zero")
		}
		nc = uint32(n)
		if _, ok := p["cnonce"]; !ok {
			return Result{}, fmt.Errorf("%w: qop=auth needs cnonce", ErrMalformed)
		}
	case hasQop:
		return Result{}, denied("qop " + strconv.Quote(qop) + " not offered")
	case !s.allow2069:
		return Result{}, denied("no qop (RFC 2069 style) not allowed")
	}
	id, ok := s.openNonce(nonce, client)
	if !ok {
		return Result{}, &Error{err: ErrDenied, also: ErrUnknownNonce, reason: "nonce not issued by this server to this client"}
	}

	// The same hash work for known and unknown users.
	ha1, known := s.lookupHA1(lookup, user, alg)
	var want [64]byte
	expected := response(want[:0], alg, ha1, nonce, p["nc"], cnonce, qop, method, uri)
	var got [64]byte
	for i := 0; i < len(resp); i++ {
		got[i] = lower(resp[i])
	}
	match := subtle.ConstantTimeCompare(expected, got[:len(resp)]) == 1
	if !match || !known {
		return Result{}, denied("wrong response or unknown user")
	}

	now := s.now().UnixNano()
	issued := id.issued()
	if now < issued || now-issued > int64(s.ttl) {
		return Result{}, &Error{err: ErrStale, reason: "nonce expired"}
	}
	if !hasQop {
		return Result{User: user, Algorithm: alg}, nil
	}
	s.mu.Lock()
	verdict := s.nc.use(id, nc, now-int64(s.ttl))
	s.mu.Unlock()
	switch verdict {
	case ncReplay:
		return Result{}, denied("nc replayed or not increasing")
	case ncForgotten:
		return Result{}, &Error{err: ErrStale, reason: "nonce forgotten (evicted or from before start)"}
	}
	return Result{User: user, Algorithm: alg}, nil
}

// lookupHA1 returns the user's HA1 for alg in lower case, or the dummy HA1
// and known=false when there is none.
func (s *Server) lookupHA1(lookup Credentials, user string, alg Algorithm) (ha1 string, known bool) {
	var m map[Algorithm]string
	var ok bool
	if lookup != nil {
		m, ok = lookup(user)
	}
	if ok {
		if h := m[alg]; len(h) == alg.hexLen() && isHex(h) {
			return strings.ToLower(h), true
		}
	}
	return s.dummy[alg], false
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'F' {
		return c + 'a' - 'A'
	}
	return c
}
