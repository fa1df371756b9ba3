package phonetest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"deskline/appliance/internal/audiotest"
)

// Errors returned (wrapped) by Phone methods.
var (
	// ErrExited: baresip exited or closed its control connection.
	ErrExited = errors.New("phonetest: baresip is gone")
	// ErrCommand: baresip answered a command with ok=false.
	ErrCommand = errors.New("phonetest: command failed")
	// ErrRegisterFailed: WaitRegistered saw REGISTER_FAIL.
	ErrRegisterFailed = errors.New("phonetest: registration failed")
	// ErrNoRecording: Recordings found no closed call or no dump files.
	ErrNoRecording = errors.New("phonetest: no recording")
)

// Timeouts applied when a context has no deadline of its own, and to the
// steps of Start and cleanup.
const (
	DefaultCommandTimeout = 10 * time.Second
	DefaultWaitTimeout    = 30 * time.Second
	startTimeout          = 15 * time.Second
	quitTimeout           = 5 * time.Second
)

// Options describe one phone. The zero value is a phone "phonetest" over UDP
// that does not register and sends silence.
type Options struct {
	// User is the user part of the account, e.g. "1001"; default "phonetest".
	// It is also the digest user name.
	User string
	// Password for digest authentication; empty means no credentials.
	// It must not contain ';', '>' or whitespace (baresip account syntax).
	Password string
	// Registrar is host:port of the registrar and the account's domain,
	// e.g. "127.0.0.1:5060". Required when Register is set; when empty the
	// account is sip:User@127.0.0.1 (peer-to-peer calls only).
	Registrar string
	// Transport is "udp" (default), "tcp" or "tls", for registration and
	// for the URI returned by URI. baresip listens for TLS on its SIP
	// port + 1.
	Transport string
	// CAFile, for TLS, is a PEM file of the certificates the phone trusts
	// (sip_cafile); empty means it does not verify the server at all
	// (sip_verify_server no).
	CAFile string
	// AutoAnswer makes the phone answer incoming calls at once
	// (answermode=auto); baresip then emits no CALL_INCOMING.
	AutoAnswer bool
	// Register makes the phone REGISTER with the Registrar (regint > 0).
	// When false baresip never registers (regint=0).
	Register bool
	// Codecs limits the audio codecs the phone offers and accepts, by
	// baresip name ("PCMU/8000/1", "PCMA/8000/1"); empty = all it has.
	Codecs []string
	// RegInterval is the requested registration expiry; default 300 s.
	RegInterval time.Duration
	// PlayWAV is the audio the phone sends: a 16-bit 8 kHz mono WAV file,
	// played once from the start of each call (baresip's aufile). Empty
	// means two minutes of generated silence. Make it longer than the call:
	// at its end baresip emits AUDIO_ERROR and hangs up ("end of file").
	PlayWAV string
	// MediaEnc encrypts the phone's audio with baresip's srtp module:
	// "srtp" (offers SRTP, accepts plain RTP), "srtp-mand" (SRTP only,
	// RTP/SAVP); empty = plain RTP.
	MediaEnc string
}

func (o Options) normalize() (Options, error) {
	if o.User == "" {
		o.User = "phonetest"
	}
	if o.Transport == "" {
		o.Transport = "udp"
	}
	if o.RegInterval == 0 {
		o.RegInterval = 300 * time.Second
	}
	switch {
	case o.Transport != "udp" && o.Transport != "tcp" && o.Transport != "tls":
		return o, fmt.Errorf("phonetest: transport %q, want udp, tcp or tls", o.Transport)
	case o.MediaEnc != "" && o.MediaEnc != "srtp" && o.MediaEnc != "srtp-mand" && o.MediaEnc != "srtp-mandf":
		return o, fmt.Errorf("phonetest: MediaEnc %q, want srtp, srtp-mand or srtp-mandf", o.MediaEnc)
	case o.Register && o.Registrar == "":
		return o, errors.New("phonetest: Register needs a Registrar")
	case strings.ContainsAny(o.User+o.Password+o.Registrar, ";<>@ \t\r\n\""):
		return o, errors.New("phonetest: user, password and registrar must not contain ;<>@, quotes or spaces")
	case o.RegInterval < time.Second:
		return o, fmt.Errorf("phonetest: RegInterval %v is under a second", o.RegInterval)
	}
	return o, nil
}

