package sip

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"deskline/media"
	"deskline/media/sdp"
	"deskline/media/tone"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Disposition is how a call ended, as the CDR records it.
type Disposition string

const (
	Answered  Disposition = "answered"
	NoAnswer  Disposition = "no-answer"
	Busy      Disposition = "busy"
	Cancelled Disposition = "cancelled"
	Failed    Disposition = "failed"
	Voicemail Disposition = "voicemail" // the extension did not take the call; its voicemail did
)

// CallRecord describes a finished call.
type CallRecord struct {
	ID          string
	Caller      string
	Callee      string
	Dialled     string
	Start       time.Time
	Answer      time.Time // zero when never answered
	End         time.Time
	Disposition Disposition
	Cause       int    // the final SIP status towards the caller (200 when answered)
	HangupBy    string // "caller", "callee" or "system"; empty when never answered
	// Trunk is the trunk the call came in on or went out through; empty
	// for calls between extensions.
	Trunk string
}

// CallInfo is a call in progress.
type CallInfo struct {
	ID     string
	Caller string
	Callee string
	State  string // the callee leg's state: trying, ringing, established…
	Start  time.Time
	Answer time.Time
	Legs   []LegInfo // the caller's leg first; only legs with media
}

// LegInfo is one leg of a call in progress: how its media fares.
type LegInfo struct {
	Side      string // "caller" or "callee"
	Extension string
	Codec     string
	SRTP      bool
	Stats     media.Stats
	Quality   media.Quality
}

// codecPreference is the order in which we pick codecs from an offer we
// generate; offers we receive keep the offerer's order.
var codecPreference = []string{"PCMU", "PCMA"}

type legSide uint8

const (
	sideCaller legSide = iota // A: the phone that sent us the INVITE (we are UAS)
	sideCallee                // B: the phone we sent an INVITE to (we are UAC)
)

func (l legSide) String() string {
	if l == sideCaller {
		return "caller"
	}
	return "callee"
}

// leg is one side of a call. Its fields are guarded by the call's mutex.
type leg struct {
	side   legSide
	state  LegState
	media  *media.Session
	neg    sdp.Negotiated
	origin sdp.OriginState
	srv    *sipgo.DialogServerSession
	cli    *sipgo.DialogClientSession
	moh    *media.Feed // music on hold played to this leg while the other holds it
	srtp   legSRTP
}

// call is two legs and the relay between them.
type call struct {
	id      string
	s       *Server
	caller  string
	callee  string
	dialled string
	// callerOutside and calleeOutside mark a number that is not an
	// extension: a caller on a trunk, an outside number called.
	callerOutside, calleeOutside bool
	callerName                   string // the outside caller's name, from its From
	callerID, callerIDName       string // presented on a trunk; "" = the caller's own
	// trunk is the trunk the call came in on, or goes out through once an
	// attempt is under way; trunkHeld says whether its channel is counted.
	trunk        *trunkRun
	trunkRelease func() // the route's limiter slot for the trunk in use

	mu          sync.Mutex
	a, b        leg
	start       time.Time
	answer      time.Time
	relay       *media.Relay
	ringback    *media.Feed       // the ringback tone the caller hears while the callee rings
	receiver    *media.Receiver   // reads the caller when the box answers it (a service)
	conf        *media.Conference // replaces the relay while supervisors listen in
	mixUsers    int               // supervisors and taps using conf
	bridged     bool              // a service connected its caller to an extension (Channel.Connect)
	channel     *Channel          // the service's channel when the box answered the call
	noCDR       bool              // an offer's leg: the caller's call has the CDR
	fallback    *Target           // where the caller goes if the callee does not answer
	divertedTo  string            // the service the call was diverted to (voicemail), if any
	calleeFreed bool              // the callee is no longer counted busy (guarded by the call table's lock)
	ended       bool
	ending      bool               // a hang-up is under way
	calleeGone  bool               // the callee sent BYE before the caller was answered
	byeAfterAck bool               // hung up while our 200 to the caller awaited its ACK
	stopRinging context.CancelFunc // cancels the callee's INVITE while it rings
	hangupBy    string
	done        chan struct{}
}

// move changes a leg's state if the transition is allowed. Call with c.mu held.
func (c *call) move(l *leg, to LegState) bool {
	if !canMove(l.state, to) {
		c.s.log.Error("refused leg transition", "call", c.id, "leg", l.side, "from", l.state, "to", to)
		return false
	}
	l.state = to
	return true
}

// callTable indexes calls by id, by dialog and by extension (for busy).
type callTable struct {
	mu      sync.Mutex
	byID    map[string]*call
	byDlg   map[string]dlgRef
	byExt   map[string]int
	running sync.WaitGroup
}

type dlgRef struct {
	c    *call
	side legSide
}

func newCallTable() *callTable {
	return &callTable{byID: map[string]*call{}, byDlg: map[string]dlgRef{}, byExt: map[string]int{}}
}

// reserveResult says why a call could not be reserved.
type reserveResult uint8

const (
	reserved reserveResult = iota
	calleeBusy
	boxFull
)

// reserve marks both extensions busy and registers the call, unless the
// callee is already in a call or the box carries max calls (0 = no limit).
func (t *callTable) reserve(c *call, max int) reserveResult {
	t.mu.Lock()
	defer t.mu.Unlock()
	if c.callee != "" && !c.calleeOutside && (t.byExt[c.callee] > 0 || c.caller == c.callee && !c.callerOutside) {
		return calleeBusy
	}
	if max > 0 && len(t.byID) >= max {
		return boxFull
	}
	t.byID[c.id] = c
	if !c.callerOutside {
		t.byExt[c.caller]++
	}
	if c.callee != "" && !c.calleeOutside {
		t.byExt[c.callee]++
	}
	t.running.Add(1)
	return reserved
}

