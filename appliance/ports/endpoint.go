package ports

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/pion/rtp"

	"deskline/hw"
	"deskline/media"
	"deskline/media/dtmf"
	"deskline/media/fsk"
	"deskline/media/sched"
	"deskline/media/sdp"
	"deskline/media/tone"
)

// state is where a port is in a call's life.
type state uint8

const (
	stIdle     state = iota
	stDialTone       // FXS: off-hook, nothing dialled yet
	stDialling       // FXS: digits being collected
	stCalling        // INVITE to the box pending
	stRinging        // FXS: rung by the box; FXO: the box's number being dialled
	stTalking        // call established
	stBusy           // FXS: off-hook after the call failed or the far end hung up
)

var stateNames = [...]string{"idle", "dialtone", "dialling", "calling", "ringing", "talking", "busy"}

func (s state) String() string { return stateNames[s] }

// sound is what the writer plays into the port.
type sound uint8

const (
	sndSilence sound = iota
	sndTone          // e.gen
	sndFSK           // e.mod: caller ID
	sndDTMF          // e.dg: the number dialled out on an FXO line
	sndRTP           // audio from the box
)

// rxSamples bounds the audio from the box waiting for the port: 200 ms.
const rxSamples = 1600

// call is one call on a port: its SIP dialog and its media.
type call struct {
	out      *sipgo.DialogClientSession // we called the box
	in       *sipgo.DialogServerSession // the box called us
	sess     *media.Session
	recv     *media.Receiver
	feed     *media.Feed
	cancel   context.CancelFunc
	answered chan struct{} // closed: handset lifted (FXS) or number dialled (FXO)
	once     sync.Once
	answer   sync.Once
}

// signalAnswer closes answered once.
func (c *call) signalAnswer() { c.answer.Do(func() { close(c.answered) }) }

// closeMedia stops the call's audio and frees its RTP port. Call it
// without the endpoint's lock: the Receiver's callback takes it.
func (c *call) closeMedia() {
	c.once.Do(func() {
		if c.feed != nil {
			c.feed.Stop()
		}
		if c.recv != nil {
			c.recv.Close()
		}
		if c.sess != nil {
			c.sess.Close()
		}
	})
}

// endpoint is one port and its SIP user agent.
type endpoint struct {
	g    *Gateway
	port hw.Port
	kind hw.Kind
	ext  string      // FXS
	line LineOptions // FXO
	log  *slog.Logger

	conn    net.PacketConn
	addr    netip.AddrPort
	ua      *sipgo.UserAgent
	srv     *sipgo.Server
	cli     *sipgo.Client
	dua     *sipgo.DialogUA
	contact sip.ContactHeader
	sc      *sched.Scheduler // never run: the reader steps the Feed
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup // every goroutine but serve
	swg     sync.WaitGroup // serve

	// Owned by the reader goroutine.
	up    hw.Frame
	det   *dtmf.Detector
	evs   []dtmf.Event
	demod *fsk.Demodulator
	src   media.Source

	mu         sync.Mutex
	state      state
	offHook    bool
	registered bool
	call       *call
	digits     []byte
	offHookAt  time.Time
	lastDigit  time.Time
	lineCID    *hw.CallerID // FXO: caller ID of the ringing call
	feedN      int64
	snd        sound
	gen        *tone.Generator
	mod        *fsk.Modulator
	cidMsg     []byte
	cidAt      time.Time // FXS: when to send cidMsg; zero when none
	dg         *dtmf.Generator
	dialAt     time.Time // FXO: when dialling out starts
	rx         [rxSamples]int16
	rxR, rxN   int
}

func newEndpoint(g *Gateway, port hw.Port, set func(*endpoint)) (*endpoint, error) {
	e := &endpoint{g: g, port: port, kind: port.Kind(), det: dtmf.NewDetector(nil), evs: make([]dtmf.Event, 0, 8),
		sc: sched.New(nil), dg: dtmf.NewGenerator(nil)}
	set(e)
	e.src = media.SourceFunc(func(dst []int16) bool { copy(dst, e.up[:]); return true })
	e.log = g.log.With("port", port.String())
	gen, err := newToneGen(g)
	if err != nil {
		return nil, err
	}
	e.gen = gen
	if e.kind == hw.FXO {
		e.demod = fsk.NewDemodulator(g.fskMode, e.lineCallerID)
	}
	e.conn, err = net.ListenPacket("udp", netip.AddrPortFrom(g.bind, 0).String())
	if err != nil {
		return nil, fmt.Errorf("ports: %v: sip listen: %w", port, err)
	}
	e.addr = e.conn.LocalAddr().(*net.UDPAddr).AddrPort()
	if err := e.startSIP(); err != nil {
		e.conn.Close()
		return nil, err
	}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	e.swg.Add(1)
	go e.serve()
	e.listening()
	e.wg.Add(2)
	go e.readLoop()
	go e.writeLoop()
	e.wg.Add(1)
	go e.eventLoop()
	if e.kind == hw.FXS {
		e.wg.Add(1)
		go e.registerLoop()
	}
	e.log.Info("analog port up", "kind", e.kind, "extension", e.ext, "did", e.line.DID, "sip", e.addr)
	return e, nil
}

