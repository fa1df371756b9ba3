package ports

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"deskline/hw"
	"deskline/hw/line"
	"deskline/media"
	"deskline/media/fsk"
	"deskline/media/tone"
)

// Errors returned by the Gateway, wrapped with details (test with errors.Is).
var (
	// ErrInvalid is returned for a bad option or argument; the message
	// names the field.
	ErrInvalid = errors.New("ports: invalid")
	// ErrClosed is returned after Close.
	ErrClosed = errors.New("ports: gateway closed")
	// ErrExists is returned when a port or an extension is added twice.
	ErrExists = errors.New("ports: already added")
)

// Options configure a Gateway.
type Options struct {
	// SIPAddr is the box's SIP server, "host:port" over UDP.
	SIPAddr string
	// Media hands out the RTP ports of the gateway's call legs.
	Media *media.PortPool
	// Country picks dial, ringback and busy tones (media/tone), the ring
	// cadence (hw/line, lower case there) and the caller-ID modem: Bell
	// 202 for US and CA, V.23 elsewhere. Default "US".
	Country string
	// Credentials gives an FXS extension's SIP digest user and password.
	Credentials func(ext string) (user, pass string, ok bool)
	// Logger; nil discards.
	Logger *slog.Logger
	// Now is the ports' clock (a simulated port's Clock.Now); nil means
	// time.Now. Digit timeouts and the caller-ID moment are on it.
	Now func() time.Time
	// DigitTimeout ends dialling this long after the last digit. Default 4 s.
	DigitTimeout time.Duration
	// FirstDigitTimeout gives up (congestion tone) when nothing is dialled
	// this long after lifting the handset. Default 15 s.
	FirstDigitTimeout time.Duration
	// RegisterExpiry is the registration time asked for. Default 300 s;
	// the registration is refreshed at half of what the box grants.
	RegisterExpiry time.Duration
}

// LineOptions describe an FXO line.
type LineOptions struct {
	// Trunk is the name of the box's trunk the line belongs to (for logs
	// and status: the box recognises the line by its address).
	Trunk string
	// DID is the number the box is called at for calls ringing in.
	DID string
	// AnswerAfterRings is how many rings the line rings before it is
	// seized; default 2 (caller ID comes between the first two).
	AnswerAfterRings int
}

// Status is one port's state, for a panel or a test.
type Status struct {
	Port      string `json:"port"`
	Kind      string `json:"kind"`
	Extension string `json:"extension,omitempty"`
	Trunk     string `json:"trunk,omitempty"`
	DID       string `json:"did,omitempty"`
	// SIPAddr is the port's own SIP address.
	SIPAddr    string `json:"sip_addr"`
	Registered bool   `json:"registered"`
	// State is idle, dialtone, dialling, calling, ringing, talking, busy
	// (the far end is gone or refused) or seized.
	State  string `json:"state"`
	Digits string `json:"digits,omitempty"`
}

// Gateway drives analog ports as SIP endpoints of the box. Create it with
// New; it is safe for concurrent use.
type Gateway struct {
	o    Options
	box  netip.AddrPort
	log  *slog.Logger
	bind netip.Addr

	dial, ringback, busy, congestion tone.Tone
	cadence                          hw.Cadence
	fskMode                          fsk.Mode

	mu     sync.Mutex
	ends   []*endpoint
	closed bool
}

