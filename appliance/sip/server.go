package sip

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"deskline/appliance/sip/digest"
	"deskline/media"
	"deskline/media/sched"
	"deskline/media/sdp"
	"deskline/media/tone"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Directory answers who may register and be called. It is called on every
// REGISTER and INVITE, possibly concurrently.
type Directory interface {
	// Credentials returns an extension's stored HA1 per digest algorithm;
	// ok is false when no such extension exists.
	Credentials(number string) (ha1 map[digest.Algorithm]string, ok bool)
	// DisplayName returns the name shown to callees for an extension.
	DisplayName(number string) string
}

// Router resolves what a caller dialled. It must be a pure function of
// configuration and time; it is called once per new call.
type Router interface {
	Route(caller, dialled string) Target
}

// TargetKind is what a dialled string resolved to.
type TargetKind uint8

const (
	TargetNone      TargetKind = iota // nothing: answered 404
	TargetExtension                   // a local extension
	TargetService                     // a service of the box's own: Options.OnService answers it
	TargetTrunk                       // an outside number: Trunks are tried in order
	TargetRefused                     // not allowed: answered Code with Refusal as the reason
)

// Target is the result of routing a dialled string.
type Target struct {
	Kind      TargetKind
	Extension string
	Service   string // for TargetService: which one
	Args      string // for TargetService: digits dialled after its code
	// Fallback, for TargetExtension, is the service a caller is put
	// through to when the extension does not answer, is busy or has no
	// phone registered (its voicemail); nil = the caller hears why.
	Fallback *Target
	// Reason is set on a Fallback when it is used: "no-answer", "busy"
	// or "unavailable".
	Reason string
	// For TargetTrunk: the trunks to try, in order, each with the number
	// as it wants it. The next is tried when one is unreachable, full,
	// congested (503 and other 5xx), refuses our credentials or does not
	// answer within 5 s; not when the number is busy or does not exist.
	Trunks []TrunkAttempt
	// For TargetTrunk: the calling number and name presented to the
	// provider; "" = the caller's extension number and name.
	CallerID, CallerName string
	// For TargetRefused: the SIP status (403 when 0) and the reason
	// phrase the caller's phone shows, e.g. "International calls barred".
	Code    int
	Refusal string
	// Release, when set, is called once when the call ends, however it
	// ends (a limiter's slot).
	Release func()
}

// BindingStore persists registrations so that a restart keeps phones
// reachable. Save is called with the full current set after changes (at most
// once per flush interval), Load once at start.
type BindingStore interface {
	SaveBindings(b []Binding) error
	LoadBindings() ([]Binding, error)
}

