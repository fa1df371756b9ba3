package sip

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"deskline/appliance/sip/digest"
	"deskline/media"
)

// These tests drive call control with hand-written SIP over UDP, for what
// real phones do rarely or at awkward moments: a 200 crossing our CANCEL, a
// BYE right after the ACK, a flood of 180s, a phone that vanishes mid-call.

// rawPhone is a SIP phone written by hand: it sends exactly the messages a
// test spells out and hands every message it receives to the test.
type rawPhone struct {
	t    *testing.T
	user string
	c    *net.UDPConn
	srv  *net.UDPAddr
	in   chan string
	n    int
}

func newRawPhone(t *testing.T, s *Server, user string) *rawPhone {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	p := &rawPhone{t: t, user: user, c: c, srv: &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: int(s.Addr().Port())}, in: make(chan string, 100)}
	go func() {
		buf := make([]byte, 65535)
		for {
			n, _, err := c.ReadFromUDP(buf)
			if err != nil {
				close(p.in)
				return
			}
			p.in <- string(buf[:n])
		}
	}()
	t.Cleanup(func() { c.Close() })
	return p
}

func (p *rawPhone) addr() string { return p.c.LocalAddr().String() }

func (p *rawPhone) send(m string) {
	p.t.Helper()
	if _, err := p.c.WriteToUDP([]byte(m), p.srv); err != nil {
		p.t.Fatal(err)
	}
}

// wait returns the first message that ok accepts, or "" after d.
func (p *rawPhone) wait(d time.Duration, ok func(string) bool) string {
	tm := time.After(d)
	for {
		select {
		case m, open := <-p.in:
			if !open {
				return ""
			}
			if ok(m) {
				return m
			}
		case <-tm:
			return ""
		}
	}
}

func firstLine(m string) string { l, _, _ := strings.Cut(m, "\r\n"); return l }

func hdr(m, name string) string {
	if h := headers(m, name); len(h) > 0 {
		return h[0]
	}
	return ""
}

func isReq(method string) func(string) bool {
	return func(m string) bool { return strings.HasPrefix(m, method+" ") }
}

func isRes(code string) func(string) bool {
	return func(m string) bool { return strings.HasPrefix(m, "SIP/2.0 "+code) }
}

func isFinal(m string) bool {
	return strings.HasPrefix(m, "SIP/2.0 ") && !strings.HasPrefix(m, "SIP/2.0 1")
}

var rawPasswords = map[string]string{"1001": "alice-secret-1", "1002": "bob-secret-22", "1003": "carol-secret-3", "1004": "dave-secret-44"}

func (p *rawPhone) register() {
	p.t.Helper()
	msg := func(extra string) string {
		p.n++
		return fmt.Sprintf("REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bKreg%d\r\nMax-Forwards: 70\r\n"+
			"From: <sip:%s@127.0.0.1>;tag=r%s\r\nTo: <sip:%s@127.0.0.1>\r\nCall-ID: reg-%s\r\nCSeq: %d REGISTER\r\n"+
			"Contact: <sip:%s@%s>\r\nExpires: 600\r\n%sContent-Length: 0\r\n\r\n",
			p.addr(), p.n, p.user, p.user, p.user, p.user, p.n, p.user, p.addr(), extra)
	}
	p.send(msg(""))
	res := p.wait(3*time.Second, isRes("401"))
	p.send(msg(authorize(p.t, res, "MD5", "REGISTER", "sip:127.0.0.1", p.user, rawPasswords[p.user], 1) + "\r\n"))
	if p.wait(3*time.Second, isRes("200")) == "" {
		p.t.Fatalf("%s did not register", p.user)
	}
}

var proxyNonce = regexp.MustCompile(`nonce="([^"]+)"`)

func proxyAuth(res, method, ruri, user, pw string) string {
	m := proxyNonce.FindStringSubmatch(hdr(res, "Proxy-Authenticate"))
	h := func(s string) string { x := md5.Sum([]byte(s)); return hex.EncodeToString(x[:]) }
	ha1 := h(user + ":deskline:" + pw)
	resp := h(ha1 + ":" + m[1] + ":00000001:cn:auth:" + h(method+":"+ruri))
	return fmt.Sprintf(`Proxy-Authorization: Digest username="%s", realm="deskline", nonce="%s", uri="%s", response="%s", algorithm=MD5, qop=auth, nc=00000001, cnonce="cn"`,
		user, m[1], ruri, resp)
}

