package sip

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Trunk is a line to a SIP provider: the box places outside calls through
// it and takes the calls to the business's numbers from it.
//
// A provider either wants the box to register (Register, with Username and
// Password) or knows the box by its address and sends calls from addresses
// listed in Sources (IP authentication). Calls from a trunk are never
// challenged: they are recognised by their source, so Sources must name
// the provider's addresses exactly.
type Trunk struct {
	Name string
	// Host is the provider's domain or address, "host" or "host:port".
	// Without a port, a domain is looked up by DNS SRV (_sip._udp,
	// _sip._tcp or _sips._tcp) and every target is tried in turn, then
	// by its address records on 5060 (5061 for TLS).
	Host      string
	Transport string // "udp" (default), "tcp" or "tls"
	// Proxy, when set ("host[:port]"), is where requests are sent; the
	// Request-URI still names Host.
	Proxy    string
	Username string // the account: From user of REGISTER and of calls
	AuthUser string // digest username when it differs from Username
	Password string
	// Realm, when set, is the only digest realm the trunk's credentials
	// are given to; a challenge from another realm is refused (a
	// misrouted or hostile server learns nothing). "" = any realm.
	Realm    string
	Register bool          // keep a registration with the provider
	Expiry   time.Duration // registration time asked for; 0 = 5 min
	// Sources are where the provider's calls come from: an address
	// ("203.0.113.5"), a network ("203.0.113.0/28") or an address and
	// port ("127.0.0.1:5080"). A registered trunk also takes calls from
	// the address it registered to.
	Sources []string
	Codecs  []string // allowed audio codecs in order; nil = PCMU, PCMA
	// Number is the calling number presented when the route gives none
	// (the business's main number); "" = the caller's extension number.
	Number string
	// CallerID says how the calling number is presented: "from" (the
	// From header, the default), "pai" (P-Asserted-Identity, From keeps
	// the account) or "rpid" (Remote-Party-ID, likewise).
	CallerID string
	// DTMF is how keys pressed during a call reach the provider:
	// "rfc4733" (telephone-event packets, the default) or "inband" (tones
	// in the audio, for providers that do not negotiate telephone-event;
	// the box turns phones' key events into tones).
	DTMF string
	// MaxChannels bounds the calls carried at once, both ways; 0 = no limit.
	MaxChannels int
	// KeepAlive is how often OPTIONS checks the provider answers; 0 = 30 s,
	// negative = never (the trunk is then reported up).
	KeepAlive time.Duration
}

// TrunkStatus is a trunk's state as the panel shows it.
type TrunkStatus struct {
	Name       string
	Up         bool      // the provider answers (OPTIONS or REGISTER)
	Registered bool      // for Register trunks: the registration holds
	Until      time.Time // when the registration expires
	Address    string    // the provider address last used
	LastError  string    // why the last registration or check failed
	Since      time.Time // when Up last changed
	Calls      int       // calls carried now
}

// TrunkAttempt is one way to place an outside call: the trunk and the
// number as that trunk wants it (prefixes stripped or added).
type TrunkAttempt struct {
	Trunk  string
	Number string
	// Start, when set, is asked before the trunk is tried (a toll-fraud
	// limiter): an error skips the trunk; the release it returns is called
	// when the attempt fails or the call ends.
	Start func() (release func(), err error)
}

// ErrTrunk is wrapped by SetTrunks' validation errors.
var ErrTrunk = errors.New("sip: invalid trunk")

// TrunkError says which setting of which trunk is wrong. It wraps ErrTrunk.
type TrunkError struct {
	Trunk, Field, Problem string
}

func (e *TrunkError) Error() string {
	return fmt.Sprintf("%v %q: %s", ErrTrunk, e.Trunk, e.Problem)
}

func (e *TrunkError) Unwrap() error { return ErrTrunk }

func trunkErr(name, field, format string, args ...any) error {
	return &TrunkError{Trunk: name, Field: field, Problem: fmt.Sprintf(format, args...)}
}

