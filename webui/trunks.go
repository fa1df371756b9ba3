package webui

import (
	"context"
	"net/http"
	"time"
)

// Trunk is a line to a SIP provider as the API shows it. Password is
// write-only: it is never returned; PasswordSet says whether one is
// stored, and an update without a password keeps the stored one.
type Trunk struct {
	Name         string   `json:"name"`
	Host         string   `json:"host"`                // provider domain or address, "host" or "host:port"
	Transport    string   `json:"transport,omitempty"` // udp (default), tcp, tls
	Proxy        string   `json:"proxy,omitempty"`     // outbound proxy, "host[:port]"
	Username     string   `json:"username,omitempty"`
	AuthUser     string   `json:"auth_user,omitempty"`
	Realm        string   `json:"realm,omitempty"` // only this digest realm gets the password; "" = any
	Password     string   `json:"password,omitempty"`
	PasswordSet  bool     `json:"password_set"`
	Register     bool     `json:"register"`
	Expiry       int      `json:"expiry,omitempty"`         // seconds asked for a registration; 0 = 300
	Sources      []string `json:"sources,omitempty"`        // where the provider's calls come from: IP, CIDR or IP:port
	Codecs       []string `json:"codecs,omitempty"`         // PCMU, PCMA
	CallerIDMode string   `json:"caller_id_mode,omitempty"` // from (default), pai, rpid
	CallerID     string   `json:"caller_id,omitempty"`      // number presented when the route sets none
	DTMF         string   `json:"dtmf,omitempty"`           // rfc4733 (default) or inband
	MaxChannels  int      `json:"max_channels,omitempty"`
	KeepAlive    int      `json:"keepalive,omitempty"` // seconds between OPTIONS; 0 = 30, -1 = off

	Status *TrunkStatus `json:"status,omitempty"` // in responses only
}

// TrunkStatus is a trunk's live state.
type TrunkStatus struct {
	Up         bool       `json:"up"`
	Registered bool       `json:"registered"`
	Until      *time.Time `json:"registered_until,omitempty"`
	Address    string     `json:"address,omitempty"`
	LastError  string     `json:"last_error,omitempty"`
	Since      time.Time  `json:"since"`
	Calls      int        `json:"calls"`
}

// TrunkBackend configures the box's SIP trunks. It is optional: without it
// the endpoints below do not exist. Errors wrap ErrNotFound, ErrConflict
// or ErrInvalid (a *FieldError naming the field at fault); every change
// is audited by the backend.
//
//	GET/POST /api/v1/trunks, GET/PUT/DELETE /api/v1/trunks/{name}
type TrunkBackend interface {
	ListTrunks(ctx context.Context) ([]Trunk, error)
	GetTrunk(ctx context.Context, name string) (Trunk, error)
	CreateTrunk(ctx context.Context, in Trunk) (Trunk, error)
	UpdateTrunk(ctx context.Context, name string, in Trunk) (Trunk, error)
	// DeleteTrunk is refused (ErrInvalid) while a route still names it.
	DeleteTrunk(ctx context.Context, name string) error
}

func (s *Server) trunkRoutes(mux *http.ServeMux) {
	b := s.trunks
	acdCRUD(s, mux, "/api/v1/trunks", "name", b.ListTrunks, b.GetTrunk, b.CreateTrunk, func(t Trunk) string { return t.Name },
		b.UpdateTrunk, func(in *Trunk) *string { return &in.Name }, b.DeleteTrunk)
}