// rtpSink returns the port of a UDP socket bound for the rest of the test,
// for a test phone to offer as its RTP address. Offering a made-up port
// would send the box's audio to whatever else listens there: in a parallel
// run of the packages, another test's box.
func rtpSink(t *testing.T) int {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c.LocalAddr().(*net.UDPAddr).Port
}

func sdpBody(port int, dir string) string {
	return fmt.Sprintf("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=%s\r\n", port, dir)
}

// invite makes p call callee (answering the 407 as phones do) and returns
// the authenticated INVITE it sent.
func (p *rawPhone) invite(callee string, rtpPort int) string {
	p.t.Helper()
	body := sdpBody(rtpPort, "sendrecv")
	mk := func(cseq int, extra string) string {
		return fmt.Sprintf("INVITE sip:%s@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bKinv%d\r\nMax-Forwards: 70\r\n"+
			"From: <sip:%s@127.0.0.1>;tag=caller\r\nTo: <sip:%s@127.0.0.1>\r\nCall-ID: call-%s\r\nCSeq: %d INVITE\r\n"+
			"Contact: <sip:%s@%s>\r\nContent-Type: application/sdp\r\n%sContent-Length: %d\r\n\r\n%s",
			callee, p.addr(), cseq, p.user, callee, p.addr(), cseq, p.user, p.addr(), extra, len(body), body)
	}
	p.send(mk(1, ""))
	res := p.wait(3*time.Second, isRes("407"))
	if res == "" {
		p.t.Fatal("no 407 for the INVITE")
	}
	p.send(fmt.Sprintf("ACK sip:%s@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bKinv1\r\nMax-Forwards: 70\r\n"+
		"From: <sip:%s@127.0.0.1>;tag=caller\r\nTo: %s\r\nCall-ID: call-%s\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n",
		callee, p.addr(), p.user, hdr(res, "To"), p.addr()))
	inv := mk(2, proxyAuth(res, "INVITE", "sip:"+callee+"@127.0.0.1", p.user, rawPasswords[p.user])+"\r\n")
	p.send(inv)
	return inv
}

// reply answers a request p received.
func (p *rawPhone) reply(req, status, toTag, body string) {
	p.replyHdr(req, status, toTag, "", body)
}

// ackFinal acknowledges a non-2xx final response to an INVITE (same
// branch as the INVITE, as RFC 3261 17.1.1.3 says).
func (p *rawPhone) ackFinal(res string) {
	p.send(fmt.Sprintf("ACK sip:x@127.0.0.1 SIP/2.0\r\nVia: %s\r\nMax-Forwards: 70\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %d ACK\r\nContent-Length: 0\r\n\r\n",
		hdr(res, "Via"), hdr(res, "From"), hdr(res, "To"), hdr(res, "Call-ID"), cseqNum(res)))
}

// ack acknowledges a 2xx the caller received.
func (p *rawPhone) ack(ok string) {
	p.send(fmt.Sprintf("ACK sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bKack%d\r\nMax-Forwards: 70\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %d ACK\r\nContent-Length: 0\r\n\r\n",
		p.addr(), time.Now().UnixNano(), hdr(ok, "From"), hdr(ok, "To"), hdr(ok, "Call-ID"), cseqNum(ok)))
}

func cseqNum(m string) int {
	var n int
	fmt.Sscanf(hdr(m, "CSeq"), "%d", &n)
	return n
}

type cdrSink struct {
	mu   sync.Mutex
	recs []CallRecord
}

func (c *cdrSink) add(r CallRecord) { c.mu.Lock(); c.recs = append(c.recs, r); c.mu.Unlock() }

func (c *cdrSink) wait(t *testing.T) CallRecord {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		c.mu.Lock()
		if len(c.recs) > 0 {
			r := c.recs[0]
			c.mu.Unlock()
			return r
		}
		c.mu.Unlock()
	}
	t.Fatal("no CDR")
	return CallRecord{}
}