// Options configures a Server. Directory, Router and Media are required; the
// other fields have useful zero values.
type Options struct {
	Addr  string // UDP and TCP listen address, e.g. "127.0.0.1:5060"; port 0 picks one
	Realm string // digest realm; "" = "deskline"
	// DigestAlgorithms are offered in this order, one challenge each. nil =
	// MD5 only: many phones in the field (baresip 1.0 among them) fail on
	// any SHA-256 challenge, so RFC 8760 offering is something to turn on.
	DigestAlgorithms []digest.Algorithm
	Directory        Directory
	Router           Router
	Media            *media.PortPool
	Bindings         BindingStore  // nil = registrations live in memory only
	Bans             BanStore      // nil = bans live in memory only
	BanPolicy        BanPolicy     // when failed authentication bans a source
	OnBan            func(Ban)     // called after a source is banned (for the audit log), on a goroutine of the server's, never on the packet path; may be nil
	FloodPolicy      FloodPolicy   // how fast one source may send requests
	MaxCalls         int           // calls carried at once; more get 503; 0 = as many as RTP ports allow
	TCPPerSource     int           // TCP connections one address may hold; 0 = 100 (an office behind NAT)
	TCPFirstRead     time.Duration // a TCP connection must send something this soon; 0 = 30 s
	TCPIdle          time.Duration // then may stay silent this long; 0 = MaxExpires + 5 min
	// TLSAddr, when set with TLSConfig, is where SIP over TLS is served
	// (e.g. ":5061"; port 0 picks one). TLS connections count against
	// TCPPerSource with the TCP ones and get the same read timeouts.
	TLSAddr      string
	TLSConfig    *tls.Config   // the server side: its certificate (GetCertificate)
	TLSHandshake time.Duration // a TLS handshake must finish this soon; 0 = 10 s
	// ScannerAgents are User-Agent fragments whose requests are dropped
	// unanswered; nil = a built-in list of known scanners, empty = none.
	ScannerAgents []string
	OnCDR         func(CallRecord) // called once per call when it ends, from the call's goroutine
	Logger        *slog.Logger     // nil = slog.Default()
	Now           func() time.Time // nil = time.Now
	UserAgent     string           // Server/User-Agent header; "" = "Deskline"

	// Country picks the call-progress tones callers hear (ringback), by
	// ISO 3166 code as media/tone knows them; "" = "US".
	Country string
	// MusicOnHold returns what a held party hears, a new Source per hold;
	// nil (or a nil Source) = silence.
	MusicOnHold func() media.Source
	// OnService runs a service of the box's own (TargetService) on the
	// caller's answered leg, on a goroutine of the call's; when it returns
	// the box hangs up. nil = such calls are answered and hung up at once.
	OnService func(*Channel)
	// SRTPPolicy says how an extension's phone uses SRTP: SRTPRequired
	// refuses plain RTP from it (488) and offers it only SRTP; otherwise
	// (and when nil) SRTP is used when the phone offers it.
	SRTPPolicy func(ext string) sdp.SRTPPolicy

	// RouteInbound routes a call that came in on a trunk: did is the
	// number the provider called (the business's number), caller the
	// calling number. nil = calls from trunks are refused (404).
	RouteInbound func(trunk, did, caller string) Target
	// OnTrunkStatus is called when a trunk goes up or down, or its
	// registration is granted or lost. It may be nil.
	OnTrunkStatus func(TrunkStatus)
	// Resolver looks up trunk hosts (DNS SRV and addresses); nil =
	// net.DefaultResolver.
	Resolver Resolver
	// TrunkTimeout is how long a trunk has to answer a request (REGISTER,
	// OPTIONS, or an INVITE with at least a 100 Trying) before the next
	// address or trunk is tried; 0 = 5 s.
	TrunkTimeout time.Duration

	NoAnswerTimeout time.Duration // callee rings this long before 480; 0 = 30 s
	MediaTimeout    time.Duration // a call with no audio from either phone this long is ended; 0 = 60 s
	MinExpires      time.Duration // shortest registration accepted; 0 = 60 s
	MaxExpires      time.Duration // longest registration granted; 0 = 1 h
	FlushInterval   time.Duration // how often changed bindings are saved; 0 = 2 s
}

// Server is the SIP side of the box. Create it with New, start it with Start,
// stop it with Close.
type Server struct {
	o      Options
	log    *slog.Logger
	auth   *digest.Server
	ua     *sipgo.UserAgent
	srv    *sipgo.Server
	client *sipgo.Client
	dlgUA  *sipgo.DialogUA

	udp     net.PacketConn
	tcp     net.Listener
	tls     net.Listener // nil without TLSAddr
	addr    netip.AddrPort
	tlsAddr netip.AddrPort

	connsOnce sync.Once
	conns     *sourceCounts // TCP and TLS connections per source

	reg          *registrar
	calls        *callTable
	trunks       trunks
	sched        *sched.Scheduler // paces every generated stream: ringback, music on hold
	rooms        rooms            // conference rooms in use
	ringbackTone tone.Tone
	strays       *strays
	bans         *bans
	floods       *floods
	scanners     [][]byte

	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	closing atomic.Bool // set by Close: new calls are refused
}

