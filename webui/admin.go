package webui

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// navItem is one link of the navigation bar on logged-in pages.
type navItem struct {
	Path, Label string
	Current     bool
}

// nav returns the navigation bar with the page at path marked current.
func (s *Server) nav(path string) []navItem {
	items := []navItem{{Path: "/", Label: "Status"}}
	if s.acd != nil {
		items = append(items, navItem{Path: "/dashboard", Label: "Dashboard"})
	}
	items = append(items, navItem{Path: "/extensions", Label: "Extensions"})
	if s.phones != nil {
		items = append(items, navItem{Path: "/phones", Label: "Phones"})
	}
	if s.trunks != nil {
		items = append(items, navItem{Path: "/trunks", Label: "Trunks"})
	}
	if s.routing != nil {
		items = append(items, navItem{Path: "/routes", Label: "Routes"})
	}
	items = append(items, navItem{Path: "/calls", Label: "Calls"})
	if s.acd != nil {
		items = append(items, navItem{Path: "/agents", Label: "Agents"}, navItem{Path: "/queues", Label: "Queues"},
			navItem{Path: "/pause-reasons", Label: "Pause reasons"})
	}
	if s.recs != nil {
		items = append(items, navItem{Path: "/recordings", Label: "Recordings"})
	}
	items = append(items, navItem{Path: "/cdr", Label: "Call records"}, navItem{Path: "/security", Label: "Security"})
	for i := range items {
		items[i].Current = items[i].Path == path || (items[i].Path != "/" && strings.HasPrefix(path, items[i].Path+"/"))
	}
	return items
}

// adminHandler is a panel page for administrators. It gets the request with
// the user recorded as the actor (so Backend methods audit changes under
// their name, as for the API) and a pageData with the layout's fields set.
type adminHandler func(w http.ResponseWriter, r *http.Request, d pageData)

// admin guards a panel page: in first-boot mode it leads to /setup, without
// a session to /login, and only administrators may use it. It allows GET and
// HEAD, and POST when post is set; a POST must carry the session's CSRF
// token in the form field "csrf" or it is refused (403) before h runs.
func (s *Server) admin(post bool, h adminHandler) http.HandlerFunc {
	allowed := []string{http.MethodGet, http.MethodHead}
	if post {
		allowed = append(allowed, http.MethodPost)
	}
	return func(w http.ResponseWriter, r *http.Request) {
		if s.firstBoot() {
			seeOther(w, r, "/setup")
			return
		}
		if !allowMethods(w, r, allowed...) {
			return
		}
		_, sess, ok := s.currentSession(r)
		if !ok {
			seeOther(w, r, "/login")
			return
		}
		if sess.role != RoleAdmin {
			http.Error(w, errNotPermittedText, http.StatusForbidden)
			return
		}
		if r.Method == http.MethodPost {
			if !parseForm(w, r) {
				return
			}
			if !tokenEqual(r.PostFormValue("csrf"), sess.csrf) {
				http.Error(w, errCSRFText, http.StatusForbidden)
				return
			}
		}
		d := pageData{User: sess.user, CSRF: sess.csrf, Nav: s.nav(r.URL.Path), Notice: notice(r), HasRecordings: s.recs != nil}
		h(w, withActor(r, sess.user), d)
	}
}

// Texts of the panel's plain-text refusals.
const (
	errNotPermittedText = "This account may not use the panel."
	errCSRFText         = "Missing or wrong CSRF token. Reload the page and try again."
)

// pageError answers a panel request for an error from Backend: ErrNotFound
// as a 404 page, anything else as a 500.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, d pageData, err error) {
	if errors.Is(err, ErrNotFound) {
		d.Title, d.Error = "Not found", sentence(err.Error())
		s.render(w, r, http.StatusNotFound, "notfound", d)
		return
	}
	s.serverError(w, r, err)
}