type callOpts struct {
	addr     string
	noAnswer time.Duration
	media    time.Duration
	maxCalls int
	service  func(*Channel)
	router   Router
	inbound  func(trunk, did, caller string) Target
	onTrunk  func(TrunkStatus)
}

func startCallServer(t *testing.T, o callOpts) (*Server, *cdrSink) {
	t.Helper()
	pool, err := media.NewPortPool(47000, 47998)
	if err != nil {
		t.Fatal(err)
	}
	if o.addr == "" {
		o.addr = "127.0.0.1:0"
	}
	dir := fakeDir(rawPasswords)
	cdrs := &cdrSink{}
	var router Router = exts(dir)
	if o.router != nil {
		router = o.router
	}
	s, err := New(Options{Addr: o.addr, Directory: dir, Router: router, Media: pool, RouteInbound: o.inbound, OnTrunkStatus: o.onTrunk, TrunkTimeout: time.Second,
		DigestAlgorithms: []digest.Algorithm{digest.MD5}, OnCDR: cdrs.add,
		Logger: testLogger(), NoAnswerTimeout: o.noAnswer, MediaTimeout: o.media, MaxCalls: o.maxCalls, OnService: o.service})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, cdrs
}

// ringing sets up Alice (1001) calling Bob (1002) and returns the INVITE Bob got.
func ringing(t *testing.T, s *Server) (a, b *rawPhone, invB string) {
	t.Helper()
	a, b = newRawPhone(t, s, "1001"), newRawPhone(t, s, "1002")
	a.register()
	b.register()
	a.invite("1002", rtpSink(t))
	if invB = b.wait(3*time.Second, isReq("INVITE")); invB == "" {
		t.Fatal("Bob's phone got no INVITE")
	}
	return a, b, invB
}

// established answers the call and acknowledges it on Alice's side.
func established(t *testing.T, a, b *rawPhone, invB string) {
	t.Helper()
	b.reply(invB, "200 OK", "calleetag", sdpBody(rtpSink(t), "sendrecv"))
	if b.wait(3*time.Second, isReq("ACK")) == "" {
		t.Fatal("Bob's 200 was not acknowledged")
	}
	ok := a.wait(3*time.Second, isRes("200"))
	if ok == "" {
		t.Fatal("Alice got no 200")
	}
	a.ack(ok)
}

func waitNoCalls(t *testing.T, s *Server) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if len(s.Calls()) == 0 {
			return
		}
	}
	t.Errorf("calls still in progress: %+v", s.Calls())
}

// TestCalleeAnswersAsWeCancel: Bob picks up just as the no-answer time runs
// out. His 200 crosses our CANCEL: we must ACK and BYE it, or his phone
// shows a silent connected call.
func TestCalleeAnswersAsWeCancel(t *testing.T) {
	t.Parallel()
	s, cdrs := startCallServer(t, callOpts{noAnswer: time.Second})
	a, b, invB := ringing(t, s)
	b.reply(invB, "180 Ringing", "calleetag", "")
	cancel := b.wait(4*time.Second, isReq("CANCEL"))
	if cancel == "" {
		t.Fatal("no CANCEL after the no-answer time")
	}
	b.reply(invB, "200 OK", "calleetag", sdpBody(rtpSink(t), "sendrecv"))
	b.reply(cancel, "481 Call/Transaction Does Not Exist", "", "")
	// Like a phone, Bob retransmits his 200 until it is acknowledged.
	acked := ""
	for i := 0; i < 6 && acked == ""; i++ {
		if acked = b.wait(500*time.Millisecond, isReq("ACK")); acked == "" {
			b.reply(invB, "200 OK", "calleetag", sdpBody(rtpSink(t), "sendrecv"))
		}
	}
	if acked == "" {
		t.Error("Bob's late 200 was never acknowledged")
	}
	if got := b.wait(5*time.Second, isReq("BYE")); got == "" {
		t.Error("Bob's phone got no BYE for the late answer")
	}
	if res := a.wait(5*time.Second, isFinal); !strings.HasPrefix(res, "SIP/2.0 480") {
		t.Errorf("Alice got %q, want 480", firstLine(res))
	} else {
		a.ackFinal(res)
	}
	waitNoCalls(t, s)
	if r := cdrs.wait(t); r.Disposition != NoAnswer {
		t.Errorf("CDR = %+v, want no-answer", r)
	}
}