func (e *endpoint) startSIP() error {
	var err error
	if e.ua, err = sipgo.NewUA(sipgo.WithUserAgent("Deskline-ports")); err != nil {
		return fmt.Errorf("ports: sip: %w", err)
	}
	if e.srv, err = sipgo.NewServer(e.ua); err != nil {
		e.ua.Close()
		return fmt.Errorf("ports: sip: %w", err)
	}
	host := e.addr.Addr().String()
	if e.cli, err = sipgo.NewClient(e.ua, sipgo.WithClientHostname(host), sipgo.WithClientPort(int(e.addr.Port())),
		sipgo.WithClientConnectionAddr(e.addr.String())); err != nil {
		e.ua.Close()
		return fmt.Errorf("ports: sip: %w", err)
	}
	user := e.ext
	if e.kind == hw.FXO {
		user = e.line.DID
	}
	e.contact = sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: user, Host: host, Port: int(e.addr.Port())}}
	e.dua = &sipgo.DialogUA{Client: e.cli, ContactHDR: e.contact}
	e.srv.OnInvite(e.guard(e.onInvite))
	e.srv.OnAck(e.guard(e.onAck))
	e.srv.OnBye(e.guard(e.onBye))
	e.srv.OnOptions(e.guard(func(req *sip.Request, tx sip.ServerTransaction) { respond(tx, req, 200, "OK") }))
	e.srv.OnCancel(e.guard(func(req *sip.Request, tx sip.ServerTransaction) {
		respond(tx, req, 481, "Call/Transaction Does Not Exist")
	}))
	return nil
}

// guard answers 500 instead of crashing the box on a handler bug.
func (e *endpoint) guard(h func(*sip.Request, sip.ServerTransaction)) sipgo.RequestHandler {
	return func(req *sip.Request, tx sip.ServerTransaction) {
		defer func() {
			if r := recover(); r != nil {
				e.log.Error("sip handler panicked", "method", req.Method, "panic", r)
				if !req.IsAck() {
					respond(tx, req, 500, "Server Internal Error")
				}
			}
		}()
		h(req, tx)
	}
}

func respond(tx sip.ServerTransaction, req *sip.Request, code int, reason string) {
	tx.Respond(sip.NewResponseFromRequest(req, code, reason, nil))
}

