package webui

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// pageNames are the templates under templates/, each rendered inside
// layout.html.
var pageNames = []string{"login", "setup", "status", "notfound",
	"extensions", "extension", "extension_delete", "calls", "recordings", "cdr", "security",
	"dashboard", "agents", "agent", "queues", "queue", "pause_reasons", "acd_delete", "phones",
	"trunks", "trunk", "trunk_delete", "routes"}

// recentCDRs is how many finished calls the status page lists.
const recentCDRs = 20

var templateFuncs = template.FuncMap{
	"duration": func(d time.Duration) string {
		d = d.Truncate(time.Second)
		days := d / (24 * time.Hour)
		d -= days * 24 * time.Hour
		if days > 0 {
			return fmt.Sprintf("%dd %dh %02dm", days, d/time.Hour, d%time.Hour/time.Minute)
		}
		return fmt.Sprintf("%dh %02dm %02ds", d/time.Hour, d%time.Hour/time.Minute, d%time.Minute/time.Second)
	},
	"clock": func(t time.Time) string { return t.Format("2006-01-02 15:04:05") },
	"time":  func(t time.Time) string { return t.Format("15:04:05") },
	"iso":   func(t time.Time) string { return t.Format(time.RFC3339) },
	"bytes": byteSize,
	// fe and invalid mark a form field that Backend refused: fe feeds the
	// "fielderr" template, invalid the input's ARIA attributes.
	"fe":       func(errs map[string]string, field string) fieldMsg { return fieldMsg{field, errs[field]} },
	"invalid":  invalidAttr,
	"pathpart": url.PathEscape,
	// elapsed is how long ago t was at now, as m:ss or h:mm:ss.
	"elapsed": func(now, t time.Time) string {
		d := max(0, now.Sub(t)).Truncate(time.Second)
		if d >= time.Hour {
			return fmt.Sprintf("%d:%02d:%02d", d/time.Hour, d%time.Hour/time.Minute, d%time.Minute/time.Second)
		}
		return fmt.Sprintf("%d:%02d", d/time.Minute, d%time.Minute/time.Second)
	},
	"pct":   percent,
	"ended": waitEnded,
	// waitsince is when a caller who has waited secs at now started.
	"waitsince": func(now time.Time, secs float64) time.Time {
		return now.Add(-time.Duration(secs * float64(time.Second))).Truncate(time.Second)
	},
	"statuslabel": statusLabel,
	"inc":         func(i int) int { return i + 1 },
	// rfe and rinvalid are fe and invalid for one of several forms on a
	// page, whose input ids start with id.
	"rfe": func(errs map[string]string, id, field string) fieldMsg {
		return fieldMsg{id + "-" + field, errs[field]}
	},
	"rinvalid": rinvalid,
	"classes":  func() []string { return routingClasses },
	"tcargs": func(id string, tc tcForm, errs, warns map[string]string, field string) tcArgs {
		return tcArgs{TC: tc, Err: fieldMsg{id + "-" + field, errs[field]}, Warn: fieldMsg{id + "-" + field, warns[field]},
			Invalid: rinvalid(errs, id, field)}
	},
	"destargs": func(prefix string, d Destination, errs map[string]string, id, field string) destArgs {
		return destArgs{Prefix: prefix, Dest: d, Err: fieldMsg{id + "-" + field, errs[field]}, Invalid: rinvalid(errs, id, field)}
	},
	"where":       problemPlace,
	"list":        func(s ...string) []string { return s },
	"errmap":      func(field, msg string) map[string]string { return map[string]string{field: msg} },
	"destkinds":   func() []struct{ Value, Label string } { return destKinds },
	"limitfields": func() []struct{ Field, Label, Help string } { return limitFields },
	"has":         slices.Contains[[]string],
	// intfield describes a whole-number field of a form for the
	// "intfield" template.
	"intfield": func(values, errs map[string]string, field, label, help string) intField {
		return intField{Field: field, Label: label, Help: help, Value: values[field], Err: fieldMsg{field, errs[field]}, Invalid: invalidAttr(errs, field)}
	},
	"seconds": func(s float64) string {
		d := time.Duration(s * float64(time.Second)).Round(time.Second)
		return fmt.Sprintf("%d:%02d", d/time.Minute, d%time.Minute/time.Second)
	},
}

