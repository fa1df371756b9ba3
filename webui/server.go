package webui

import (
	"crypto/hmac"
	"crypto/sha256"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

//go:embed templates static
var files embed.FS

// maxBody bounds every request body, JSON or form.
const maxBody = 64 << 10

// Options configure a Server. Backend and Users are required; the zero value
// of every other field is a valid choice.
type Options struct {
	Backend Backend
	Users   UserStore

	// SetupCode, when not empty, puts the server in first-boot mode: no
	// administrator exists yet, every page redirects to /setup, the API
	// answers 503, and /setup creates the user "admin" for whoever knows
	// this one-time code. The code works once per Server.
	SetupCode string

	// Version is shown on the panel and filled into Status.Version when
	// the Backend leaves it empty.
	Version string

	// Logger receives server errors and failed logins. Nil discards them.
	Logger *slog.Logger

	// Now is the clock for sessions and login throttling; nil means
	// time.Now.
	Now func() time.Time

	// SessionIdle is how long a panel session lives without a request;
	// zero means 30 minutes. A session never outlives 12 hours.
	SessionIdle time.Duration

	// Audit, when set, receives a record for every panel login, failed
	// login (panel or API), logout and first-boot setup. It is called from
	// request goroutines, possibly concurrently, and should return quickly.
	Audit func(AuditRecord)

	// TLS, when set, serves /api/v1/tls and the certificate's fingerprint
	// on the status page.
	TLS TLSBackend

	// Recordings, when set, serves call recording: start and stop on a
	// call in progress, list and download.
	Recordings RecordingBackend

	// IVR, when set, serves /api/v1/ivr: IVR flows to list, publish,
	// export and delete.
	IVR IVRBackend

	// ACD, when set, serves the contact centre's configuration, agent
	// states, supervisor actions and the queue log.
	ACD ACDBackend

	// Trunks, when set, serves /api/v1/trunks: SIP trunks to providers.
	Trunks TrunkBackend

	// MetricsToken, when set, serves /metrics (Prometheus text format) to
	// requests that present it as a bearer token; "" = no /metrics.
	MetricsToken string

	// RingGroups, when set, serves /api/v1/ring-groups.
	RingGroups RingGroupBackend

	// Update, when set, serves the box's own firmware-update password.
	Update UpdateBackend

	// Restore, when set, serves /api/v1/restore: previews and restores
	// of uploaded backups.
	Restore RestoreBackend

	// Routing, when set, serves inbound and outbound routes, the
	// blacklist, toll-fraud limits and suspensions.
	Routing RoutingBackend
	// Phones, when set, serves /api/v1/phones and the phones page: desk
	// phones provisioned by MAC address.
	Phones PhoneBackend

	// HTTPSPort, when set, is where plain-HTTP requests from other hosts
	// are redirected (308) once an administrator exists; requests from
	// loopback addresses are served over HTTP as before.
	HTTPSPort string
}

// Server is the web panel and the JSON API. Create it with New; it is safe
// for concurrent use. All its state (sessions, login throttling, the unused
// setup code) lives in memory and is lost when it is dropped.
type Server struct {
	backend      Backend
	users        UserStore
	version      string
	log          *slog.Logger
	now          func() time.Time
	auditFn      func(AuditRecord)
	tls          TLSBackend
	recs         RecordingBackend
	ivr          IVRBackend
	acd          ACDBackend
	trunks       TrunkBackend
	routing      RoutingBackend
	restore      RestoreBackend
	update       UpdateBackend
	ringGroups   RingGroupBackend
	metricsToken string
	phones       PhoneBackend
	live         *liveHub // nil without acd
	httpsPort    string

	sessions *sessions
	throttle *throttle
	creds    *credCache
	key      []byte        // HMAC key for the pre-login CSRF token and credCache
	hashSem  chan struct{} // bounds concurrent Argon2 computations
	dummy    string        // hash checked for unknown users, to equalise timing

	setupMu   sync.Mutex
	setupCode string // "" once used, or when there was none

	pages   map[string]*template.Template
	origin  *http.CrossOriginProtection
	handler http.Handler
}

// New checks o, parses the embedded templates and returns a Server.
func New(o Options) (*Server, error) {
	if o.Backend == nil {
		return nil, errors.New("webui: Options.Backend is nil")
	}
	if o.Users == nil {
		return nil, errors.New("webui: Options.Users is nil")
	}
	s := &Server{
		backend:      o.Backend,
		users:        o.Users,
		version:      o.Version,
		log:          o.Logger,
		now:          o.Now,
		auditFn:      o.Audit,
		tls:          o.TLS,
		recs:         o.Recordings,
		ivr:          o.IVR,
		acd:          o.ACD,
		trunks:       o.Trunks,
		routing:      o.Routing,
		restore:      o.Restore,
		update:       o.Update,
		ringGroups:   o.RingGroups,
		metricsToken: o.MetricsToken,
		phones:       o.Phones,
		httpsPort:    o.HTTPSPort,
		sessions:     newSessions(o.SessionIdle),
		throttle:     newThrottle(),
		creds:        newCredCache(),
		key:          []byte(randomToken()),
		hashSem:      make(chan struct{}, 2),
		setupCode:    strings.TrimSpace(o.SetupCode),
		origin:       http.NewCrossOriginProtection(),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	var err error
	if s.dummy, err = HashPassword(randomToken()); err != nil {
		return nil, err
	}
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	if s.acd != nil {
		s.live = newLiveHub(s.acd, s.now, s.log)
	}
	s.handler = s.routes()
	return s, nil
}

// Handler returns the handler for the whole panel and API, to be served at
// the root of the HTTP listener.
func (s *Server) Handler() http.Handler { return s.handler }

// APIAuth guards h as the API is guarded (HTTP Basic, or an admin session
// with its CSRF token for changes), for API routes the appliance serves
// itself, such as /api/v1/sim.
func (s *Server) APIAuth(h http.Handler) http.Handler { return s.apiAuth(h) }

func (s *Server) routes() http.Handler {
	static, _ := fs.Sub(files, "static")
	fileServer := http.StripPrefix("/static/", http.FileServerFS(static))

	mux := http.NewServeMux()
	mux.Handle("/api/", s.apiAuth(s.apiRoutes()))
	mux.HandleFunc("GET /metrics", s.metricsHandler)
	mux.HandleFunc("/static/", func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") { // no directory listings
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		fileServer.ServeHTTP(w, r)
	})
	mux.HandleFunc("/setup", s.handleSetup)
	mux.HandleFunc("/login", s.handleLogin)
	mux.HandleFunc("/logout", s.handleLogout)
	mux.HandleFunc("/{$}", s.admin(false, s.handleStatus))
	mux.HandleFunc("/extensions", s.admin(false, s.handleExtensions))
	mux.HandleFunc("/extensions/new", s.admin(true, s.handleNewExtension))
	mux.HandleFunc("/extensions/{number}", s.admin(true, s.extensionPage("extension", "Extension ", s.updateExtension)))
	mux.HandleFunc("/extensions/{number}/delete", s.admin(true, s.extensionPage("extension_delete", "Delete extension ", s.deleteExtension)))
	mux.HandleFunc("/calls", s.admin(false, s.handleCalls))
	if s.recs != nil {
		mux.HandleFunc("/calls/{id}/record", s.admin(true, s.handleRecordCall))
		mux.HandleFunc("/recordings", s.admin(false, s.handleRecordings))
	}
	if s.acd != nil {
		s.acdPageRoutes(mux)
	}
	if s.phones != nil {
		s.phonePageRoutes(mux)
	}
	if s.trunks != nil {
		s.trunkPageRoutes(mux)
	}
	if s.routing != nil {
		s.routePageRoutes(mux)
	}
	mux.HandleFunc("/cdr", s.admin(false, s.handleCDRs))
	mux.HandleFunc("/security", s.admin(false, s.handleSecurity))
	mux.HandleFunc("/security/lift", s.admin(true, s.handleLiftBan))
	mux.HandleFunc("/", s.handleNotFound)
	return s.redirectHTTPS(s.secure(mux))
}

// contentSecurityPolicy allows only the box's own styles, scripts, images and
// media (recordings), no inline script, no framing and no posting elsewhere.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; media-src 'self'; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// secure sets the security headers on every response and refuses
// state-changing requests that a browser marks as cross-origin.
func (s *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cache-Control", "no-store")
		if err := s.origin.Check(r); err != nil {
			if isAPI(r) {
				writeError(w, http.StatusForbidden, "cross-origin request refused")
			} else {
				http.Error(w, "Cross-origin request refused.", http.StatusForbidden)
			}
			return
		}
		next.ServeHTTP(w, r)
	})
}

func isAPI(r *http.Request) bool {
	return r.URL.Path == "/api" || strings.HasPrefix(r.URL.Path, "/api/")
}

// firstBoot reports whether the setup code is still waiting to be used.
func (s *Server) firstBoot() bool {
	s.setupMu.Lock()
	defer s.setupMu.Unlock()
	return s.setupCode != ""
}

// sourceAddr is the client's IP address, for throttling and logs. The box
// is reached directly, so forwarding headers are not trusted.
func sourceAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// mac returns the base64url HMAC of parts under the server's key.
func (s *Server) mac(parts ...string) []byte {
	m := hmac.New(sha256.New, s.key)
	for _, p := range parts {
		fmt.Fprintf(m, "%d:%s;", len(p), p)
	}
	return m.Sum(nil)
}

// allowMethods answers 405 with an Allow header unless r's method is one of
// methods.
func allowMethods(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	for _, m := range methods {
		if r.Method == m {
			return true
		}
	}
	w.Header().Set("Allow", strings.Join(methods, ", "))
	if isAPI(r) {
		writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed; allowed: %s", r.Method, strings.Join(methods, ", ")))
	} else {
		http.Error(w, "Method not allowed.", http.StatusMethodNotAllowed)
	}
	return false
}
