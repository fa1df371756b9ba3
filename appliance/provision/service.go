package provision

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"
)

// Options configure a Service. Store, Accounts and Settings.Server are
// required; every other zero field takes the default given.
type Options struct {
	Store    Store
	Accounts AccountFunc
	Settings Settings

	// EnrolUser and EnrolPassword, when both set, are the site's shared
	// enrolment credentials: the ones an installer writes into the DHCP
	// option 66 URL (http://user:pass@box:8080/provision/) for phones that
	// can be given credentials no other way. They fetch a phone's file only
	// while that phone is not yet enrolled and within EnrolWindow of its
	// assignment; the file then gives the phone its own credentials (when
	// Settings.ProvisionURL is set). Without them, only a phone's own
	// credentials work, which an installer types into the phone's web page.
	EnrolUser, EnrolPassword string
	// EnrolWindow defaults to one hour.
	EnrolWindow time.Duration

	// MaxSeen bounds the list of unassigned phones seen (default 256; the
	// oldest is forgotten first).
	MaxSeen int
	// MaxFailures requests failing authentication, or naming a MAC that no
	// phone is assigned to, from one address within FailureWindow make every
	// further request from it fail with 429 until the window ends (defaults
	// 20 and 10 minutes).
	MaxFailures   int
	FailureWindow time.Duration

	// Now defaults to time.Now; Rand (credentials) to crypto/rand.Reader.
	Now  func() time.Time
	Rand io.Reader
}

// Service provisions phones: the admin's operations (Assign, Unassign,
// List, Seen) and the phones' HTTP interface (Handler). Its methods are
// safe for concurrent use.
type Service struct {
	opts    Options
	limiter limiter

	mu  sync.Mutex // serialises writes to the store; guards set
	set Settings
}

