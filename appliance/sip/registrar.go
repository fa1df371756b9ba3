package sip

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"deskline/appliance/sip/digest"

	"github.com/emiago/sipgo/sip"
)

// Binding is one registered contact of an extension: where to send its calls.
type Binding struct {
	AOR       string    `json:"aor"`        // the extension number
	Contact   string    `json:"contact"`    // the Contact URI the phone registered
	Source    string    `json:"source"`     // ip:port the REGISTER came from: requests go there (NAT)
	Transport string    `json:"transport"`  // "udp" or "tcp"
	UserAgent string    `json:"user_agent"` // the phone's User-Agent
	CallID    string    `json:"call_id"`
	CSeq      uint32    `json:"cseq"`
	Expires   time.Time `json:"expires"`
	Updated   time.Time `json:"updated"` // last successful REGISTER
	Created   time.Time `json:"created"` // first REGISTER of this contact
}

// maxBindingsPerAOR bounds the contacts one extension may register.
const maxBindingsPerAOR = 5

var errTooManyContacts = errors.New("sip: too many contacts for one extension")

type registrar struct {
	s *Server

	mu       sync.Mutex
	bindings map[string][]Binding // by AOR
	dirty    bool
	saveMu   sync.Mutex // serialises saves
}

func newRegistrar(s *Server) *registrar {
	return &registrar{s: s, bindings: map[string][]Binding{}}
}

// load restores stored bindings that have not expired.
func (r *registrar) load() error {
	if r.s.o.Bindings == nil {
		return nil
	}
	bs, err := r.s.o.Bindings.LoadBindings()
	if err != nil {
		return err
	}
	now := r.s.o.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, b := range bs {
		// A TCP binding is only good while the phone's own connection
		// lives; after a restart it is gone, so the phone must register
		// again before it can be called.
		if b.Expires.After(now) && b.AOR != "" && b.Transport == "udp" {
			r.bindings[b.AOR] = append(r.bindings[b.AOR], b)
			n++
		}
	}
	if n > 0 {
		r.s.log.Info("registrations restored", "count", n)
	}
	return nil
}

// run expires bindings and saves changes every FlushInterval until ctx ends.
func (r *registrar) run(ctx context.Context) {
	t := time.NewTicker(r.s.o.FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.expire()
			if err := r.flush(); err != nil {
				r.s.log.Error("saving registrations", "err", err)
			}
		}
	}
}

func (r *registrar) expire() {
	now := r.s.o.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	for aor, bs := range r.bindings {
		kept := bs[:0]
		for _, b := range bs {
			if b.Expires.After(now) {
				kept = append(kept, b)
			} else {
				r.s.log.Info("registration expired", "extension", aor, "contact", b.Contact)
				r.dirty = true
			}
		}
		if len(kept) == 0 {
			delete(r.bindings, aor)
		} else {
			r.bindings[aor] = kept
		}
	}
}

// flush saves the bindings if they changed since the last save.
func (r *registrar) flush() error {
	if r.s.o.Bindings == nil {
		return nil
	}
	r.saveMu.Lock()
	defer r.saveMu.Unlock()
	r.mu.Lock()
	if !r.dirty {
		r.mu.Unlock()
		return nil
	}
	all := r.allLocked()
	r.dirty = false
	r.mu.Unlock()
	if err := r.s.o.Bindings.SaveBindings(all); err != nil {
		r.mu.Lock()
		r.dirty = true
		r.mu.Unlock()
		return err
	}
	return nil
}

func (r *registrar) allLocked() []Binding {
	var all []Binding
	for _, bs := range r.bindings {
		all = append(all, bs...)
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].AOR != all[j].AOR {
			return all[i].AOR < all[j].AOR
		}
		return all[i].Contact < all[j].Contact
	})
	return all
}

// All returns the current, unexpired bindings ordered by extension.
func (r *registrar) all() []Binding {
	now := r.s.o.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Binding
	for _, b := range r.allLocked() {
		if b.Expires.After(now) {
			out = append(out, b)
		}
	}
	return out
}

// lookup returns the live binding calls to an extension go to: the contact
// registered most recently (a stable choice: refreshes do not change it).
// Ringing every contact at once comes with multi-leg calls.
func (r *registrar) lookup(aor string) (Binding, bool) {
	now := r.s.o.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	var best Binding
	found := false
	for _, b := range r.bindings[aor] {
		if b.Expires.After(now) && (!found || b.Created.After(best.Created)) {
			best, found = b, true
		}
	}
	return best, found
}

func (s *Server) credentials(user string) (map[digest.Algorithm]string, bool) {
	return s.o.Directory.Credentials(user)
}

