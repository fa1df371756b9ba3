package webui

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"sync"
	"time"
)

const (
	sessionCookie = "deskline_session"
	// preauthCookie holds a random nonce that binds the CSRF token of the
	// login and setup forms, which are posted before any session exists.
	preauthCookie = "deskline_preauth"

	defaultSessionIdle = 30 * time.Minute
	// sessionMaxAge bounds a session however active it stays.
	sessionMaxAge = 12 * time.Hour
)

type session struct {
	user     string
	role     string
	csrf     string
	created  time.Time
	lastSeen time.Time
}

// sessions is the in-memory session table. Expired sessions are dropped
// when met and swept whenever a new session is created.
type sessions struct {
	idle time.Duration
	mu   sync.Mutex
	m    map[string]*session // by id
}

func newSessions(idle time.Duration) *sessions {
	if idle <= 0 {
		idle = defaultSessionIdle
	}
	return &sessions{idle: idle, m: make(map[string]*session)}
}

// randomToken returns 256 random bits, base64url-encoded.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails; it crashes the program instead
	return base64.RawURLEncoding.EncodeToString(b)
}

func (ss *sessions) expired(s *session, now time.Time) bool {
	return now.Sub(s.lastSeen) > ss.idle || now.Sub(s.created) > sessionMaxAge
}

// create starts a session for user and returns its id.
func (ss *sessions) create(now time.Time, user, role string) (string, *session) {
	id := randomToken()
	s := &session{user: user, role: role, csrf: randomToken(), created: now, lastSeen: now}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for k, v := range ss.m {
		if ss.expired(v, now) {
			delete(ss.m, k)
		}
	}
	ss.m[id] = s
	return id, s
}

// get returns a copy of the live session id and marks it used at now.
func (ss *sessions) get(now time.Time, id string) (session, bool) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, ok := ss.m[id]
	if !ok {
		return session{}, false
	}
	if ss.expired(s, now) {
		delete(ss.m, id)
		return session{}, false
	}
	s.lastSeen = now
	return *s, true
}

func (ss *sessions) delete(id string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.m, id)
}

// tokenEqual compares two tokens in constant time; empty never matches.
func tokenEqual(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