// New checks opts and returns a Service.
func New(opts Options) (*Service, error) {
	if opts.Store == nil {
		return nil, fmt.Errorf("%w: store: required", ErrInvalid)
	}
	if opts.Accounts == nil {
		return nil, fmt.Errorf("%w: accounts: required", ErrInvalid)
	}
	set, err := opts.Settings.withDefaults()
	if err != nil {
		return nil, err
	}
	if (opts.EnrolUser == "") != (opts.EnrolPassword == "") {
		return nil, fmt.Errorf("%w: enrolment credentials: set both user and password, or neither", ErrInvalid)
	}
	if opts.EnrolPassword != "" && len(opts.EnrolPassword) < 16 {
		return nil, fmt.Errorf("%w: enrolment password: want at least 16 characters", ErrInvalid)
	}
	if opts.EnrolWindow <= 0 {
		opts.EnrolWindow = time.Hour
	}
	if opts.MaxSeen <= 0 {
		opts.MaxSeen = 256
	}
	if opts.MaxFailures <= 0 {
		opts.MaxFailures = 20
	}
	if opts.FailureWindow <= 0 {
		opts.FailureWindow = 10 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	s := &Service{opts: opts, set: set}
	s.limiter = limiter{max: opts.MaxFailures, window: opts.FailureWindow, cap: 4096}
	return s, nil
}

// SetSettings replaces the box-wide settings (when the admin changes the
// server address or time zone); phones get them on their next fetch.
func (s *Service) SetSettings(set Settings) error {
	set, err := set.withDefaults()
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.set = set
	s.mu.Unlock()
	return nil
}

func (s *Service) settings() Settings {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.set
}

// MaxBLF is the most busy-lamp keys a phone can be given.
const MaxBLF = 30

// Assign gives the phone with this MAC (any form ParseMAC accepts) to an
// extension, with busy-lamp keys for the colleagues listed. A phone seen
// before leaves the seen list. Assigning an assigned phone again changes
// its vendor, model, extension and keys and keeps its credentials.
func (s *Service) Assign(mac string, vendor Vendor, model, extension string, blf []string) (Phone, error) {
	m, err := ParseMAC(mac)
	if err != nil {
		return Phone{}, err
	}
	if !vendor.valid() {
		return Phone{}, fmt.Errorf("%w: vendor %q: want yealink, grandstream or polycom", ErrInvalid, vendor)
	}
	if cleanText(model, 32) != model {
		return Phone{}, fmt.Errorf("%w: model %q: want up to 32 printable characters", ErrInvalid, model)
	}
	if err := s.checkExtension("extension", extension); err != nil {
		return Phone{}, err
	}
	if len(blf) > MaxBLF {
		return Phone{}, fmt.Errorf("%w: blf: at most %d keys", ErrInvalid, MaxBLF)
	}
	for i, b := range blf {
		if err := s.checkExtension("blf", b); err != nil {
			return Phone{}, err
		}
		if b == extension || slices.Contains(blf[:i], b) {
			return Phone{}, fmt.Errorf("%w: blf %q: listed twice or the phone's own extension", ErrInvalid, b)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.opts.Store.Get(m)
	switch {
	case errors.Is(err, ErrNotFound):
		p = Phone{MAC: m, Assigned: s.opts.Now()}
		if err := s.newCredentials(&p); err != nil {
			return Phone{}, err
		}
	case err != nil:
		return Phone{}, fmt.Errorf("provision: assign %s: %w", m, err)
	}
	p.Vendor, p.Model, p.Extension = vendor, model, extension
	p.BLF = append([]string(nil), blf...)
	if err := s.opts.Store.Put(p); err != nil {
		return Phone{}, fmt.Errorf("provision: assign %s: %w", m, err)
	}
	if err := s.opts.Store.DeleteSeen(m); err != nil {
		return Phone{}, fmt.Errorf("provision: assign %s: %w", m, err)
	}
	return p, nil
}

// ResetCredentials gives an assigned phone new credentials and opens its
// enrolment window again, for a phone that was factory-reset or replaced.
func (s *Service) ResetCredentials(mac string) (Phone, error) {
	m, err := ParseMAC(mac)
	if err != nil {
		return Phone{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.opts.Store.Get(m)
	if err != nil {
		return Phone{}, fmt.Errorf("provision: reset %s: %w", m, err)
	}
	if err := s.newCredentials(&p); err != nil {
		return Phone{}, err
	}
	p.Enrolled, p.Assigned = false, s.opts.Now()
	if err := s.opts.Store.Put(p); err != nil {
		return Phone{}, fmt.Errorf("provision: reset %s: %w", m, err)
	}
	return p, nil
}

// Unassign removes a phone: it gets nothing any more. ErrNotFound when no
// phone has this MAC.
func (s *Service) Unassign(mac string) error {
	m, err := ParseMAC(mac)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.opts.Store.Get(m); err != nil {
		return fmt.Errorf("provision: unassign %s: %w", m, err)
	}
	if err := s.opts.Store.Delete(m); err != nil {
		return fmt.Errorf("provision: unassign %s: %w", m, err)
	}
	return nil
}

// List returns the assigned phones ordered by extension, then MAC.
func (s *Service) List() ([]Phone, error) {
	ps, err := s.opts.Store.List()
	if err != nil {
		return nil, fmt.Errorf("provision: list: %w", err)
	}
	slices.SortFunc(ps, func(a, b Phone) int {
		return cmp.Or(cmp.Compare(a.Extension, b.Extension), cmp.Compare(a.MAC.String(), b.MAC.String()))
	})
	return ps, nil
}

// Seen returns the unassigned phones that asked for their files, the most
// recent first.
func (s *Service) Seen() ([]Seen, error) {
	ss, err := s.opts.Store.ListSeen()
	if err != nil {
		return nil, fmt.Errorf("provision: seen: %w", err)
	}
	slices.SortFunc(ss, func(a, b Seen) int {
		return cmp.Or(b.Last.Compare(a.Last), cmp.Compare(a.MAC.String(), b.MAC.String()))
	})
	return ss, nil
}

// Files returns the names of the files a phone of this vendor fetches, for
// the panel to show and preview with Render.
func Files(v Vendor, mac MAC) []string { return fileNames(v, mac) }

// Render returns the file an assigned phone would be served, without any
// authentication: for the panel's preview and for tests. The file name must
// be one of the phone's own (Files); otherwise ErrUnknownFile.
func (s *Service) Render(mac, file string) ([]byte, error) {
	m, err := ParseMAC(mac)
	if err != nil {
		return nil, err
	}
	fm, kind := parseFileName(file)
	if kind == fileNone || fm != m {
		return nil, fmt.Errorf("%w: %q is not a file of %s", ErrUnknownFile, file, m)
	}
	p, err := s.opts.Store.Get(m)
	if err != nil {
		return nil, fmt.Errorf("provision: render %s: %w", m, err)
	}
	b, _, err := render(p, kind, s.settings(), s.opts.Accounts)
	return b, err
}

func (s *Service) checkExtension(field, ext string) error {
	if len(ext) == 0 || len(ext) > 15 || trimDigits(ext) != "" {
		return fmt.Errorf("%w: %s %q: want an extension number", ErrInvalid, field, ext)
	}
	if _, err := s.opts.Accounts(ext); err != nil {
		return fmt.Errorf("%w: %s %q: %v", ErrInvalid, field, ext, err)
	}
	return nil
}

func trimDigits(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return s[i:]
		}
	}
	return ""
}

// newCredentials draws a 64-bit user name and a 128-bit password, written
// in hex so that they survive being typed into a URL or a phone's web page.
func (s *Service) newCredentials(p *Phone) error {
	var b [8 + 16]byte
	if _, err := io.ReadFull(s.opts.Rand, b[:]); err != nil {
		return fmt.Errorf("provision: credentials: %w", err)
	}
	p.Username = "p" + hex.EncodeToString(b[:8])
	p.Password = hex.EncodeToString(b[8:])
	return nil
}

// recordSeen notes a request for an unassigned MAC, keeping at most
// MaxSeen entries.
func (s *Service) recordSeen(m MAC, v Vendor, file, addr, ua string, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.opts.Store.Get(m); err == nil {
		return nil // assigned meanwhile
	}
	all, err := s.opts.Store.ListSeen()
	if err != nil {
		return err
	}
	e := Seen{MAC: m, First: now}
	found := false
	for _, o := range all {
		if o.MAC == m {
			e, found = o, true
		}
	}
	if !found && len(all) >= s.opts.MaxSeen {
		slices.SortFunc(all, func(a, b Seen) int { return a.Last.Compare(b.Last) })
		for _, o := range all[:len(all)-s.opts.MaxSeen+1] {
			if err := s.opts.Store.DeleteSeen(o.MAC); err != nil {
				return err
			}
		}
	}
	if v != "" {
		e.Vendor = v
	}
	e.File, e.Addr, e.UserAgent = cleanText(file, 64), addr, cleanText(ua, 200)
	e.Last = now
	e.Count++
	return s.opts.Store.PutSeen(e)
}

// fetched notes a successful fetch on the phone's record.
func (s *Service) fetched(m MAC, own bool, addr, ua string, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.opts.Store.Get(m)
	if err != nil {
		return err
	}
	p.Enrolled = p.Enrolled || own
	p.LastSeen, p.LastAddr, p.UserAgent = now, addr, cleanText(ua, 200)
	return s.opts.Store.Put(p)
}