// authenticate checks a request's digest credentials. When they are missing,
// wrong or stale it sends the challenge itself (401 for REGISTER, 407 for
// the rest) and returns ok=false. Unknown users get exactly what a wrong
// password gets, so extensions cannot be enumerated.
func (s *Server) authenticate(req *sip.Request, tx sip.ServerTransaction) (user string, ok bool) {
	hdrName, chalName, code, reason := "Authorization", "WWW-Authenticate", 401, "Unauthorized"
	if req.Method != sip.REGISTER {
		hdrName, chalName, code, reason = "Proxy-Authorization", "Proxy-Authenticate", 407, "Proxy Authentication Required"
	}
	var value string
	if h := req.GetHeader(hdrName); h != nil {
		value = h.Value()
	}
	stale := false
	// Nonces are bound to the client's address: a sender must receive our
	// challenges before its failures count (a spoofed source cannot).
	client := sourceOf(req).Addr().String()
	if value != "" {
		res, err := s.auth.VerifyFor(string(req.Method), digestURI(req, value), value, client, s.credentials)
		switch {
		case err == nil:
			return res.User, true
		case errors.Is(err, digest.ErrStale), errors.Is(err, digest.ErrUnknownNonce):
			// Expired, from before a restart, or not issued to this
			// address: the phone retries with a fresh nonce; not a failure.
			stale = true
		case errors.Is(err, digest.ErrDenied):
			user := ""
			if p, perr := digest.ParseAuthorization(value); perr == nil {
				user = truncate(p["username"], 64)
			}
			s.log.Warn("authentication failed", "method", req.Method, "source", req.Source(), "user", user, "reason", digest.Reason(err))
			src := sourceOf(req).Addr()
			s.bans.failed(src, user)
			if s.bans.isBanned(src) {
				return "", false // from now on, silence
			}
		default:
			s.log.Warn("malformed credentials", "method", req.Method, "source", req.Source(), "err", err)
		}
	}
	var hdrs []sip.Header
	for _, c := range s.auth.ChallengeFor(stale, client) {
		hdrs = append(hdrs, sip.NewHeader(chalName, c))
	}
	s.respond(tx, req, code, reason, hdrs...)
	return "", false
}

func (r *registrar) handle(req *sip.Request, tx sip.ServerTransaction) {
	s := r.s
	user, ok := s.authenticate(req, tx)
	if !ok {
		return
	}
	to := req.To()
	if to == nil || to.Address.User != user {
		s.respond(tx, req, 403, "Forbidden")
		return
	}
	now := s.o.Now()
	defExpires := s.o.MaxExpires
	if h := req.GetHeader("Expires"); h != nil {
		n, err := strconv.Atoi(strings.TrimSpace(h.Value()))
		if err != nil || n < 0 {
			s.respond(tx, req, 400, "Bad Expires")
			return
		}
		defExpires = time.Duration(n) * time.Second
	}
	callID := ""
	if c := req.CallID(); c != nil {
		callID = c.Value()
	}
	var cseq uint32
	if c := req.CSeq(); c != nil {
		cseq = c.SeqNo
	}

	contacts := req.GetHeaders("Contact")
	r.mu.Lock()
	for _, h := range contacts {
		ch, ok := h.(*sip.ContactHeader)
		if !ok {
			r.mu.Unlock()
			s.respond(tx, req, 400, "Bad Contact")
			return
		}
		if ch.Address.Wildcard {
			if defExpires != 0 || len(contacts) != 1 {
				r.mu.Unlock()
				s.respond(tx, req, 400, "Wildcard Contact Needs Expires 0")
				return
			}
			delete(r.bindings, user)
			r.dirty = true
			s.log.Info("unregistered", "extension", user, "contacts", "*")
			continue
		}
		exp := defExpires
		if v, ok := ch.Params.Get("expires"); ok {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				r.mu.Unlock()
				s.respond(tx, req, 400, "Bad Contact Expires")
				return
			}
			exp = time.Duration(n) * time.Second
		}
		uri := ch.Address.String()
		if exp == 0 {
			r.removeLocked(user, uri)
			s.log.Info("unregistered", "extension", user, "contact", uri)
			continue
		}
		if exp < s.o.MinExpires {
			r.mu.Unlock()
			s.respond(tx, req, 423, "Interval Too Brief", sip.NewHeader("Min-Expires", strconv.Itoa(int(s.o.MinExpires/time.Second))))
			return
		}
		exp = min(exp, s.o.MaxExpires)
		b := Binding{
			AOR: user, Contact: uri, Source: sourceOf(req).String(),
			Transport: sip.NetworkToLower(req.Transport()), CallID: callID, CSeq: cseq,
			Expires: now.Add(exp), Updated: now,
		}
		if ua := req.GetHeader("User-Agent"); ua != nil {
			b.UserAgent = truncate(ua.Value(), 128)
		}
		if err := r.upsertLocked(b); err != nil {
			r.mu.Unlock()
			s.respond(tx, req, 403, "Too Many Contacts")
			return
		}
	}
	current := append([]Binding(nil), r.bindings[user]...)
	r.mu.Unlock()

	res := s.newResponse(req, 200, "OK", nil)
	for _, b := range current {
		left := int(b.Expires.Sub(now).Round(time.Second) / time.Second)
		if left <= 0 {
			continue
		}
		res.AppendHeader(sip.NewHeader("Contact", fmt.Sprintf("<%s>;expires=%d", b.Contact, left)))
	}
	res.AppendHeader(sip.NewHeader("Date", now.UTC().Format(time.RFC1123)))
	s.write(tx, res)
}

