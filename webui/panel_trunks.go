package webui

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
)

// trunkForm is what the trunk form shows: the trunk as typed (never its
// password) and the whole-number fields as typed.
type trunkForm struct {
	New     bool
	T       Trunk
	Ints    map[string]string // expiry, max_channels, keepalive
	Sources string            // one per line
	Codecs  string            // "PCMA PCMU", …
}

// trunkFields are the form fields a trunk error may name.
var trunkFields = []string{"name", "host", "transport", "proxy", "username", "auth_user", "realm", "password", "register", "expiry",
	"sources", "codecs", "caller_id_mode", "caller_id", "dtmf", "max_channels", "keepalive"}

// trunkInts are the whole-number fields of a trunk.
var trunkInts = []string{"expiry", "max_channels", "keepalive"}

// codecChoices are the codec lists the form offers, in order of preference.
var codecChoices = []struct{ Value, Label string }{
	{"", "PCMA and PCMU (the box's default)"}, {"PCMA PCMU", "PCMA first, then PCMU"}, {"PCMU PCMA", "PCMU first, then PCMA"},
	{"PCMA", "PCMA only"}, {"PCMU", "PCMU only"},
}

func (s *Server) trunkPageRoutes(mux *http.ServeMux) {
	mux.HandleFunc("/trunks", s.admin(false, s.handleTrunks))
	mux.HandleFunc("/trunks/new", s.admin(true, s.handleNewTrunk))
	mux.HandleFunc("/trunks/{name}", s.admin(true, s.trunkPage("trunk", "Trunk ", s.updateTrunk)))
	mux.HandleFunc("/trunks/{name}/delete", s.admin(true, s.trunkPage("trunk_delete", "Delete trunk ", s.deleteTrunk)))
}

func (s *Server) handleTrunks(w http.ResponseWriter, r *http.Request, d pageData) {
	d.Title = "Trunks"
	var err error
	if d.Trunks, err = s.trunks.ListTrunks(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Now = s.now()
	s.render(w, r, http.StatusOK, "trunks", d)
}

// trunkFormOf is the form showing t.
func trunkFormOf(t Trunk, isNew bool) trunkForm {
	f := trunkForm{New: isNew, T: t, Ints: map[string]string{}, Sources: strings.Join(t.Sources, "\n"), Codecs: strings.Join(t.Codecs, " ")}
	f.T.Password = ""
	for k, v := range map[string]int{"expiry": t.Expiry, "max_channels": t.MaxChannels, "keepalive": t.KeepAlive} {
		if v != 0 {
			f.Ints[k] = strconv.Itoa(v)
		}
	}
	return f
}

// trunkInput reads the trunk form; a whole-number field that is not one
// is an error naming it.
func trunkInput(r *http.Request) (Trunk, trunkForm, error) {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	t := Trunk{Name: v("name"), Host: v("host"), Transport: v("transport"), Proxy: v("proxy"), Username: v("username"),
		AuthUser: v("auth_user"), Realm: v("realm"), Password: r.PostFormValue("password"), Register: r.PostFormValue("register") != "",
		Sources: strings.Fields(strings.ReplaceAll(r.PostFormValue("sources"), ",", " ")), Codecs: strings.Fields(v("codecs")),
		CallerIDMode: v("caller_id_mode"), CallerID: v("caller_id"), DTMF: v("dtmf")}
	f := trunkForm{T: t, Ints: map[string]string{}, Sources: r.PostFormValue("sources"), Codecs: v("codecs")}
	f.T.Password = ""
	var bad error
	for _, k := range trunkInts {
		f.Ints[k] = v(k)
		n, err := wholeNumber(f.Ints[k])
		if err != nil && bad == nil {
			bad = &FieldError{Field: k, Problem: err.Error()}
		}
		switch k {
		case "expiry":
			t.Expiry = n
		case "max_channels":
			t.MaxChannels = n
		case "keepalive":
			t.KeepAlive = n
		}
	}
	return t, f, bad
}

// wholeNumber reads a form's whole-number field; empty is 0.
func wholeNumber(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, errors.New("must be a whole number")
	}
	return n, nil
}

func (s *Server) handleNewTrunk(w http.ResponseWriter, r *http.Request, d pageData) {
	d.Title = "New trunk"
	d.TrunkOpts = codecChoices
	if r.Method != http.MethodPost {
		d.Trunk = trunkFormOf(Trunk{Register: true}, true)
		s.render(w, r, http.StatusOK, "trunk", d)
		return
	}
	in, f, err := trunkInput(r)
	f.New = true
	d.Trunk = f
	var t Trunk
	if err == nil {
		t, err = s.trunks.CreateTrunk(r.Context(), in)
	}
	if err != nil {
		s.refuse(w, r, d, err, s.renders("trunk"), trunkFields...)
		return
	}
	seeOther(w, r, doneURL("/trunks", "trunk-created", t.Name))
}

// trunkPage serves a page about the trunk named in the path: GET shows
// page with the trunk as stored, POST calls post.
func (s *Server) trunkPage(page, title string, post func(w http.ResponseWriter, r *http.Request, d pageData, name string)) adminHandler {
	return func(w http.ResponseWriter, r *http.Request, d pageData) {
		name := r.PathValue("name")
		d.Title = title + name
		d.TrunkOpts = codecChoices
		if r.Method == http.MethodPost {
			post(w, r, d, name)
			return
		}
		t, err := s.trunks.GetTrunk(r.Context(), name)
		if err != nil {
			s.pageError(w, r, d, err)
			return
		}
		d.Trunk = trunkFormOf(t, false)
		s.render(w, r, http.StatusOK, page, d)
	}
}

func (s *Server) updateTrunk(w http.ResponseWriter, r *http.Request, d pageData, name string) {
	in, f, err := trunkInput(r)
	in.Name, f.T.Name = name, name // the path names it; the form cannot change it
	d.Trunk = f
	if err == nil {
		var old Trunk
		if old, err = s.trunks.GetTrunk(r.Context(), name); err == nil {
			d.Trunk.T.PasswordSet = old.PasswordSet
			_, err = s.trunks.UpdateTrunk(r.Context(), name, in)
		}
	}
	if errors.Is(err, ErrNotFound) {
		s.pageError(w, r, d, err)
		return
	}
	if err != nil {
		s.refuse(w, r, d, err, s.renders("trunk"), trunkFields...)
		return
	}
	seeOther(w, r, doneURL("/trunks", "trunk-updated", name))
}

func (s *Server) deleteTrunk(w http.ResponseWriter, r *http.Request, d pageData, name string) {
	err := s.trunks.DeleteTrunk(r.Context(), name)
	if errors.Is(err, ErrNotFound) {
		s.pageError(w, r, d, err)
		return
	}
	if err != nil {
		// Refused, most likely because a route still uses the trunk:
		// say so on the confirmation page.
		d.Trunk = trunkForm{T: Trunk{Name: name}}
		s.refuse(w, r, d, err, s.renders("trunk_delete"))
		return
	}
	seeOther(w, r, doneURL("/trunks", "trunk-deleted", name))
}