// Response is baresip's answer to a command.
type Response struct {
	OK    bool
	Data  string // human-readable text (may hold ANSI colour codes)
	Token string
}

// Phone is one running baresip process, driven over ctrl_tcp. Its methods
// may be called from several goroutines. It is stopped by the cleanup that
// Start registers; there is no Close.
type Phone struct {
	stopOnce sync.Once
	t        testing.TB
	opts     Options
	dir      string // config directory
	sndDir   string // where sndfile dumps the calls' audio
	sipPort  int
	ctrlPort int
	aor      string

	proc    *exec.Cmd
	log     *logBuffer
	exited  chan struct{} // closed once the process has been reaped
	waitErr error         // the process's exit status; read after exited closed

	conn       net.Conn
	readerDone chan struct{}
	writeMu    sync.Mutex

	mu          sync.Mutex
	token       int
	pending     map[string]chan Response
	history     []Event
	consumed    []bool
	changed     chan struct{} // closed and replaced when history grows or the reader ends
	readErr     error         // why the control connection ended
	closedCalls int

	eventsOnce sync.Once
	events     chan Event
	feederDone chan struct{}
	stopFeed   chan struct{}
}

// Start runs a baresip configured from o in a temporary directory and
// returns once its control connection is up and its account exists. It
// skips or fails the test like Require when baresip is missing, and fails
// the test if baresip does not start. A cleanup quits baresip (killing it
// if it does not exit within 5 s) and, if the test failed, logs baresip's
// output.
func Start(t testing.TB, o Options) *Phone {
	t.Helper()
	Require(t)
	o, err := o.normalize()
	if err != nil {
		t.Fatal(err)
	}
	bin, moduleDir, err := locate()
	if err != nil {
		t.Fatal(err)
	}
	for attempt := 1; ; attempt++ {
		p, err := start(t, bin, moduleDir, o)
		if err == nil {
			t.Cleanup(p.Stop)
			return p
		}
		if !errors.Is(err, errPortTaken) || attempt == 3 {
			t.Fatalf("phonetest: start %s: %v", o.User, err)
		}
		t.Logf("phonetest: start %s: %v; retrying with other ports", o.User, err)
	}
}

var errPortTaken = errors.New("a port was taken by another process")