// Validate reports what is wrong with t, as SetTrunks would.
func (t Trunk) Validate() error {
	_, err := t.normalize()
	return err
}

// normalize checks a trunk and fills in defaults.
func (t Trunk) normalize() (Trunk, error) {
	if t.Name == "" || len(t.Name) > 64 || strings.ContainsAny(t.Name, " \t\r\n/") {
		return t, trunkErr(t.Name, "name", "name must be 1 to 64 characters without spaces or slashes")
	}
	t.Transport = strings.ToLower(t.Transport)
	switch t.Transport {
	case "":
		t.Transport = "udp"
	case "udp", "tcp", "tls":
	default:
		return t, trunkErr(t.Name, "transport", "transport %q: want udp, tcp or tls", t.Transport)
	}
	if _, _, err := splitHostPort(t.Host); err != nil || t.Host == "" {
		return t, trunkErr(t.Name, "host", "host %q is not a host name or address", t.Host)
	}
	if t.Proxy != "" {
		if _, _, err := splitHostPort(t.Proxy); err != nil {
			return t, trunkErr(t.Name, "proxy", "proxy %q is not a host name or address", t.Proxy)
		}
	}
	if t.Register && (t.Username == "" || t.Password == "") {
		return t, trunkErr(t.Name, "password", "registration needs a username and a password")
	}
	if !t.Register && len(t.Sources) == 0 {
		return t, trunkErr(t.Name, "sources", "a trunk that does not register needs the addresses its calls come from")
	}
	for _, src := range t.Sources {
		if _, err := parseSource(src); err != nil {
			return t, trunkErr(t.Name, "sources", "source %q: want an address, address/bits or address:port", src)
		}
	}
	if t.Expiry == 0 {
		t.Expiry = 5 * time.Minute
	}
	if t.Expiry < time.Minute || t.Expiry > 24*time.Hour {
		return t, trunkErr(t.Name, "expiry", "registration expiry %v: want 1 min to 24 h", t.Expiry)
	}
	if len(t.Codecs) == 0 {
		t.Codecs = slices.Clone(codecPreference)
	}
	for _, c := range t.Codecs {
		if !slices.Contains(codecPreference, c) {
			return t, trunkErr(t.Name, "codecs", "codec %q: want %s", c, strings.Join(codecPreference, " or "))
		}
	}
	switch t.CallerID {
	case "":
		t.CallerID = "from"
	case "from", "pai", "rpid":
	default:
		return t, trunkErr(t.Name, "caller_id_mode", "caller ID presentation %q: want from, pai or rpid", t.CallerID)
	}
	switch t.DTMF {
	case "":
		t.DTMF = "rfc4733"
	case "rfc4733", "inband":
	default:
		return t, trunkErr(t.Name, "dtmf", "DTMF mode %q: want rfc4733 or inband", t.DTMF)
	}
	if t.MaxChannels < 0 {
		return t, trunkErr(t.Name, "max_channels", "maximum channels %d: want 0 (no limit) or more", t.MaxChannels)
	}
	if t.KeepAlive == 0 {
		t.KeepAlive = 30 * time.Second
	}
	if t.KeepAlive > 0 && t.KeepAlive < 5*time.Second {
		t.KeepAlive = 5 * time.Second
	}
	return t, nil
}

// domain is the host part of Host, for Request-URIs and From/To.
func (t *Trunk) domain() string {
	h, _, _ := splitHostPort(t.Host)
	return h
}

func (t *Trunk) authUser() string {
	if t.AuthUser != "" {
		return t.AuthUser
	}
	return t.Username
}

// splitHostPort splits "host", "host:port", "[v6]:port" or a bare IPv6
// address; port is 0 when absent.
func splitHostPort(s string) (host string, port int, err error) {
	if s == "" {
		return "", 0, errors.New("empty")
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a.String(), 0, nil
	}
	if h, p, err := net.SplitHostPort(s); err == nil {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 65535 {
			return "", 0, fmt.Errorf("port %q", p)
		}
		if !validHost(h) {
			return "", 0, fmt.Errorf("host %q", h)
		}
		return h, n, nil
	}
	if !validHost(s) {
		return "", 0, fmt.Errorf("host %q", s)
	}
	return s, 0, nil
}

