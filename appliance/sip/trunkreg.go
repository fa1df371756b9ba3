package sip

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"deskline/appliance/sip/digest"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Registration timing: a failed registration is retried after
// regRetryMin, doubling up to regRetryMax; a granted one is refreshed
// ahead of its expiry.
const (
	regRetryMin = 30 * time.Second
	regRetryMax = 10 * time.Minute
)

// startTrunk starts r's registration and keep-alive. Call with
// s.trunks.mu held.
func (s *Server) startTrunk(r *trunkRun) {
	ctx, cancel := context.WithCancel(s.ctx)
	r.stop = cancel
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(r.done)
		s.runTrunk(ctx, r)
	}()
}

// startTrunks starts the trunks set before Start.
func (s *Server) startTrunks() {
	s.trunks.mu.Lock()
	defer s.trunks.mu.Unlock()
	s.trunks.started = true
	for _, r := range s.trunks.m {
		r.done = make(chan struct{})
		s.startTrunk(r)
	}
}

// stopTrunks stops every trunk and gives registrations a moment to be
// removed at the provider while the transports still run.
func (s *Server) stopTrunks() {
	s.trunks.mu.Lock()
	runs := make([]*trunkRun, 0, len(s.trunks.m))
	for _, r := range s.trunks.m {
		if r.stop != nil {
			r.stop()
		}
		runs = append(runs, r)
	}
	s.trunks.started = false
	s.trunks.mu.Unlock()
	deadline := time.After(3 * time.Second)
	for _, r := range runs {
		select {
		case <-r.done:
		case <-deadline:
			return
		}
	}
}

// regState is a trunk's registration dialog: one Call-ID, rising CSeq.
type regState struct {
	callID string
	tag    string
	cseq   uint32
}

func (s *Server) runTrunk(ctx context.Context, r *trunkRun) {
	t := r.t
	reg := &regState{callID: newID() + "@deskline", tag: sip.GenerateTagN(16)}
	now := time.Now()
	nextReg, nextPing := now, now
	retry := regRetryMin
	registered := false
	for {
		now = time.Now()
		if t.Register && !now.Before(nextReg) {
			granted, at, err := s.register(ctx, r, reg, t.Expiry)
			if ctx.Err() != nil {
				break
			}
			if err != nil {
				registered = false
				nextReg = now.Add(retry)
				retry = min(retry*2, regRetryMax)
				s.setTrunkStatus(r, func(st *TrunkStatus) {
					st.Registered, st.Up, st.Until, st.LastError = false, false, time.Time{}, err.Error()
				})
			} else {
				registered = true
				retry = regRetryMin
				// Refresh at 80% of the time granted, and at least 10 s
				// before it runs out.
				refresh := min(granted*4/5, granted-10*time.Second)
				nextReg = now.Add(max(refresh, 5*time.Second))
				r.mu.Lock()
				r.regAt = at
				r.mu.Unlock()
				until := s.o.Now().Add(granted)
				s.setTrunkStatus(r, func(st *TrunkStatus) {
					st.Registered, st.Up, st.Until, st.Address, st.LastError = true, true, until, at.String(), ""
				})
			}
		}
		if t.KeepAlive > 0 && !now.Before(nextPing) && (!t.Register || registered) {
			at, err := s.ping(ctx, r)
			if ctx.Err() != nil {
				break
			}
			s.setTrunkStatus(r, func(st *TrunkStatus) {
				if err != nil {
					st.Up, st.LastError = false, err.Error()
				} else {
					st.Up, st.Address = true, at.String()
					if !t.Register {
						st.LastError = ""
					}
				}
			})
			nextPing = now.Add(t.KeepAlive)
		}
		next := nextReg
		if !t.Register || (t.KeepAlive > 0 && registered && nextPing.Before(next)) {
			next = nextPing
		}
		if !t.Register && t.KeepAlive < 0 {
			<-ctx.Done()
			break
		}
		timer := time.NewTimer(time.Until(next))
		select {
		case <-ctx.Done():
			timer.Stop()
		case <-timer.C:
		}
		if ctx.Err() != nil {
			break
		}
	}
	if registered {
		// Removed, changed or shutting down: tell the provider.
		uctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		s.register(uctx, r, reg, 0)
		cancel()
	}
}

// targets resolves where the trunk's requests go: its proxy, or its host.
func (s *Server) targets(ctx context.Context, t *Trunk) ([]netip.AddrPort, error) {
	hp := t.Host
	if t.Proxy != "" {
		hp = t.Proxy
	}
	rctx, cancel := context.WithTimeout(ctx, s.o.TrunkTimeout)
	defer cancel()
	return resolveTargets(rctx, s.o.Resolver, hp, t.Transport)
}

// register sends REGISTER (expiry 0 unregisters) to the trunk's targets in
// turn until one answers, and returns the time granted and where.
func (s *Server) register(ctx context.Context, r *trunkRun, reg *regState, expiry time.Duration) (time.Duration, netip.AddrPort, error) {
	t := &r.t
	dsts, err := s.targets(ctx, t)
	if err != nil {
		return 0, netip.AddrPort{}, err
	}
	var lastErr error
	for _, dst := range dsts {
		res, err := s.trunkRequest(ctx, r, sip.REGISTER, dst, func(req *sip.Request) {
			reg.cseq++
			cid := sip.CallIDHeader(reg.callID)
			req.AppendHeader(&cid)
			req.AppendHeader(&sip.CSeqHeader{SeqNo: reg.cseq, MethodName: sip.REGISTER})
			ct := s.contactFor(dst, t.Transport)
			ct.Address.User = t.Username
			req.AppendHeader(&ct)
			req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(int(expiry/time.Second))))
		}, reg.tag)
		if res != nil {
			reg.cseq = max(reg.cseq, res.CSeq().SeqNo)
		}
		if err != nil {
			lastErr = fmt.Errorf("%s: %w", dst, err)
			continue
		}
		if res.StatusCode/100 != 2 {
			return 0, dst, fmt.Errorf("%s answered %d %s", dst, res.StatusCode, res.Reason)
		}
		return grantedExpiry(res, expiry), dst, nil
	}
	return 0, netip.AddrPort{}, lastErr
}