func parsePages() (map[string]*template.Template, error) {
	pages := make(map[string]*template.Template, len(pageNames))
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(templateFuncs).ParseFS(files, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("webui: parsing template %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// invalidAttr marks an input whose value Backend refused.
func invalidAttr(errs map[string]string, field string) template.HTMLAttr {
	if errs[field] == "" {
		return ""
	}
	return template.HTMLAttr(`aria-invalid="true" aria-describedby="` + template.HTMLEscapeString(field) + `-error"`)
}

// rinvalid is invalidAttr for one of several forms on a page, whose
// input ids start with id.
func rinvalid(errs map[string]string, id, field string) template.HTMLAttr {
	if errs[field] == "" {
		return ""
	}
	return template.HTMLAttr(`aria-invalid="true" aria-describedby="` + template.HTMLEscapeString(id+"-"+field) + `-error"`)
}

// tcArgs are what the "tc" template shows: a time condition's fields.
type tcArgs struct {
	TC        tcForm
	Err, Warn fieldMsg
	Invalid   template.HTMLAttr
}

// destArgs are what the "destfields" template shows: a destination's
// fields, named Prefix+"kind" and Prefix+"target".
type destArgs struct {
	Prefix  string
	Dest    Destination
	Err     fieldMsg
	Invalid template.HTMLAttr
}

// intField is a whole-number input with its label and help.
type intField struct {
	Field, Label, Help, Value string
	Err                       fieldMsg
	Invalid                   template.HTMLAttr
}

// fieldMsg is what is wrong with one form field.
type fieldMsg struct{ Field, Msg string }

// pageData is what every template gets; each page uses the fields it needs.
type pageData struct {
	Title   string
	Version string
	User    string // the logged-in user, "" on the login and setup pages
	CSRF    string // token for this page's forms
	Error   string // shown above the content
	Notice  string // what the last change did, shown above the content

	Nav           []navItem         // logged-in pages
	HasRecordings bool              // Options.Recordings is set
	Errs          map[string]string // form field → what is wrong with it

	Username       string // login: what was typed
	MinPasswordLen int    // setup

	Status     Status // status page
	Extensions []Extension
	Calls      []Call
	CDRs       []CDR

	ExtRows    []extRow    // extensions page
	ExtForm    extForm     // extension form and delete confirmation
	Now        time.Time   // calls page: for the time since each call started
	Recordings []Recording // recordings page
	From, To   string      // call records page: the dates typed
	Filtered   bool        // call records page: a date filter is in force
	Bans       []Ban       // security page
	Audit      []AuditRecord
	Limit      int   // security page: how many audit records
	Limits     []int // and the choices

	Dash *dashboard // dashboard page
	ACD  acdPage    // contact-centre admin pages

	Phones phonesPage // phones page

	Trunks    []Trunk   // trunks page
	Trunk     trunkForm // trunk form and delete confirmation
	TrunkOpts []struct{ Value, Label string }
	Routes    routesPage // routing pages
}

// render executes page into a buffer and only then writes it, so that a
// template error becomes a clean 500.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, d pageData) {
	d.Version = s.version
	var buf bytes.Buffer
	t := s.pages[page]
	if t == nil {
		s.serverError(w, r, fmt.Errorf("webui: no page %q", page))
		return
	}
	if err := t.ExecuteTemplate(&buf, "layout", d); err != nil {
		s.serverError(w, r, fmt.Errorf("webui: rendering %s: %w", page, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("webui: panel", "method", r.Method, "path", r.URL.Path, "err", err)
	http.Error(w, "Internal error; the box's log says more.", http.StatusInternalServerError)
}

// seeOther answers a POST (or a page that is not for now) with 303.
func seeOther(w http.ResponseWriter, r *http.Request, path string) {
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// parseForm reads a form body of at most maxBody bytes; on failure it has
// answered.
func parseForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "Form too large.", http.StatusRequestEntityTooLarge)
		} else {
			http.Error(w, "Malformed form.", http.StatusBadRequest)
		}
		return false
	}
	return true
}

func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	if s.firstBoot() {
		seeOther(w, r, "/setup")
		return
	}
	s.render(w, r, http.StatusNotFound, "notfound", pageData{Title: "Not found"})
}

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request, d pageData) {
	d.Title = "Status"
	ctx := r.Context()
	var err error
	if d.Status, err = s.status(r); err != nil {
		s.serverError(w, r, err)
		return
	}
	if d.Extensions, err = s.backend.ListExtensions(ctx); err != nil {
		s.serverError(w, r, err)
		return
	}
	if d.Calls, err = s.backend.Calls(ctx); err != nil {
		s.serverError(w, r, err)
		return
	}
	if d.CDRs, err = s.backend.CDRs(ctx, CDRQuery{Limit: recentCDRs}); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "status", d)
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	if s.firstBoot() {
		seeOther(w, r, "/setup")
		return
	}
	if !allowMethods(w, r, http.MethodGet, http.MethodHead, http.MethodPost) {
		return
	}
	if r.Method != http.MethodPost {
		if _, _, ok := s.currentSession(r); ok {
			seeOther(w, r, "/")
			return
		}
		s.render(w, r, http.StatusOK, "login", pageData{Title: "Log in", CSRF: s.preauthToken(w, r)})
		return
	}
	if !parseForm(w, r) {
		return
	}
	name := strings.TrimSpace(r.PostFormValue("username"))
	d := pageData{Title: "Log in", Username: name}
	fail := func(status int, msg string) {
		d.Error = msg
		d.CSRF = s.preauthToken(w, r)
		s.render(w, r, status, "login", d)
	}
	if !s.checkPreauth(r) {
		fail(http.StatusForbidden, "This form had expired. Please try again.")
		return
	}
	u, err := s.checkLogin(r.Context(), r, name, r.PostFormValue("password"))
	var te *throttledError
	switch {
	case err == nil:
		s.startSession(w, r, u)
		s.audit(r, u.Name, "login", "", "panel")
		seeOther(w, r, "/")
	case errors.As(err, &te):
		w.Header().Set("Retry-After", te.retryAfter())
		fail(http.StatusTooManyRequests, fmt.Sprintf("Too many failed attempts. Try again in %s.", waitText(te.wait)))
	case errors.Is(err, errBadCredentials):
		fail(http.StatusForbidden, "Wrong user name or password.")
	case errors.Is(err, errNotPermitted):
		fail(http.StatusForbidden, errNotPermittedText)
	default:
		s.serverError(w, r, err)
	}
}