// TestCalleeByeRightAfterAck: Bob hangs up the moment he has our ACK. His
// BYE must end the call (not 481) and Alice must get a BYE.
func TestCalleeByeRightAfterAck(t *testing.T) {
	t.Parallel()
	for i := 0; i < 5; i++ {
		s, _ := startCallServer(t, callOpts{})
		a, b, invB := ringing(t, s)
		b.reply(invB, "200 OK", "calleetag", sdpBody(rtpSink(t), "sendrecv"))
		if b.wait(3*time.Second, isReq("ACK")) == "" {
			t.Fatal("no ACK")
		}
		b.send(fmt.Sprintf("BYE sip:deskline@%s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bKbye%d\r\nMax-Forwards: 70\r\nFrom: <sip:1002@127.0.0.1>;tag=calleetag\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: 1 BYE\r\nContent-Length: 0\r\n\r\n",
			s.Addr(), b.addr(), i, hdr(invB, "From"), hdr(invB, "Call-ID")))
		if r := b.wait(3*time.Second, isFinal); !strings.HasPrefix(r, "SIP/2.0 200") {
			t.Fatalf("round %d: Bob's BYE answered %q, want 200", i, firstLine(r))
		}
		// Either Alice was connected and then gets a BYE, or Bob's BYE won
		// the race and Alice is told the call failed. Never a dead call.
		switch res := a.wait(3*time.Second, isFinal); {
		case strings.HasPrefix(res, "SIP/2.0 200"):
			a.ack(res)
			if bye := a.wait(5*time.Second, isReq("BYE")); bye == "" {
				t.Fatalf("round %d: Alice was connected and never got a BYE", i)
			} else {
				a.reply(bye, "200 OK", "", "")
			}
		case strings.HasPrefix(res, "SIP/2.0 4"):
			a.ackFinal(res)
		default:
			t.Fatalf("round %d: Alice got %q", i, firstLine(res))
		}
		waitNoCalls(t, s)
		s.Close()
	}
}

// TestCloseWhileRinging: stopping the box while a phone rings CANCELs it,
// tells the caller 503, and does not hang for Timer F.
func TestCloseWhileRinging(t *testing.T) {
	t.Parallel()
	s, cdrs := startCallServer(t, callOpts{})
	a, b, invB := ringing(t, s)
	b.reply(invB, "180 Ringing", "calleetag", "")
	a.wait(time.Second, isRes("180"))
	go func() {
		if c := b.wait(5*time.Second, isReq("CANCEL")); c != "" {
			b.reply(c, "200 OK", "", "")
			b.reply(invB, "487 Request Terminated", "calleetag", "")
		}
	}()
	start := time.Now()
	s.Close()
	if d := time.Since(start); d > 15*time.Second { // far below Timer F (32 s)
		t.Errorf("Close took %v with a ringing call", d)
	}
	if res := a.wait(2*time.Second, isFinal); !strings.HasPrefix(res, "SIP/2.0 503") {
		t.Errorf("Alice got %q, want 503", firstLine(res))
	} else {
		a.ackFinal(res)
	}
	if r := cdrs.wait(t); r.Disposition != Failed || r.HangupBy != "system" {
		t.Errorf("CDR = %+v, want failed, ended by the system", r)
	}
}

// TestManyProvisionals: a phone that sends 180 a dozen times is still
// ringing; when it answers, the call is up.
func TestManyProvisionals(t *testing.T) {
	t.Parallel()
	s, _ := startCallServer(t, callOpts{})
	a, b, invB := ringing(t, s)
	for i := 0; i < 14; i++ {
		b.reply(invB, "180 Ringing", "calleetag", "")
	}
	if c := b.wait(500*time.Millisecond, isReq("CANCEL")); c != "" {
		t.Fatal("the box CANCELled a phone that was ringing")
	}
	established(t, a, b, invB)
	if calls := s.Calls(); len(calls) != 1 || calls[0].State != "established" {
		t.Errorf("calls = %+v, want one established", calls)
	}
}