// freeCallee stops counting c's callee as busy, keeping it as c's callee
// (for the CDR): the call was diverted away from it.
func (t *callTable) freeCallee(c *call) {
	t.mu.Lock()
	defer t.mu.Unlock()
	c.mu.Lock()
	ext := c.callee
	c.mu.Unlock()
	if ext == "" || c.calleeFreed || c.calleeOutside {
		return
	}
	c.calleeFreed = true
	if t.byExt[ext]--; t.byExt[ext] <= 0 {
		delete(t.byExt, ext)
	}
}

// adoptCallee makes ext the callee of c, which takes over a leg to ext
// from an Offer (whose own count of ext is released when it ends).
func (t *callTable) adoptCallee(c *call, ext string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.byExt[ext]++
	c.mu.Lock()
	c.callee = ext
	c.mu.Unlock()
}

func (t *callTable) release(c *call) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.byID[c.id]; !ok {
		return
	}
	delete(t.byID, c.id)
	for i, e := range []string{c.caller, c.callee} {
		if e == "" || i == 1 && (c.calleeFreed || c.calleeOutside) || i == 0 && c.callerOutside {
			continue
		}
		if t.byExt[e]--; t.byExt[e] <= 0 {
			delete(t.byExt, e)
		}
	}
	for k, r := range t.byDlg {
		if r.c == c {
			delete(t.byDlg, k)
		}
	}
	t.running.Done()
}

func (t *callTable) addDialog(id string, c *call, side legSide) {
	t.mu.Lock()
	t.byDlg[id] = dlgRef{c, side}
	t.mu.Unlock()
}

// match finds the call and leg a mid-dialog request belongs to.
func (t *callTable) match(req *sip.Request) (dlgRef, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if id, err := sip.DialogIDFromRequestUAS(req); err == nil {
		if r, ok := t.byDlg[id]; ok && r.side == sideCaller {
			return r, true
		}
	}
	if id, err := sip.DialogIDFromRequestUAC(req); err == nil {
		if r, ok := t.byDlg[id]; ok && r.side == sideCallee {
			return r, true
		}
	}
	return dlgRef{}, false
}

func (t *callTable) list() []*call {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]*call, 0, len(t.byID))
	for _, c := range t.byID {
		out = append(out, c)
	}
	return out
}

// hangupAll ends every call at once (each hang-up may wait for BYE answers).
func (t *callTable) hangupAll() {
	var wg sync.WaitGroup
	for _, c := range t.list() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.s.recoverIn("hangup")
			c.hangup(nil, "system")
		}()
	}
	wg.Wait()
}

func (t *callTable) wait() { t.running.Wait() }