func (r *registrar) removeLocked(aor, contact string) {
	bs := r.bindings[aor]
	for i, b := range bs {
		if b.Contact == contact {
			r.bindings[aor] = append(bs[:i:i], bs[i+1:]...)
			r.dirty = true
			break
		}
	}
	if len(r.bindings[aor]) == 0 {
		delete(r.bindings, aor)
	}
}

func (r *registrar) upsertLocked(b Binding) error {
	bs := r.bindings[b.AOR]
	for i, old := range bs {
		if old.Contact == b.Contact {
			isNew := old.Source != b.Source || old.Transport != b.Transport
			b.Created = old.Created
			bs[i] = b
			// A refresh changes only the expiry: save it at the next flush,
			// which a restart needs, but don't log it.
			r.dirty = true
			if isNew {
				r.s.log.Info("registered", "extension", b.AOR, "contact", b.Contact, "source", b.Source, "transport", b.Transport)
			}
			return nil
		}
	}
	if len(bs) >= maxBindingsPerAOR {
		return errTooManyContacts
	}
	b.Created = b.Updated
	r.bindings[b.AOR] = append(bs, b)
	r.dirty = true
	r.s.log.Info("registered", "extension", b.AOR, "contact", b.Contact, "source", b.Source, "transport", b.Transport, "user_agent", b.UserAgent)
	return nil
}

// Registrations returns the live bindings, ordered by extension.
func (s *Server) Registrations() []Binding { return s.reg.all() }

// Unregister drops every binding of an extension (it was deleted).
func (s *Server) Unregister(aor string) {
	s.reg.mu.Lock()
	if _, ok := s.reg.bindings[aor]; ok {
		delete(s.reg.bindings, aor)
		s.reg.dirty = true
	}
	s.reg.mu.Unlock()
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// bindingTarget is where requests for a binding go: the Contact as
// Request-URI, sent to the address the REGISTER came from.
func bindingTarget(b Binding) (sip.Uri, netip.AddrPort, error) {
	var uri sip.Uri
	if err := sip.ParseUri(b.Contact, &uri); err != nil {
		return uri, netip.AddrPort{}, fmt.Errorf("sip: stored contact %q: %w", b.Contact, err)
	}
	src, err := netip.ParseAddrPort(b.Source)
	if err != nil {
		return uri, netip.AddrPort{}, fmt.Errorf("sip: stored source %q: %w", b.Source, err)
	}
	return uri, src, nil
}

// RegistrationOf returns the binding calls to an extension would use.
func (s *Server) RegistrationOf(aor string) (Binding, bool) { return s.reg.lookup(aor) }

// digestURI returns the digest uri parameter when it names the same target
// as the Request-URI (sipgo re-serialises the Request-URI, so the wire form
// is not at hand), or the re-serialised Request-URI, which then fails the
// digest check as a mismatch.
func digestURI(req *sip.Request, authorization string) string {
	p, err := digest.ParseAuthorization(authorization)
	if err != nil {
		return req.Recipient.String()
	}
	var u sip.Uri
	if err := sip.ParseUri(p["uri"], &u); err != nil {
		return req.Recipient.String()
	}
	r := req.Recipient
	port := func(x sip.Uri) int {
		if x.Port == 0 {
			return 5060
		}
		return x.Port
	}
	if strings.EqualFold(u.Scheme, r.Scheme) && u.User == r.User && strings.EqualFold(u.Host, r.Host) && port(u) == port(r) {
		return p["uri"]
	}
	return req.Recipient.String()
}