// listening waits (briefly) until sipgo knows the listening socket, so that
// requests we send leave from it rather than from a socket of their own.
func (e *endpoint) listening() {
	for range 200 {
		if c, err := e.ua.TransportLayer().GetConnection("udp", e.addr.String()); err == nil && c != nil {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

func (e *endpoint) serve() {
	defer e.swg.Done()
	e.srv.ServeUDP(e.conn)
}

// close hangs up, stops every goroutine and halts the port.
func (e *endpoint) close() {
	e.mu.Lock()
	c := e.call
	e.call = nil
	e.mu.Unlock()
	if c != nil {
		e.hangup(c)
	}
	e.cancel()
	e.port.Halt()
	e.wg.Wait() // nothing sends any more: the socket can go
	e.ua.Close()
	e.conn.Close()
	e.swg.Wait()
}

func (e *endpoint) status() Status {
	e.mu.Lock()
	defer e.mu.Unlock()
	return Status{Port: e.port.String(), Kind: e.kind.String(), Extension: e.ext, Trunk: e.line.Trunk, DID: e.line.DID,
		SIPAddr: e.addr.String(), Registered: e.registered, State: e.state.String(), Digits: string(e.digits)}
}

func newToneGen(g *Gateway) (*tone.Generator, error) {
	gen, err := tone.NewGenerator(g.dial)
	if err != nil {
		return nil, fmt.Errorf("ports: dial tone: %w", err)
	}
	return gen, nil
}

// setTone starts tone t into the port. Call with e.mu held.
func (e *endpoint) setTone(t tone.Tone) {
	if err := e.gen.Reset(t); err != nil {
		e.snd = sndSilence
		return
	}
	e.snd = sndTone
}

// readLoop carries the port's audio: digit detection while dialling,
// caller ID on an idle FXO line, RTP to the box during a call.
func (e *endpoint) readLoop() {
	defer e.wg.Done()
	for {
		if err := e.port.ReadFrame(&e.up); err != nil {
			return
		}
		e.captured()
	}
}

// captured handles the frame just read into e.up.
func (e *endpoint) captured() {
	e.mu.Lock()
	st := e.state
	var feed *media.Feed
	n := e.feedN
	if e.call != nil && e.call.feed != nil {
		feed = e.call.feed
		e.feedN++
	}
	e.mu.Unlock()
	switch {
	case st == stDialTone || st == stDialling:
		e.evs = e.det.Feed(e.up[:], e.evs[:0])
		for _, ev := range e.evs {
			if !ev.Ended {
				e.digit(ev.Digit)
			}
		}
	case e.kind == hw.FXO && st == stIdle:
		e.demod.Write(e.up[:])
	}
	if feed != nil {
		feed.Frame(n)
	}
	e.tick()
}

// writeLoop plays tones, caller ID, dialled digits or the box's audio into
// the port, one frame per device frame.
func (e *endpoint) writeLoop() {
	defer e.wg.Done()
	var f hw.Frame
	for {
		e.mu.Lock()
		e.fill(&f)
		e.mu.Unlock()
		if err := e.port.WriteFrame(&f); err != nil {
			return
		}
	}
}

// fill renders the next frame for the port. Call with e.mu held.
func (e *endpoint) fill(f *hw.Frame) {
	now := e.g.o.Now()
	if !e.cidAt.IsZero() && !now.Before(e.cidAt) {
		e.cidAt = time.Time{}
		if e.mod == nil {
			e.mod, _ = fsk.NewModulator(e.cidMsg, fsk.Options{Mode: e.g.fskMode})
		} else if e.mod.Reset(e.cidMsg, fsk.Options{Mode: e.g.fskMode}) != nil {
			e.mod = nil
		}
		if e.mod != nil {
			e.snd = sndFSK
		}
	}
	switch e.snd {
	case sndTone:
		e.gen.Read(f[:])
	case sndFSK:
		if e.mod.Read(f[:]) {
			e.snd = sndSilence
		}
	case sndDTMF:
		if now.Before(e.dialAt) {
			*f = hw.Frame{}
			return
		}
		e.dg.Read(f[:])
		if e.dg.Done() {
			e.snd = sndSilence
			if e.call != nil {
				e.call.signalAnswer()
			}
		}
	case sndRTP:
		n := min(e.rxN, hw.FrameSamples)
		for i := range n {
			f[i] = e.rx[(e.rxR+i)%rxSamples]
		}
		clear(f[n:])
		e.rxR, e.rxN = (e.rxR+n)%rxSamples, e.rxN-n
	default:
		*f = hw.Frame{}
	}
}

// onAudio queues the box's audio for the port, dropping the oldest when
// the port falls behind.
func (e *endpoint) onAudio(_ *rtp.Header, pcm []int16) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, s := range pcm {
		if e.rxN == rxSamples {
			e.rxR = (e.rxR + 1) % rxSamples
			e.rxN--
		}
		e.rx[(e.rxR+e.rxN)%rxSamples] = s
		e.rxN++
	}
}

// startMedia starts c's audio both ways. Call with e.mu held.
func (e *endpoint) startMedia(c *call) {
	c.recv = media.NewReceiver(c.sess, media.ReceiverOptions{OnAudio: e.onAudio})
	c.recv.Start()
	c.feed = c.sess.Play(e.sc, e.src, nil)
	e.feedN, e.rxR, e.rxN = 0, 0, 0
	e.snd = sndRTP
}

// hangup ends c from our side: CANCEL while it is being set up, BYE once
// it is established, and frees its media.
func (e *endpoint) hangup(c *call) {
	if c.cancel != nil {
		c.cancel()
	}
	c.signalAnswer() // an incoming call waiting for the handset gives up (its ctx is done)
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		switch {
		case c.out != nil && c.out.LoadState() >= sip.DialogStateEstablished && c.out.LoadState() < sip.DialogStateEnded:
			c.out.Bye(ctx)
		case c.in != nil && c.in.LoadState() >= sip.DialogStateEstablished && c.in.LoadState() < sip.DialogStateEnded:
			c.in.Bye(ctx)
		}
	}()
	c.closeMedia()
}

// newSession opens an RTP session for a call leg.
func (e *endpoint) newSession() (*media.Session, error) {
	return e.g.o.Media.Listen(e.g.bind)
}

// invite calls number at the box for call c (e.call), from the caller
// given, and follows the answer.
func (e *endpoint) invite(ctx context.Context, c *call, number, fromUser, fromName string) {
	defer e.wg.Done()
	fail := func(code int, why string, err error) {
		e.log.Info("call failed", "number", number, "why", why, "code", code, "err", err)
		t := e.g.congestion
		if code == 486 || code == 600 || code == 603 {
			t = e.g.busy
		}
		e.ended(c, t)
	}
	sess, err := e.newSession()
	if err != nil {
		fail(0, "no RTP port", err)
		return
	}
	c.sess = sess
	offer := sdp.NewOffer(sdp.OfferParams{Addr: sess.LocalAddr(), Codecs: []string{sdp.PCMU, sdp.PCMA}, NoDTMF: true,
		SessionID: rand.Uint64() >> 2, Version: 1})
	box := e.g.box
	inv := sip.NewRequest(sip.INVITE, sip.Uri{Scheme: "sip", User: number, Host: box.Addr().String(), Port: int(box.Port())})
	inv.SetBody(offer.Marshal())
	inv.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	from := &sip.FromHeader{DisplayName: fromName, Address: sip.Uri{Scheme: "sip", User: fromUser, Host: box.Addr().String()}, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(16))
	inv.AppendHeader(from)
	inv.AppendHeader(&sip.ToHeader{Address: sip.Uri{Scheme: "sip", User: number, Host: box.Addr().String()}})
	inv.AppendHeader(&e.contact)
	dlg, err := e.dua.WriteInvite(ctx, inv)
	if err != nil {
		fail(0, "invite not sent", err)
		return
	}
	e.mu.Lock()
	c.out = dlg
	e.mu.Unlock()
	opts := sipgo.AnswerOptions{OnResponse: func(r *sip.Response) error {
		if r.StatusCode == 180 || r.StatusCode == 183 {
			e.progress(c, r)
		}
		return nil
	}}
	if e.kind == hw.FXS {
		opts.Username, opts.Password, _ = e.g.o.Credentials(e.ext)
	}
	for i := 0; ; i++ {
		err = dlg.WaitAnswer(ctx, opts)
		if err == nil || err.Error() != "more than 10 responses received" || i > 20 {
			break
		}
	}
	if err != nil {
		code := 0
		var dr *sipgo.ErrDialogResponse
		if errors.As(err, &dr) {
			code = dr.Res.StatusCode
		}
		fail(code, "not answered", err)
		return
	}
	n, err := answerFrom(dlg.InviteResponse.Body())
	if ackErr := dlg.Ack(context.Background()); ackErr != nil {
		e.log.Warn("ack failed", "err", ackErr)
	}
	if err != nil {
		byeCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		dlg.Bye(byeCtx)
		cancel()
		fail(488, "unusable answer", err)
		return
	}
	applyNegotiated(sess, n)
	e.mu.Lock()
	if e.call != c { // hung up while the answer came
		e.mu.Unlock()
		byeCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		dlg.Bye(byeCtx)
		cancel()
		c.closeMedia()
		return
	}
	e.state = stTalking
	e.startMedia(c)
	e.mu.Unlock()
	e.log.Info("call answered", "number", number)
}

// progress plays ringback for a 180 without SDP, or the box's early
// media for a 180/183 with SDP.
func (e *endpoint) progress(c *call, r *sip.Response) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.call != c || e.state != stCalling {
		return
	}
	if len(r.Body()) > 0 {
		if n, err := answerFrom(r.Body()); err == nil {
			applyNegotiated(c.sess, n)
			if c.feed == nil {
				e.startMedia(c)
			}
			return
		}
	}
	if e.kind == hw.FXS && e.snd != sndTone {
		e.setTone(e.g.ringback)
	}
}