// TestMediaTimeout: both phones fall silent (power cut, cable pulled) and
// never send BYE; the box ends the call so neither stays busy for ever.
func TestMediaTimeout(t *testing.T) {
	t.Parallel()
	s, cdrs := startCallServer(t, callOpts{media: 400 * time.Millisecond})
	a, b, invB := ringing(t, s)
	established(t, a, b, invB)
	for _, p := range []*rawPhone{a, b} {
		if bye := p.wait(10*time.Second, isReq("BYE")); bye == "" {
			t.Errorf("%s got no BYE from the silent call", p.user)
		} else {
			p.reply(bye, "200 OK", "", "")
		}
	}
	waitNoCalls(t, s)
	if r := cdrs.wait(t); r.Disposition != Answered || r.HangupBy != "system" {
		t.Errorf("CDR = %+v, want answered, ended by the system", r)
	}
}

// rtpSocket is a phone's media port: it counts what it receives.
type rtpSocket struct {
	c     *net.UDPConn
	mu    sync.Mutex
	count int
}

func newRTPSocket(t *testing.T) *rtpSocket {
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	r := &rtpSocket{c: c}
	go func() {
		buf := make([]byte, 1500)
		for {
			if _, _, err := c.ReadFromUDP(buf); err != nil {
				return
			}
			r.mu.Lock()
			r.count++
			r.mu.Unlock()
		}
	}()
	t.Cleanup(func() { c.Close() })
	return r
}

func (r *rtpSocket) port() int { return r.c.LocalAddr().(*net.UDPAddr).Port }

func (r *rtpSocket) received() int { r.mu.Lock(); defer r.mu.Unlock(); return r.count }

// talk sends 20 ms PCMU packets from r to the box's media port in the SDP
// of msg until stop is closed.
func (r *rtpSocket) talk(t *testing.T, msg string, stop chan struct{}) {
	var port int
	fmt.Sscanf(msg[strings.Index(msg, "m=audio "):], "m=audio %d", &port)
	dst := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}
	pkt := make([]byte, 12+160)
	pkt[0], pkt[1] = 0x80, 0
	go func() {
		tk := time.NewTicker(20 * time.Millisecond)
		defer tk.Stop()
		for seq := uint16(0); ; seq++ {
			select {
			case <-stop:
				return
			case <-tk.C:
			}
			pkt[2], pkt[3] = byte(seq>>8), byte(seq)
			ts := uint32(seq) * 160
			pkt[4], pkt[5], pkt[6], pkt[7] = byte(ts>>24), byte(ts>>16), byte(ts>>8), byte(ts)
			pkt[8], pkt[11] = 0x12, 0x34
			r.c.WriteToUDP(pkt, dst)
		}
	}()
}

// TestHoldResumeRTP: while Alice holds (sendonly), the box sends her none of
// Bob's audio; after she resumes, Bob's audio reaches her again.
func TestHoldResumeRTP(t *testing.T) {
	t.Parallel()
	s, _ := startCallServer(t, callOpts{})
	ar, br := newRTPSocket(t), newRTPSocket(t)
	a, b := newRawPhone(t, s, "1001"), newRawPhone(t, s, "1002")
	a.register()
	b.register()
	a.invite("1002", ar.port())
	invB := b.wait(3*time.Second, isReq("INVITE"))
	b.reply(invB, "200 OK", "calleetag", sdpBody(br.port(), "sendrecv"))
	b.wait(3*time.Second, isReq("ACK"))
	ok := a.wait(3*time.Second, isRes("200"))
	a.ack(ok)
	stop := make(chan struct{})
	defer close(stop)
	br.talk(t, invB, stop) // Bob talks to the box's port in the INVITE he got
	ar.talk(t, ok, stop)   // Alice to the one in the 200 she got

	reinvite := func(cseq int, dir string) {
		body := sdpBody(ar.port(), dir)
		a.send(fmt.Sprintf("INVITE sip:deskline@%s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bKre%d\r\nMax-Forwards: 70\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %d INVITE\r\nContact: <sip:1001@%s>\r\nContent-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s",
			s.Addr(), a.addr(), cseq, hdr(ok, "From"), hdr(ok, "To"), hdr(ok, "Call-ID"), cseq, a.addr(), len(body), body))
		res := a.wait(3*time.Second, isFinal)
		if !strings.HasPrefix(res, "SIP/2.0 200") {
			t.Fatalf("re-INVITE %s answered %q", dir, firstLine(res))
		}
		want := map[string]string{"sendonly": "a=recvonly", "sendrecv": "a=sendrecv"}[dir]
		if !strings.Contains(res, want) {
			t.Errorf("answer to %s lacks %s:\n%s", dir, want, res)
		}
		a.ack(res)
	}
	time.Sleep(500 * time.Millisecond)
	if n := ar.received(); n < 10 {
		t.Fatalf("Alice received %d packets before hold, want about 25", n)
	}
	reinvite(3, "sendonly")
	time.Sleep(100 * time.Millisecond)
	before := ar.received()
	time.Sleep(600 * time.Millisecond)
	if during := ar.received() - before; during > 1 {
		t.Errorf("Alice received %d packets while holding, want none", during)
	}
	reinvite(4, "sendrecv")
	before = ar.received()
	time.Sleep(600 * time.Millisecond)
	if after := ar.received() - before; after < 15 {
		t.Errorf("Alice received %d packets in 600 ms after resuming, want about 30", after)
	}
}

