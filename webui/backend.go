package webui

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"time"
)

// Errors that Backend and UserStore implementations wrap (with %w) so that
// the panel and the API can answer with the right status. For these three the
// error's text is shown to the user, so it should say what is wrong in their
// words ("extension 201: not found"); any other error becomes a 500 with a
// generic message and is only logged.
var (
	// ErrNotFound is returned when the named extension or user does not
	// exist. The API answers 404.
	ErrNotFound = errors.New("not found")

	// ErrConflict is returned when creating something that already exists.
	// The API answers 409.
	ErrConflict = errors.New("already exists")

	// ErrInvalid is returned when input breaks a rule of the box (a number
	// in use by a queue, a password too short). The API answers 422. Prefer
	// returning a *FieldError, whose text names the field.
	ErrInvalid = errors.New("invalid")
)

// FieldError is an ErrInvalid about one field of the input; its text is
// "field: problem", for example "password: must be at least 10 characters".
type FieldError struct {
	Field   string // the JSON name of the field
	Problem string // what is wrong, in lower case, for the user
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Problem }

// Unwrap makes errors.Is(e, ErrInvalid) true.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// Roles a User may have. Only RoleAdmin may use the panel and the API for
// now.
const (
	RoleAdmin = "admin"
	RoleUser  = "user"
	RoleAgent = "agent"
)

// User is an account of the web panel and the API.
type User struct {
	Name         string `json:"name"`
	Role         string `json:"role"`          // RoleAdmin, RoleUser or RoleAgent
	PasswordHash string `json:"password_hash"` // from HashPassword; never served by the API
}

// UserStore keeps the panel's accounts. Its methods are called concurrently,
// from request handlers: GetUser on every Basic-authenticated API call and
// every login, CreateUser when the first administrator is set up, HasAdmin
// rarely.
type UserStore interface {
	// GetUser returns the named user, or an error wrapping ErrNotFound.
	GetUser(ctx context.Context, name string) (User, error)
	// CreateUser stores a new user, or returns an error wrapping
	// ErrConflict if one of that name exists.
	CreateUser(ctx context.Context, u User) error
	// HasAdmin reports whether any user has RoleAdmin.
	HasAdmin(ctx context.Context) (bool, error)
}

// Extension is a telephone of the box as the panel shows it. Its SIP password
// is write-only: it is set through ExtensionInput and never returned.
type Extension struct {
	Number     string `json:"number"`
	Name       string `json:"name"`
	SRTP       string `json:"srtp"`       // "optional" (the phone chooses) or "required" (audio must be encrypted)
	Supervisor bool   `json:"supervisor"` // may listen to, whisper into and barge in on calls (*30, *31, *32)
	Voicemail  bool   `json:"voicemail"`  // unanswered callers may leave a message
	Registered bool   `json:"registered"` // at least one live registration
	// Class is how far outside calls may go: internal, local, national,
	// international or premium.
	Class    string `json:"class"`
	CallerID string `json:"caller_id,omitempty"` // presented on outside calls
}

// ExtensionInput creates or replaces an extension. On update the number comes
// from the path (the body's number may be empty or must match), and an empty
// Password keeps the old one.
type ExtensionInput struct {
	Number     string `json:"number"`
	Name       string `json:"name"`
	Password   string `json:"password"`
	SRTP       string `json:"srtp"` // "optional" (default) or "required"
	Supervisor bool   `json:"supervisor"`
	// Voicemail turns the extension's voicemail on or off; absent means
	// on for a new extension and unchanged on an update.
	Voicemail *bool `json:"voicemail,omitempty"`
	// Class of outside calls allowed; "" means national for a new
	// extension and unchanged on an update. International and premium
	// calls stay barred until an admin sets them here.
	Class string `json:"class,omitempty"`
	// CallerID presented on outside calls; nil = unchanged on an update,
	// "" = none of its own.
	CallerID *string `json:"caller_id,omitempty"`
}