func start(t testing.TB, bin, moduleDir string, o Options) (*Phone, error) {
	base, err := allocPorts()
	if err != nil {
		return nil, err
	}
	dir := t.TempDir()
	p := &Phone{
		t: t, opts: o, dir: dir, sndDir: filepath.Join(dir, "snd"),
		sipPort: base, ctrlPort: base + 2,
		log: newLogBuffer(), exited: make(chan struct{}), readerDone: make(chan struct{}),
		pending: make(map[string]chan Response), changed: make(chan struct{}),
		stopFeed: make(chan struct{}),
	}
	host := o.Registrar
	if host == "" {
		host = "127.0.0.1"
	}
	p.aor = "sip:" + o.User + "@" + host
	if err := p.writeConfig(moduleDir, base); err != nil {
		return nil, err
	}

	p.proc = exec.Command(bin, "-f", dir)
	p.proc.Dir = dir
	p.proc.Stdout = p.log // stdin stays /dev/null: the stdio module is not loaded
	p.proc.Stderr = p.log
	p.proc.WaitDelay = time.Second
	if err := p.proc.Start(); err != nil {
		return nil, fmt.Errorf("run %s: %w", bin, err)
	}
	go func() {
		p.waitErr = p.proc.Wait()
		close(p.exited)
	}()
	fail := func(err error) (*Phone, error) {
		p.kill()
		if p.conn != nil {
			p.conn.Close()
			<-p.readerDone
		}
		log := p.log.String()
		if strings.Contains(log, "Address already in use") {
			err = fmt.Errorf("%w: %v", errPortTaken, err)
		}
		return nil, fmt.Errorf("%w\n--- baresip log ---\n%s", err, log)
	}

	deadline := time.NewTimer(startTimeout)
	defer deadline.Stop()
	select {
	case <-p.log.ready:
	case <-p.exited:
		return fail(fmt.Errorf("baresip exited during start-up: %v", p.waitErr))
	case <-deadline.C:
		return fail(fmt.Errorf("baresip not ready after %v", startTimeout))
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	var d net.Dialer
	p.conn, err = d.DialContext(ctx, "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p.ctrlPort)))
	if err != nil {
		return fail(fmt.Errorf("connect to ctrl_tcp: %w", err))
	}
	go p.readLoop()

	// The account is created only now, over the control connection: baresip
	// sends events only to connected clients, and a registration started
	// from the accounts file can finish before we connect.
	if _, err := p.Command(ctx, "uanew", p.accountLine()); err != nil {
		return fail(fmt.Errorf("create account: %w", err))
	}
	return p, nil
}

func (p *Phone) accountLine() string {
	o := p.opts
	var b strings.Builder
	fmt.Fprintf(&b, "<%s;transport=%s>", p.aor, o.Transport)
	if o.Password != "" {
		fmt.Fprintf(&b, ";auth_user=%s;auth_pass=%s", o.User, o.Password)
	}
	if o.Register {
		fmt.Fprintf(&b, ";regint=%d", int(o.RegInterval.Seconds()))
	} else {
		b.WriteString(";regint=0")
	}
	if o.AutoAnswer {
		b.WriteString(";answermode=auto")
	}
	if len(o.Codecs) > 0 {
		fmt.Fprintf(&b, ";audio_codecs=%s", strings.Join(o.Codecs, ","))
	}
	if o.MediaEnc != "" {
		fmt.Fprintf(&b, ";mediaenc=%s", o.MediaEnc)
	}
	return b.String()
}

func (p *Phone) writeConfig(moduleDir string, base int) error {
	if err := os.Mkdir(p.sndDir, 0o755); err != nil {
		return fmt.Errorf("phonetest: %w", err)
	}
	src := p.opts.PlayWAV
	if src == "" {
		src = filepath.Join(p.dir, "silence.wav")
		if err := audiotest.WriteTone(src, 0, 120, 8000); err != nil {
			return err
		}
	} else {
		abs, err := filepath.Abs(src)
		if err != nil {
			return fmt.Errorf("phonetest: %w", err)
		}
		src = abs
		if _, rate, err := audiotest.ReadWAV(src); err != nil {
			return fmt.Errorf("phonetest: PlayWAV: %w", err)
		} else if rate != 8000 {
			return fmt.Errorf("phonetest: PlayWAV %s is %d Hz, baresip's aufile needs 8000 Hz", src, rate)
		}
	}
	if strings.ContainsAny(src, " \t\n,") {
		return fmt.Errorf("phonetest: PlayWAV path %q contains a space or comma", src)
	}
	var c strings.Builder
	kv := func(k, v string) { fmt.Fprintf(&c, "%-20s %s\n", k, v) }
	c.WriteString("# written by deskline/appliance/internal/phonetest\n")
	kv("poll_method", "epoll")
	// Without net_interface baresip puts the default route's address in
	// SDP c= lines; pinned, SIP and SDP both say 127.0.0.1.
	kv("net_interface", "127.0.0.1")
	kv("sip_listen", fmt.Sprintf("127.0.0.1:%d", base))
	kv("call_local_timeout", "120")
	kv("call_max_calls", "4")
	kv("audio_source", "aufile,"+src)
	// aubridge devices are sinks here: nothing listens to them.
	kv("audio_player", "aubridge,phonetest-play")
	kv("audio_alert", "aubridge,phonetest-alert")
	kv("rtp_ports", fmt.Sprintf("%d-%d", base+4, base+blockSize-1))
	kv("rtcp_mux", "no")
	kv("statmode_default", "off")
	kv("module_path", moduleDir)
	for _, m := range []string{"g711", "aufile", "aubridge", "sndfile", "srtp"} {
		kv("module", m+".so")
	}
	kv("module_tmp", "account.so")
	for _, m := range []string{"contact", "menu", "ctrl_tcp"} {
		kv("module_app", m+".so")
	}
	kv("ctrl_tcp_listen", fmt.Sprintf("127.0.0.1:%d", p.ctrlPort))
	kv("snd_path", p.sndDir)
	if p.opts.CAFile != "" {
		kv("sip_cafile", p.opts.CAFile)
	} else if p.opts.Transport == "tls" {
		kv("sip_verify_server", "no")
	}
	files := map[string]string{
		"config":   c.String(),
		"accounts": "# the account is added with the uanew command once ctrl_tcp is connected\n",
		"contacts": "",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(p.dir, name), []byte(body), 0o644); err != nil {
			return fmt.Errorf("phonetest: %w", err)
		}
	}
	return nil
}

// readLoop owns the reading side of the control connection until it ends.
func (p *Phone) readLoop() {
	defer close(p.readerDone)
	r := bufio.NewReader(p.conn)
	for {
		raw, err := readNetstring(r)
		if err != nil {
			p.mu.Lock()
			p.readErr = err
			close(p.changed)
			p.changed = make(chan struct{})
			p.mu.Unlock()
			return
		}
		var m message
		if err := json.Unmarshal(raw, &m); err != nil {
			p.log.note(fmt.Sprintf("undecodable message %q: %v", raw, err))
			continue
		}
		switch {
		case m.Response:
			p.mu.Lock()
			ch := p.pending[m.Token]
			delete(p.pending, m.Token)
			p.mu.Unlock()
			if ch != nil {
				ch <- Response{OK: m.OK, Data: m.Data, Token: m.Token} // buffered
			}
		case m.Event:
			e := m.toEvent(raw)
			p.mu.Lock()
			p.history = append(p.history, e)
			p.consumed = append(p.consumed, false)
			if e.Type == EventCallClosed {
				p.closedCalls++
			}
			close(p.changed)
			p.changed = make(chan struct{})
			p.mu.Unlock()
		}
	}
}

func withDefault(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}

// Command sends a ctrl_tcp command (a menu command such as "dial",
// "reginfo" or "listcalls") and waits for its response. An answer with
// ok=false is returned together with an error wrapping ErrCommand. Without
// a deadline in ctx, DefaultCommandTimeout applies.
func (p *Phone) Command(ctx context.Context, cmd, params string) (Response, error) {
	ctx, cancel := withDefault(ctx, DefaultCommandTimeout)
	defer cancel()
	ch := make(chan Response, 1)
	p.mu.Lock()
	if p.readErr != nil {
		p.mu.Unlock()
		return Response{}, p.goneErr()
	}
	p.token++
	token := "phonetest-" + strconv.Itoa(p.token)
	p.pending[token] = ch
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.pending, token)
		p.mu.Unlock()
	}()

	body, err := json.Marshal(map[string]string{"command": cmd, "params": params, "token": token})
	if err != nil {
		return Response{}, fmt.Errorf("phonetest: %w", err)
	}
	p.writeMu.Lock()
	dl, _ := ctx.Deadline()
	p.conn.SetWriteDeadline(dl)
	_, err = p.conn.Write(appendNetstring(nil, body))
	p.writeMu.Unlock()
	if err != nil {
		return Response{}, fmt.Errorf("phonetest: %s: send %q: %w", p.opts.User, cmd, err)
	}
	select {
	case r := <-ch:
		if !r.OK {
			return r, fmt.Errorf("%w: %s: %s %s: %s", ErrCommand, p.opts.User, cmd, params, strings.TrimSpace(r.Data))
		}
		return r, nil
	case <-p.readerDone:
		return Response{}, p.goneErr()
	case <-ctx.Done():
		return Response{}, fmt.Errorf("phonetest: %s: %s %s: no response: %w", p.opts.User, cmd, params, ctx.Err())
	}
}