// Calls returns the calls in progress, oldest first.
func (s *Server) Calls() []CallInfo {
	var out []CallInfo
	for _, c := range s.calls.list() {
		if c.noCDR {
			continue // an offer ringing for a call: shown with that call once accepted
		}
		c.mu.Lock()
		ci := CallInfo{ID: c.id, Caller: c.caller, Callee: c.callee, State: c.b.state.String(), Start: c.start, Answer: c.answer}
		for _, l := range []*leg{&c.a, &c.b} {
			if l.media == nil {
				continue
			}
			ext := c.caller
			if l.side == sideCallee {
				ext = c.callee
			}
			ci.Legs = append(ci.Legs, LegInfo{Side: l.side.String(), Extension: ext, Codec: l.neg.Encoding, SRTP: l.media.SRTP(),
				Stats: l.media.Stats(), Quality: l.media.Quality()})
		}
		c.mu.Unlock()
		out = append(out, ci)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

// newOrigin starts an o= line of ours: a random session id, version 1.
func newOrigin() sdp.OriginState {
	var b [8]byte
	rand.Read(b[:])
	return sdp.OriginState{ID: binary.BigEndian.Uint64(b[:]) >> 2, Version: 1}
}

func newID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// handleInvite runs a new call from start to the caller's ACK, in the
// INVITE's own goroutine. In-dialog INVITEs (re-INVITEs) go to handleReinvite.
func (s *Server) handleInvite(req *sip.Request, tx sip.ServerTransaction) {
	if to := req.To(); to != nil && to.Params.Has("tag") {
		s.handleReinvite(req, tx)
		return
	}
	if s.closing.Load() {
		s.respond(tx, req, 503, "Service Unavailable", sip.NewHeader("Retry-After", "30"))
		return
	}
	if tr, ok := s.trunkFrom(sourceOf(req)); ok {
		s.inviteFromTrunk(req, tx, tr)
		return
	}
	user, ok := s.authenticate(req, tx)
	if !ok {
		return
	}
	if from := req.From(); from == nil || from.Address.User != user {
		s.respond(tx, req, 403, "Forbidden")
		return
	}
	if req.Contact() == nil {
		s.respond(tx, req, 400, "Missing Contact")
		return
	}
	offer, negA, ok := s.readOffer(req, tx, s.srtpPolicy(user))
	if !ok {
		return
	}
	dialled := req.Recipient.User
	s.place(req, tx, offer, negA, &call{caller: user}, dialled, s.o.Router.Route(user, dialled))
}

// place carries a new call from a caller (an extension, or an outside
// caller on a trunk: proto says which) to target. It returns when the call
// has ended.
func (s *Server) place(req *sip.Request, tx sip.ServerTransaction, offer *sdp.Session, negA sdp.Negotiated, proto *call, dialled string, target Target) {
	user := proto.caller
	if target.Release != nil {
		defer target.Release()
	}
	newCall := func() *call {
		return &call{id: newID(), s: s, caller: user, callerOutside: proto.callerOutside, callerName: proto.callerName,
			trunk: proto.trunk, dialled: dialled, start: s.o.Now(), done: make(chan struct{})}
	}
	var dests []dest
	switch target.Kind {
	case TargetService:
	case TargetRefused:
		code, reason := target.Code, target.Refusal
		if code < 400 || code > 699 {
			code = 403
		}
		if reason == "" {
			reason = "Forbidden"
		}
		s.log.Info("call refused by the dial plan", "caller", user, "dialled", dialled, "code", code, "reason", reason)
		s.respond(tx, req, code, reason)
		c := newCall()
		c.callee, c.calleeOutside = dialled, true
		s.cdr(c, Failed, code)
		return
	case TargetTrunk:
		if proto.callerOutside {
			// Never from one trunk out through another: that is how a box
			// gets used for toll fraud.
			s.log.Warn("outside caller tried to reach a trunk", "caller", user, "dialled", dialled, "trunk", proto.trunk.t.Name)
			s.respond(tx, req, 403, "Forbidden")
			return
		}
		dests = s.trunkDests(s.ctx, target.Trunks)
		if len(dests) == 0 {
			s.respond(tx, req, 503, "Service Unavailable")
			c := newCall()
			c.callee, c.calleeOutside = target.Trunks[0].Number, true
			s.cdr(c, Failed, 503)
			return
		}
	case TargetExtension:
		binding, registered := s.reg.lookup(target.Extension)
		if !registered && target.Fallback != nil {
			// No phone: straight to the extension's voicemail.
			mailbox, fb := target.Extension, *target.Fallback
			fb.Reason = "unavailable"
			c := newCall()
			c.divertedTo, c.calleeFreed = fb.Service, true
			if s.calls.reserve(c, s.o.MaxCalls) != reserved {
				s.respond(tx, req, 503, "Service Unavailable", sip.NewHeader("Retry-After", "10"))
				return
			}
			defer s.calls.release(c)
			c.mu.Lock()
			c.callee = mailbox // for the CDR; reserve did not count it busy
			c.mu.Unlock()
			c.answerService(req, tx, offer, negA, fb)
			return
		}
		if !registered {
			s.respond(tx, req, 480, "Temporarily Unavailable")
			c := newCall()
			c.callee = target.Extension
			s.cdr(c, NoAnswer, 480)
			return
		}
		uri, dst, err := bindingTarget(binding)
		if err != nil {
			s.log.Error("binding unusable", "extension", target.Extension, "err", err)
			s.respond(tx, req, 480, "Temporarily Unavailable")
			return
		}
		dests = []dest{{uri: uri, addr: dst, transport: binding.Transport}}
	default:
		s.log.Info("call to unknown number", "caller", user, "dialled", dialled)
		s.respond(tx, req, 404, "Not Found")
		return
	}
	// A service of the box has no callee: it is never busy.
	c := newCall()
	c.callee, c.fallback = target.Extension, target.Fallback
	if target.Kind == TargetTrunk {
		c.callee, c.calleeOutside = target.Trunks[0].Number, true
		c.callerID, c.callerIDName = target.CallerID, target.CallerName
	}
	switch s.calls.reserve(c, s.o.MaxCalls) {
	case calleeBusy:
		s.respond(tx, req, 486, "Busy Here")
		s.cdr(c, Busy, 486)
		return
	case boxFull:
		s.log.Warn("call refused: the box carries its maximum of calls", "max", s.o.MaxCalls, "caller", user)
		s.respond(tx, req, 503, "Service Unavailable", sip.NewHeader("Retry-After", "10"))
		s.cdr(c, Failed, 503)
		return
	}
	defer s.calls.release(c)
	if target.Kind == TargetService {
		c.answerService(req, tx, offer, negA, target)
		return
	}
	c.run(req, tx, offer, negA, dests)
	c.mu.Lock()
	out, rel := c.trunk, c.trunkRelease
	c.mu.Unlock()
	if out != nil && out != proto.trunk {
		out.release() // the outside call's channel, taken in tryDests
	}
	if rel != nil {
		rel()
	}
}

// readOffer parses an INVITE's SDP offer and picks a codec from it. When it
// cannot, it answers the INVITE (400 for a malformed body, 488 when nothing
// is acceptable) and returns ok=false.
func (s *Server) readOffer(req *sip.Request, tx sip.ServerTransaction, policy sdp.SRTPPolicy) (*sdp.Session, sdp.Negotiated, bool) {
	offer, err := sdp.Parse(req.Body())
	if err != nil {
		s.log.Info("bad offer", "source", req.Source(), "err", err)
		s.respond(tx, req, 400, "Bad SDP")
		return nil, sdp.Negotiated{}, false
	}
	n, err := sdp.NegotiateWith(offer, sdp.NegotiateOptions{Codecs: codecPreference, SRTP: policy})
	if err != nil {
		s.log.Info("offer not acceptable", "source", req.Source(), "err", err)
		s.respond(tx, req, 488, "Not Acceptable Here")
		return nil, sdp.Negotiated{}, false
	}
	return offer, n, true
}

// acceptCaller makes the caller's INVITE the caller leg of c, or answers
// it 400 and ends the call when sipgo cannot make a dialog of it.
func (c *call) acceptCaller(req *sip.Request, tx sip.ServerTransaction, negA sdp.Negotiated, log *slog.Logger) (*sipgo.DialogServerSession, bool) {
	dlg, err := c.s.dlgUA.ReadInvite(req, tx)
	if err != nil {
		log.Warn("invite not readable as dialog", "err", err)
		c.s.respond(tx, req, 400, "Bad Request")
		c.finish(Failed, 400, "")
		return nil, false
	}
	c.mu.Lock()
	c.a = leg{side: sideCaller, srv: dlg, neg: negA, origin: newOrigin()}
	c.move(&c.a, LegTrying)
	c.mu.Unlock()
	c.s.calls.addDialog(dlg.ID, c, sideCaller)
	return dlg, true
}

// run is the life of a call until the caller's ACK; afterwards the call
// lives on in its relay and ends through hangup (BYE from either side).
func (c *call) run(req *sip.Request, tx sip.ServerTransaction, offer *sdp.Session, negA sdp.Negotiated, dests []dest) {
	s := c.s
	log := s.log.With("call", c.id, "caller", c.caller, "callee", c.callee)
	dlg, ok := c.acceptCaller(req, tx, negA, log)
	if !ok {
		return
	}
	c.mu.Lock()
	c.b = leg{side: sideCallee, origin: newOrigin()}
	c.mu.Unlock()

	fail := func(code int, reason string, d Disposition) {
		c.respondA(code, reason, nil)
		c.finish(d, code, "")
	}

	dst := dests[0].addr
	srcA := sourceOf(req)
	mA, err := s.o.Media.Listen(s.localIP(srcA.Addr()))
	if err != nil {
		log.Error("no media port for caller", "err", err)
		fail(503, "Service Unavailable", Failed)
		return
	}
	mB, err := s.o.Media.Listen(s.localIP(dst.Addr()))
	if err != nil {
		mA.Close()
		log.Error("no media port for callee", "err", err)
		fail(503, "Service Unavailable", Failed)
		return
	}
	applyNegotiated(mA, negA)
	c.mu.Lock()
	c.a.media, c.b.media = mA, mB
	// The caller's answer is fixed now: the same SDP goes with the early
	// media of the ringing phase and with the final 200.
	err = c.a.applySRTP(negA, false)
	var answerA []byte
	if err == nil {
		answerA, err = c.a.answerSDP(offer, negA)
	}
	var cryptoB []sdp.Crypto
	if err == nil && !c.calleeOutside && s.srtpPolicy(c.callee) == sdp.SRTPRequired {
		cryptoB, err = c.b.offerCrypto()
	}
	c.mu.Unlock()
	if err != nil {
		log.Error("media keys or answer not made", "err", err)
		fail(500, "Server Internal Error", Failed)
		return
	}

	prefs := calleeCodecs(negA)
	ctx, cancel := context.WithTimeout(dlg.Context(), s.o.NoAnswerTimeout)
	defer cancel()
	c.mu.Lock()
	c.stopRinging = cancel
	c.mu.Unlock()
	ringing := false
	cli, callIDB, err := c.tryDests(ctx, dests, prefs, cryptoB, func(r *sip.Response) {
		early := c.earlyMedia(r, prefs, log)
		if ringing {
			return
		}
		ringing = true
		c.mu.Lock()
		c.move(&c.b, LegRinging)
		c.move(&c.a, LegRinging)
		if !early {
			c.playRingback(log)
		}
		c.mu.Unlock()
		// 180 with the SDP answer: the caller's phone shows "ringing" and
		// plays what we send, our ringback or the callee's early media.
		c.respondA(180, "Ringing", answerA)
	}, log)
	if cli == nil {
		fail(480, "Temporarily Unavailable", Failed)
		return
	}
	if err != nil {
		c.unanswered(err, ctx, dlg, cli, answerA, log)
		return
	}
	negB, err := c.acceptCallee(cli, callIDB, prefs, log)
	if err != nil {
		fail(488, "Not Acceptable Here", Failed)
		return
	}

	calleeGone := func() {
		// The callee hung up the moment it had our ACK.
		log.Info("callee hung up as it answered")
		c.respondA(480, "Temporarily Unavailable", nil)
		c.finish(Failed, 480, "callee")
	}
	c.mu.Lock()
	gone := c.calleeGone
	c.mu.Unlock()
	if gone {
		calleeGone()
		return
	}
	if dlg.Context().Err() != nil {
		// The caller cancelled just as the callee answered: sipgo has
		// answered the caller 487; the callee gets a BYE.
		log.Info("caller cancelled as the callee answered")
		c.byeLeg(&c.b)
		c.finish(Cancelled, 487, "caller")
		return
	}
	c.mu.Lock()
	if c.calleeGone {
		// Its BYE came in since the check above: hangup saw the call
		// unanswered and left it to us. Checked again under the lock that
		// marks the call answered, so no BYE falls between the two.
		c.mu.Unlock()
		calleeGone()
		return
	}
	c.b.neg = negB
	c.move(&c.b, LegAnswered)
	c.move(&c.b, LegEstablished)
	c.move(&c.a, LegAnswered)
	c.answer = s.o.Now()
	if c.relay == nil {
		c.relay = media.NewRelay(mA, mB, nil)
		c.relay.Start()
	}
	if c.ringback != nil {
		c.ringback.Stop()
		c.ringback = nil
	}
	c.mu.Unlock()
	log.Info("call answered", "codec_caller", negA.Encoding, "codec_callee", negB.Encoding)

	if c.answerCaller(dlg, answerA, log) {
		c.watch(log)
	}
}

// calleeCodecs is what we offer a callee: the caller's codec first, so
// the relay rarely transcodes.
func calleeCodecs(negA sdp.Negotiated) []string {
	prefs := []string{negA.Encoding}
	for _, p := range codecPreference {
		if p != negA.Encoding {
			prefs = append(prefs, p)
		}
	}
	return prefs
}

// inviteCallee sends the callee leg's INVITE (c.b, whose media Session is
// open) to uri at dst and waits until it is answered, refused, or ctx ends
// (sipgo CANCELs it then). onProgress is called for every 180 and 183. It
// returns the client dialog, or nil when the INVITE could not be sent.
func (c *call) inviteCallee(ctx context.Context, d dest, prefs []string, crypto []sdp.Crypto,
	onProgress func(*sip.Response), log *slog.Logger) (cli *sipgo.DialogClientSession, callID string, err error) {
	s := c.s
	uri, dst, transport := d.uri, d.addr, d.transport
	c.mu.Lock()
	mB, origin, callee := c.b.media, c.b.origin, c.callee
	c.mu.Unlock()
	offerB := sdp.NewOffer(sdp.OfferParams{
		Addr: mB.LocalAddr(), Codecs: prefs, SessionID: origin.ID, Version: origin.Version, Crypto: crypto,
		NoDTMF: d.trunk != nil && d.trunk.t.DTMF == "inband",
	})
	local := s.localIP(dst.Addr()).String()
	inv := sip.NewRequest(sip.INVITE, uri)
	inv.SetDestination(dst.String())
	inv.SetTransport(transport)
	inv.SetBody(offerB.Marshal())
	inv.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	from := sip.FromHeader{DisplayName: c.callerDisplay(), Address: sip.Uri{Scheme: "sip", User: c.caller, Host: local}}
	from.Params = sip.NewParams()
	from.Params.Add("tag", sip.GenerateTagN(16))
	to := sip.ToHeader{Address: sip.Uri{Scheme: "sip", User: callee, Host: local}}
	var extra []sip.Header
	if d.trunk != nil {
		extra = c.presentOnTrunk(d, &from, &to)
	}
	contact := s.contactFor(dst, transport)
	via := &sip.ViaHeader{ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: strings.ToUpper(transport),
		Host: local, Port: int(s.addr.Port()), Params: sip.NewParams()}
	via.Params.Add("branch", sip.GenerateBranchN(16))
	via.Params.Add("rport", "")
	inv.AppendHeader(via)
	inv.AppendHeader(&from)
	inv.AppendHeader(&to)
	inv.AppendHeader(&contact)
	inv.AppendHeader(sip.NewHeader("User-Agent", s.o.UserAgent))
	inv.AppendHeader(sip.NewHeader("Allow", allowed))
	for _, h := range extra {
		inv.AppendHeader(h)
	}

	cli, err = s.dlgUA.WriteInvite(ctx, inv)
	if err != nil {
		log.Warn("invite to callee not sent", "err", err)
		return nil, "", err
	}
	c.mu.Lock()
	c.b.cli = cli
	c.move(&c.b, LegTrying)
	c.mu.Unlock()
	callID = inv.CallID().Value()
	s.strays.sent(callID)
	opts := sipgo.AnswerOptions{OnResponse: func(r *sip.Response) error {
		if d.answered != nil {
			d.answered()
		}
		if d.trunk != nil && (r.StatusCode == 401 || r.StatusCode == 407) {
			if err := d.trunk.t.checkRealm(r); err != nil {
				return err // the trunk's credentials stay ours
			}
		}
		if (r.StatusCode == 180 || r.StatusCode == 183) && onProgress != nil {
			onProgress(r)
		}
		return nil
	}}
	if d.trunk != nil {
		opts.Username, opts.Password = d.trunk.t.authUser(), d.trunk.t.Password
	}
	for i := 0; ; i++ {
		err = cli.WaitAnswer(ctx, opts)
		// sipgo gives up after ten responses on one INVITE; a phone that
		// keeps sending 180s is still ringing, so keep waiting (the
		// no-answer timeout bounds this).
		if err == nil || err.Error() != "more than 10 responses received" || i > 20 {
			break
		}
	}
	return cli, callID, err
}

// acceptCallee takes the callee's 200: it registers the callee's dialog,
// sets its media up from the SDP answer and ACKs. An unusable answer gets
// a BYE and an error.
func (c *call) acceptCallee(cli *sipgo.DialogClientSession, callID string, prefs []string, log *slog.Logger) (sdp.Negotiated, error) {
	s := c.s
	s.strays.done(callID) // answered: retransmitted 200s get an ACK, never a BYE
	// Know the callee's dialog before the ACK goes out: a phone may hang
	// up the moment it has the ACK.
	if id, idErr := sip.DialogIDFromResponse(cli.InviteResponse); idErr == nil {
		s.calls.addDialog(id, c, sideCallee)
	}
	negB, err := c.calleeAnswer(cli.InviteResponse.Body(), prefs)
	if ackErr := cli.Ack(context.Background()); ackErr != nil {
		log.Warn("ack to callee failed", "err", ackErr)
	}
	if err != nil {
		log.Warn("callee's answer unusable", "err", err)
		byeCtx, byeCancel := context.WithTimeout(context.Background(), 5*time.Second)
		cli.Bye(byeCtx)
		byeCancel()
	}
	return negB, err
}

// answerCaller sends our 200 with the SDP answer to the caller and waits
// for the ACK. It reports whether the call is now established; if not, the
// call has been ended (hung up while the 200 awaited its ACK, or never
// acknowledged).
func (c *call) answerCaller(dlg *sipgo.DialogServerSession, answer []byte, log *slog.Logger) bool {
	s := c.s
	req := dlg.InviteRequest
	res := s.newResponse(req, 200, "OK", answer)
	res.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	ct := s.contactFor(sourceOf(req), req.Transport())
	res.AppendHeader(&ct)
	ackErr := dlg.WriteResponse(res) // blocks until the ACK
	c.mu.Lock()
	deferredBye, by := c.byeAfterAck, c.hangupBy
	if ackErr == nil && !deferredBye {
		c.move(&c.a, LegEstablished)
	}
	c.mu.Unlock()
	switch {
	case deferredBye:
		// The call was hung up while our 200 waited for its ACK.
		if ackErr == nil {
			c.byeLeg(&c.a)
		}
		c.finish(Answered, 200, by)
		return false
	case ackErr != nil:
		log.Warn("caller never acknowledged the answer", "err", ackErr)
		c.hangup(nil, "system")
		<-c.done
		return false
	}
	return true
}

// earlyMedia looks at a provisional response from the callee. When it
// carries SDP, the callee sends its own early media (a ringback of its own,
// an announcement): the callee's leg is set up from it, the legs are
// bridged, and our ringback stops. It reports whether the callee sends
// early media.
func (c *call) earlyMedia(r *sip.Response, prefs []string, log *slog.Logger) bool {
	if len(r.Body()) == 0 {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.relay != nil
	}
	if _, err := c.calleeAnswer(r.Body(), prefs); err != nil {
		log.Info("callee's early SDP unusable; playing our ringback", "err", err)
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.relay != nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.relay == nil {
		c.relay = media.NewRelay(c.a.media, c.b.media, nil)
		c.relay.Start()
		log.Info("callee sends early media")
	}
	if c.ringback != nil {
		c.ringback.Stop()
		c.ringback = nil
	}
	return true
}

// calleeAnswer reads the callee's SDP answer (in its 200, or early in a
// 180/183) to our offer and sets the callee's media up from it.
func (c *call) calleeAnswer(body []byte, prefs []string) (sdp.Negotiated, error) {
	ans, err := sdp.Parse(body)
	if err != nil {
		return sdp.Negotiated{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	policy := sdp.SRTPOptional
	if c.b.srtp.key != nil {
		policy = sdp.SRTPRequired
	}
	n, err := sdp.NegotiateWith(ans, sdp.NegotiateOptions{Codecs: prefs, SRTP: policy})
	if err == nil {
		err = c.b.applySRTP(n, true)
	}
	if err != nil {
		return sdp.Negotiated{}, err
	}
	applyNegotiated(c.b.media, n)
	return n, nil
}

// playRingback starts the ringback tone to the caller. Call with c.mu held.
func (c *call) playRingback(log *slog.Logger) {
	if c.ringback != nil || c.a.media == nil {
		return
	}
	g, err := tone.NewGenerator(c.s.ringbackTone)
	if err != nil {
		log.Error("ringback tone unusable", "err", err)
		return
	}
	c.ringback = c.a.media.Play(c.s.sched, media.Endless(g.Read), nil)
}

// holdMusic starts or stops the music on hold for the leg opposite to l,
// after l's peer sent a re-INVITE: a peer that stops listening (sendonly,
// inactive) has put the other party on hold. Call with c.mu held.
func (c *call) holdMusic(l *leg, hold bool) {
	other := &c.a
	if l == &c.a {
		other = &c.b
	}
	switch {
	case hold && other.moh == nil && other.media != nil && c.s.o.MusicOnHold != nil:
		if src := c.s.o.MusicOnHold(); src != nil {
			other.moh = other.media.Play(c.s.sched, src, nil)
		}
	case !hold && other.moh != nil:
		other.moh.Stop()
		other.moh = nil
	}
}

// watch waits for the call to end, and ends it itself when neither phone
// has sent audio for MediaTimeout although it should (a phone lost power
// or network without a BYE): otherwise both extensions would stay busy.
func (c *call) watch(log *slog.Logger) {
	s := c.s
	t := time.NewTicker(s.o.MediaTimeout / 4)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
		}
		now := s.o.Now()
		c.mu.Lock()
		silent := true
		for _, l := range []*leg{&c.a, &c.b} {
			if l.media == nil {
				continue // a call the box answers itself has one leg
			}
			st := l.media.Stats()
			last := st.LastPacket
			if last.IsZero() || last.Before(c.answer) {
				last = c.answer
			}
			// A phone that holds with inactive sends nothing on purpose.
			if !directionFor(l.neg).PeerSends() || now.Sub(last) < s.o.MediaTimeout {
				silent = false
			}
		}
		c.mu.Unlock()
		if silent {
			log.Info("no audio from either phone; ending the call", "after", s.o.MediaTimeout)
			c.hangup(nil, "system")
		}
	}
}

// unanswered ends a call whose callee never sent 2xx.
// dropCrossedAnswer ends a callee leg whose 200 crossed our CANCEL:
// acknowledged and hung up, or its phone shows a silent connected call.
func (c *call) dropCrossedAnswer(cli *sipgo.DialogClientSession) {
	r := cli.InviteResponse
	if r == nil || !r.IsSuccess() {
		return
	}
	c.s.strays.done(cli.InviteRequest.CallID().Value())
	cli.Ack(context.Background())
	c.mu.Lock()
	c.b.cli = cli
	c.b.state = LegAnswered
	c.mu.Unlock()
	c.byeLeg(&c.b)
}

func (c *call) unanswered(err error, ctx context.Context, dlg *sipgo.DialogServerSession, cli *sipgo.DialogClientSession, answerA []byte, log *slog.Logger) {
	c.dropCrossedAnswer(cli)
	c.mu.Lock()
	by := c.hangupBy
	c.mu.Unlock()
	var dr *sipgo.ErrDialogResponse
	if by != "system" && dlg.Context().Err() == nil {
		reason := "unavailable"
		switch {
		case errors.Is(ctx.Err(), context.DeadlineExceeded):
			reason = "no-answer"
		case errors.As(err, &dr) && (dr.Res.StatusCode == 486 || dr.Res.StatusCode == 600 || dr.Res.StatusCode == 603):
			reason = "busy"
		}
		if c.divert(dlg, answerA, reason, log) {
			return
		}
	}
	switch {
	case by == "system":
		log.Info("call stopped while ringing: the box is shutting down")
		c.respondA(503, "Service Unavailable", nil)
		c.finish(Failed, 503, "system")
	case dlg.Context().Err() != nil:
		// The caller cancelled; sipgo has answered 487 and we CANCELled the callee.
		log.Info("caller cancelled while ringing")
		c.finish(Cancelled, 487, "caller")
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		// Whatever the callee answered our CANCEL, nobody picked up in time.
		log.Info("no answer")
		c.respondA(480, "No Answer", nil)
		c.finish(NoAnswer, 480, "")
	case errors.As(err, &dr):
		code := dr.Res.StatusCode
		log.Info("callee refused", "code", code)
		switch {
		case code == 486 || code == 600:
			c.respondA(486, "Busy Here", nil)
			c.finish(Busy, 486, "")
		case code == 603:
			c.respondA(603, "Decline", nil)
			c.finish(Busy, 603, "")
		case code == 401 || code == 407 || code >= 500:
			c.respondA(480, "Temporarily Unavailable", nil)
			c.finish(Failed, 480, "")
		default:
			c.respondA(code, dr.Res.Reason, nil)
			c.finish(NoAnswer, code, "")
		}
	default:
		log.Info("callee unreachable", "err", err)
		c.respondA(480, "Temporarily Unavailable", nil)
		c.finish(Failed, 480, "")
	}
}

// divert puts an unanswered caller through to the callee's fallback
// service (its voicemail) instead of telling the caller why: the callee's
// leg is dropped, the caller answered and served. It reports whether the
// call had a fallback.
func (c *call) divert(dlg *sipgo.DialogServerSession, answerA []byte, reason string, log *slog.Logger) bool {
	c.mu.Lock()
	fb := c.fallback
	if fb == nil || c.a.media == nil {
		c.mu.Unlock()
		return false
	}
	if c.ringback != nil {
		c.ringback.Stop()
		c.ringback = nil
	}
	if c.relay != nil { // the callee's early media
		c.relay.Close()
		c.relay = nil
	}
	mB := c.b.media
	c.b = leg{side: sideCallee}
	c.divertedTo = fb.Service
	c.mu.Unlock()
	if mB != nil {
		mB.Close()
	}
	// The callee is free again while its voicemail takes the message.
	c.s.calls.freeCallee(c)
	target := *fb
	target.Reason = reason
	log.Info("diverted", "to", target.Service, "reason", reason)
	ch := c.openChannel(target)
	if c.answerCaller(dlg, answerA, log) {
		c.serve(ch, log)
	}
	return true
}

// respondA sends a response on the caller's INVITE.
func (c *call) respondA(code int, reason string, body []byte) {
	c.mu.Lock()
	dlg := c.a.srv
	c.mu.Unlock()
	if dlg == nil {
		return
	}
	res := c.s.newResponse(dlg.InviteRequest, code, reason, body)
	if len(body) > 0 {
		res.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	}
	if code > 100 && code < 300 {
		// Our own address as the caller reaches it; on a wildcard bind
		// sipgo's default would say 0.0.0.0.
		ct := c.s.contactFor(sourceOf(dlg.InviteRequest), dlg.InviteRequest.Transport())
		res.AppendHeader(&ct)
	}
	if err := dlg.WriteResponse(res); err != nil {
		c.s.log.Debug("response to caller not sent", "call", c.id, "code", code, "err", err)
	}
}

// hangup ends an established call: from is the leg that sent BYE (nil when
// the box ends the call); the other leg gets a BYE. Only the first hang-up
// of a call does anything.
func (c *call) hangup(from *leg, by string) {
	c.mu.Lock()
	if c.ended || c.ending {
		c.mu.Unlock()
		return
	}
	if c.answer.IsZero() {
		// Not answered yet. A BYE from the callee here means it hung up
		// between its 200 and our answer to the caller; otherwise the box
		// is stopping: CANCEL the callee. Either way run() answers the
		// caller and finishes the call.
		if from != nil && from.side == sideCallee {
			c.calleeGone = true
		}
		c.hangupBy = by
		stop := c.stopRinging
		c.mu.Unlock()
		if stop != nil {
			stop()
		}
		return
	}
	c.ending = true
	c.hangupBy = by
	var targets []*leg
	for _, l := range []*leg{&c.a, &c.b} {
		if l == from {
			continue
		}
		switch {
		case l.side == sideCaller && l.state == LegAnswered:
			// Our 200 is out but not yet acknowledged: RFC 3261 wants the
			// ACK before a BYE. run() sends it when the ACK is in.
			c.byeAfterAck = true
		case l.state == LegAnswered || l.state == LegEstablished:
			c.move(l, LegTerminating)
			targets = append(targets, l)
		}
	}
	deferred := c.byeAfterAck
	c.mu.Unlock()
	var wg sync.WaitGroup
	for _, l := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.s.recoverIn("bye")
			c.byeLeg(l)
		}()
	}
	wg.Wait()
	if !deferred {
		c.finish(Answered, 200, by)
	}
}

// byeLeg sends a BYE on a leg and waits (bounded) for its answer.
func (c *call) byeLeg(l *leg) {
	c.mu.Lock()
	srv, cli := l.srv, l.cli
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var err error
	if srv != nil {
		err = srv.Bye(ctx)
	} else if cli != nil {
		err = cli.Bye(ctx)
	}
	if err != nil {
		c.s.log.Debug("bye not acknowledged", "call", c.id, "leg", l.side, "err", err)
	}
}

// finish releases media and writes the CDR, once.
func (c *call) finish(d Disposition, cause int, by string) {
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return
	}
	c.ended = true
	c.hangupBy = by
	relay, receiver, conf := c.relay, c.receiver, c.conf
	c.conf = nil // a supervisor stopping now finds the call gone
	legs := []*leg{&c.a, &c.b}
	for _, l := range legs {
		if l.state != LegTerminated {
			l.state = LegTerminated
		}
		if l.moh != nil {
			l.moh.Stop()
			l.moh = nil
		}
	}
	if c.ringback != nil {
		c.ringback.Stop()
		c.ringback = nil
	}
	c.mu.Unlock()
	if relay != nil {
		relay.Close()
	}
	if receiver != nil {
		receiver.Close()
	}
	if conf != nil {
		conf.Close()
	}
	for _, l := range legs {
		if l.media != nil {
			st := l.media.Stats()
			c.s.log.Info("call media", "call", c.id, "leg", l.side, "in", st.PacketsIn, "out", st.PacketsOut,
				"dropped_source", st.DroppedSource, "dropped_invalid", st.DroppedInvalid,
				"dropped_direction", st.DroppedDirection, "not_sent", st.NotSent, "remote", st.Learned)
			l.media.Close()
		}
		if l.srv != nil {
			l.srv.Close()
		}
		if l.cli != nil {
			l.cli.Close()
		}
	}
	if !c.noCDR {
		c.s.cdr(c, d, cause)
	}
	close(c.done)
}