// TestWildcardBindHeaders: on a wildcard bind (the box's default) our
// requests and responses name an address phones can reach, never 0.0.0.0.
func TestWildcardBindHeaders(t *testing.T) {
	t.Parallel()
	s, _ := startCallServer(t, callOpts{addr: ":0"})
	a, b, invB := ringing(t, s)
	for _, h := range []string{"Via", "Contact"} {
		if v := hdr(invB, h); !strings.Contains(v, "127.0.0.1") {
			t.Errorf("INVITE to Bob: %s = %q, want 127.0.0.1", h, v)
		}
	}
	b.reply(invB, "180 Ringing", "calleetag", "")
	if r := a.wait(2*time.Second, isRes("180")); !strings.Contains(hdr(r, "Contact"), "127.0.0.1") {
		t.Errorf("180 to Alice: Contact = %q, want 127.0.0.1", hdr(r, "Contact"))
	}
}

// TestJunkIsForgotten: datagrams that are not SIP are dropped before sipgo
// remembers their sender, so junk from many ports costs no memory.
func TestJunkIsForgotten(t *testing.T) {
	s, _ := startCallServer(t, callOpts{})
	pool := s.ua.TransportLayer().Pool("udp")
	before := pool.Size()
	dst := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: int(s.Addr().Port())}
	for i := 0; i < 200; i++ {
		c, err := net.DialUDP("udp", nil, dst)
		if err != nil {
			t.Fatal(err)
		}
		c.Write([]byte{byte(i), 'x', 0xff})
		c.Write([]byte("\r\n\r\n"))
		c.Close()
	}
	u := newUAC(t, s)
	if res := u.do("OPTIONS", "sip:127.0.0.1", "anyone"); status(res) != "200 OK" {
		t.Fatalf("OPTIONS after junk = %q", res)
	}
	if after := pool.Size(); after > before+4 { // the OPTIONS client itself
		t.Errorf("sipgo remembers %d senders after 200 junk datagrams (was %d)", after, before)
	}
}

func TestLooksLikeSIP(t *testing.T) {
	for in, want := range map[string]bool{
		"INVITE sip:x SIP/2.0\r\n": true, "SIP/2.0 200 OK\r\n": true, "OPTIONS sip:x SIP/2.0": true,
		"": false, "\r\n\r\n": false, "invite sip:x": false, "AB sip": false, "GET / HTTP/1.1": true,
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ x": false, "\x00\x01": false, "SIP/2.0": false,
	} {
		if got := looksLikeSIP([]byte(in)); got != want {
			t.Errorf("looksLikeSIP(%q) = %v, want %v", in, got, want)
		}
	}
}