// New validates options and prepares a server; it does not listen yet.
func New(o Options) (*Server, error) {
	if o.Directory == nil || o.Router == nil || o.Media == nil {
		return nil, errors.New("sip: Options need Directory, Router and Media")
	}
	if o.Realm == "" {
		o.Realm = "deskline"
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.TrunkTimeout == 0 {
		o.TrunkTimeout = 5 * time.Second
	}
	if o.Resolver == nil {
		o.Resolver = net.DefaultResolver
	}
	if o.UserAgent == "" {
		o.UserAgent = "Deskline"
	}
	if o.NoAnswerTimeout == 0 {
		o.NoAnswerTimeout = 30 * time.Second
	}
	if o.MediaTimeout == 0 {
		o.MediaTimeout = 60 * time.Second
	}
	if o.MinExpires == 0 {
		o.MinExpires = 60 * time.Second
	}
	if o.MaxExpires == 0 {
		o.MaxExpires = time.Hour
	}
	if o.FlushInterval == 0 {
		o.FlushInterval = 2 * time.Second
	}
	if len(o.DigestAlgorithms) == 0 {
		o.DigestAlgorithms = []digest.Algorithm{digest.MD5}
	}
	auth, err := digest.NewServer(digest.Options{Realm: o.Realm, Now: o.Now, Algorithms: o.DigestAlgorithms})
	if err != nil {
		return nil, fmt.Errorf("sip: %w", err)
	}
	if o.Country == "" {
		o.Country = "US"
	}
	rb, ok := tone.Lookup(o.Country, tone.Ringback)
	if !ok {
		return nil, fmt.Errorf("sip: no tones for country %q (known: %s)", o.Country, strings.Join(tone.Countries(), ", "))
	}
	s := &Server{o: o, log: o.Logger.With("component", "sip"), auth: auth, sched: sched.New(nil), ringbackTone: rb}
	s.reg = newRegistrar(s)
	s.calls = newCallTable()
	s.strays = newStrays(s)
	s.bans = newBans(s, o.BanPolicy)
	s.floods = newFloods(s, o.FloodPolicy)
	if o.ScannerAgents == nil {
		s.scanners = scannerAgents
	} else {
		for _, a := range o.ScannerAgents {
			if a = strings.ToLower(strings.TrimSpace(a)); a != "" {
				s.scanners = append(s.scanners, []byte(a))
			}
		}
	}
	return s, nil
}

// Start listens on UDP and TCP and serves until Close. Stored registrations
// that have not expired are restored first.
func (s *Server) Start() error {
	if err := s.reg.load(); err != nil {
		s.log.Warn("stored registrations not restored", "err", err)
	}
	if err := s.bans.load(); err != nil {
		s.log.Warn("stored bans not restored", "err", err)
	}
	udp, tcp, err := listenBoth(s.o.Addr)
	if err != nil {
		return fmt.Errorf("sip: listen %s: %w", s.o.Addr, err)
	}
	s.udp, s.tcp = udp, tcp
	if err := s.listenTLS(); err != nil {
		return s.closeListeners(err)
	}
	ap := udp.LocalAddr().(*net.UDPAddr).AddrPort()
	s.addr = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())

	// sipgo's transport layer logs through its package default (every junk
	// datagram at ERROR): send that through our logger too. It is one
	// variable per process, so the first server sets it.
	sipLog := s.log.With("lib", "sipgo")
	sipgoLogger.Do(func() { sip.SetDefaultLogger(sipLog) })
	ua, err := sipgo.NewUA(sipgo.WithUserAgent(s.o.UserAgent),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerReadFilter(s.readFilter)),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerUnhandledResponseHandler(s.strays.handle)))
	if err != nil {
		return s.closeListeners(fmt.Errorf("sip: %w", err))
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(sipLog))
	if err != nil {
		return s.closeListeners(fmt.Errorf("sip: %w", err))
	}
	copts := []sipgo.ClientOption{sipgo.WithClientLogger(sipLog)}
	if !s.addr.Addr().IsUnspecified() {
		copts = append(copts, sipgo.WithClientHostname(s.addr.Addr().String()), sipgo.WithClientPort(int(s.addr.Port())))
	}
	client, err := sipgo.NewClient(ua, copts...)
	if err != nil {
		return s.closeListeners(fmt.Errorf("sip: %w", err))
	}
	s.ua, s.srv, s.client = ua, srv, client
	s.dlgUA = &sipgo.DialogUA{Client: client, ContactHDR: s.contactFor(netip.AddrPort{}, "udp"), RewriteContact: true}

	srv.OnRegister(s.guard(s.reg.handle))
	srv.OnOptions(s.guard(s.handleOptions))
	srv.OnInvite(s.guard(s.handleInvite))
	srv.OnAck(s.guard(s.handleAck))
	srv.OnBye(s.guard(s.handleBye))
	srv.OnInfo(s.guard(s.handleInfo))
	srv.OnCancel(s.guard(func(req *sip.Request, tx sip.ServerTransaction) {
		// A CANCEL that matched an INVITE transaction never gets here; this
		// one matched nothing.
		s.respond(tx, req, 481, "Call/Transaction Does Not Exist")
	}))
	srv.OnNoRoute(s.guard(func(req *sip.Request, tx sip.ServerTransaction) {
		s.respond(tx, req, 405, "Method Not Allowed", sip.NewHeader("Allow", allowed))
	}))

	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.wg.Add(5)
	go func() { defer s.wg.Done(); s.sched.Run(s.ctx) }()
	go func() { defer s.wg.Done(); s.bans.run(s.ctx) }()
	go func() { defer s.wg.Done(); s.serveErr("udp", srv.ServeUDP(udp)) }()
	go func() { defer s.wg.Done(); s.serveErr("tcp", srv.ServeTCP(s.guardTCP(tcp))) }()
	go func() { defer s.wg.Done(); s.reg.run(s.ctx) }()
	if s.tls != nil {
		s.wg.Add(1)
		go func() { defer s.wg.Done(); s.serveErr("tls", srv.ServeTLS(s.tlsListener(s.guardTCP(s.tls)))) }()
	}
	s.startTrunks()
	s.log.Info("sip listening", "udp", s.addr.String(), "tcp", tcp.Addr().String(), "tls", s.tlsAddr.String())
	return nil
}