// waitText says a throttling wait in words, rounded up to whole minutes.
func waitText(d time.Duration) string {
	m := int((d + time.Minute - 1) / time.Minute)
	if m <= 1 {
		return "a minute"
	}
	return fmt.Sprintf("%d minutes", m)
}

func (s *Server) handleSetup(w http.ResponseWriter, r *http.Request) {
	if !s.firstBoot() {
		seeOther(w, r, "/")
		return
	}
	if !allowMethods(w, r, http.MethodGet, http.MethodHead, http.MethodPost) {
		return
	}
	d := pageData{Title: "Set up", MinPasswordLen: MinPasswordLen}
	if r.Method != http.MethodPost {
		d.CSRF = s.preauthToken(w, r)
		s.render(w, r, http.StatusOK, "setup", d)
		return
	}
	if !parseForm(w, r) {
		return
	}
	fail := func(status int, msg string) {
		d.Error = msg
		d.CSRF = s.preauthToken(w, r)
		s.render(w, r, status, "setup", d)
	}
	if !s.checkPreauth(r) {
		fail(http.StatusForbidden, "This form had expired. Please try again.")
		return
	}
	// Wrong codes are throttled like failed logins, per source address.
	now := s.now()
	key := "setup:" + sourceAddr(r)
	if blocked, wait := s.throttle.blocked(now, key); blocked {
		w.Header().Set("Retry-After", (&throttledError{wait}).retryAfter())
		fail(http.StatusTooManyRequests, fmt.Sprintf("Too many wrong codes. Try again in %s.", waitText(wait)))
		return
	}
	code := strings.TrimSpace(r.PostFormValue("code"))
	pw, confirm := r.PostFormValue("password"), r.PostFormValue("confirm")

	s.setupMu.Lock()
	defer s.setupMu.Unlock()
	switch {
	case s.setupCode == "": // used by a concurrent request
		seeOther(w, r, "/login")
		return
	case !tokenEqual(code, s.setupCode):
		s.throttle.fail(now, key)
		s.log.Info("webui: wrong setup code", "source", sourceAddr(r))
		fail(http.StatusForbidden, "Wrong setup code.")
		return
	case pw != confirm:
		fail(http.StatusUnprocessableEntity, "The two passwords differ.")
		return
	}
	const admin = "admin"
	if err := ValidatePassword(admin, pw); err != nil {
		fail(http.StatusUnprocessableEntity, "The password "+strings.TrimPrefix(err.Error(), "password: ")+".")
		return
	}
	hash, err := HashPassword(pw)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	u := User{Name: admin, Role: RoleAdmin, PasswordHash: hash}
	err = s.users.CreateUser(r.Context(), u)
	if errors.Is(err, ErrConflict) {
		// An administrator exists after all: setup is over.
		s.setupCode = ""
		seeOther(w, r, "/login")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.setupCode = ""
	s.throttle.forget(key)
	s.log.Info("webui: administrator created", "user", admin, "source", sourceAddr(r))
	s.audit(r, admin, "setup", "user "+admin, "administrator created with the one-time setup code")
	s.startSession(w, r, u)
	seeOther(w, r, "/")
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodPost) || !parseForm(w, r) {
		return
	}
	id, sess, ok := s.currentSession(r)
	if !ok {
		seeOther(w, r, "/login")
		return
	}
	if !tokenEqual(r.PostFormValue("csrf"), sess.csrf) {
		http.Error(w, errCSRFText, http.StatusForbidden)
		return
	}
	s.endSession(w, r, id)
	s.audit(r, sess.user, "logout", "", "")
	seeOther(w, r, "/login")
}