func (p *Phone) goneErr() error {
	p.mu.Lock()
	err := p.readErr
	p.mu.Unlock()
	select {
	case <-p.exited:
		return fmt.Errorf("%w (%s): process ended: %v", ErrExited, p.opts.User, p.waitErr)
	default:
		return fmt.Errorf("%w (%s): control connection: %v", ErrExited, p.opts.User, err)
	}
}

// Events returns every event of this phone, from its start, in order. The
// channel is unbuffered but never makes baresip wait: events are kept until
// read. It is closed when the control connection ends or the phone is
// stopped. Reading it does not affect WaitEvent. All calls return the same
// channel.
func (p *Phone) Events() <-chan Event {
	p.eventsOnce.Do(func() {
		p.events = make(chan Event)
		p.feederDone = make(chan struct{})
		go p.feed()
	})
	return p.events
}

func (p *Phone) feed() {
	defer close(p.feederDone)
	defer close(p.events)
	for i := 0; ; {
		p.mu.Lock()
		changed, ended := p.changed, p.readErr != nil
		var e Event
		have := i < len(p.history)
		if have {
			e = p.history[i]
		}
		p.mu.Unlock()
		if have {
			select {
			case p.events <- e:
				i++
			case <-p.stopFeed:
				return
			}
			continue
		}
		if ended {
			return
		}
		select {
		case <-changed:
		case <-p.stopFeed:
			return
		}
	}
}