// userError reports whether err is about the user's input (ErrInvalid,
// ErrConflict, ErrNotFound or ErrNoSpace), whose text may be shown.
func userError(err error) bool {
	return errors.Is(err, ErrInvalid) || errors.Is(err, ErrConflict) || errors.Is(err, ErrNotFound) || errors.Is(err, ErrNoSpace)
}

// errorStatus is the HTTP status of a page answering a user error, as the
// API would answer it.
func errorStatus(err error) int {
	switch {
	case errors.Is(err, ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, ErrConflict):
		return http.StatusConflict
	case errors.Is(err, ErrNoSpace):
		return http.StatusInsufficientStorage
	}
	return http.StatusUnprocessableEntity
}

// fieldError splits an input error from Backend into the form field it is
// about (one of fields, or "" when it names none of them) and the message
// to show. It understands a *FieldError and the "invalid: field: problem"
// text of an error made with fmt.Errorf("%w: field: problem", ErrInvalid)
// (or ErrConflict, ErrNotFound, ErrNoSpace), whose sentinel's text it leaves
// out.
func fieldError(err error, fields ...string) (field, msg string) {
	var fe *FieldError
	if errors.As(err, &fe) {
		if slices.Contains(fields, fe.Field) {
			return fe.Field, sentence(fe.Problem)
		}
		return "", sentence(fe.Error())
	}
	msg = err.Error()
	for _, sentinel := range []error{ErrInvalid, ErrConflict, ErrNotFound, ErrNoSpace} {
		if rest, ok := strings.CutPrefix(msg, sentinel.Error()+": "); ok && errors.Is(err, sentinel) {
			msg = rest
			break
		}
	}
	if f, problem, ok := strings.Cut(msg, ": "); ok && slices.Contains(fields, f) {
		return f, sentence(problem)
	}
	return "", sentence(msg)
}

// sentence capitalises msg and ends it with a full stop.
func sentence(msg string) string {
	msg = strings.TrimSpace(msg)
	if msg == "" {
		return msg
	}
	r, n := utf8.DecodeRuneInString(msg)
	msg = string(unicode.ToUpper(r)) + msg[n:]
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}

// Notices shown once after a change: the redirect after a POST names one
// with ?done= and its object with ?what=.
var notices = map[string]string{
	"created":           "Extension %s created.",
	"updated":           "Extension %s saved.",
	"deleted":           "Extension %s deleted.",
	"lifted":            "The ban on %s is lifted.",
	"agent-created":     "Agent %s created.",
	"agent-updated":     "Agent %s saved.",
	"agent-deleted":     "Agent %s deleted.",
	"queue-created":     "Queue %s created.",
	"queue-updated":     "Queue %s saved.",
	"queue-deleted":     "Queue %s deleted.",
	"reason-created":    "Pause reason %s added.",
	"reason-updated":    "Pause reason renamed to %s.",
	"reason-deleted":    "Pause reason %s deleted.",
	"rec-started":       "Recording call %s.",
	"rec-stopped":       "Recording of call %s stopped; it is listed under Recordings.",
	"phone-assigned":    "Phone %s assigned.",
	"phone-deleted":     "Phone %s removed; it gets no configuration any more.",
	"phone-reset":       "Phone %s has new provisioning credentials; type them into the phone.",
	"trunk-created":     "Trunk %s created.",
	"trunk-updated":     "Trunk %s saved.",
	"trunk-deleted":     "Trunk %s deleted.",
	"routes-saved":      "Routing (%s) saved; new calls follow it.",
	"suspension-lifted": "Extension %s may call outside again.",
}

// notice is the message the redirect after a change asked for, or "".
func notice(r *http.Request) string {
	q := r.URL.Query()
	f, ok := notices[q.Get("done")]
	if !ok {
		return ""
	}
	what := q.Get("what")
	if len(what) > 80 || !utf8.ValidString(what) {
		what = "?"
	}
	return fmt.Sprintf(f, what)
}

// doneURL is path with the notice done about what.
func doneURL(path, done, what string) string {
	return path + "?done=" + done + "&what=" + url.QueryEscape(what)
}
