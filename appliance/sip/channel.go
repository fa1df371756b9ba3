package sip

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/pion/rtp"

	"deskline/media"
	"deskline/media/mix"
	"deskline/media/sdp"
)

// Channel is a caller's leg answered by the box itself: a feature code, and
// later IVR menus, voicemail and queues. The service that owns it plays
// audio to the caller, reads the digits the caller presses and may listen to
// what the caller says. Its methods may be called from the service's
// goroutine while the caller hangs up at any time: then Context is done and
// every blocking method returns its error.
type Channel struct {
	c       *call
	ctx     context.Context
	service string
	args    string
	reason  string
	digits  chan byte
	onAudio atomic.Pointer[func([]int16)]
}

// ErrHungUp is returned by a Channel's methods once the caller has hung up.
var ErrHungUp = errors.New("sip: the caller hung up")

// ID is the call's id, as /api/v1/calls and the CDR show it.
func (ch *Channel) ID() string { return ch.c.id }

// EndedBy says, once the call has ended, who ended it: "caller", "callee"
// or "system".
func (ch *Channel) EndedBy() string {
	ch.c.mu.Lock()
	defer ch.c.mu.Unlock()
	return ch.c.hangupBy
}

// Caller is the calling extension.
func (ch *Channel) Caller() string { return ch.c.caller }

// Service is the name of the feature dialled, and Args the digits dialled
// after its code.
func (ch *Channel) Service() string { return ch.service }

// Args returns the digits dialled after the feature code ("" if none).
func (ch *Channel) Args() string { return ch.args }

// Reason says why a call came to the service when it was diverted there
// from an extension: "no-answer", "busy" or "unavailable"; "" when the
// caller dialled the service.
func (ch *Channel) Reason() string { return ch.reason }

// Context is done when the call ends.
func (ch *Channel) Context() context.Context { return ch.ctx }

// Play plays src to the caller until it ends. With interrupt set, a key the
// caller presses stops it and is returned (and stays unread for ReadDigit);
// otherwise Play returns 0 when src has ended. It returns ErrHungUp when the
// call ends first.
func (ch *Channel) Play(src media.Source, interrupt bool) (byte, error) {
	done := make(chan struct{})
	f := ch.c.a.media.Play(ch.c.s.sched, src, &media.FeedOptions{OnDone: func() { close(done) }})
	defer f.Stop()
	var digits <-chan byte
	if interrupt {
		digits = ch.digits
	}
	select {
	case <-done:
		return 0, nil
	case d := <-digits:
		ch.unread(d)
		return d, nil
	case <-ch.ctx.Done():
		return 0, ErrHungUp
	}
}

// PlayBackground starts src playing to the caller over whatever the caller
// hears now (a conference, a relay) and returns at once; Stop on the Feed
// returned ends it. A nil src plays nothing and returns nil.
func (ch *Channel) PlayBackground(src media.Source) *media.Feed {
	if src == nil {
		return nil
	}
	return ch.c.a.media.Play(ch.c.s.sched, src, nil)
}

// unread puts a digit back at the head of the queue.
func (ch *Channel) unread(d byte) {
	rest := make([]byte, 0, cap(ch.digits))
	for len(ch.digits) > 0 {
		rest = append(rest, <-ch.digits)
	}
	ch.digits <- d
	for _, r := range rest {
		ch.digits <- r
	}
}

// ReadDigit returns the next key the caller presses (0-9 * # A-D), waiting
// at most timeout; it returns 0 and no error on timeout.
func (ch *Channel) ReadDigit(timeout time.Duration) (byte, error) {
	select {
	case d := <-ch.digits:
		return d, nil
	default:
	}
	if timeout <= 0 {
		return 0, ch.ctx.Err()
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case d := <-ch.digits:
		return d, nil
	case <-t.C:
		return 0, nil
	case <-ch.ctx.Done():
		return 0, ErrHungUp
	}
}

// OnAudio sets (or, with nil, clears) a function that gets every frame of
// audio the caller sends, decoded to 8 kHz linear samples. It runs on the
// media goroutine: it must return quickly and not keep pcm.
func (ch *Channel) OnAudio(fn func(pcm []int16)) {
	if fn == nil {
		ch.onAudio.Store(nil)
		return
	}
	ch.onAudio.Store(&fn)
}

// Wait blocks until the caller hangs up or d has passed, and returns
// ErrHungUp in the first case.
func (ch *Channel) Wait(d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ch.ctx.Done():
		return ErrHungUp
	}
}

// answerService answers a call for a service of the box's own and runs the
// service on it until either side hangs up.
func (c *call) answerService(req *sip.Request, tx sip.ServerTransaction, offer *sdp.Session, negA sdp.Negotiated, target Target) {
	s := c.s
	log := s.log.With("call", c.id, "caller", c.caller, "service", target.Service)
	dlg, ok := c.acceptCaller(req, tx, negA, log)
	if !ok {
		return
	}

	srcA := sourceOf(req)
	mA, err := s.o.Media.Listen(s.localIP(srcA.Addr()))
	if err != nil {
		log.Error("no media port for caller", "err", err)
		c.respondA(503, "Service Unavailable", nil)
		c.finish(Failed, 503, "")
		return
	}
	applyNegotiated(mA, negA)
	c.mu.Lock()
	c.a.media = mA
	err = c.a.applySRTP(negA, false)
	var answer []byte
	if err == nil {
		answer, err = c.a.answerSDP(offer, negA)
	}
	if err != nil {
		c.mu.Unlock()
		log.Error("media keys or answer not made", "err", err)
		c.respondA(500, "Server Internal Error", nil)
		c.finish(Failed, 500, "")
		return
	}
	c.mu.Unlock()
	ch := c.openChannel(target)
	if !c.answerCaller(dlg, answer, log) {
		return
	}
	log.Info("service answered")
	c.serve(ch, log)
}