// grantedExpiry reads the registration time a 200 to REGISTER grants: our
// contact's expires parameter, else Expires, else what we asked.
func grantedExpiry(res *sip.Response, asked time.Duration) time.Duration {
	for _, h := range res.GetHeaders("Contact") {
		if ct, ok := h.(*sip.ContactHeader); ok && ct.Params != nil {
			if v, ok := ct.Params.Get("expires"); ok {
				if n, err := strconv.Atoi(v); err == nil && n > 0 {
					return time.Duration(n) * time.Second
				}
			}
		}
	}
	if h := res.GetHeader("Expires"); h != nil {
		if n, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil && n > 0 {
			return time.Duration(n) * time.Second
		}
	}
	return asked
}

// ping sends OPTIONS to the trunk's first target that answers. Any answer
// means the provider is there.
func (s *Server) ping(ctx context.Context, r *trunkRun) (netip.AddrPort, error) {
	dsts, err := s.targets(ctx, &r.t)
	if err != nil {
		return netip.AddrPort{}, err
	}
	var lastErr error
	for _, dst := range dsts {
		_, err := s.trunkRequest(ctx, r, sip.OPTIONS, dst, nil, sip.GenerateTagN(16))
		if err == nil {
			return dst, nil
		}
		lastErr = fmt.Errorf("%s: %w", dst, err)
	}
	return netip.AddrPort{}, lastErr
}

// trunkRequest sends one out-of-dialog request to the trunk at dst and
// answers a digest challenge once with the trunk's credentials.
func (s *Server) trunkRequest(ctx context.Context, r *trunkRun, method sip.RequestMethod, dst netip.AddrPort, build func(*sip.Request), tag string) (*sip.Response, error) {
	t := &r.t
	domain := t.domain()
	ruri := sip.Uri{Scheme: "sip", Host: domain}
	if _, port, _ := splitHostPort(t.Host); port != 0 {
		ruri.Port = port
	}
	req := sip.NewRequest(method, ruri)
	req.SetDestination(dst.String())
	req.SetTransport(t.Transport)
	user := t.Username
	if user == "" {
		user = "deskline"
	}
	aor := sip.Uri{Scheme: "sip", User: user, Host: domain}
	from := sip.FromHeader{Address: aor, Params: sip.NewParams()}
	from.Params.Add("tag", tag)
	req.AppendHeader(&from)
	req.AppendHeader(&sip.ToHeader{Address: aor})
	via := &sip.ViaHeader{ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: strings.ToUpper(t.Transport),
		Host: s.localIP(dst.Addr()).String(), Port: int(s.localPort(t.Transport)), Params: sip.NewParams()}
	via.Params.Add("branch", sip.GenerateBranchN(16))
	via.Params.Add("rport", "")
	req.AppendHeader(via)
	req.AppendHeader(sip.NewHeader("Max-Forwards", "70"))
	req.AppendHeader(sip.NewHeader("User-Agent", s.o.UserAgent))
	if build != nil {
		build(req)
	}
	if req.CSeq() == nil {
		req.AppendHeader(&sip.CSeqHeader{SeqNo: 1, MethodName: method})
	}
	if req.CallID() == nil {
		cid := sip.CallIDHeader(newID() + "@deskline")
		req.AppendHeader(&cid)
	}
	req.AppendHeader(sip.NewHeader("Content-Length", "0"))
	rctx, cancel := context.WithTimeout(ctx, s.o.TrunkTimeout)
	defer cancel()
	res, err := s.client.Do(rctx, req, func(*sipgo.Client, *sip.Request) error { return nil })
	if err != nil {
		return nil, unanswered(err)
	}
	if (res.StatusCode == 401 || res.StatusCode == 407) && t.Password != "" {
		if err := t.checkRealm(res); err != nil {
			return nil, err
		}
		res, err = s.client.DoDigestAuth(rctx, req, res, sipgo.DigestAuth{Username: t.authUser(), Password: t.Password})
		if err != nil {
			return nil, unanswered(err)
		}
	}
	return res, nil
}

// localPort is our SIP port for a transport.
func (s *Server) localPort(transport string) uint16 {
	if transport == "tls" && s.tls != nil {
		return s.tlsAddr.Port()
	}
	return s.addr.Port()
}

func unanswered(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return errors.New("no answer")
	}
	return err
}

// checkRealm refuses a challenge from a realm other than the trunk's.
func (t *Trunk) checkRealm(res *sip.Response) error {
	if t.Realm == "" {
		return nil
	}
	for _, name := range []string{"WWW-Authenticate", "Proxy-Authenticate"} {
		if h := res.GetHeader(name); h != nil {
			if p, err := digest.ParseAuthorization(h.Value()); err == nil && p["realm"] == t.Realm {
				return nil
			}
		}
	}
	return fmt.Errorf("challenged for another realm than %q: credentials not sent", t.Realm)
}