// WaitEvent returns the oldest event that match accepts and that no earlier
// WaitEvent returned, waiting for it if need be. Events it skips stay
// available to later calls, so waiting for CALL_CLOSED does not lose the
// DTMF events before it. Without a deadline in ctx, DefaultWaitTimeout
// applies. match runs without locks held.
func (p *Phone) WaitEvent(ctx context.Context, match func(Event) bool) (Event, error) {
	ctx, cancel := withDefault(ctx, DefaultWaitTimeout)
	defer cancel()
	seen := 0
	for {
		p.mu.Lock()
		changed, ended := p.changed, p.readErr != nil
		events := slices.Clone(p.history[seen:])
		p.mu.Unlock()
		for i, e := range events {
			if !match(e) {
				continue
			}
			p.mu.Lock()
			taken := p.consumed[seen+i]
			p.consumed[seen+i] = true
			p.mu.Unlock()
			if !taken {
				return e, nil
			}
		}
		seen += len(events)
		if ended {
			return Event{}, p.goneErr()
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return Event{}, fmt.Errorf("phonetest: %s: no matching event: %w; events so far: %s",
				p.opts.User, ctx.Err(), p.eventSummary())
		}
	}
}

func (p *Phone) eventSummary() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var s []string
	for _, e := range p.history {
		if e.Type != EventCallRTCP {
			s = append(s, e.String())
		}
	}
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// WaitRegistered waits for the outcome of the phone's registration:
// nil on REGISTER_OK, an error wrapping ErrRegisterFailed with baresip's
// reason on REGISTER_FAIL.
func (p *Phone) WaitRegistered(ctx context.Context) error {
	if !p.opts.Register {
		return errors.New("phonetest: WaitRegistered on a phone without Register")
	}
	e, err := p.WaitEvent(ctx, IsType(EventRegisterOK, EventRegisterFail))
	if err != nil {
		return err
	}
	if e.Type == EventRegisterFail {
		return fmt.Errorf("%w: %s at %s: %s", ErrRegisterFailed, p.aor, p.opts.Registrar, e.Reason)
	}
	return nil
}

// Dial starts a call to uri (e.g. "sip:1002@127.0.0.1:5060"). It returns
// once baresip has sent the INVITE; follow the call with WaitEvent.
func (p *Phone) Dial(ctx context.Context, uri string) error {
	_, err := p.Command(ctx, "dial", uri)
	return err
}

// Accept answers the ringing incoming call.
func (p *Phone) Accept(ctx context.Context) error {
	_, err := p.Command(ctx, "accept", "")
	return err
}

// Hangup ends the current call. baresip has emitted CALL_CLOSED by the time
// it returns.
func (p *Phone) Hangup(ctx context.Context) error {
	_, err := p.Command(ctx, "hangup", "")
	return err
}

// SendDTMF sends digits (0-9, *, #, A-D) as RFC 4733 telephone events in the
// current call. baresip 1.0.0 cannot send SIP INFO.
func (p *Phone) SendDTMF(ctx context.Context, digits string) error {
	if digits == "" || strings.Trim(digits, "0123456789*#ABCD") != "" {
		return fmt.Errorf("phonetest: invalid DTMF digits %q", digits)
	}
	_, err := p.Command(ctx, "sndcode", digits)
	return err
}

