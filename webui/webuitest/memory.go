// Package webuitest holds in-memory implementations of webui's seams — a
// Backend, a UserStore, recordings, a contact centre (MemoryACD), trunks
// and routing (MemoryTrunks, MemoryRouting) and a settable clock — for
// tests and demos of the panel without the rest of the box.
//
// Imports: webui. Importers: tests, and demos in appliance.
package webuitest

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"deskline/webui"
)

// MemoryBackend is a webui.Backend over maps in memory. Extensions are
// managed through the Backend methods; registrations, calls and CDRs are fed
// by the test with SetRegistrations, SetCalls and AddCDR. Like the box, it
// adds a record to its audit log for every change it makes, naming the user
// and address that webui.ActorFrom finds in the context. It is safe for
// concurrent use.
type MemoryBackend struct {
	// Now is the clock that decides whether registrations are live;
	// nil means time.Now. Set it before use.
	Now func() time.Time
	// Info is returned by Status, with the counts filled in.
	Info webui.Status

	mu    sync.Mutex
	exts  map[string]memExtension
	regs  []webui.Registration
	calls []webui.Call
	cdrs  []webui.CDR
	bans  []webui.Ban
	audit []webui.AuditRecord
}

// Backup implements webui.Backend with a small fixed archive body.
func (b *MemoryBackend) Backup(ctx context.Context) (io.ReadCloser, string, error) {
	return io.NopCloser(strings.NewReader("memory-backup")), "deskline-backup.tar.gz", nil
}

// auditChange records a change by the request's user. b.mu is held.
func (b *MemoryBackend) auditChange(ctx context.Context, action, object, detail string) {
	user, source := webui.ActorFrom(ctx)
	b.audit = append(b.audit, webui.AuditRecord{Time: b.now(), Actor: cmp.Or(user, "system"), Source: source, Action: action, Object: object, Detail: detail})
}

// AddAudit appends records to the audit log the backend serves.
func (b *MemoryBackend) AddAudit(recs ...webui.AuditRecord) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.audit = append(b.audit, recs...)
}

// Audit implements webui.Backend: newest first.
func (b *MemoryBackend) Audit(ctx context.Context, limit int) ([]webui.AuditRecord, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var l []webui.AuditRecord
	for i := len(b.audit) - 1; i >= 0 && len(l) < limit; i-- {
		l = append(l, b.audit[i])
	}
	return l, nil
}

// SetBans replaces the bans.
func (b *MemoryBackend) SetBans(bans ...webui.Ban) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.bans = slices.Clone(bans)
}

// Bans implements webui.Backend: the ones set whose time has not run out.
func (b *MemoryBackend) Bans(ctx context.Context) ([]webui.Ban, error) {
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	var l []webui.Ban
	for _, x := range b.bans {
		if x.Until.After(now) {
			l = append(l, x)
		}
	}
	return l, nil
}

// LiftBan implements webui.Backend.
func (b *MemoryBackend) LiftBan(ctx context.Context, addr string) error {
	if _, err := netip.ParseAddr(addr); err != nil {
		return fmt.Errorf("%w: addr: %q is not an IP address", webui.ErrInvalid, addr)
	}
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, x := range b.bans {
		if x.Addr == addr && x.Until.After(now) { // like the real box: only bans in force
			b.bans = slices.Delete(b.bans, i, i+1)
			b.auditChange(ctx, "ban-lifted", addr, "")
			return nil
		}
	}
	return fmt.Errorf("%w: no ban on %s", webui.ErrNotFound, addr)
}

type memExtension struct {
	name, password string
	srtp           string
	supervisor     bool
	noVoicemail    bool
	class          string
	callerID       string
}

// Rules that MemoryBackend enforces on ExtensionInput, as the real backend
// is expected to.
const (
	MaxNumberLen   = 15 // digits
	MaxNameLen     = 64 // characters
	MinPasswordLen = 10 // characters, for the SIP password
)

// Classes are the extension and route classes of outside calls, least
// first.
var Classes = []string{"internal", "local", "national", "international", "premium"}

// callerID accepts "" and digits, optionally after '+'.
func callerID(s string) bool {
	d := strings.TrimPrefix(s, "+")
	return s == "" || (d != "" && digits(d))
}

// NewMemoryBackend returns an empty backend.
func NewMemoryBackend() *MemoryBackend {
	return &MemoryBackend{exts: make(map[string]memExtension)}
}

func (b *MemoryBackend) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

// Password returns the SIP password stored for number, so that tests can
// check what the write-only field holds.
func (b *MemoryBackend) Password(number string) (string, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	e, ok := b.exts[number]
	return e.password, ok
}

