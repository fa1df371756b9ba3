package provision

import (
	"crypto/subtle"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Handler returns the phones' HTTP interface, to be mounted at
// "/provision/" (the file name is the last element of the path). It answers
// GET and HEAD only:
//
//   - A file name without a phone's MAC (common files, firmware): 404.
//   - A MAC no phone is assigned to: 404, remembered in Seen, and counted
//     as a failure of the address.
//   - An assigned MAC without credentials: 401 with a Basic challenge (the
//     phones send credentials on the retry); with wrong credentials, or
//     another phone's: 401, counted as a failure.
//   - The phone's own credentials, or the enrolment credentials while the
//     phone may still use them: its file, or 404 for a file of its MAC this
//     package does not write (Polycom asks for several).
//
// Every response carries Cache-Control: no-store.
//
// Why HTTP Basic and not Digest: Yealink, Grandstream and Polycom phones
// all send Basic (over HTTPS, or over HTTP on a LAN), and the user:pass of a
// DHCP option 66 URL becomes Basic. The file itself holds the extension's
// SIP password, so only TLS protects what matters; Digest over plain HTTP
// would hide the provisioning password but not the file, at the cost of
// nonce state and the quirks of old firmware. Serve this handler over HTTPS
// wherever the phones allow it.
func (s *Service) Handler() http.Handler { return http.HandlerFunc(s.serve) }

func (s *Service) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	now := s.opts.Now()
	addr := remoteIP(r.RemoteAddr)
	if left := s.limiter.blocked(addr, now); left > 0 {
		h.Set("Retry-After", strconv.Itoa(int(left/time.Second)+1))
		http.Error(w, "too many failures", http.StatusTooManyRequests)
		return
	}
	name := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	mac, kind := parseFileName(name)
	if kind == fileNone {
		http.NotFound(w, r)
		return
	}
	p, err := s.opts.Store.Get(mac)
	if errors.Is(err, ErrNotFound) {
		s.limiter.fail(addr, now)
		if err := s.recordSeen(mac, guessVendor(kind, mac, r.UserAgent()), name, addr, r.UserAgent(), now); err != nil {
			http.Error(w, "store unavailable", http.StatusInternalServerError)
			return
		}
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, "store unavailable", http.StatusInternalServerError)
		return
	}
	user, pass, hasAuth := r.BasicAuth()
	own := hasAuth && equal(user, p.Username) && equal(pass, p.Password)
	enrol := hasAuth && !own && s.opts.EnrolUser != "" && !p.Enrolled &&
		now.Before(p.Assigned.Add(s.opts.EnrolWindow)) &&
		equal(user, s.opts.EnrolUser) && equal(pass, s.opts.EnrolPassword)
	if !own && !enrol {
		if hasAuth {
			s.limiter.fail(addr, now)
		}
		h.Set("WWW-Authenticate", `Basic realm="Deskline provisioning", charset="UTF-8"`)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	body, ctype, err := render(p, kind, s.settings(), s.opts.Accounts)
	if errors.Is(err, ErrUnknownFile) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, "cannot render this phone's file; see the panel", http.StatusInternalServerError)
		return
	}
	if err := s.fetched(mac, own, addr, r.UserAgent(), now); err != nil {
		http.Error(w, "store unavailable", http.StatusInternalServerError)
		return
	}
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Content-Type-Options", "nosniff")
	if r.Method == http.MethodGet {
		_, _ = w.Write(body)
	}
}

// equal compares secrets in time independent of where they differ.
func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

func remoteIP(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}

// ouis maps the first three bytes of well-known phone MAC blocks to their
// maker (IEEE registry assignments to Yealink, Polycom and Grandstream).
var ouis = map[[3]byte]Vendor{
	{0x00, 0x15, 0x65}: Yealink,
	{0x80, 0x5e, 0xc0}: Yealink,
	{0x00, 0x04, 0xf2}: Polycom,
	{0x64, 0x16, 0x7f}: Polycom,
	{0x00, 0x0b, 0x82}: Grandstream,
	{0xc0, 0x74, 0xad}: Grandstream,
}

// guessVendor names the maker of a phone that is not assigned yet, from
// the file it asked for, its User-Agent, and its MAC block; "" when these
// do not tell.
func guessVendor(k fileKind, m MAC, ua string) Vendor {
	switch k {
	case fileGrandstreamXML, fileGrandstreamBin:
		return Grandstream
	case filePolycomPhone, filePolycomOther:
		return Polycom
	}
	lua := strings.ToLower(ua)
	switch {
	case strings.Contains(lua, "yealink"):
		return Yealink
	case strings.Contains(lua, "polycom"), strings.Contains(lua, "poly/"), strings.Contains(lua, "vvx"):
		return Polycom
	case strings.Contains(lua, "grandstream"):
		return Grandstream
	}
	return ouis[[3]byte{m[0], m[1], m[2]}]
}

// limiter counts failures per client address in fixed windows.
type limiter struct {
	max    int
	window time.Duration
	cap    int // most addresses tracked

	mu sync.Mutex
	m  map[string]*failures
}

type failures struct {
	start time.Time
	n     int
}

// blocked returns how long the address stays refused, or 0.
func (l *limiter) blocked(addr string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.m[addr]
	if f == nil || f.n < l.max {
		return 0
	}
	left := f.start.Add(l.window).Sub(now)
	if left <= 0 {
		delete(l.m, addr)
		return 0
	}
	return left
}

// fail counts one failure of the address. When cap addresses are tracked
// and none has expired, a new address goes uncounted: failing open keeps
// phones working under a flood from many addresses, and credentials of 128
// bits need no counting to resist guessing.
func (l *limiter) fail(addr string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = map[string]*failures{}
	}
	f := l.m[addr]
	if f == nil {
		if len(l.m) >= l.cap {
			for k, o := range l.m {
				if !now.Before(o.start.Add(l.window)) {
					delete(l.m, k)
				}
			}
			if len(l.m) >= l.cap {
				return
			}
		}
		f = &failures{start: now}
		l.m[addr] = f
	}
	if !now.Before(f.start.Add(l.window)) {
		f.start, f.n = now, 0
	}
	f.n++
}