// Recordings returns the WAV files sndfile wrote for the most recent call
// that has closed: heard is what the phone received (decoded), sent what it
// transmitted. Both are 16-bit mono 8 kHz PCM. It fails with
// ErrNoRecording before any call closed.
func (p *Phone) Recordings() (heard, sent string, err error) {
	p.mu.Lock()
	closed := p.closedCalls
	p.mu.Unlock()
	if closed == 0 {
		return "", "", fmt.Errorf("%w: %s: no call has closed yet", ErrNoRecording, p.opts.User)
	}
	// baresip emits CALL_CLOSED just before it frees the call and sndfile
	// closes the files; one command round trip through its single-threaded
	// main loop orders us after that.
	ctx, cancel := context.WithTimeout(context.Background(), DefaultCommandTimeout)
	defer cancel()
	if _, err := p.Command(ctx, "listcalls", ""); err != nil && !errors.Is(err, ErrExited) {
		return "", "", err
	}
	decs, _ := filepath.Glob(filepath.Join(p.sndDir, "dump-*-dec.wav"))
	if len(decs) == 0 {
		return "", "", fmt.Errorf("%w: %s: no dump-*-dec.wav in %s", ErrNoRecording, p.opts.User, p.sndDir)
	}
	slices.Sort(decs) // names hold the local time of the call's start
	heard = decs[len(decs)-1]
	sent = strings.TrimSuffix(heard, "-dec.wav") + "-enc.wav"
	for _, f := range []string{heard, sent} {
		if err := wavComplete(f); err != nil {
			return "", "", fmt.Errorf("%w: %s: %v", ErrNoRecording, p.opts.User, err)
		}
	}
	return heard, sent, nil
}

// wavComplete checks that the RIFF size field matches the file, which
// libsndfile writes only when it closes the file.
func wavComplete(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var hdr [8]byte
	if _, err := f.ReadAt(hdr[:], 0); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	size := int64(hdr[4]) | int64(hdr[5])<<8 | int64(hdr[6])<<16 | int64(hdr[7])<<24
	if string(hdr[:4]) != "RIFF" || size+8 != fi.Size() {
		return fmt.Errorf("%s is incomplete (RIFF size %d, file %d bytes)", path, size, fi.Size())
	}
	return nil
}

// SIPAddr returns the host:port the phone listens on for SIP (UDP and TCP).
func (p *Phone) SIPAddr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(p.sipPort)) }

// URI returns a SIP URI that reaches this phone directly, without a
// registrar, e.g. "sip:1002@127.0.0.1:20032".
func (p *Phone) URI() string {
	u := "sip:" + p.opts.User + "@" + p.SIPAddr()
	switch p.opts.Transport {
	case "tcp":
		u += ";transport=tcp"
	case "tls":
		u = "sip:" + p.opts.User + "@" + net.JoinHostPort("127.0.0.1", strconv.Itoa(p.sipPort+1)) + ";transport=tls"
	}
	return u
}

// AOR returns the account's address of record, e.g. "sip:1001@127.0.0.1:5060".
func (p *Phone) AOR() string { return p.aor }

// Dir returns the phone's configuration directory (config, accounts, snd/).
func (p *Phone) Dir() string { return p.dir }

// Log returns what baresip printed so far, without colour codes.
func (p *Phone) Log() string { return p.log.String() }

// Stop quits the phone now rather than at the test's cleanup: baresip
// unregisters on quit, so a test whose registrar stops first should stop its
// phones before. Calling it again does nothing.
func (p *Phone) Stop() { p.stopOnce.Do(p.stop) }

// stop quits baresip, kills it if it lingers, waits for every goroutine of
// the phone and, if the test failed, logs baresip's output.
func (p *Phone) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), quitTimeout)
	defer cancel()
	select {
	case <-p.exited:
	default:
		if _, err := p.Command(ctx, "quit", ""); err != nil && !errors.Is(err, ErrExited) {
			p.log.note("quit: " + err.Error())
		}
		select {
		case <-p.exited:
		case <-ctx.Done():
			p.log.note("baresip did not exit within " + quitTimeout.String() + " of quit; killing it")
		}
	}
	p.kill()
	p.conn.Close()
	<-p.readerDone
	close(p.stopFeed)
	p.eventsOnce.Do(func() {}) // no feeder may start from now on
	if p.feederDone != nil {
		<-p.feederDone
	}
	if p.t.Failed() {
		p.t.Logf("phonetest: baresip log of %s (%s, sip %s):\n%s", p.opts.User, p.aor, p.SIPAddr(), p.Log())
	}
}

// kill ends the process if it still runs and waits until it is reaped.
func (p *Phone) kill() {
	select {
	case <-p.exited:
		return
	default:
	}
	p.proc.Process.Kill()
	<-p.exited // Kill cannot be ignored; WaitDelay bounds the output copying
}
