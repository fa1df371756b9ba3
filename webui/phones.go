package webui

import (
	"context"
	"net/http"
	"time"
)

// Phone is a desk phone assigned to an extension, as the API shows it.
// Username and Password are the phone's provisioning credentials (HTTP
// Basic, for fetching its files), which the admin types into the phone's
// web page; they are not the SIP password.
type Phone struct {
	MAC       string    `json:"mac"` // twelve lower-case hex digits
	Vendor    string    `json:"vendor"`
	Model     string    `json:"model,omitempty"`
	Extension string    `json:"extension"`
	BLF       []string  `json:"blf"`
	Username  string    `json:"username"`
	Password  string    `json:"password"`
	Assigned  time.Time `json:"assigned"`
	Enrolled  bool      `json:"enrolled"`
	LastSeen  time.Time `json:"last_seen,omitzero"`
	LastAddr  string    `json:"last_addr,omitempty"`
	UserAgent string    `json:"user_agent,omitempty"`
	// Files are the URLs of the files the phone fetches.
	Files []string `json:"files"`
}

// PhoneInput assigns a phone (POST) or changes an assignment (PUT, where
// the MAC comes from the path and the body's may be left out).
type PhoneInput struct {
	MAC       string   `json:"mac"` // any of 805ec0123456, 80:5e:c0:12:34:56, 80-5E-C0-12-34-56
	Vendor    string   `json:"vendor"`
	Model     string   `json:"model"`
	Extension string   `json:"extension"`
	BLF       []string `json:"blf"`
}

// PhoneSeen is a phone that asked for its configuration before anyone
// assigned it.
type PhoneSeen struct {
	MAC       string    `json:"mac"`
	Vendor    string    `json:"vendor,omitempty"` // guessed from the request
	File      string    `json:"file"`
	Addr      string    `json:"addr"`
	UserAgent string    `json:"user_agent,omitempty"`
	First     time.Time `json:"first"`
	Last      time.Time `json:"last"`
	Count     int       `json:"count"`
}

// Provisioning is the box-wide provisioning picture: what every phone's
// file carries, where phones fetch files, and the site's enrolment
// credentials for DHCP option 66.
type Provisioning struct {
	Server    string `json:"server"` // the address phones register to
	Port      int    `json:"port"`
	Transport string `json:"transport"`
	TimeZone  string `json:"time_zone"`
	HTTPURL   string `json:"http_url"`            // http://box:8080/provision/
	HTTPSURL  string `json:"https_url,omitempty"` // when HTTPS is on; written into files
	// EnrolURL is the HTTP URL with the enrolment credentials in it, for
	// DHCP option 66; they fetch a newly assigned phone's first file only.
	EnrolURL      string   `json:"enrol_url"`
	EnrolUser     string   `json:"enrol_user"`
	EnrolPassword string   `json:"enrol_password"`
	Vendors       []string `json:"vendors"`
}

// PhoneBackend provisions desk phones. It is optional: without it the
// endpoints below and the phones page do not exist. Errors wrap
// ErrNotFound or ErrInvalid (a *FieldError naming mac, vendor, model,
// extension or blf); every change is audited by the backend.
//
//	GET/POST /api/v1/phones, GET/PUT/DELETE /api/v1/phones/{mac}
//	POST /api/v1/phones/{mac}/reset-credentials
//	GET /api/v1/phones-seen
//	GET /api/v1/provisioning
type PhoneBackend interface {
	ListPhones(ctx context.Context) ([]Phone, error)
	GetPhone(ctx context.Context, mac string) (Phone, error)
	// AssignPhone gives a phone to an extension; assigning an assigned
	// phone again changes it and keeps its credentials.
	AssignPhone(ctx context.Context, in PhoneInput) (Phone, error)
	// UpdatePhone changes an assigned phone (ErrNotFound otherwise).
	UpdatePhone(ctx context.Context, mac string, in PhoneInput) (Phone, error)
	DeletePhone(ctx context.Context, mac string) error
	// ResetPhoneCredentials gives the phone new provisioning credentials
	// and lets the enrolment credentials fetch its file again.
	ResetPhoneCredentials(ctx context.Context, mac string) (Phone, error)
	PhonesSeen(ctx context.Context) ([]PhoneSeen, error)
	Provisioning(ctx context.Context) (Provisioning, error)
}

func (s *Server) phoneRoutes(mux *http.ServeMux) {
	b := s.phones
	// The body's MAC may be written in another form than the path's: the
	// backend compares them.
	acdCRUD(s, mux, "/api/v1/phones", "mac", b.ListPhones, b.GetPhone, b.AssignPhone, func(p Phone) string { return p.MAC },
		b.UpdatePhone, nil, b.DeletePhone)
	// acdGet answers 200 with what the call returns, whatever the method.
	mux.Handle("/api/v1/phones/{mac}/reset-credentials", methods{http.MethodPost: acdGet(s, "mac", b.ResetPhoneCredentials)})
	mux.Handle("/api/v1/phones-seen", methods{http.MethodGet: acdGet(s, "", func(ctx context.Context, _ string) ([]PhoneSeen, error) {
		l, err := b.PhonesSeen(ctx)
		return orEmpty(l), err
	})})
	mux.Handle("/api/v1/provisioning", methods{http.MethodGet: acdGet(s, "", func(ctx context.Context, _ string) (Provisioning, error) {
		return b.Provisioning(ctx)
	})})
}