// sipgoLogger guards sipgo's process-wide default logger.
var sipgoLogger sync.Once

const allowed = "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, INFO"

func (s *Server) serveErr(network string, err error) {
	if err != nil && s.ctx.Err() == nil && !errors.Is(err, net.ErrClosed) {
		s.log.Error("sip transport stopped", "network", network, "err", err)
	}
}

func (s *Server) closeListeners(err error) error {
	s.udp.Close()
	s.tcp.Close()
	if s.tls != nil {
		s.tls.Close()
	}
	return err
}

// Addr is the address the server listens on (UDP and TCP share the port).
func (s *Server) Addr() netip.AddrPort { return s.addr }

// closeGrace bounds how long Close waits for calls to hang up cleanly.
const closeGrace = 5 * time.Second

// Close refuses new calls, hangs up every call (BYE to answered phones, 503
// to callers still ringing) while the transports still carry the answers,
// saves registrations and stops listening. It waits for the server's
// goroutines.
func (s *Server) Close() error {
	if s.cancel == nil || s.closing.Swap(true) {
		return nil
	}
	s.calls.hangupAll()
	done := make(chan struct{})
	go func() { s.calls.wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(closeGrace):
		s.log.Warn("calls still ending at shutdown; closing transports", "calls", len(s.calls.list()))
	}
	s.stopTrunks()
	s.cancel()
	s.udp.Close()
	s.tcp.Close()
	if s.tls != nil {
		s.tls.Close()
	}
	if s.ua != nil {
		s.ua.Close()
	}
	s.wg.Wait()
	s.calls.wait()
	return s.reg.flush()
}

// guard runs a handler so that a bug triggered by one request answers 500
// and is logged, instead of taking every call on the box down with it.
func (s *Server) guard(h func(*sip.Request, sip.ServerTransaction)) sipgo.RequestHandler {
	return func(req *sip.Request, tx sip.ServerTransaction) {
		// UDP requests were checked before parsing (readFilter); stream
		// ones are checked here, per request.
		if !strings.EqualFold(req.Transport(), "udp") && !req.IsAck() {
			if ua := req.GetHeader("User-Agent"); ua != nil && s.scannerAgent(ua.Value()) {
				return
			}
			if !s.floods.allowClass(sourceOf(req).Addr(), requestClass([]byte(string(req.Method)+" "))) {
				return
			}
		}
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("sip handler panicked", "method", req.Method, "source", req.Source(), "panic", r, "stack", string(debug.Stack()))
				if !req.IsAck() {
					s.respond(tx, req, 500, "Server Internal Error")
				}
			}
		}()
		h(req, tx)
	}
}

// recoverIn logs a panic in a goroutine of ours instead of letting it end
// the process; use it deferred, first thing in the goroutine.
func (s *Server) recoverIn(what string) {
	if r := recover(); r != nil {
		s.log.Error("sip goroutine panicked", "in", what, "panic", r, "stack", string(debug.Stack()))
	}
}

// readFilter sees every read before sipgo parses it. It drops anything from
// a banned source (silence is all an attacker gets); and, on UDP, datagrams
// that do not begin like a SIP request or response, requests from known
// scanners, and requests over the source's rate — all before sipgo
// remembers their sender, so junk costs nothing. Stream reads pass (a read
// there is a piece of a stream).
func (s *Server) readFilter(info sip.TransportReadProps, data []byte) ([]byte, error) {
	src := addrOf(info.RemoteAddr)
	if s.bans.isBanned(src) {
		return nil, nil
	}
	if !strings.EqualFold(info.Transport, "udp") {
		return data, nil
	}
	if !looksLikeSIP(data) || s.fromScanner(data) || !s.floods.allow(src, data) {
		return nil, nil
	}
	return data, nil
}

