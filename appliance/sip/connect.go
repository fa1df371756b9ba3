package sip

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"deskline/media"
	"deskline/media/sdp"
	"deskline/media/tone"
)

// Why an extension was not connected.
var (
	ErrUnavailable = errors.New("sip: the extension is not reachable")
	ErrBusy        = errors.New("sip: the extension is busy")
	ErrNoAnswer    = errors.New("sip: the extension did not answer")
	ErrCancelled   = errors.New("sip: the offer was withdrawn")
)

// Offer is an extension rung for a channel's caller, possibly alongside
// others (a queue ringing all its free agents). When it answers, the
// service decides: Accept puts the caller through to it, Cancel hangs it up
// again. An Offer that is neither accepted nor cancelled within
// answeredWait of answering is hung up.
type Offer struct {
	ch   *Channel
	ext  string
	cand *call // the callee leg's own call until accepted: its b leg rings ext

	cancel context.CancelFunc
	mu     sync.Mutex
	state  offerState
	ended  chan struct{} // closed when the offer can no longer be accepted
}

type offerState uint8

const (
	offerRinging offerState = iota
	offerAnswered
	offerAccepted
	offerOver
)

// answeredWait bounds how long an answered offer waits for Accept.
const answeredWait = 10 * time.Second

// Offer starts ringing extension ext for at most ringFor and returns at
// once. onEnd is called once, on a goroutine of the offer's, when ringing
// ends: with nil when ext answered (now Accept or Cancel it), else with
// ErrBusy, ErrNoAnswer, ErrUnavailable, ErrCancelled or ErrHungUp (the
// caller left). An extension that is not registered, or busy, is refused at
// once with that error and no onEnd.
func (ch *Channel) Offer(ext string, ringFor time.Duration, onEnd func(*Offer, error)) (*Offer, error) {
	c, s := ch.c, ch.c.s
	log := s.log.With("call", c.id, "caller", c.caller, "offer", ext)
	bnd, registered := s.reg.lookup(ext)
	if !registered {
		return nil, ErrUnavailable
	}
	uri, dst, err := bindingTarget(bnd)
	if err != nil {
		return nil, ErrUnavailable
	}
	cand := &call{id: newID(), s: s, caller: c.caller, callerOutside: c.callerOutside, callerName: c.callerName,
		callee: ext, dialled: ext, start: s.o.Now(), done: make(chan struct{}), noCDR: true}
	if s.calls.reserve(cand, 0) != reserved {
		return nil, ErrBusy
	}
	mB, err := s.o.Media.Listen(s.localIP(dst.Addr()))
	if err != nil {
		s.calls.release(cand)
		log.Error("no media port for the offer", "err", err)
		return nil, ErrUnavailable
	}
	cand.mu.Lock()
	cand.b = leg{side: sideCallee, origin: newOrigin(), media: mB}
	var crypto []sdp.Crypto
	if s.srtpPolicy(ext) == sdp.SRTPRequired {
		crypto, err = cand.b.offerCrypto()
	}
	cand.mu.Unlock()
	if err != nil {
		mB.Close()
		s.calls.release(cand)
		return nil, err
	}
	c.mu.Lock()
	prefs := calleeCodecs(c.a.neg)
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(ch.ctx, ringFor)
	o := &Offer{ch: ch, ext: ext, cand: cand, cancel: cancel, ended: make(chan struct{})}
	cand.mu.Lock()
	cand.stopRinging = cancel
	cand.mu.Unlock()
	go func() {
		defer s.recoverIn("offer")
		defer s.calls.release(cand)
		err := o.ring(ctx, uri, dst, bnd.Transport, prefs, crypto, log)
		if err != nil {
			cancel()
			o.over()
			cand.finish(Failed, 0, "")
			onEnd(o, err)
			return
		}
		onEnd(o, nil)
		// Answered: wait for Accept, Cancel, the extension hanging up or
		// the caller leaving.
		t := time.NewTimer(answeredWait)
		defer t.Stop()
		select {
		case <-o.ended:
		case <-cand.done:
		case <-ch.ctx.Done():
		case <-t.C:
			log.Info("answered offer neither accepted nor withdrawn; hanging up")
		}
		o.Cancel()
	}()
	return o, nil
}