// TestMaxCalls: when the box carries its maximum of calls, the next caller
// hears 503 and the callee's phone does not ring.
func TestMaxCalls(t *testing.T) {
	t.Parallel()
	s, cdrs := startCallServer(t, callOpts{maxCalls: 1})
	a, b, invB := ringing(t, s)
	established(t, a, b, invB)
	c, d := newRawPhone(t, s, "1003"), newRawPhone(t, s, "1004")
	c.register()
	d.register()
	c.invite("1004", rtpSink(t))
	if res := c.wait(3*time.Second, isFinal); !strings.HasPrefix(res, "SIP/2.0 503") {
		t.Errorf("second call got %q, want 503", firstLine(res))
	} else {
		c.ackFinal(res)
	}
	if inv := d.wait(500*time.Millisecond, isReq("INVITE")); inv != "" {
		t.Error("the callee of a refused call rang")
	}
	if r := cdrs.wait(t); r.Caller != "1003" || r.Disposition != Failed || r.Cause != 503 {
		t.Errorf("CDR = %+v, want 1003's call failed with 503", r)
	}
}

// TestServiceConnects: a service the box answered (a queue, an
// auto-attendant) connects its caller to an extension; the call then goes
// on as an ordinary call. An extension that is busy or not registered is
// reported to the service, and the caller stays with it.
func TestServiceConnects(t *testing.T) {
	t.Parallel()
	results := make(chan error, 4)
	s, cdrs := startCallServer(t, callOpts{service: func(ch *Channel) {
		results <- ch.Connect(ch.Args(), 5*time.Second, nil)
	}})
	a, b := newRawPhone(t, s, "1001"), newRawPhone(t, s, "1002")
	a.register()
	b.register()

	// Not registered: the service hears so, and (returning) hangs up.
	a.invite("*91003", rtpSink(t))
	if ok := a.wait(3*time.Second, isRes("200")); ok == "" {
		t.Fatal("the service did not answer")
	} else {
		a.ack(ok)
	}
	if err := <-results; !errors.Is(err, ErrUnavailable) {
		t.Errorf("Connect to an unregistered extension = %v, want ErrUnavailable", err)
	}
	if bye := a.wait(3*time.Second, isReq("BYE")); bye == "" {
		t.Fatal("the box did not hang up after the service ended")
	} else {
		a.reply(bye, "200 OK", "", "")
	}
	cdrs.wait(t)

	// Bob answers: Alice and Bob are connected; Alice hangs up.
	a2 := newRawPhone(t, s, "1001")
	a2.invite("*91002", rtpSink(t))
	ok := a2.wait(3*time.Second, isRes("200"))
	if ok == "" {
		t.Fatal("the service did not answer")
	}
	a2.ack(ok)
	invB := b.wait(3*time.Second, isReq("INVITE"))
	if invB == "" {
		t.Fatal("Bob's phone got no INVITE")
	}
	if !strings.Contains(hdr(invB, "From"), "1001") {
		t.Errorf("Bob sees the call from %q, want 1001", hdr(invB, "From"))
	}
	b.reply(invB, "180 Ringing", "calleetag", "")
	b.reply(invB, "200 OK", "calleetag", sdpBody(rtpSink(t), "sendrecv"))
	if b.wait(3*time.Second, isReq("ACK")) == "" {
		t.Fatal("Bob's 200 was not acknowledged")
	}
	if err := <-results; err != nil {
		t.Fatalf("Connect = %v", err)
	}
	if calls := s.Calls(); len(calls) != 1 || calls[0].Callee != "1002" || calls[0].State != "established" {
		t.Errorf("calls = %+v, want one established call to 1002", calls)
	}
	a2.send(fmt.Sprintf("BYE sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bKbye1\r\nMax-Forwards: 70\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: 3 BYE\r\nContent-Length: 0\r\n\r\n",
		a2.addr(), hdr(ok, "From"), hdr(ok, "To"), hdr(ok, "Call-ID")))
	if bye := b.wait(3*time.Second, isReq("BYE")); bye == "" {
		t.Fatal("Bob got no BYE when Alice hung up")
	} else {
		b.reply(bye, "200 OK", "", "")
	}
	waitNoCalls(t, s)
	cdrs.mu.Lock()
	r := cdrs.recs[len(cdrs.recs)-1]
	cdrs.mu.Unlock()
	if r.Callee != "1002" || r.Dialled != "*91002" || r.Disposition != Answered || r.HangupBy != "caller" {
		t.Errorf("CDR = %+v, want answered *91002 → 1002, hung up by the caller", r)
	}
}