// openChannel makes the caller's leg (its media open) a Channel for the
// service target: the box reads the caller from now on.
func (c *call) openChannel(target Target) *Channel {
	ch := &Channel{c: c, service: target.Service, args: target.Args, reason: target.Reason, digits: make(chan byte, 32)}
	c.mu.Lock()
	rcv := media.NewReceiver(c.a.media, media.ReceiverOptions{
		InBand:  true,
		OnDigit: ch.pushDigit,
		OnAudio: func(_ *rtp.Header, pcm []int16) {
			if fn := ch.onAudio.Load(); fn != nil {
				(*fn)(pcm)
			}
		},
	})
	c.receiver = rcv
	c.channel = ch
	if c.a.state != LegAnswered && c.a.state != LegEstablished {
		c.move(&c.a, LegAnswered)
	}
	c.answer = c.s.o.Now()
	c.mu.Unlock()
	rcv.Start()
	return ch
}

// serve runs the channel's service until the call ends: when the service
// returns the box hangs up, unless it connected the caller somewhere.
func (c *call) serve(ch *Channel, log *slog.Logger) {
	s := c.s
	ctx, cancel := context.WithCancel(context.Background())
	ch.ctx = ctx
	go func() { <-c.done; cancel() }()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer s.recoverIn("service " + ch.service)
		if s.o.OnService != nil {
			s.o.OnService(ch)
		}
		c.mu.Lock()
		bridged := c.bridged
		c.mu.Unlock()
		if !bridged {
			// The service is over: the box hangs up (a no-op when the
			// caller already has).
			c.hangup(nil, "system")
		}
	}()
	c.watch(log)
	cancel()
	wg.Wait()
}

// Digits is the queue of keys the caller has pressed, for a service that
// waits on other things too; ReadDigit is simpler when it does not.
func (ch *Channel) Digits() <-chan byte { return ch.digits }

// ErrNoSuchCall is returned by Supervise when the extension is in no call
// that can be supervised.
var ErrNoSuchCall = errors.New("sip: the extension is in no connected call")

// Supervision is a supervisor's channel joined to another call's audio.
type Supervision struct {
	ch     *Channel
	target *call
	agent  *media.Session // the supervised extension's leg: whispers go there
	once   sync.Once
}

// Supervise joins the channel to the connected call of extension ext, in
// mode (mix.Listen, mix.Whisper to ext only, or mix.Talk to barge in).
// The call's two parties go on hearing each other; what they hear of the
// supervisor follows the mode. Digits the supervisor presses still arrive
// on the channel. Stop ends it; Done is closed when the supervised call
// ends.
func (ch *Channel) Supervise(ext string, mode mix.Mode) (*Supervision, error) {
	s := ch.c.s
	target := s.calls.connectedCallOf(ext, ch.c)
	if target == nil {
		return nil, ErrNoSuchCall
	}
	target.mu.Lock()
	defer target.mu.Unlock()
	if err := target.mixOn(); err != nil {
		return nil, err
	}
	agent := target.a.media
	if target.callee == ext { // target.mu is held
		agent = target.b.media
	}
	// The supervisor's own leg moves from its Receiver into the mixer.
	ch.c.mu.Lock()
	rcv := ch.c.receiver
	ch.c.mu.Unlock()
	rcv.Close()
	if err := target.conf.Join(ch.c.a.media, media.JoinOptions{Mode: mode, Target: agent, OnDigit: ch.pushDigit}); err != nil {
		target.mixOff()
		return nil, err
	}
	s.log.Info("supervision started", "supervisor", ch.c.caller, "call", target.id, "extension", ext, "mode", mode)
	return &Supervision{ch: ch, target: target, agent: agent}, nil
}

// SetMode switches between listening, whispering and barging in.
func (sv *Supervision) SetMode(mode mix.Mode) error {
	c := sv.target
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conf == nil {
		return ErrNoSuchCall
	}
	return c.conf.SetMode(sv.ch.c.a.media, mode, sv.agent)
}

// Done is closed when the supervised call ends.
func (sv *Supervision) Done() <-chan struct{} { return sv.target.done }

// Stop takes the supervisor out of the call.
func (sv *Supervision) Stop() {
	sv.once.Do(func() {
		c := sv.target
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.conf != nil {
			c.conf.Leave(sv.ch.c.a.media)
		}
		c.mixOff()
	})
}

// pushDigit queues a key the caller pressed; on its release, as the
// services want whole key presses.
func (ch *Channel) pushDigit(d byte, end bool) {
	if !end {
		return
	}
	select {
	case ch.digits <- d:
	default: // a caller drumming on the keypad: drop the excess
	}
}