func (s *Server) cdr(c *call, d Disposition, cause int) {
	rec := CallRecord{ID: c.id, Caller: c.caller, Dialled: c.dialled, Start: c.start, End: s.o.Now(), Disposition: d, Cause: cause}
	c.mu.Lock()
	if d == Answered && c.divertedTo == "voicemail" {
		rec.Disposition = Voicemail
	}
	rec.Callee = c.callee
	rec.Answer = c.answer
	rec.HangupBy = c.hangupBy
	if c.trunk != nil {
		rec.Trunk = c.trunk.t.Name
	}
	c.mu.Unlock()
	s.log.Info("call ended", "call", c.id, "caller", c.caller, "callee", rec.Callee, "disposition", d, "cause", cause, "by", rec.HangupBy)
	if s.o.OnCDR != nil {
		s.o.OnCDR(rec)
	}
}

// applyNegotiated configures a media session from what its peer's SDP said.
func applyNegotiated(m *media.Session, n sdp.Negotiated) {
	codec := media.PCMU
	if n.Encoding == "PCMA" {
		codec = media.PCMA
	}
	m.SetFormat(media.Format{Codec: codec, PT: n.PT, DTMFPT: n.DTMFPT})
	if n.Remote.IsValid() && !n.Hold {
		m.SetRemote(n.Remote)
	}
	m.SetDirection(directionFor(n))
}