// answerFrom reads the box's SDP answer.
func answerFrom(body []byte) (sdp.Negotiated, error) {
	s, err := sdp.Parse(body)
	if err != nil {
		return sdp.Negotiated{}, err
	}
	return sdp.Negotiate(s, []string{sdp.PCMU, sdp.PCMA})
}

// applyNegotiated configures a media session from the peer's SDP.
func applyNegotiated(m *media.Session, n sdp.Negotiated) {
	codec := media.PCMU
	if n.Encoding == sdp.PCMA {
		codec = media.PCMA
	}
	m.SetFormat(media.Format{Codec: codec, PT: n.PT, DTMFPT: n.DTMFPT})
	if n.Remote.IsValid() && !n.Hold {
		m.SetRemote(n.Remote)
	}
}

// onInvite takes a call from the box: an FXS port rings, an FXO line is
// seized and the number dialled.
func (e *endpoint) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	e.mu.Lock()
	if e.call != nil || e.state != stIdle || e.offHook {
		e.mu.Unlock()
		respond(tx, req, 486, "Busy Here")
		return
	}
	c := &call{answered: make(chan struct{})}
	e.call, e.state = c, stRinging
	e.mu.Unlock()
	reset := func(code int, reason string) {
		if code != 0 {
			respond(tx, req, code, reason)
		}
		c.closeMedia()
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.call == c {
			e.call, e.state, e.cidAt, e.snd = nil, stIdle, time.Time{}, sndSilence
			if e.kind == hw.FXS {
				e.port.StopRing()
			} else {
				e.port.Release()
			}
		}
	}
	offer, err := sdp.Parse(req.Body())
	var n sdp.Negotiated
	if err == nil {
		n, err = sdp.Negotiate(offer, []string{sdp.PCMU, sdp.PCMA})
	}
	if err != nil {
		reset(488, "Not Acceptable Here")
		return
	}
	sess, err := e.newSession()
	if err != nil {
		reset(503, "Service Unavailable")
		return
	}
	c.sess = sess
	applyNegotiated(sess, n)
	answer := sdp.Answer(offer, n, sess.LocalAddr(), rand.Uint64()>>2, 1, sdp.SendRecv).Marshal()
	dlg, err := e.dua.ReadInvite(req, tx)
	if err != nil {
		reset(500, "Server Internal Error")
		return
	}
	e.mu.Lock()
	c.in = dlg
	e.mu.Unlock()
	number := req.Recipient.User
	if e.kind == hw.FXS {
		cid := callerID(req, e.g.o.Now())
		if err := e.ringFXS(c, cid); err != nil {
			e.log.Warn("ring failed", "err", err)
			reset(0, "")
			dlg.Respond(480, "Temporarily Unavailable", nil)
			return
		}
		dlg.Respond(180, "Ringing", nil)
	} else {
		e.mu.Lock()
		err := e.dg.Play(number, 100*time.Millisecond, 100*time.Millisecond)
		e.mu.Unlock()
		if number == "" || err != nil {
			reset(0, "")
			dlg.Respond(484, "Address Incomplete", nil)
			return
		}
		if err := e.port.Seize(); err != nil {
			reset(0, "")
			dlg.Respond(503, "Service Unavailable", nil)
			return
		}
		e.mu.Lock()
		// Wait for the exchange's dial tone before dialling.
		e.dialAt, e.snd = e.g.o.Now().Add(time.Second), sndDTMF
		e.mu.Unlock()
		dlg.Respond(183, "Session Progress", nil)
	}
	select {
	case <-c.answered:
	case <-dlg.Context().Done():
	case <-e.ctx.Done():
	}
	e.mu.Lock()
	gone := e.call != c
	e.mu.Unlock()
	if gone || dlg.Context().Err() != nil || e.ctx.Err() != nil {
		e.log.Info("incoming call not answered", "number", number)
		reset(0, "")
		if e.ctx.Err() != nil || gone {
			dlg.Respond(480, "Temporarily Unavailable", nil)
		}
		return
	}
	if err := dlg.RespondSDP(answer); err != nil {
		e.log.Warn("answer failed", "err", err)
		reset(0, "")
		return
	}
	e.mu.Lock()
	if e.call != c {
		e.mu.Unlock()
		return
	}
	e.state = stTalking
	e.startMedia(c)
	e.mu.Unlock()
	e.log.Info("incoming call answered", "number", number)
}