func validHost(h string) bool {
	if _, err := netip.ParseAddr(h); err == nil {
		return true
	}
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// sourceRule is a parsed Trunk.Sources entry.
type sourceRule struct {
	prefix netip.Prefix
	port   uint16 // 0 = any
}

func parseSource(s string) (sourceRule, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return sourceRule{prefix: p.Masked()}, nil
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return sourceRule{prefix: netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())}, nil
	}
	ap, err := netip.ParseAddrPort(s)
	if err != nil {
		return sourceRule{}, err
	}
	a := ap.Addr().Unmap()
	return sourceRule{prefix: netip.PrefixFrom(a, a.BitLen()), port: ap.Port()}, nil
}

func (s sourceRule) matches(ap netip.AddrPort) bool {
	return s.prefix.Contains(ap.Addr().Unmap()) && (s.port == 0 || s.port == ap.Port())
}

// Resolver looks up SIP servers; *net.Resolver is one.
type Resolver interface {
	LookupSRV(ctx context.Context, service, proto, name string) (string, []*net.SRV, error)
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// resolveTargets returns the addresses to try for hostport over transport,
// in order (RFC 3263, without NAPTR): an address literal as is; a name with
// a port by its address records; a name without one by SRV, each target by
// its address records in SRV order, or by its address records on the
// transport's default port when it has no SRV records.
func resolveTargets(ctx context.Context, r Resolver, hostport, transport string) ([]netip.AddrPort, error) {
	host, port, err := splitHostPort(hostport)
	if err != nil {
		return nil, err
	}
	defPort := 5060
	if transport == "tls" {
		defPort = 5061
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if port == 0 {
			port = defPort
		}
		return []netip.AddrPort{netip.AddrPortFrom(a.Unmap(), uint16(port))}, nil
	}
	var out []netip.AddrPort
	addrs := func(name string, p int) error {
		ips, err := r.LookupNetIP(ctx, "ip", name)
		for _, ip := range ips {
			ap := netip.AddrPortFrom(ip.Unmap(), uint16(p))
			if !slices.Contains(out, ap) {
				out = append(out, ap)
			}
		}
		return err
	}
	if port != 0 {
		if err := addrs(host, port); len(out) == 0 {
			return nil, fmt.Errorf("sip: resolve %s: %w", host, err)
		}
		return out, nil
	}
	service, proto := "sip", transport
	if transport == "tls" {
		service, proto = "sips", "tcp"
	}
	var lastErr error
	if _, srvs, err := r.LookupSRV(ctx, service, proto, host); err == nil && len(srvs) > 0 {
		for _, srv := range srvs { // sorted by priority, weighted at random
			if srv.Target == "." {
				continue
			}
			if err := addrs(strings.TrimSuffix(srv.Target, "."), int(srv.Port)); err != nil {
				lastErr = err
			}
		}
	} else if err := addrs(host, defPort); err != nil {
		lastErr = err
	}
	if len(out) == 0 {
		if lastErr == nil {
			lastErr = errors.New("no address")
		}
		return nil, fmt.Errorf("sip: resolve %s: %w", host, lastErr)
	}
	return out, nil
}

// trunks holds the configured trunks and their running state.
type trunks struct {
	mu      sync.Mutex
	m       map[string]*trunkRun
	started bool // Start ran: new trunks start at once
}

// trunkRun is one configured trunk while it is in use.
type trunkRun struct {
	t       Trunk
	sources []sourceRule
	stop    context.CancelFunc
	done    chan struct{}

	mu     sync.Mutex
	status TrunkStatus
	regAt  netip.AddrPort // where the registration is held
	calls  int
}

// SetTrunks replaces the configured trunks. Trunks whose settings did not
// change keep their registration and calls; removed or changed ones
// unregister. Calls in progress are not cut. It fails, changing nothing,
// when a trunk is invalid or two share a name.
func (s *Server) SetTrunks(list []Trunk) error {
	norm := make([]Trunk, 0, len(list))
	seen := map[string]bool{}
	for _, t := range list {
		n, err := t.normalize()
		if err != nil {
			return err
		}
		if seen[n.Name] {
			return trunkErr(n.Name, "name", "two trunks have this name")
		}
		seen[n.Name] = true
		norm = append(norm, n)
	}
	s.trunks.mu.Lock()
	defer s.trunks.mu.Unlock()
	old := s.trunks.m
	next := make(map[string]*trunkRun, len(norm))
	for _, t := range norm {
		if r, ok := old[t.Name]; ok && sameTrunk(r.t, t) {
			next[t.Name] = r
			delete(old, t.Name)
			continue
		}
		r := &trunkRun{t: t, done: make(chan struct{})}
		for _, src := range t.Sources {
			p, _ := parseSource(src)
			r.sources = append(r.sources, p)
		}
		r.status = TrunkStatus{Name: t.Name, Up: t.KeepAlive < 0 && !t.Register, Since: s.o.Now()}
		next[t.Name] = r
		if s.trunks.started {
			s.startTrunk(r)
		} else {
			close(r.done)
		}
	}
	s.trunks.m = next
	for _, r := range old {
		if r.stop != nil {
			r.stop()
		}
	}
	return nil
}

// sameTrunk says whether two normalized trunks have every setting alike
// (a new field counts without being listed here).
func sameTrunk(a, b Trunk) bool { return reflect.DeepEqual(a, b) }

// TrunkStatuses returns every configured trunk's state, by name.
func (s *Server) TrunkStatuses() []TrunkStatus {
	s.trunks.mu.Lock()
	runs := make([]*trunkRun, 0, len(s.trunks.m))
	for _, r := range s.trunks.m {
		runs = append(runs, r)
	}
	s.trunks.mu.Unlock()
	out := make([]TrunkStatus, 0, len(runs))
	for _, r := range runs {
		r.mu.Lock()
		st := r.status
		st.Calls = r.calls
		r.mu.Unlock()
		out = append(out, st)
	}
	slices.SortFunc(out, func(a, b TrunkStatus) int { return strings.Compare(a.Name, b.Name) })
	return out
}

func (s *Server) trunk(name string) (*trunkRun, bool) {
	s.trunks.mu.Lock()
	defer s.trunks.mu.Unlock()
	r, ok := s.trunks.m[name]
	return r, ok
}

// trunkFrom returns the trunk a request from src belongs to, if any.
func (s *Server) trunkFrom(src netip.AddrPort) (*trunkRun, bool) {
	s.trunks.mu.Lock()
	defer s.trunks.mu.Unlock()
	for _, r := range s.trunks.m {
		for _, p := range r.sources {
			if p.matches(src) {
				return r, true
			}
		}
		r.mu.Lock()
		at := r.regAt
		r.mu.Unlock()
		if at.IsValid() && at == src {
			return r, true
		}
	}
	return nil, false
}

// acquire counts a call on the trunk unless it carries its maximum.
func (r *trunkRun) acquire() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.t.MaxChannels > 0 && r.calls >= r.t.MaxChannels {
		return false
	}
	r.calls++
	return true
}

func (r *trunkRun) release() {
	r.mu.Lock()
	r.calls--
	r.mu.Unlock()
}

// setStatus changes the trunk's state through f and reports a change of
// Up or Registered.
func (s *Server) setTrunkStatus(r *trunkRun, f func(st *TrunkStatus)) {
	r.mu.Lock()
	before := r.status
	f(&r.status)
	if r.status.Up != before.Up {
		r.status.Since = s.o.Now()
	}
	after := r.status
	after.Calls = r.calls
	r.mu.Unlock()
	if after.Up == before.Up && after.Registered == before.Registered {
		return
	}
	s.log.Info("trunk status", "trunk", after.Name, "up", after.Up, "registered", after.Registered, "address", after.Address, "err", after.LastError)
	if s.o.OnTrunkStatus != nil {
		s.o.OnTrunkStatus(after)
	}
}
