package webui

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// extRow is an extension as the list shows it, with its live
// registrations.
type extRow struct {
	Extension
	Phones []Registration
}

// extForm is what the extension form shows: the values typed (never the
// password) and whether it creates a new extension.
type extForm struct {
	New                bool
	Number, Name, SRTP string
	Supervisor         bool
	Class, CallerID    string
}

// extFields are the form fields an extension error may name.
var extFields = []string{"number", "name", "password", "srtp", "supervisor", "class", "caller_id"}

func (s *Server) handleExtensions(w http.ResponseWriter, r *http.Request, d pageData) {
	ctx := r.Context()
	exts, err := s.backend.ListExtensions(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	regs, err := s.backend.Registrations(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	byExt := make(map[string][]Registration)
	for _, g := range regs {
		byExt[g.Extension] = append(byExt[g.Extension], g)
	}
	d.Title = "Extensions"
	d.ExtRows = make([]extRow, len(exts))
	for i, e := range exts {
		d.ExtRows[i] = extRow{e, byExt[e.Number]}
	}
	s.render(w, r, http.StatusOK, "extensions", d)
}

// extensionInput reads the extension form.
func extensionInput(r *http.Request) ExtensionInput {
	callerID := strings.TrimSpace(r.PostFormValue("caller_id"))
	return ExtensionInput{
		Number:     strings.TrimSpace(r.PostFormValue("number")),
		Name:       strings.TrimSpace(r.PostFormValue("name")),
		Password:   r.PostFormValue("password"),
		SRTP:       r.PostFormValue("srtp"),
		Supervisor: r.PostFormValue("supervisor") != "",
		Class:      strings.TrimSpace(r.PostFormValue("class")),
		CallerID:   &callerID,
	}
}

// showExtension renders page (the form or the delete confirmation) for
// the extension number as stored.
func (s *Server) showExtension(w http.ResponseWriter, r *http.Request, d pageData, number, page string) {
	e, err := s.backend.GetExtension(r.Context(), number)
	if err != nil {
		s.pageError(w, r, d, err)
		return
	}
	d.ExtForm = extForm{Number: e.Number, Name: e.Name, SRTP: e.SRTP, Supervisor: e.Supervisor, Class: e.Class, CallerID: e.CallerID}
	s.render(w, r, http.StatusOK, page, d)
}

func formOf(in ExtensionInput, isNew bool) extForm {
	return extForm{New: isNew, Number: in.Number, Name: in.Name, SRTP: in.SRTP, Supervisor: in.Supervisor, Class: in.Class, CallerID: *in.CallerID}
}

func (s *Server) handleNewExtension(w http.ResponseWriter, r *http.Request, d pageData) {
	d.Title = "New extension"
	if r.Method != http.MethodPost {
		d.ExtForm = extForm{New: true, SRTP: "optional", Class: "national"}
		s.render(w, r, http.StatusOK, "extension", d)
		return
	}
	in := extensionInput(r)
	d.ExtForm = formOf(in, true)
	e, err := s.backend.CreateExtension(r.Context(), in)
	if errors.Is(err, ErrConflict) {
		// The backend's text names its storage; say it in the user's words.
		err = fmt.Errorf("%w: number: extension %s already exists", ErrConflict, in.Number)
	}
	if err != nil {
		s.refuse(w, r, d, err, s.renders("extension"), extFields...)
		return
	}
	seeOther(w, r, doneURL("/extensions", "created", e.Number))
}

// extensionPage serves a page about the extension named in the path: GET
// shows page with the extension as stored, POST calls post.
func (s *Server) extensionPage(page, title string, post func(w http.ResponseWriter, r *http.Request, d pageData, number string)) adminHandler {
	return func(w http.ResponseWriter, r *http.Request, d pageData) {
		number := r.PathValue("number")
		d.Title = title + number
		if r.Method != http.MethodPost {
			s.showExtension(w, r, d, number, page)
			return
		}
		post(w, r, d, number)
	}
}

func (s *Server) updateExtension(w http.ResponseWriter, r *http.Request, d pageData, number string) {
	in := extensionInput(r)
	in.Number = number // the path names it; the form cannot change it
	d.ExtForm = formOf(in, false)
	e, err := s.backend.UpdateExtension(r.Context(), number, in)
	if errors.Is(err, ErrNotFound) {
		s.pageError(w, r, d, err)
		return
	}
	if err != nil {
		s.refuse(w, r, d, err, s.renders("extension"), extFields...)
		return
	}
	seeOther(w, r, doneURL("/extensions", "updated", e.Number))
}

func (s *Server) deleteExtension(w http.ResponseWriter, r *http.Request, d pageData, number string) {
	if err := s.backend.DeleteExtension(r.Context(), number); err != nil {
		s.pageError(w, r, d, err)
		return
	}
	seeOther(w, r, doneURL("/extensions", "deleted", number))
}

// refuse shows a page again, by again, with an error from Backend next to
// the field it names (or above the page when it names none of fields).
// Errors that are not about the input become a 500.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, d pageData, err error, again pageFunc, fields ...string) {
	if !userError(err) {
		s.serverError(w, r, err)
		return
	}
	field, msg := fieldError(err, fields...)
	if field == "" {
		d.Error = msg
	} else {
		d.Error = "Please correct the field marked below."
		d.Errs = map[string]string{field: msg}
	}
	again(w, r, d, errorStatus(err))
}

// pageFunc renders a page with a status.
type pageFunc func(w http.ResponseWriter, r *http.Request, d pageData, status int)

// renders returns the pageFunc that renders the template page.
func (s *Server) renders(page string) pageFunc {
	return func(w http.ResponseWriter, r *http.Request, d pageData, status int) { s.render(w, r, status, page, d) }
}