// looksLikeSIP reports whether data starts with "SIP/2.0 " or with a method
// token (upper-case letters) and a space.
func looksLikeSIP(data []byte) bool {
	if bytes.HasPrefix(data, []byte("SIP/2.0 ")) {
		return true
	}
	for i, b := range data {
		switch {
		case b >= 'A' && b <= 'Z':
			if i > 16 {
				return false
			}
		case b == ' ':
			return i >= 3
		default:
			return false
		}
	}
	return false
}

// listenBoth binds UDP and TCP on the same address; with port 0 it retries
// until one free port is free for both.
func listenBoth(addr string) (net.PacketConn, net.Listener, error) {
	for try := 0; ; try++ {
		udp, err := net.ListenPacket("udp", addr)
		if err != nil {
			return nil, nil, err
		}
		if uc, ok := udp.(*net.UDPConn); ok {
			uc.SetReadBuffer(1 << 20) // bursts of REGISTERs and INVITEs; the default drops them
		}
		tcpAddr := udp.LocalAddr().String()
		tcp, err := net.Listen("tcp", tcpAddr)
		if err == nil {
			return udp, tcp, nil
		}
		udp.Close()
		_, port, _ := net.SplitHostPort(addr)
		if port != "0" || try > 20 {
			return nil, nil, err
		}
	}
}

// localIP is the address of ours that a peer at remote reaches: the bound
// address, or on a wildcard bind the one the kernel routes from.
func (s *Server) localIP(remote netip.Addr) netip.Addr {
	if !s.addr.Addr().IsUnspecified() {
		return s.addr.Addr()
	}
	if remote.IsValid() {
		if c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(remote, 9))); err == nil {
			defer c.Close()
			return c.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap()
		}
	}
	return netip.IPv4Unspecified()
}

func (s *Server) contactFor(remote netip.AddrPort, transport string) sip.ContactHeader {
	port := s.addr.Port()
	if strings.EqualFold(transport, "tls") && s.tls != nil {
		port = s.tlsAddr.Port()
	}
	uri := sip.Uri{Scheme: "sip", User: "deskline", Host: s.localIP(remote.Addr()).String(), Port: int(port)}
	if transport != "" && transport != "udp" && transport != "UDP" {
		uri.UriParams = sip.NewParams()
		uri.UriParams.Add("transport", sip.NetworkToLower(transport))
	}
	return sip.ContactHeader{Address: uri}
}

func (s *Server) handleOptions(req *sip.Request, tx sip.ServerTransaction) {
	s.respond(tx, req, 200, "OK", sip.NewHeader("Allow", allowed), sip.NewHeader("Accept", "application/sdp"))
}

func (s *Server) respond(tx sip.ServerTransaction, req *sip.Request, code int, reason string, hdrs ...sip.Header) {
	res := s.newResponse(req, code, reason, nil)
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	s.write(tx, res)
}

// newResponse builds a response that goes back to where the request came
// from: phones behind NAT often omit rport, so their Via is not to be trusted.
func (s *Server) newResponse(req *sip.Request, code int, reason string, body []byte) *sip.Response {
	res := sip.NewResponseFromRequest(req, code, reason, body)
	res.SetDestination(req.Source())
	res.AppendHeader(sip.NewHeader("Server", s.o.UserAgent))
	return res
}

func (s *Server) write(tx sip.ServerTransaction, res *sip.Response) {
	if err := tx.Respond(res); err != nil {
		s.log.Debug("response not sent", "code", res.StatusCode, "err", err)
	}
}

// sourceOf is the address a message came from.
func sourceOf(req interface{ Source() string }) netip.AddrPort {
	ap, err := netip.ParseAddrPort(req.Source())
	if err != nil {
		host, port, err := net.SplitHostPort(req.Source())
		if err != nil {
			return netip.AddrPort{}
		}
		a, _ := netip.ParseAddr(host)
		p, _ := strconv.Atoi(port)
		return netip.AddrPortFrom(a.Unmap(), uint16(p))
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}