// SetRegistrations replaces the registrations.
func (b *MemoryBackend) SetRegistrations(regs ...webui.Registration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.regs = slices.Clone(regs)
}

// SetCalls replaces the calls in progress.
func (b *MemoryBackend) SetCalls(calls ...webui.Call) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls = slices.Clone(calls)
}

// AddCDR appends finished calls.
func (b *MemoryBackend) AddCDR(cdrs ...webui.CDR) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.cdrs = append(b.cdrs, cdrs...)
}

func invalid(field, problem string) error { return &webui.FieldError{Field: field, Problem: problem} }

// validate checks in as the box's rules say; create asks for a password.
func validate(in webui.ExtensionInput, create bool) error {
	n := in.Number
	if n == "" {
		return invalid("number", "is required")
	}
	if len(n) > MaxNumberLen || strings.IndexFunc(n, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return invalid("number", fmt.Sprintf("must be 1 to %d digits", MaxNumberLen))
	}
	if !utf8.ValidString(in.Name) || utf8.RuneCountInString(in.Name) > MaxNameLen {
		return invalid("name", fmt.Sprintf("must be at most %d characters", MaxNameLen))
	}
	if strings.IndexFunc(in.Name, unicode.IsControl) >= 0 {
		return invalid("name", "must not contain control characters")
	}
	if in.SRTP != "" && in.SRTP != "optional" && in.SRTP != "required" {
		return invalid("srtp", `want "optional" (the phone chooses) or "required" (audio must be encrypted)`)
	}
	if in.Class != "" && !slices.Contains(Classes, in.Class) {
		return invalid("class", "want one of "+strings.Join(Classes, ", "))
	}
	if in.CallerID != nil && !callerID(*in.CallerID) {
		return invalid("caller_id", "a caller ID is digits, optionally after '+'")
	}
	if in.Password == "" && !create {
		return nil
	}
	if !utf8.ValidString(in.Password) || utf8.RuneCountInString(in.Password) < MinPasswordLen {
		return invalid("password", fmt.Sprintf("must be at least %d characters", MinPasswordLen))
	}
	return nil
}

// registered reports whether number has a live registration. b.mu is held.
func (b *MemoryBackend) registered(number string, now time.Time) bool {
	return slices.ContainsFunc(b.regs, func(r webui.Registration) bool {
		return r.Extension == number && r.Expires.After(now)
	})
}

func (b *MemoryBackend) view(number string, e memExtension, now time.Time) webui.Extension {
	return webui.Extension{Number: number, Name: e.name, SRTP: cmp.Or(e.srtp, "optional"), Supervisor: e.supervisor, Voicemail: !e.noVoicemail, Registered: b.registered(number, now),
		Class: cmp.Or(e.class, "national"), CallerID: e.callerID}
}

func notFound(number string) error {
	return fmt.Errorf("extension %s: %w", number, webui.ErrNotFound)
}

// ListExtensions implements webui.Backend.
func (b *MemoryBackend) ListExtensions(ctx context.Context) ([]webui.Extension, error) {
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	l := make([]webui.Extension, 0, len(b.exts))
	for n, e := range b.exts {
		l = append(l, b.view(n, e, now))
	}
	slices.SortFunc(l, func(x, y webui.Extension) int { return cmp.Compare(x.Number, y.Number) })
	return l, nil
}

// GetExtension implements webui.Backend.
func (b *MemoryBackend) GetExtension(ctx context.Context, number string) (webui.Extension, error) {
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	e, ok := b.exts[number]
	if !ok {
		return webui.Extension{}, notFound(number)
	}
	return b.view(number, e, now), nil
}

// CreateExtension implements webui.Backend.
func (b *MemoryBackend) CreateExtension(ctx context.Context, in webui.ExtensionInput) (webui.Extension, error) {
	if err := validate(in, true); err != nil {
		return webui.Extension{}, err
	}
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.exts[in.Number]; ok {
		return webui.Extension{}, fmt.Errorf("extension %s: %w", in.Number, webui.ErrConflict)
	}
	e := memExtension{name: in.Name, password: in.Password, srtp: in.SRTP, supervisor: in.Supervisor, noVoicemail: in.Voicemail != nil && !*in.Voicemail, class: in.Class}
	if in.CallerID != nil {
		e.callerID = *in.CallerID
	}
	b.exts[in.Number] = e
	b.auditChange(ctx, "extension-created", "extension "+in.Number, fmt.Sprintf("name %q", in.Name))
	return b.view(in.Number, e, now), nil
}