// Registration is one live SIP registration (a contact binding).
type Registration struct {
	Extension string    `json:"extension"`
	Contact   string    `json:"contact"`   // the Contact URI
	Source    string    `json:"source"`    // host:port the REGISTER came from
	Transport string    `json:"transport"` // "udp", "tcp" or "tls"
	UserAgent string    `json:"user_agent"`
	Expires   time.Time `json:"expires"`
}

// Ban is a source address the box no longer answers on SIP, after too many
// failed logins.
type Ban struct {
	Addr     string    `json:"addr"`
	Since    time.Time `json:"since"`
	Until    time.Time `json:"until"`
	Reason   string    `json:"reason"`
	Offences int       `json:"offences"` // bans this address has earned; each lasts twice the last
}

// Call is a call in progress.
type Call struct {
	ID     string     `json:"id"`
	Caller string     `json:"caller"`
	Callee string     `json:"callee"`
	State  string     `json:"state"` // e.g. "ringing", "answered", "held"
	Start  time.Time  `json:"start"`
	Answer *time.Time `json:"answer,omitempty"` // nil until answered
	Legs   []CallLeg  `json:"legs,omitempty"`   // the phones' media, caller first
}

// CallLeg is the media of one phone in a call.
type CallLeg struct {
	Side       string `json:"side"` // "caller" or "callee"
	Extension  string `json:"extension"`
	Codec      string `json:"codec"` // PCMU or PCMA
	SRTP       bool   `json:"srtp"`
	Remote     string `json:"remote,omitempty"` // where its audio comes from, once learned
	PacketsIn  uint64 `json:"packets_in"`
	PacketsOut uint64 `json:"packets_out"`
	// Received is how the box hears the phone (measured on the box);
	// Sent is how the phone hears the box, from the phone's RTCP reports
	// (absent until it sends one).
	Received CallQuality  `json:"received"`
	Sent     *CallQuality `json:"sent,omitempty"`
}

// CallQuality is one direction of a leg's audio: packet loss, jitter,
// round-trip time and an estimated MOS (ITU-T G.107 E-model, 1 to 4.5).
type CallQuality struct {
	LossPct  float64 `json:"loss_pct"`
	JitterMs float64 `json:"jitter_ms"`
	RTTMs    float64 `json:"rtt_ms"`
	MOS      float64 `json:"mos"`
}

// Dispositions of a CDR.
const (
	DispositionAnswered  = "answered"
	DispositionNoAnswer  = "no-answer"
	DispositionBusy      = "busy"
	DispositionCancelled = "cancelled"
	DispositionFailed    = "failed"
	DispositionVoicemail = "voicemail" // the callee did not answer; its voicemail took the call
)

// CDR is the record of one finished call.
//
// There is no separate billable-seconds field: Duration is already the
// billable time (answer to end). The ringing time is Answer−Start and the
// whole call End−Start.
type CDR struct {
	ID          string     `json:"id"`
	Caller      string     `json:"caller"`
	Callee      string     `json:"callee"`  // the extension rung; "" for a service of the box (see Dialled)
	Dialled     string     `json:"dialled"` // what the caller dialled
	Start       time.Time  `json:"start"`
	Answer      *time.Time `json:"answer,omitempty"` // nil if never answered
	End         time.Time  `json:"end"`
	Duration    float64    `json:"duration"`            // seconds from Answer to End; 0 if unanswered
	Disposition string     `json:"disposition"`         // one of the Disposition constants
	Cause       int        `json:"cause"`               // the final SIP status the caller got (200 when answered)
	HangupBy    string     `json:"hangup_by,omitempty"` // caller, callee or system; "" when never answered
	Trunk       string     `json:"trunk,omitempty"`     // the trunk the call came in on or went out through
}

// CDRQuery selects CDRs by their Start time.
type CDRQuery struct {
	From  time.Time // inclusive; zero means no lower bound
	To    time.Time // exclusive; zero means no upper bound
	Limit int       // at most this many, newest first; always > 0 when webui asks
}