// directionFor turns what we may do on a stream (sdp.Negotiated.Direction,
// our point of view) into the peer's own attribute, which is what a media
// Session wants. An old phone's c=0.0.0.0 hold arrives as RecvOnly for us,
// so the peer is SendOnly: we stop sending to it.
func directionFor(n sdp.Negotiated) media.Direction {
	switch n.Direction.Reverse() {
	case sdp.SendOnly:
		return media.SendOnly
	case sdp.RecvOnly:
		return media.RecvOnly
	case sdp.Inactive:
		return media.Inactive
	}
	return media.SendRecv
}

// handleAck routes a 2xx ACK to the caller leg's dialog.
func (s *Server) handleAck(req *sip.Request, tx sip.ServerTransaction) {
	ref, ok := s.calls.match(req)
	if !ok || ref.side != sideCaller {
		return
	}
	ref.c.mu.Lock()
	dlg := ref.c.a.srv
	ref.c.mu.Unlock()
	if dlg != nil {
		if err := dlg.ReadAck(req, tx); err != nil {
			s.log.Debug("ack not matched", "call", ref.c.id, "err", err)
		}
	}
}

// handleBye ends the call the BYE belongs to.
func (s *Server) handleBye(req *sip.Request, tx sip.ServerTransaction) {
	ref, ok := s.calls.match(req)
	if !ok {
		s.respond(tx, req, 481, "Call/Transaction Does Not Exist")
		return
	}
	c := ref.c
	c.mu.Lock()
	l := &c.a
	if ref.side == sideCallee {
		l = &c.b
	}
	srv, cli := l.srv, l.cli
	c.move(l, LegTerminating)
	c.mu.Unlock()
	var err error
	if srv != nil {
		err = srv.ReadBye(req, tx)
	} else {
		err = cli.ReadBye(req, tx)
	}
	if err != nil {
		s.log.Debug("bye", "call", c.id, "err", err)
		s.respond(tx, req, 200, "OK")
	}
	c.hangup(l, l.side.String())
}