// callerID reads the calling party from an INVITE's From header.
func callerID(req *sip.Request, now time.Time) hw.CallerID {
	cid := hw.CallerID{Time: now}
	if f := req.From(); f != nil {
		cid.Number, cid.Name = f.Address.User, f.DisplayName
	}
	return cid
}

// ringFXS rings the port for call c and schedules caller ID as FSK audio
// at the cadence's caller-ID moment.
func (e *endpoint) ringFXS(c *call, cid hw.CallerID) error {
	now := e.g.o.Now()
	msg := cidMessage(cid)
	var at time.Time
	if msg != nil {
		if r, err := newRinger(e.g.cadence, now); err == nil {
			at, _ = r.CallerIDAt()
		}
	}
	if err := e.port.Ring(e.g.cadence, &cid); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.call == c {
		e.cidMsg, e.cidAt = msg, at
	}
	return nil
}

// cidMessage is the caller-ID message for cid, nil when none can be made.
// Number and name come from SIP headers: anything a message cannot carry
// is dropped.
func cidMessage(cid hw.CallerID) []byte {
	msg, err := fsk.MDMF(fsk.CallerID{Time: cid.Time, Number: printable(cid.Number), Name: printable(cid.Name)})
	if err != nil {
		return nil
	}
	return msg
}