// ring runs the INVITE of the offer and, when it is answered, ACKs it.
func (o *Offer) ring(ctx context.Context, uri sip.Uri, dst netip.AddrPort, transport string, prefs []string, crypto []sdp.Crypto, log *slog.Logger) error {
	cand, ch := o.cand, o.ch
	cli, callID, err := cand.inviteCallee(ctx, dest{uri: uri, addr: dst, transport: transport}, prefs, crypto, func(*sip.Response) {
		cand.mu.Lock()
		cand.move(&cand.b, LegRinging)
		cand.mu.Unlock()
	}, log)
	if cli == nil {
		return ErrUnavailable
	}
	if err != nil {
		cand.dropCrossedAnswer(cli)
		var dr *sipgo.ErrDialogResponse
		switch {
		case ch.ctx.Err() != nil:
			return ErrHungUp
		case errors.Is(ctx.Err(), context.Canceled):
			return ErrCancelled
		case errors.Is(ctx.Err(), context.DeadlineExceeded):
			return ErrNoAnswer
		case errors.As(err, &dr) && (dr.Res.StatusCode == 486 || dr.Res.StatusCode == 600 || dr.Res.StatusCode == 603):
			return ErrBusy
		}
		log.Info("extension unreachable", "err", err)
		return ErrUnavailable
	}
	negB, err := cand.acceptCallee(cli, callID, prefs, log)
	if err != nil {
		return ErrUnavailable
	}
	cand.mu.Lock()
	cand.b.neg = negB
	cand.move(&cand.b, LegAnswered)
	cand.move(&cand.b, LegEstablished)
	cand.answer = cand.s.o.Now()
	cand.mu.Unlock()
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.state != offerRinging {
		return ErrCancelled
	}
	o.state = offerAnswered
	return nil
}

// Extension is the extension the offer rings.
func (o *Offer) Extension() string { return o.ext }

// over marks the offer as no longer acceptable.
func (o *Offer) over() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.state != offerOver && o.state != offerAccepted {
		o.state = offerOver
		close(o.ended)
	}
}

// Cancel withdraws the offer: the extension stops ringing, or is hung up
// if it has answered. Cancelling an accepted offer does nothing.
func (o *Offer) Cancel() {
	o.mu.Lock()
	st := o.state
	o.mu.Unlock()
	if st == offerAccepted {
		return
	}
	o.cancel()
	o.over()
	if st == offerAnswered {
		o.cand.hangup(nil, "system")
	}
}

// Accept puts the channel's caller through to the answered extension: the
// call goes on as an ordinary call between the two, and the service should
// return (the box then does not hang up). It fails when the offer has not
// answered, is over, or the caller has gone.
func (o *Offer) Accept() error {
	o.mu.Lock()
	if o.state != offerAnswered {
		o.mu.Unlock()
		return ErrCancelled
	}
	o.state = offerAccepted
	close(o.ended)
	o.mu.Unlock()
	c, cand, s := o.ch.c, o.cand, o.ch.c.s
	c.mu.Lock()
	callerGone := c.ended || c.ending
	c.mu.Unlock()
	if callerGone {
		cand.hangup(nil, "system")
		return ErrHungUp
	}
	cand.mu.Lock()
	if cand.ended || cand.ending {
		cand.mu.Unlock()
		return ErrUnavailable // the extension hung up as it answered
	}
	b := cand.b
	cand.b = leg{} // the leg belongs to the caller's call from now on
	cand.ended = true
	cand.mu.Unlock()
	close(cand.done)
	c.mu.Lock()
	if c.ended || c.ending {
		// The caller left in the instant between: the leg is nobody's.
		c.mu.Unlock()
		dropLeg(b)
		return ErrHungUp
	}
	c.b = b
	rcv := c.receiver
	c.receiver = nil
	c.mu.Unlock()
	s.calls.adoptCallee(c, o.ext)
	if id, err := sip.DialogIDFromResponse(b.cli.InviteResponse); err == nil {
		s.calls.addDialog(id, c, sideCallee)
	}
	// The caller's audio goes to the extension now, not to the service.
	rcv.Close()
	c.mu.Lock()
	c.relay = media.NewRelay(c.a.media, c.b.media, nil)
	c.relay.Start()
	c.bridged = true
	c.mu.Unlock()
	s.log.Info("connected", "call", c.id, "caller", c.caller, "to", o.ext, "codec_caller", c.a.neg.Encoding, "codec_callee", b.neg.Encoding)
	return nil
}

// dropLeg hangs up and closes a callee leg that belongs to no call.
func dropLeg(l leg) {
	if l.cli != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		l.cli.Bye(ctx)
		cancel()
		l.cli.Close()
	}
	if l.media != nil {
		l.media.Close()
	}
}

// Connect rings extension ext for at most ringFor and, when it answers,
// bridges the caller to it: the call goes on as an ordinary call between
// the two, and the service that owns the channel should return (the box
// then does not hang up). While ext rings the caller hears waiting: music,
// an announcement or, when nil, the ringback tone. Without an answer the
// caller stays on the channel and Connect says why: ErrUnavailable (not
// registered), ErrBusy, ErrNoAnswer, or ErrHungUp when the caller left.
func (ch *Channel) Connect(ext string, ringFor time.Duration, waiting media.Source) error {
	if waiting == nil {
		if g, err := tone.NewGenerator(ch.c.s.ringbackTone); err == nil {
			waiting = media.Endless(g.Read)
		}
	}
	res := make(chan error, 1)
	o, err := ch.Offer(ext, ringFor, func(_ *Offer, err error) { res <- err })
	if err != nil {
		return err
	}
	feed := ch.PlayBackground(waiting)
	defer func() {
		if feed != nil {
			feed.Stop()
		}
	}()
	if err := <-res; err != nil {
		return err
	}
	return o.Accept()
}