// handleReinvite answers an in-dialog INVITE: hold, resume or a new address.
// The box anchors media, so the other leg is not re-INVITEd: the held party
// simply stops receiving audio from the holder.
func (s *Server) handleReinvite(req *sip.Request, tx sip.ServerTransaction) {
	ref, ok := s.calls.match(req)
	if !ok {
		s.respond(tx, req, 481, "Call/Transaction Does Not Exist")
		return
	}
	c := ref.c
	ext := c.caller
	if ref.side == sideCallee {
		c.mu.Lock()
		ext = c.callee
		c.mu.Unlock()
	}
	offer, n, ok := s.readOffer(req, tx, s.srtpPolicy(ext))
	if !ok {
		return
	}
	c.mu.Lock()
	l := &c.a
	if ref.side == sideCallee {
		l = &c.b
	}
	if l.media == nil || l.state != LegEstablished && l.state != LegAnswered {
		c.mu.Unlock()
		s.respond(tx, req, 491, "Request Pending")
		return
	}
	var cseqErr error
	if l.srv != nil {
		cseqErr = l.srv.ReadRequest(req, tx)
	} else if l.cli != nil {
		cseqErr = l.cli.ReadRequest(req, tx)
	}
	if cseqErr != nil {
		c.mu.Unlock()
		s.respond(tx, req, 500, "CSeq Out Of Order")
		return
	}
	l.origin.Next()
	err := l.applySRTP(n, false)
	var ans []byte
	if err == nil {
		ans, err = l.answerSDP(offer, n)
	}
	if err != nil {
		c.mu.Unlock()
		s.log.Warn("re-invite not acceptable", "call", c.id, "leg", ref.side, "err", err)
		s.respond(tx, req, 488, "Not Acceptable Here")
		return
	}
	l.neg = n
	applyNegotiated(l.media, n)
	c.holdMusic(l, n.Hold)
	c.mu.Unlock()
	s.log.Info("re-invite", "call", c.id, "leg", ref.side, "direction", n.Direction, "hold", n.Hold, "srtp", n.SRTP != nil)
	res := s.newResponse(req, 200, "OK", ans)
	res.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	ct := s.contactFor(sourceOf(req), req.Transport())
	res.AppendHeader(&ct)
	s.write(tx, res)
}