// printable keeps what a caller-ID message may carry: printable ASCII, at
// most 15 characters.
func printable(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s) && len(b) < 15; i++ {
		if s[i] >= 0x20 && s[i] < 0x7f {
			b = append(b, s[i])
		}
	}
	return string(b)
}

func (e *endpoint) onAck(req *sip.Request, tx sip.ServerTransaction) {
	e.mu.Lock()
	c := e.call
	e.mu.Unlock()
	if c != nil && c.in != nil {
		c.in.ReadAck(req, tx)
	}
}

// onBye: the box hung up.
func (e *endpoint) onBye(req *sip.Request, tx sip.ServerTransaction) {
	e.mu.Lock()
	c := e.call
	e.mu.Unlock()
	var err error = errors.New("no call")
	switch {
	case c != nil && c.out != nil:
		err = c.out.ReadBye(req, tx)
	case c != nil && c.in != nil:
		err = c.in.ReadBye(req, tx)
	}
	if err != nil {
		respond(tx, req, 481, "Call/Transaction Does Not Exist")
		return
	}
	e.log.Info("the far end hung up")
	e.ended(c, e.g.busy)
}

// ended clears call c after the far end ended or refused it: an FXO line
// is released; an FXS handset still off-hook hears t.
func (e *endpoint) ended(c *call, t tone.Tone) {
	c.closeMedia()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.call != c {
		return
	}
	e.call = nil
	switch {
	case e.kind == hw.FXO:
		e.state, e.snd, e.lineCID = stIdle, sndSilence, nil
		e.port.Release()
	case e.offHook:
		e.state = stBusy
		e.setTone(t)
	default:
		e.state, e.snd = stIdle, sndSilence
		e.port.StopRing()
	}
}

// registerLoop keeps the FXS extension registered.
func (e *endpoint) registerLoop() {
	defer e.wg.Done()
	for {
		granted, err := e.register()
		e.mu.Lock()
		e.registered = err == nil
		e.mu.Unlock()
		wait := 10 * time.Second
		if err != nil {
			e.log.Warn("registration failed", "extension", e.ext, "err", err)
		} else {
			wait = max(granted/2, time.Second)
		}
		t := time.NewTimer(wait)
		select {
		case <-e.ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// errRegister is the box's refusal of a registration.
var errRegister = errors.New("ports: registration refused")

func (e *endpoint) register() (time.Duration, error) {
	user, pass, ok := e.g.o.Credentials(e.ext)
	if !ok {
		return 0, fmt.Errorf("%w: no credentials for %s", errRegister, e.ext)
	}
	ctx, cancel := context.WithTimeout(e.ctx, 10*time.Second)
	defer cancel()
	box := e.g.box
	req := sip.NewRequest(sip.REGISTER, sip.Uri{Scheme: "sip", Host: box.Addr().String(), Port: int(box.Port())})
	aor := sip.Uri{Scheme: "sip", User: e.ext, Host: box.Addr().String()}
	from := &sip.FromHeader{Address: aor, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(16))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: aor})
	req.AppendHeader(&e.contact)
	expiry := e.g.o.RegisterExpiry
	req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(int(expiry/time.Second))))
	res, err := e.cli.Do(ctx, req)
	if err == nil && (res.StatusCode == 401 || res.StatusCode == 407) {
		res, err = e.cli.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: user, Password: pass})
	}
	if err != nil {
		return 0, err
	}
	if res.StatusCode != 200 {
		return 0, fmt.Errorf("%w: %d %s", errRegister, res.StatusCode, res.Reason)
	}
	if h := res.GetHeader("Expires"); h != nil {
		if s, err := strconv.Atoi(h.Value()); err == nil && s > 0 {
			expiry = min(expiry, time.Duration(s)*time.Second)
		}
	}
	return expiry, nil
}
