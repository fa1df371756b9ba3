package webui

import (
	"net/http"
	"strings"
)

// phonesPage is what the phones page shows.
type phonesPage struct {
	Phones     []Phone
	Seen       []PhoneSeen
	Extensions []Extension
	Prov       Provisioning
	// Form is the assign form as typed, after a refusal.
	Form PhoneInput
}

// phoneFields are the form fields a phone error may name.
var phoneFields = []string{"mac", "vendor", "model", "extension", "blf"}

func (s *Server) phonePageRoutes(mux *http.ServeMux) {
	mux.HandleFunc("/phones", s.admin(true, s.handlePhones))
	mux.HandleFunc("/phones/{mac}/delete", s.admin(true, s.phoneAction("phone-deleted", func(r *http.Request, mac string) error {
		return s.phones.DeletePhone(r.Context(), mac)
	})))
	mux.HandleFunc("/phones/{mac}/reset", s.admin(true, s.phoneAction("phone-reset", func(r *http.Request, mac string) error {
		_, err := s.phones.ResetPhoneCredentials(r.Context(), mac)
		return err
	})))
}

// handlePhones lists the assigned phones and the phones seen; a POST
// assigns a phone.
func (s *Server) handlePhones(w http.ResponseWriter, r *http.Request, d pageData) {
	d.Title = "Phones"
	if r.Method == http.MethodPost {
		in := PhoneInput{
			MAC:       strings.TrimSpace(r.PostFormValue("mac")),
			Vendor:    r.PostFormValue("vendor"),
			Model:     strings.TrimSpace(r.PostFormValue("model")),
			Extension: strings.TrimSpace(r.PostFormValue("extension")),
			BLF:       strings.Fields(strings.ReplaceAll(r.PostFormValue("blf"), ",", " ")),
		}
		p, err := s.phones.AssignPhone(r.Context(), in)
		if err == nil {
			seeOther(w, r, doneURL("/phones", "phone-assigned", p.MAC))
			return
		}
		d.Phones.Form = in
		s.refuse(w, r, d, err, s.showPhones, phoneFields...)
		return
	}
	s.showPhones(w, r, d, http.StatusOK)
}

func (s *Server) showPhones(w http.ResponseWriter, r *http.Request, d pageData, status int) {
	ctx := r.Context()
	var err error
	if d.Phones.Phones, err = s.phones.ListPhones(ctx); err == nil {
		if d.Phones.Seen, err = s.phones.PhonesSeen(ctx); err == nil {
			if d.Phones.Extensions, err = s.backend.ListExtensions(ctx); err == nil {
				d.Phones.Prov, err = s.phones.Provisioning(ctx)
			}
		}
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, status, "phones", d)
}

// phoneAction serves a POST-only action on the phone named in the path,
// then goes back to the list with the notice done.
func (s *Server) phoneAction(done string, act func(r *http.Request, mac string) error) adminHandler {
	return func(w http.ResponseWriter, r *http.Request, d pageData) {
		if r.Method != http.MethodPost {
			seeOther(w, r, "/phones")
			return
		}
		mac := r.PathValue("mac")
		if err := act(r, mac); err != nil {
			d.Title = "Phones"
			s.refuse(w, r, d, err, s.showPhones)
			return
		}
		seeOther(w, r, doneURL("/phones", done, mac))
	}
}
