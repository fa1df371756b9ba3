package sip

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"deskline/media/sdp"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// dest is where a callee leg's INVITE goes: a phone's binding, or one
// address of a trunk.
type dest struct {
	uri       sip.Uri
	addr      netip.AddrPort
	transport string
	trunk     *trunkRun // nil for a phone
	number    string    // on a trunk: the number called
	start     func() (func(), error)
	// answered, when set, is called on every response to the INVITE.
	answered func()
}

// trunkDests lists the addresses an outside call tries, in order: each
// attempt's trunk, each of its resolved addresses. Trunks that are not
// configured or do not resolve are skipped (and logged).
func (s *Server) trunkDests(ctx context.Context, attempts []TrunkAttempt) []dest {
	var out []dest
	if ctx == nil {
		ctx = context.Background()
	}
	for _, a := range attempts {
		r, ok := s.trunk(a.Trunk)
		if !ok {
			s.log.Warn("route names a trunk that does not exist", "trunk", a.Trunk)
			continue
		}
		addrs, err := s.targets(ctx, &r.t)
		if err != nil {
			s.log.Warn("trunk unreachable", "trunk", a.Trunk, "err", err)
			continue
		}
		uri := sip.Uri{Scheme: "sip", User: a.Number, Host: r.t.domain()}
		if _, port, _ := splitHostPort(r.t.Host); port != 0 {
			uri.Port = port
		}
		for _, addr := range addrs {
			out = append(out, dest{uri: uri, addr: addr, transport: r.t.Transport, trunk: r, number: a.Number, start: a.Start})
		}
	}
	return out
}

// failOver says whether an attempt's failure is the trunk's (try the
// next) rather than the called number's (tell the caller).
func failOver(err error, attemptTimedOut bool) bool {
	if attemptTimedOut {
		return true
	}
	var dr *sipgo.ErrDialogResponse
	if !errors.As(err, &dr) {
		return !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
	}
	code := dr.Res.StatusCode
	return code == 401 || code == 403 || code == 407 || code == 408 || code == 488 || (code >= 500 && code < 600)
}

// tryDests invites the callee at each dest in turn while the failure is the
// trunk's. A trunk that is full is skipped. The callee leg's media stays
// the same across attempts.
func (c *call) tryDests(ctx context.Context, dests []dest, prefs []string, crypto []sdp.Crypto,
	onProgress func(*sip.Response), log *slog.Logger) (cli *sipgo.DialogClientSession, callID string, err error) {
	err = ErrUnavailable
	for i, d := range dests {
		last := i == len(dests)-1
		if d.trunk == nil {
			return c.inviteCallee(ctx, d, prefs, crypto, onProgress, log)
		}
		var release func()
		if d.start != nil {
			rel, err := d.start()
			if err != nil {
				log.Info("trunk not tried", "trunk", d.trunk.t.Name, "err", err)
				continue
			}
			release = rel
		}
		if !d.trunk.acquire() {
			log.Info("trunk full, trying the next", "trunk", d.trunk.t.Name, "max", d.trunk.t.MaxChannels)
			if release != nil {
				release()
			}
			continue
		}
		c.mu.Lock()
		c.trunk, c.callee, c.trunkRelease = d.trunk, d.number, release
		c.mu.Unlock()
		// A trunk that does not answer at all within Options.TrunkTimeout is
		// given up for the next one.
		// sipgo's force-cancel cause makes it give up at once instead of
		// waiting out the INVITE transaction for a provisional answer
		// (a CANCEL needs one).
		actx, cancel := context.WithCancelCause(ctx)
		var once sync.Once
		timedOut := false
		timer := time.AfterFunc(c.s.o.TrunkTimeout, func() {
			once.Do(func() { timedOut = true; cancel(sipgo.WaitAnswerForceCancelErr) })
		})
		d.answered = func() { once.Do(func() { timer.Stop() }) }
		trunkPrefs := onTrunk(prefs, d.trunk.t.Codecs)
		cli, callID, err = c.inviteCallee(actx, d, trunkPrefs, nil, onProgress, log)
		timer.Stop()
		once.Do(func() {}) // waits out a timer already firing, so timedOut is settled
		cancel(nil)
		if err == nil || last || ctx.Err() != nil || !failOver(err, timedOut) {
			if err != nil && timedOut {
				err = errors.New("trunk did not answer")
			}
			return cli, callID, err
		}
		log.Info("trunk failed, trying the next", "trunk", d.trunk.t.Name, "address", d.addr, "err", err, "timed_out", timedOut)
		if cli != nil {
			c.dropCrossedAnswer(cli)
		}
		c.mu.Lock()
		c.trunk, c.trunkRelease = nil, nil
		c.b = leg{side: sideCallee, origin: c.b.origin, media: c.b.media}
		c.mu.Unlock()
		d.trunk.release()
		if release != nil {
			release()
		}
	}
	return nil, "", err
}