// UpdateExtension implements webui.Backend.
func (b *MemoryBackend) UpdateExtension(ctx context.Context, number string, in webui.ExtensionInput) (webui.Extension, error) {
	if in.Number != number {
		return webui.Extension{}, invalid("number", "cannot be changed")
	}
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	old, ok := b.exts[number]
	if !ok {
		return webui.Extension{}, notFound(number)
	}
	if err := validate(in, false); err != nil {
		return webui.Extension{}, err
	}
	e := memExtension{name: in.Name, password: cmp.Or(in.Password, old.password), srtp: in.SRTP, supervisor: in.Supervisor, noVoicemail: old.noVoicemail, class: cmp.Or(in.Class, old.class), callerID: old.callerID}
	if in.CallerID != nil {
		e.callerID = *in.CallerID
	}
	if in.Voicemail != nil {
		e.noVoicemail = !*in.Voicemail
	}
	b.exts[number] = e
	detail := fmt.Sprintf("name %q; srtp %s; supervisor %v", e.name, cmp.Or(e.srtp, "optional"), e.supervisor)
	if in.Password != "" {
		detail += "; password changed"
	}
	b.auditChange(ctx, "extension-updated", "extension "+number, detail)
	return b.view(number, e, now), nil
}

// DeleteExtension implements webui.Backend.
func (b *MemoryBackend) DeleteExtension(ctx context.Context, number string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.exts[number]; !ok {
		return notFound(number)
	}
	delete(b.exts, number)
	b.auditChange(ctx, "extension-deleted", "extension "+number, "")
	return nil
}

// Registrations implements webui.Backend: the live ones among those set.
func (b *MemoryBackend) Registrations(ctx context.Context) ([]webui.Registration, error) {
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	var l []webui.Registration
	for _, r := range b.regs {
		if r.Expires.After(now) {
			l = append(l, r)
		}
	}
	return l, nil
}

// Calls implements webui.Backend.
func (b *MemoryBackend) Calls(ctx context.Context) ([]webui.Call, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.calls), nil
}

// CDRs implements webui.Backend: matching records, newest first.
func (b *MemoryBackend) CDRs(ctx context.Context, q webui.CDRQuery) ([]webui.CDR, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var l []webui.CDR
	for _, c := range b.cdrs {
		if (q.From.IsZero() || !c.Start.Before(q.From)) && (q.To.IsZero() || c.Start.Before(q.To)) {
			l = append(l, c)
		}
	}
	slices.SortStableFunc(l, func(x, y webui.CDR) int { return y.Start.Compare(x.Start) })
	if q.Limit > 0 && len(l) > q.Limit {
		l = l[:q.Limit]
	}
	return l, nil
}

// Status implements webui.Backend: Info with the counts filled in.
func (b *MemoryBackend) Status(ctx context.Context) (webui.Status, error) {
	regs, _ := b.Registrations(ctx)
	b.mu.Lock()
	defer b.mu.Unlock()
	st := b.Info
	st.Extensions = len(b.exts)
	st.Registrations = len(regs)
	st.ActiveCalls = len(b.calls)
	return st, nil
}

// MemoryUserStore is a webui.UserStore over a map in memory, safe for
// concurrent use.
type MemoryUserStore struct {
	mu    sync.Mutex
	users map[string]webui.User
}

// NewMemoryUserStore returns a store holding users.
func NewMemoryUserStore(users ...webui.User) *MemoryUserStore {
	s := &MemoryUserStore{users: make(map[string]webui.User)}
	for _, u := range users {
		s.users[u.Name] = u
	}
	return s
}

// GetUser implements webui.UserStore.
func (s *MemoryUserStore) GetUser(ctx context.Context, name string) (webui.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[name]
	if !ok {
		return webui.User{}, fmt.Errorf("user %q: %w", name, webui.ErrNotFound)
	}
	return u, nil
}

// CreateUser implements webui.UserStore.
func (s *MemoryUserStore) CreateUser(ctx context.Context, u webui.User) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[u.Name]; ok {
		return fmt.Errorf("user %q: %w", u.Name, webui.ErrConflict)
	}
	s.users[u.Name] = u
	return nil
}

// HasAdmin implements webui.UserStore.
func (s *MemoryUserStore) HasAdmin(ctx context.Context) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if u.Role == webui.RoleAdmin {
			return true, nil
		}
	}
	return false, nil
}

// Clock is a settable clock for Options.Now and MemoryBackend.Now. It is
// safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock reading t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var (
	_ webui.Backend   = (*MemoryBackend)(nil)
	_ webui.UserStore = (*MemoryUserStore)(nil)
)
