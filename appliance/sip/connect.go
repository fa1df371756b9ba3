package sip

import (
	"context"
	"errors"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"deskline/media"
	"deskline/media/sdp"
	"deskline/media/tone"
)

// Why Connect did not connect.
var (
	ErrUnavailable = errors.New("sip: the extension is not reachable")
	ErrBusy        = errors.New("sip: the extension is busy")
	ErrNoAnswer    = errors.New("sip: the extension did not answer")
)

// Connect rings extension ext for at most ringFor and, when it answers,
// bridges the caller to it: the call goes on as an ordinary call between
// the two, and the service that owns the channel should return (the box
// then does not hang up). While ext rings the caller hears waiting: music,
// an announcement or, when nil, the ringback tone. Without an answer the
// caller stays on the channel and Connect says why: ErrUnavailable (not
// registered), ErrBusy, ErrNoAnswer, or ErrHungUp when the caller left.
func (ch *Channel) Connect(ext string, ringFor time.Duration, waiting media.Source) error {
	c, s := ch.c, ch.c.s
	log := s.log.With("call", c.id, "caller", c.caller, "to", ext)
	bnd, registered := s.reg.lookup(ext)
	if !registered {
		return ErrUnavailable
	}
	uri, dst, err := bindingTarget(bnd)
	if err != nil {
		return ErrUnavailable
	}
	if !s.calls.claimCallee(c, ext) {
		return ErrBusy
	}
	connected := false
	defer func() {
		if !connected {
			s.calls.releaseCallee(c)
		}
	}()
	mB, err := s.o.Media.Listen(s.localIP(dst.Addr()))
	if err != nil {
		log.Error("no media port for callee", "err", err)
		return ErrUnavailable
	}
	c.mu.Lock()
	c.b = leg{side: sideCallee, origin: newOrigin(), media: mB}
	negA := c.a.neg
	var crypto []sdp.Crypto
	if s.srtpPolicy(ext) == sdp.SRTPRequired {
		crypto, err = c.b.offerCrypto()
	}
	c.mu.Unlock()
	reset := func() {
		mB.Close()
		c.mu.Lock()
		c.b = leg{}
		c.mu.Unlock()
	}
	if err != nil {
		reset()
		return err
	}
	if waiting == nil {
		if g, gerr := tone.NewGenerator(s.ringbackTone); gerr == nil {
			waiting = media.Endless(g.Read)
		}
	}
	var feed *media.Feed
	if waiting != nil {
		feed = c.a.media.Play(s.sched, waiting, nil)
	}
	defer func() {
		if feed != nil {
			feed.Stop()
		}
	}()

	ctx, cancel := context.WithTimeout(ch.ctx, ringFor)
	defer cancel()
	prefs := calleeCodecs(negA)
	cli, callID, err := c.inviteCallee(ctx, uri, dst, bnd.Transport, prefs, crypto, func(*sip.Response) {
		c.mu.Lock()
		c.move(&c.b, LegRinging)
		c.mu.Unlock()
	}, log)
	if cli == nil {
		reset()
		return ErrUnavailable
	}
	if err != nil {
		c.dropCrossedAnswer(cli)
		reset()
		var dr *sipgo.ErrDialogResponse
		switch {
		case ch.ctx.Err() != nil:
			return ErrHungUp
		case errors.Is(ctx.Err(), context.DeadlineExceeded):
			return ErrNoAnswer
		case errors.As(err, &dr) && (dr.Res.StatusCode == 486 || dr.Res.StatusCode == 600 || dr.Res.StatusCode == 603):
			return ErrBusy
		}
		log.Info("extension unreachable", "err", err)
		return ErrUnavailable
	}
	negB, err := c.acceptCallee(cli, callID, prefs, log)
	if err != nil {
		reset()
		return ErrUnavailable
	}
	c.mu.Lock()
	if c.ended || c.ending || ch.ctx.Err() != nil {
		// The caller hung up as the extension answered.
		c.mu.Unlock()
		c.byeLeg(&c.b)
		mB.Close()
		return ErrHungUp
	}
	c.b.neg = negB
	c.move(&c.b, LegAnswered)
	c.move(&c.b, LegEstablished)
	rcv := c.receiver
	c.receiver = nil
	c.mu.Unlock()
	// The caller's audio goes to the extension now, not to the service.
	rcv.Close()
	c.mu.Lock()
	c.relay = media.NewRelay(c.a.media, mB, nil)
	c.relay.Start()
	c.bridged = true
	c.mu.Unlock()
	connected = true
	log.Info("connected", "codec_caller", negA.Encoding, "codec_callee", negB.Encoding)
	return nil
}