// onTrunk orders prefs for a trunk: only its allowed codecs, the caller's
// first when allowed.
func onTrunk(prefs, allowed []string) []string {
	var out []string
	for _, p := range prefs {
		if slices.Contains(allowed, p) {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return allowed
	}
	return out
}

// callerDisplay is the name shown with the caller's number.
func (c *call) callerDisplay() string {
	if c.callerOutside {
		return c.callerName
	}
	return c.s.o.Directory.DisplayName(c.caller)
}

// presentOnTrunk fills From and To of an INVITE to a trunk and returns the
// identity headers the trunk's CallerID mode asks for.
func (c *call) presentOnTrunk(d dest, from *sip.FromHeader, to *sip.ToHeader) []sip.Header {
	t := &d.trunk.t
	domain := t.domain()
	num, name := c.caller, c.callerDisplay()
	switch {
	case c.callerID != "":
		num, name = c.callerID, c.callerIDName
	case t.Number != "":
		num = t.Number
	}
	to.Address = sip.Uri{Scheme: "sip", User: d.number, Host: domain}
	identity := sip.Uri{Scheme: "sip", User: num, Host: domain}
	from.Address = identity
	from.DisplayName = name
	switch t.CallerID {
	case "pai", "rpid":
		if t.Username != "" {
			from.Address.User = t.Username
		}
		value := (&sip.ToHeader{DisplayName: name, Address: identity}).Value()
		if t.CallerID == "pai" {
			return []sip.Header{sip.NewHeader("P-Asserted-Identity", value)}
		}
		return []sip.Header{sip.NewHeader("Remote-Party-ID", value+";party=calling;screen=yes;privacy=off")}
	}
	return nil
}

// inviteFromTrunk takes a call the provider sends: the number called
// (from the Request-URI, or from To when the Request-URI names our
// account) is routed by Options.RouteInbound.
func (s *Server) inviteFromTrunk(req *sip.Request, tx sip.ServerTransaction, r *trunkRun) {
	did := req.Recipient.User
	if to := req.To(); (did == "" || did == r.t.Username) && to != nil {
		did = to.Address.User
	}
	caller, name := outsideCaller(req)
	log := s.log.With("trunk", r.t.Name, "did", did, "caller", caller)
	if s.o.RouteInbound == nil {
		log.Info("call from trunk refused: no inbound routes")
		s.respond(tx, req, 404, "Not Found")
		return
	}
	offer, negA, ok := s.readOffer(req, tx, sdp.SRTPOptional)
	if !ok {
		return
	}
	if !r.acquire() {
		log.Warn("call from trunk refused: the trunk carries its maximum of calls", "max", r.t.MaxChannels)
		s.respond(tx, req, 503, "Service Unavailable")
		return
	}
	defer r.release()
	target := s.o.RouteInbound(r.t.Name, did, caller)
	log.Info("call from trunk", "to", target.Extension, "service", target.Service)
	s.place(req, tx, offer, negA, &call{caller: caller, callerOutside: true, callerName: name, trunk: r}, did, target)
}

// outsideCaller reads the calling number and name of a call from a
// provider: P-Asserted-Identity when present, else From. A number that is
// withheld comes as "anonymous".
func outsideCaller(req *sip.Request) (number, name string) {
	if h := req.GetHeader("P-Asserted-Identity"); h != nil {
		var u sip.Uri
		params := sip.NewParams()
		if display, err := sip.ParseAddressValue(h.Value(), &u, &params); err == nil && clean(u.User) != "" {
			return clean(u.User), clean(display)
		}
	}
	if from := req.From(); from != nil {
		number, name = clean(from.Address.User), clean(from.DisplayName)
	}
	if number == "" {
		number = "anonymous"
	}
	return number, name
}

// clean keeps a caller's number or name printable and short.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	if len(s) > 64 {
		s = strings.ToValidUTF8(s[:64], "") // not half a character
	}
	return s
}