// Status is the box's state at a glance.
type Status struct {
	Version       string        `json:"version"`
	Uptime        time.Duration `json:"-"` // served as "uptime_seconds"
	Extensions    int           `json:"extensions"`
	Registrations int           `json:"registrations"`
	ActiveCalls   int           `json:"active_calls"`
	SIPAddr       string        `json:"sip_addr"`
	HTTPAddr      string        `json:"http_addr"`
	// TLSFingerprint is the SHA-256 fingerprint of the certificate the
	// box serves, for an installer to compare with the browser's warning.
	// An empty one is filled from Options.TLS.
	TLSFingerprint string `json:"tls_fingerprint,omitempty"`
	// Runtime is how the daemon itself fares, for the system page and for
	// watching a box over time.
	Runtime *RuntimeStatus `json:"runtime,omitempty"`
}

// RuntimeStatus is the daemon's own resource use.
type RuntimeStatus struct {
	Goroutines int    `json:"goroutines"`
	HeapBytes  uint64 `json:"heap_bytes"` // live heap at the last garbage collection
	SysBytes   uint64 `json:"sys_bytes"`  // memory obtained from the OS
	OpenFiles  int    `json:"open_files"` // -1 where it cannot be counted
	DataBytes  int64  `json:"data_bytes"` // the store's database file
}

// MarshalJSON serves Uptime as whole seconds ("uptime_seconds").
func (s Status) MarshalJSON() ([]byte, error) {
	type plain Status
	return json.Marshal(struct {
		plain
		UptimeSeconds int64 `json:"uptime_seconds"`
	}{plain(s), int64(s.Uptime / time.Second)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (s *Status) UnmarshalJSON(b []byte) error {
	type plain Status
	var v struct {
		plain
		UptimeSeconds int64 `json:"uptime_seconds"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = Status(v.plain)
	s.Uptime = time.Duration(v.UptimeSeconds) * time.Second
	return nil
}

// Backend is the rest of the box as the panel and the API see it; appliance
// implements it over its store and call control. Methods are called
// concurrently from request handlers, one or a few per request, with the
// request's context. Errors should wrap ErrNotFound, ErrConflict or
// ErrInvalid where those apply (see their docs); lists may be nil when empty.
type Backend interface {
	// ListExtensions returns every extension, ordered by number.
	ListExtensions(ctx context.Context) ([]Extension, error)
	// GetExtension returns one extension or an ErrNotFound.
	GetExtension(ctx context.Context, number string) (Extension, error)
	// CreateExtension validates and stores a new extension (ErrInvalid,
	// ErrConflict) and returns it as stored.
	CreateExtension(ctx context.Context, in ExtensionInput) (Extension, error)
	// UpdateExtension replaces the named extension's fields (in.Number
	// equals number); an empty in.Password keeps the old password. It
	// returns ErrNotFound if there is no such extension.
	UpdateExtension(ctx context.Context, number string, in ExtensionInput) (Extension, error)
	// DeleteExtension removes an extension, or returns ErrNotFound.
	DeleteExtension(ctx context.Context, number string) error
	// Registrations returns the live registrations.
	Registrations(ctx context.Context) ([]Registration, error)
	// Calls returns the calls in progress.
	Calls(ctx context.Context) ([]Call, error)
	// Backup returns a backup archive of the box (tar.gz) to stream to the
	// caller, with a file name for it. The caller closes it.
	Backup(ctx context.Context) (archive io.ReadCloser, name string, err error)
	// Audit returns the newest limit audit records, newest first.
	Audit(ctx context.Context, limit int) ([]AuditRecord, error)
	// Bans returns the SIP sources banned now, oldest first.
	Bans(ctx context.Context) ([]Ban, error)
	// LiftBan ends the ban on addr now, or returns ErrNotFound (ErrInvalid
	// when addr is not an IP address).
	LiftBan(ctx context.Context, addr string) error
	// CDRs returns finished calls matching q, newest first.
	CDRs(ctx context.Context, q CDRQuery) ([]CDR, error)
	// Status returns counts and addresses. An empty Version is filled from
	// Options.Version.
	Status(ctx context.Context) (Status, error)
}