// TestOffersRingInParallel: a service rings two extensions at once (a
// queue ringing all its agents); the first to answer gets the caller, the
// other stops ringing; an extension that answers too late is hung up.
func TestOffersRingInParallel(t *testing.T) {
	t.Parallel()
	type ended struct {
		ext string
		err error
	}
	ends := make(chan ended, 4)
	offers := make(chan map[string]*Offer, 1)
	s, cdrs := startCallServer(t, callOpts{service: func(ch *Channel) {
		got := map[string]*Offer{}
		for _, ext := range []string{"1002", "1003", "1004"} {
			o, err := ch.Offer(ext, 5*time.Second, func(o *Offer, err error) { ends <- ended{o.Extension(), err} })
			if err != nil {
				ends <- ended{ext, err}
				continue
			}
			got[ext] = o
		}
		offers <- got
		first := <-ends // 1004 is not registered
		for first.err != nil {
			first = <-ends
		}
		for ext, o := range got {
			if ext == first.ext {
				if err := o.Accept(); err != nil {
					t.Errorf("Accept: %v", err)
				}
			} else {
				o.Cancel()
			}
		}
	}})
	a := newRawPhone(t, s, "1001")
	b, c := newRawPhone(t, s, "1002"), newRawPhone(t, s, "1003")
	for _, p := range []*rawPhone{a, b, c} {
		p.register()
	}
	a.invite("*9x", rtpSink(t))
	ok := a.wait(3*time.Second, isRes("200"))
	if ok == "" {
		t.Fatal("the service did not answer")
	}
	a.ack(ok)
	invB, invC := b.wait(3*time.Second, isReq("INVITE")), c.wait(3*time.Second, isReq("INVITE"))
	if invB == "" || invC == "" {
		t.Fatal("both extensions should ring")
	}
	b.reply(invB, "180 Ringing", "bobtag", "")
	c.reply(invC, "180 Ringing", "caroltag", "")
	if o := <-offers; len(o) != 2 {
		t.Errorf("%d offers ringing, want 2 (1004 is not registered)", len(o))
	}
	// Carol answers first and gets the caller; Bob stops ringing.
	c.reply(invC, "200 OK", "caroltag", sdpBody(rtpSink(t), "sendrecv"))
	if c.wait(3*time.Second, isReq("ACK")) == "" {
		t.Fatal("Carol's 200 was not acknowledged")
	}
	if cancel := b.wait(3*time.Second, isReq("CANCEL")); cancel == "" {
		t.Error("Bob did not stop ringing")
	} else {
		b.reply(cancel, "200 OK", "", "")
		b.reply(invB, "487 Request Terminated", "bobtag", "")
	}
	deadline := time.Now().Add(3 * time.Second)
	for {
		calls := s.Calls()
		if len(calls) == 1 && calls[0].Callee == "1003" && calls[0].State == "established" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("calls = %+v, want Alice connected to Carol", calls)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Carol hangs up: Alice gets a BYE, and one CDR says Alice talked to Carol.
	c.send(fmt.Sprintf("BYE sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bKcbye\r\nMax-Forwards: 70\r\nFrom: %s;tag=caroltag\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n",
		c.addr(), hdr(invC, "To"), hdr(invC, "From"), hdr(invC, "Call-ID")))
	if bye := a.wait(3*time.Second, isReq("BYE")); bye == "" {
		t.Fatal("Alice got no BYE when Carol hung up")
	} else {
		a.reply(bye, "200 OK", "", "")
	}
	waitNoCalls(t, s)
	cdrs.mu.Lock()
	defer cdrs.mu.Unlock()
	if len(cdrs.recs) != 1 || cdrs.recs[0].Callee != "1003" || cdrs.recs[0].HangupBy != "callee" {
		t.Errorf("CDRs = %+v, want one: Alice to Carol, hung up by Carol", cdrs.recs)
	}
}

func testLogger() *slog.Logger {
	if os.Getenv("SIP_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}