// New checks o and returns a Gateway with no ports.
func New(o Options) (*Gateway, error) {
	box, err := netip.ParseAddrPort(o.SIPAddr)
	if err != nil {
		return nil, fmt.Errorf("%w: SIPAddr %q: %v", ErrInvalid, o.SIPAddr, err)
	}
	if o.Media == nil {
		return nil, fmt.Errorf("%w: Media: a port pool is required", ErrInvalid)
	}
	if o.Country == "" {
		o.Country = "US"
	}
	o.Country = strings.ToUpper(o.Country)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.DigitTimeout <= 0 {
		o.DigitTimeout = 4 * time.Second
	}
	if o.FirstDigitTimeout <= 0 {
		o.FirstDigitTimeout = 15 * time.Second
	}
	if o.RegisterExpiry <= 0 {
		o.RegisterExpiry = 300 * time.Second
	}
	g := &Gateway{o: o, box: box, log: o.Logger.With("component", "ports"), bind: box.Addr()}
	if box.Addr().IsUnspecified() {
		g.bind = netip.AddrFrom4([4]byte{127, 0, 0, 1})
		g.box = netip.AddrPortFrom(g.bind, box.Port())
	}
	for _, t := range []struct {
		k   tone.Kind
		dst *tone.Tone
	}{{tone.Dial, &g.dial}, {tone.Ringback, &g.ringback}, {tone.Busy, &g.busy}, {tone.Congestion, &g.congestion}} {
		var ok bool
		if *t.dst, ok = tone.Lookup(o.Country, t.k); !ok {
			return nil, fmt.Errorf("%w: Country %q: no %v tone", ErrInvalid, o.Country, t.k)
		}
	}
	cc := strings.ToLower(o.Country)
	if cc == "uk" {
		cc = "gb"
	}
	var ok bool
	if g.cadence, ok = line.Cadence(cc); !ok {
		g.cadence, _ = line.Cadence("us")
	}
	g.fskMode = fsk.V23
	if cc == "us" || cc == "ca" {
		g.fskMode = fsk.Bell202
	}
	return g, nil
}

// AddFXS makes port (an FXS port) extension ext: its endpoint registers to
// the box with Options.Credentials(ext) and keeps the registration.
func (g *Gateway) AddFXS(port hw.Port, ext string) error {
	if port == nil || port.Kind() != hw.FXS {
		return fmt.Errorf("%w: port: want an FXS port", ErrInvalid)
	}
	if ext == "" || strings.Trim(ext, "0123456789") != "" {
		return fmt.Errorf("%w: extension %q: want digits", ErrInvalid, ext)
	}
	if g.o.Credentials == nil {
		return fmt.Errorf("%w: Credentials: needed for FXS ports", ErrInvalid)
	}
	if _, _, ok := g.o.Credentials(ext); !ok {
		return fmt.Errorf("%w: extension %q: no credentials", ErrInvalid, ext)
	}
	_, err := g.add(port, func(e *endpoint) { e.ext = ext }, func(e *endpoint) bool { return e.ext == ext })
	return err
}

// AddFXO makes port (an FXO port) a line of a trunk and returns the
// address of its SIP endpoint: the trunk's host and its only source.
func (g *Gateway) AddFXO(port hw.Port, l LineOptions) (sipAddr string, err error) {
	if port == nil || port.Kind() != hw.FXO {
		return "", fmt.Errorf("%w: port: want an FXO port", ErrInvalid)
	}
	if l.DID == "" || strings.Trim(strings.TrimPrefix(l.DID, "+"), "0123456789") != "" {
		return "", fmt.Errorf("%w: DID %q: want a number", ErrInvalid, l.DID)
	}
	if l.AnswerAfterRings < 0 {
		return "", fmt.Errorf("%w: AnswerAfterRings %d: want 0 (default 2) or more", ErrInvalid, l.AnswerAfterRings)
	}
	if l.AnswerAfterRings == 0 {
		l.AnswerAfterRings = 2
	}
	e, err := g.add(port, func(e *endpoint) { e.line = l }, func(*endpoint) bool { return false })
	if err != nil {
		return "", err
	}
	return e.addr.String(), nil
}

func (g *Gateway) add(port hw.Port, set func(*endpoint), dup func(*endpoint) bool) (*endpoint, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil, ErrClosed
	}
	for _, e := range g.ends {
		if e.port == port || e.port.String() == port.String() || dup(e) {
			return nil, fmt.Errorf("%w: %v", ErrExists, port)
		}
	}
	e, err := newEndpoint(g, port, set)
	if err != nil {
		return nil, err
	}
	g.ends = append(g.ends, e)
	return e, nil
}

// Status lists the ports in the order they were added.
func (g *Gateway) Status() []Status {
	g.mu.Lock()
	ends := slices.Clone(g.ends)
	g.mu.Unlock()
	out := make([]Status, 0, len(ends))
	for _, e := range ends {
		out = append(out, e.status())
	}
	return out
}

// Close hangs up every call, halts every port (AddFXS and AddFXO hand the
// port over to the gateway), stops every goroutine and waits for them.
// Registrations are not withdrawn: they expire. It is idempotent.
func (g *Gateway) Close() error {
	g.mu.Lock()
	ends := g.ends
	g.ends, g.closed = nil, true
	g.mu.Unlock()
	for _, e := range ends {
		e.close()
	}
	return nil
}
