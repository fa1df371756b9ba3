package webui

import (
	"context"
	"crypto/hmac"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Outcomes of checkLogin besides success and store failures.
var (
	errBadCredentials = errors.New("wrong user name or password")
	errNotPermitted   = errors.New("this account may not use the panel")
)

// throttledError says how long to wait before the next attempt.
type throttledError struct{ wait time.Duration }

func (e *throttledError) Error() string { return "too many failed logins; try again later" }

// retryAfter is the Retry-After value in whole seconds, at least 1.
func (e *throttledError) retryAfter() string {
	return strconv.FormatInt(max(1, int64((e.wait+time.Second-1)/time.Second)), 10)
}

// throttleKeys are the counters a login attempt for name from r touches.
func throttleKeys(r *http.Request, name string) (account, addr string) {
	return "user:" + strings.ToLower(name), "addr:" + sourceAddr(r)
}

// checkLogin verifies name and password for the panel or the API. It returns
// the user, or errBadCredentials, errNotPermitted, a *throttledError, or a
// store error.
func (s *Server) checkLogin(ctx context.Context, r *http.Request, name, pw string) (User, error) {
	now := s.now()
	account, addr := throttleKeys(r, name)
	if blocked, wait := s.throttle.blocked(now, account, addr); blocked {
		return User{}, &throttledError{wait}
	}
	u, err := s.users.GetUser(ctx, name)
	hash := u.PasswordHash
	switch {
	case errors.Is(err, ErrNotFound):
		hash = s.dummy
	case err != nil:
		return User{}, err
	}
	ok, err := s.verify(ctx, name, hash, pw)
	if err != nil {
		return User{}, err
	}
	if !ok || hash == s.dummy {
		s.throttle.fail(now, account, addr)
		s.log.Info("webui: failed login", "user", name, "source", sourceAddr(r))
		s.audit(r, name, "login-failed", "", "")
		return User{}, errBadCredentials
	}
	s.throttle.forget(account)
	if u.Role != RoleAdmin {
		return User{}, errNotPermitted
	}
	return u, nil
}

// verify checks pw against hash, remembering recent successes so that a tool
// sending Basic credentials with every call pays for Argon2 once in a while,
// not every time. At most cap(s.hashSem) hashes are computed at once.
func (s *Server) verify(ctx context.Context, name, hash, pw string) (bool, error) {
	key := [32]byte(s.mac("cred", name, hash, pw))
	now := s.now()
	if s.creds.ok(key, now) {
		return true, nil
	}
	select {
	case s.hashSem <- struct{}{}:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	ok := CheckPassword(hash, pw)
	<-s.hashSem
	if ok && hash != s.dummy {
		s.creds.add(key, now)
	}
	return ok, nil
}

const (
	credCacheTTL  = 2 * time.Minute
	credCacheSize = 256
)

// credCache remembers MACs of recently verified (name, hash, password)
// triples. A changed password changes the hash and so misses.
type credCache struct {
	mu sync.Mutex
	m  map[[32]byte]time.Time // expiry
}

func newCredCache() *credCache { return &credCache{m: make(map[[32]byte]time.Time)} }

func (c *credCache) ok(k [32]byte, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	exp, found := c.m[k]
	if found && now.After(exp) {
		delete(c.m, k)
		return false
	}
	return found
}

func (c *credCache) add(k [32]byte, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= credCacheSize {
		clear(c.m)
	}
	c.m[k] = now.Add(credCacheTTL)
}

// currentSession returns the live session named by r's cookie, and its id.
func (s *Server) currentSession(r *http.Request) (string, session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return "", session{}, false
	}
	sess, ok := s.sessions.get(s.now(), c.Value)
	return c.Value, sess, ok
}

// startSession logs u in: any session r already carries is ended and a new
// one, with a new id, is set in the response.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u User) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.sessions.delete(c.Value)
	}
	id, _ := s.sessions.create(s.now(), u.Name, u.Role)
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: id, Path: "/",
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode,
	})
}

// endSession logs r's session out and clears the cookie.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request, id string) {
	s.sessions.delete(id)
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode,
	})
}

// preauthToken returns the CSRF token for the login and setup forms, setting
// the nonce cookie it is bound to when r has none. The token is an HMAC of
// the nonce, so a page elsewhere can neither read nor forge it.
func (s *Server) preauthToken(w http.ResponseWriter, r *http.Request) string {
	nonce := ""
	if c, err := r.Cookie(preauthCookie); err == nil && len(c.Value) == 43 {
		nonce = c.Value
	} else {
		nonce = randomToken()
		http.SetCookie(w, &http.Cookie{
			Name: preauthCookie, Value: nonce, Path: "/",
			HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode,
		})
	}
	return base64.RawURLEncoding.EncodeToString(s.mac("preauth", nonce))
}

// checkPreauth reports whether r's form carries the token bound to its nonce
// cookie. r.ParseForm must have been called.
func (s *Server) checkPreauth(r *http.Request) bool {
	c, err := r.Cookie(preauthCookie)
	if err != nil || c.Value == "" {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(r.PostFormValue("csrf"))
	return err == nil && hmac.Equal(got, s.mac("preauth", c.Value))
}
