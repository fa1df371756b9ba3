package sip

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// A provider in these tests is a rawPhone: a UDP socket that shows the test
// every request the box sends and answers exactly what the test says.

// replyHdr answers a request the provider received, with extra headers.
func (p *rawPhone) replyHdr(req, status, toTag, extra, body string) {
	to := hdr(req, "To")
	if toTag != "" && !strings.Contains(to, "tag=") {
		to += ";tag=" + toTag
	}
	ct := ""
	if body != "" {
		ct = "Content-Type: application/sdp\r\n"
	}
	var vias string
	for _, v := range headers(req, "Via") {
		vias += "Via: " + v + "\r\n"
	}
	if extra != "" {
		extra += "\r\n"
	}
	p.sendTo(viaTarget(p.t, req), fmt.Sprintf("SIP/2.0 %s\r\n%sFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %s\r\nContact: <sip:%s@%s>\r\n%s%sContent-Length: %d\r\n\r\n%s",
		status, vias, hdr(req, "From"), to, hdr(req, "Call-ID"), hdr(req, "CSeq"), p.user, p.addr(), extra, ct, len(body), body))
}

// viaTarget is where a response to req goes: the top Via's sent-by.
func viaTarget(t *testing.T, req string) *net.UDPAddr {
	t.Helper()
	m := regexp.MustCompile(`(?i)SIP/2.0/UDP ([0-9.]+):([0-9]+)`).FindStringSubmatch(hdr(req, "Via"))
	if m == nil {
		t.Fatalf("no UDP Via in %q", req)
	}
	a, err := net.ResolveUDPAddr("udp", m[1]+":"+m[2])
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (p *rawPhone) sendTo(to *net.UDPAddr, m string) {
	p.t.Helper()
	if _, err := p.c.WriteToUDP([]byte(m), to); err != nil {
		p.t.Fatal(err)
	}
}

var authParam = regexp.MustCompile(`(\w+)="?([^",]*)"?`)

// checkDigest verifies the box's answer to a challenge without qop.
func checkDigest(t *testing.T, req, header, method, user, realm, password, nonce string) {
	t.Helper()
	v := hdr(req, header)
	if v == "" {
		t.Fatalf("%s without %s", method, header)
	}
	p := map[string]string{}
	for _, m := range authParam.FindAllStringSubmatch(v, -1) {
		p[m[1]] = m[2]
	}
	h := func(s string) string { x := md5.Sum([]byte(s)); return hex.EncodeToString(x[:]) }
	want := h(h(user+":"+realm+":"+password) + ":" + nonce + ":" + h(method+":"+p["uri"]))
	if p["username"] != user || p["realm"] != realm || p["nonce"] != nonce || p["response"] != want {
		t.Errorf("%s %s = %q, want username %s, realm %s, the right response", method, header, v, user, realm)
	}
}

type statusLog struct {
	mu   sync.Mutex
	list []TrunkStatus
}

func (l *statusLog) add(st TrunkStatus) { l.mu.Lock(); l.list = append(l.list, st); l.mu.Unlock() }

func trunkStatus(s *Server, name string) TrunkStatus {
	for _, st := range s.TrunkStatuses() {
		if st.Name == name {
			return st
		}
	}
	return TrunkStatus{}
}

func waitTrunk(t *testing.T, s *Server, name string, ok func(TrunkStatus) bool) TrunkStatus {
	t.Helper()
	var st TrunkStatus
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if st = trunkStatus(s, name); ok(st) {
			return st
		}
	}
	t.Fatalf("trunk %s status %+v never came", name, st)
	return st
}

// TestTrunkRegisters: the box registers to a provider that challenges it,
// answers the challenge with the account's credentials, keeps the time
// granted, shows the trunk registered, and unregisters when the trunk is
// removed.
func TestTrunkRegisters(t *testing.T) {
	t.Parallel()
	events := &statusLog{}
	dids := make(chan string, 1)
	s, _ := startCallServer(t, callOpts{onTrunk: events.add, inbound: func(trunk, did, caller string) Target {
		dids <- trunk + " " + did + " " + caller
		return Target{} // nobody: 404
	}})
	prov := newRawPhone(t, s, "provider")
	if err := s.SetTrunks([]Trunk{{Name: "voip", Host: prov.addr(), Register: true, Username: "4420", Password: "trunk-pw-9", KeepAlive: -1}}); err != nil {
		t.Fatal(err)
	}
	reg := prov.wait(5*time.Second, isReq("REGISTER"))
	if reg == "" {
		t.Fatal("no REGISTER reached the provider")
	}
	if !strings.Contains(hdr(reg, "From"), "sip:4420@127.0.0.1") || !strings.Contains(hdr(reg, "Contact"), "sip:4420@127.0.0.1") || hdr(reg, "Expires") != "300" {
		t.Errorf("REGISTER From %q Contact %q Expires %q", hdr(reg, "From"), hdr(reg, "Contact"), hdr(reg, "Expires"))
	}
	prov.replyHdr(reg, "401 Unauthorized", "p1", `WWW-Authenticate: Digest realm="prov.example", nonce="n0nce1", algorithm=MD5`, "")
	reg2 := prov.wait(5*time.Second, isReq("REGISTER"))
	if reg2 == "" {
		t.Fatal("the challenge was not answered")
	}
	checkDigest(t, reg2, "Authorization", "REGISTER", "4420", "prov.example", "trunk-pw-9", "n0nce1")
	if hdr(reg2, "Call-ID") != hdr(reg, "Call-ID") || cseqNum(reg2) <= cseqNum(reg) {
		t.Errorf("the answer to the challenge is not the same registration: Call-ID %q→%q CSeq %d→%d",
			hdr(reg, "Call-ID"), hdr(reg2, "Call-ID"), cseqNum(reg), cseqNum(reg2))
	}
	prov.replyHdr(reg2, "200 OK", "p1", "Expires: 120", "")
	st := waitTrunk(t, s, "voip", func(st TrunkStatus) bool { return st.Registered })
	if !st.Up || st.Address != prov.addr() || time.Until(st.Until) < 100*time.Second || time.Until(st.Until) > 121*time.Second {
		t.Errorf("status = %+v, want up, registered at %s for 120 s", st, prov.addr())
	}
	events.mu.Lock()
	if n := len(events.list); n == 0 || !events.list[n-1].Registered {
		t.Errorf("status events = %+v, want the registration reported", events.list)
	}
	events.mu.Unlock()

	// The provider sends a call to the registered account: the number
	// called is in To, and the call is the trunk's (not challenged).
	body := sdpBody(rtpSink(t), "sendrecv")
	prov.send(fmt.Sprintf("INVITE sip:4420@%s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bKin1\r\nMax-Forwards: 70\r\n"+
		"From: <sip:0612345678@prov.example>;tag=pin\r\nTo: <sip:0140000000@prov.example>\r\nCall-ID: in-1\r\nCSeq: 1 INVITE\r\n"+
		"Contact: <sip:gw@%s>\r\nContent-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s",
		s.Addr(), prov.addr(), prov.addr(), len(body), body))
	select {
	case got := <-dids:
		if got != "voip 0140000000 0612345678" {
			t.Errorf("inbound route asked for %q", got)
		}
	case <-time.After(3 * time.Second):
		t.Error("a call from the registered provider was not routed as the trunk's")
	}
	if res := prov.wait(3*time.Second, isFinal); !strings.HasPrefix(res, "SIP/2.0 404") {
		t.Errorf("the unrouted call got %q, want 404", firstLine(res))
	} else {
		prov.ackFinal(res)
	}

	// Removing the trunk unregisters it.
	if err := s.SetTrunks(nil); err != nil {
		t.Fatal(err)
	}
	unreg := prov.wait(5*time.Second, isReq("REGISTER"))
	if unreg == "" || hdr(unreg, "Expires") != "0" {
		t.Fatalf("no REGISTER with Expires: 0 after the trunk was removed (got %q)", hdr(unreg, "Expires"))
	}
	prov.replyHdr(unreg, "200 OK", "p1", "", "")
	if len(s.TrunkStatuses()) != 0 {
		t.Errorf("statuses = %+v after removal", s.TrunkStatuses())
	}
}

// TestTrunkRegistrationRefused: a provider that refuses the credentials
// leaves the trunk down with the reason shown.
func TestTrunkRegistrationRefused(t *testing.T) {
	t.Parallel()
	s, _ := startCallServer(t, callOpts{})
	prov := newRawPhone(t, s, "provider")
	if err := s.SetTrunks([]Trunk{{Name: "voip", Host: prov.addr(), Register: true, Username: "4420", Password: "wrong", KeepAlive: -1}}); err != nil {
		t.Fatal(err)
	}
	reg := prov.wait(5*time.Second, isReq("REGISTER"))
	prov.replyHdr(reg, "401 Unauthorized", "p1", `WWW-Authenticate: Digest realm="prov.example", nonce="n1", algorithm=MD5`, "")
	reg2 := prov.wait(5*time.Second, isReq("REGISTER"))
	prov.replyHdr(reg2, "403 Forbidden", "p1", "", "")
	st := waitTrunk(t, s, "voip", func(st TrunkStatus) bool { return st.LastError != "" })
	if st.Registered || st.Up || !strings.Contains(st.LastError, "403") {
		t.Errorf("status = %+v, want down with the 403 shown", st)
	}
}

// outsideRouter sends numbers starting with 0 out through trunks a then b.
type outsideRouter struct {
	exts
	trunks []string
}

func (r outsideRouter) Route(caller, dialled string) Target {
	if strings.HasPrefix(dialled, "0") {
		var at []TrunkAttempt
		for _, tr := range r.trunks {
			at = append(at, TrunkAttempt{Trunk: tr, Number: dialled})
		}
		return Target{Kind: TargetTrunk, Trunks: at, CallerID: "0312345678", CallerName: "Acme"}
	}
	return r.exts.Route(caller, dialled)
}

func startOutside(t *testing.T) (s *Server, cdrs *cdrSink, a, pa, pb *rawPhone) {
	t.Helper()
	dir := fakeDir(rawPasswords)
	s, cdrs = startCallServer(t, callOpts{router: outsideRouter{exts(dir), []string{"first", "second"}}})
	pa, pb = newRawPhone(t, s, "provA"), newRawPhone(t, s, "provB")
	err := s.SetTrunks([]Trunk{
		{Name: "first", Host: pa.addr(), Sources: []string{pa.addr()}, KeepAlive: -1},
		{Name: "second", Host: pb.addr(), Sources: []string{pb.addr()}, KeepAlive: -1, CallerID: "pai", Username: "acct77", DTMF: "inband"},
	})
	if err != nil {
		t.Fatal(err)
	}
	a = newRawPhone(t, s, "1001")
	a.register()
	return s, cdrs, a, pa, pb
}

// TestTrunkFailover: the first trunk answers 503; the call goes out through
// the second, which presents the caller ID as P-Asserted-Identity; the
// CDR names the trunk.
func TestTrunkFailover(t *testing.T) {
	t.Parallel()
	s, cdrs, a, pa, pb := startOutside(t)
	a.invite("00441234567", rtpSink(t))
	invA := pa.wait(3*time.Second, isReq("INVITE"))
	if !strings.HasPrefix(invA, "INVITE sip:00441234567@"+pa.addr()+" ") {
		t.Fatalf("first trunk got %q", firstLine(invA))
	}
	if !strings.Contains(hdr(invA, "From"), "sip:0312345678@") || !strings.Contains(hdr(invA, "From"), "Acme") {
		t.Errorf("first trunk's From = %q, want the route's caller ID", hdr(invA, "From"))
	}
	pa.replyHdr(invA, "503 Service Unavailable", "ta", "", "")
	invB := pb.wait(3*time.Second, isReq("INVITE"))
	if invB == "" {
		t.Fatal("the second trunk got no INVITE after the first answered 503")
	}
	if pai := hdr(invB, "P-Asserted-Identity"); !strings.Contains(pai, "sip:0312345678@") {
		t.Errorf("P-Asserted-Identity = %q", pai)
	}
	if !strings.Contains(hdr(invB, "From"), "sip:acct77@") {
		t.Errorf("second trunk's From = %q, want the account", hdr(invB, "From"))
	}
	if !strings.Contains(invA, "telephone-event") || strings.Contains(invB, "telephone-event") {
		t.Errorf("telephone-event offered to the rfc4733 trunk: %v, to the in-band one: %v",
			strings.Contains(invA, "telephone-event"), strings.Contains(invB, "telephone-event"))
	}
	pb.replyHdr(invB, "200 OK", "tb", "", sdpBody(rtpSink(t), "sendrecv"))
	if pb.wait(3*time.Second, isReq("ACK")) == "" {
		t.Fatal("the trunk's 200 was not acknowledged")
	}
	ok := a.wait(3*time.Second, isRes("200"))
	if ok == "" {
		t.Fatal("Alice got no 200")
	}
	a.ack(ok)
	if st := trunkStatus(s, "second"); st.Calls != 1 {
		t.Errorf("second trunk carries %d calls, want 1", st.Calls)
	}
	if st := trunkStatus(s, "first"); st.Calls != 0 {
		t.Errorf("first trunk carries %d calls, want 0", st.Calls)
	}
	a.send(fmt.Sprintf("BYE sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bKbye1\r\nMax-Forwards: 70\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: 3 BYE\r\nContent-Length: 0\r\n\r\n",
		a.addr(), hdr(ok, "From"), hdr(ok, "To"), hdr(ok, "Call-ID")))
	if bye := pb.wait(3*time.Second, isReq("BYE")); bye == "" {
		t.Error("the trunk got no BYE")
	} else {
		pb.replyHdr(bye, "200 OK", "", "", "")
	}
	r := cdrs.wait(t)
	if r.Trunk != "second" || r.Callee != "00441234567" || r.Disposition != Answered {
		t.Errorf("CDR = %+v, want answered on trunk second", r)
	}
	waitNoCalls(t, s)
	if st := trunkStatus(s, "second"); st.Calls != 0 {
		t.Errorf("second trunk still counts %d calls", st.Calls)
	}
}

// TestTrunkNumberRefused: a number the provider says does not exist is
// not tried on the next trunk; the caller hears the provider's answer.
func TestTrunkNumberRefused(t *testing.T) {
	t.Parallel()
	_, cdrs, a, pa, pb := startOutside(t)
	a.invite("0999", rtpSink(t))
	inv := pa.wait(3*time.Second, isReq("INVITE"))
	pa.replyHdr(inv, "404 Not Found", "ta", "", "")
	if res := a.wait(3*time.Second, isFinal); !strings.HasPrefix(res, "SIP/2.0 404") {
		t.Errorf("Alice got %q, want 404", firstLine(res))
	} else {
		a.ackFinal(res)
	}
	if inv := pb.wait(500*time.Millisecond, isReq("INVITE")); inv != "" {
		t.Error("a number that does not exist was tried on the second trunk")
	}
	if r := cdrs.wait(t); r.Cause != 404 || r.Trunk != "first" {
		t.Errorf("CDR = %+v, want 404 on trunk first", r)
	}
}

// TestTrunkSilentFailsOver: a trunk that does not answer at all is given
// up after the trunk timeout for the next one.
func TestTrunkSilentFailsOver(t *testing.T) {
	t.Parallel()
	_, _, a, pa, pb := startOutside(t)
	a.invite("0555", rtpSink(t))
	if pa.wait(3*time.Second, isReq("INVITE")) == "" {
		t.Fatal("the first trunk got no INVITE")
	}
	invB := pb.wait(5*time.Second, isReq("INVITE"))
	if invB == "" {
		t.Fatal("the second trunk got no INVITE after the first stayed silent")
	}
	pb.replyHdr(invB, "486 Busy Here", "tb", "", "")
	if res := a.wait(3*time.Second, isFinal); !strings.HasPrefix(res, "SIP/2.0 486") {
		t.Errorf("Alice got %q, want 486", firstLine(res))
	} else {
		a.ackFinal(res)
	}
}

// TestInboundFromTrunk: a call from the provider's address to one of the
// business's numbers rings the extension the inbound route names, with
// the outside caller's number and name; it is not challenged. A call from
// the trunk can never go back out through a trunk. The same INVITE from
// another address is challenged like any phone's. The trunk's channel
// limit holds.
func TestInboundFromTrunk(t *testing.T) {
	t.Parallel()
	dir := fakeDir(rawPasswords)
	inbound := func(trunk, did, caller string) Target {
		switch did {
		case "5551000":
			return Target{Kind: TargetExtension, Extension: "1002"}
		case "5559999":
			return Target{Kind: TargetTrunk, Trunks: []TrunkAttempt{{Trunk: "in", Number: "0900123"}}}
		}
		return Target{}
	}
	s, cdrs := startCallServer(t, callOpts{router: outsideRouter{exts(dir), []string{"in"}}, inbound: inbound})
	prov := newRawPhone(t, s, "provider")
	if err := s.SetTrunks([]Trunk{{Name: "in", Host: prov.addr(), Sources: []string{prov.addr()}, KeepAlive: -1, MaxChannels: 1}}); err != nil {
		t.Fatal(err)
	}
	b := newRawPhone(t, s, "1002")
	b.register()
	call := func(p *rawPhone, did, id string) string {
		body := sdpBody(rtpSink(t), "sendrecv")
		inv := fmt.Sprintf("INVITE sip:%s@%s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK%s\r\nMax-Forwards: 70\r\n"+
			"From: \"Carol Smith\" <sip:0612345678@provider.example>;tag=pr%s\r\nTo: <sip:%s@provider.example>\r\nCall-ID: %s\r\nCSeq: 1 INVITE\r\n"+
			"Contact: <sip:gw@%s>\r\nContent-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s",
			did, s.Addr(), p.addr(), id, id, did, id, p.addr(), len(body), body)
		p.send(inv)
		return inv
	}
	call(prov, "5551000", "in1")
	invB := b.wait(3*time.Second, isReq("INVITE"))
	if invB == "" {
		t.Fatal("the extension did not ring")
	}
	if from := hdr(invB, "From"); !strings.Contains(from, "sip:0612345678@") || !strings.Contains(from, "Carol Smith") {
		t.Errorf("Bob sees the call from %q", from)
	}
	b.reply(invB, "200 OK", "bt", sdpBody(rtpSink(t), "sendrecv"))
	ok := prov.wait(3*time.Second, isRes("200"))
	if ok == "" {
		t.Fatal("the provider got no 200")
	}
	prov.ack(ok)
	if st := trunkStatus(s, "in"); st.Calls != 1 {
		t.Errorf("trunk carries %d calls, want 1", st.Calls)
	}

	// The trunk carries its one channel: the next call is refused.
	call(prov, "5551000", "in2")
	if res := prov.wait(3*time.Second, isFinal); !strings.HasPrefix(res, "SIP/2.0 503") {
		t.Errorf("a call beyond the trunk's channels got %q, want 503", firstLine(res))
	}
	// From anyone else, the same INVITE is challenged.
	stranger := newRawPhone(t, s, "stranger")
	call(stranger, "5551000", "in3")
	if res := stranger.wait(3*time.Second, isFinal); !strings.HasPrefix(res, "SIP/2.0 407") {
		t.Errorf("an INVITE from outside the trunk's sources got %q, want 407", firstLine(res))
	}

	prov.send(fmt.Sprintf("BYE sip:x@%s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bKbye9\r\nMax-Forwards: 70\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n",
		s.Addr(), prov.addr(), hdr(ok, "From"), hdr(ok, "To"), hdr(ok, "Call-ID")))
	if bye := b.wait(3*time.Second, isReq("BYE")); bye == "" {
		t.Error("Bob got no BYE")
	} else {
		b.reply(bye, "200 OK", "", "")
	}
	if prov.wait(3*time.Second, isRes("200")) == "" {
		t.Error("the provider's BYE was not answered")
	}
	r := cdrs.wait(t)
	if r.Caller != "0612345678" || r.Callee != "1002" || r.Trunk != "in" || r.Dialled != "5551000" || r.Disposition != Answered {
		t.Errorf("CDR = %+v", r)
	}
	waitNoCalls(t, s)

	// Trunk to trunk is refused.
	call(prov, "5559999", "in4")
	if res := prov.wait(3*time.Second, isFinal); !strings.HasPrefix(res, "SIP/2.0 403") {
		t.Errorf("a call from the trunk routed back out got %q, want 403", firstLine(res))
	}
}

func TestTrunkValidation(t *testing.T) {
	s, _ := startCallServer(t, callOpts{})
	good := Trunk{Name: "ok", Host: "sip.example.com", Register: true, Username: "u", Password: "p"}
	bad := []Trunk{
		{Name: "", Host: "x.example"},
		{Name: "a b", Host: "x.example", Sources: []string{"192.0.2.1"}},
		{Name: "t", Host: "bad host!", Sources: []string{"192.0.2.1"}},
		{Name: "t", Host: "x.example"}, // neither registers nor has sources
		{Name: "t", Host: "x.example", Register: true, Username: "u"},
		{Name: "t", Host: "x.example", Sources: []string{"not-an-address"}},
		{Name: "t", Host: "x.example", Sources: []string{"192.0.2.1"}, Transport: "sctp"},
		{Name: "t", Host: "x.example", Sources: []string{"192.0.2.1"}, Codecs: []string{"G729"}},
		{Name: "t", Host: "x.example", Sources: []string{"192.0.2.1"}, CallerID: "header"},
		{Name: "t", Host: "x.example", Sources: []string{"192.0.2.1"}, DTMF: "info"},
		{Name: "t", Host: "x.example:99999", Sources: []string{"192.0.2.1"}},
		{Name: "t", Host: "x.example", Sources: []string{"192.0.2.1"}, MaxChannels: -1},
	}
	for _, tr := range bad {
		if err := s.SetTrunks([]Trunk{good, tr}); !errors.Is(err, ErrTrunk) {
			t.Errorf("SetTrunks(%+v) = %v, want ErrTrunk", tr, err)
		}
	}
	if err := s.SetTrunks([]Trunk{good, good}); !errors.Is(err, ErrTrunk) {
		t.Errorf("two trunks with one name: %v", err)
	}
	if len(s.TrunkStatuses()) != 0 {
		t.Error("a refused configuration was applied")
	}
}

// fakeResolver answers SRV and address lookups from maps.
type fakeResolver struct {
	srv   map[string][]*net.SRV
	addrs map[string][]netip.Addr
}

func (r fakeResolver) LookupSRV(_ context.Context, service, proto, name string) (string, []*net.SRV, error) {
	key := "_" + service + "._" + proto + "." + name
	if l, ok := r.srv[key]; ok {
		return key, l, nil
	}
	return "", nil, &net.DNSError{Err: "no such host", Name: key, IsNotFound: true}
}

func (r fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if l, ok := r.addrs[host]; ok {
		return l, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func TestResolveTargets(t *testing.T) {
	a1, a2, a3 := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2"), netip.MustParseAddr("2001:db8::3")
	r := fakeResolver{
		srv: map[string][]*net.SRV{
			"_sip._udp.prov.example":  {{Target: "a.prov.example.", Port: 5070, Priority: 10}, {Target: "b.prov.example.", Port: 5080, Priority: 20}},
			"_sips._tcp.prov.example": {{Target: "a.prov.example.", Port: 5061, Priority: 10}},
		},
		addrs: map[string][]netip.Addr{"a.prov.example": {a1}, "b.prov.example": {a2, a3}, "plain.example": {a1}},
	}
	ap := netip.AddrPortFrom
	for _, tc := range []struct {
		host, transport string
		want            []netip.AddrPort
	}{
		{"prov.example", "udp", []netip.AddrPort{ap(a1, 5070), ap(a2, 5080), ap(a3, 5080)}},
		{"prov.example", "tls", []netip.AddrPort{ap(a1, 5061)}},
		{"plain.example", "udp", []netip.AddrPort{ap(a1, 5060)}},
		{"plain.example", "tls", []netip.AddrPort{ap(a1, 5061)}},
		{"plain.example:5099", "udp", []netip.AddrPort{ap(a1, 5099)}},
		{"192.0.2.9", "udp", []netip.AddrPort{ap(netip.MustParseAddr("192.0.2.9"), 5060)}},
		{"[2001:db8::9]:5062", "tcp", []netip.AddrPort{ap(netip.MustParseAddr("2001:db8::9"), 5062)}},
	} {
		got, err := resolveTargets(context.Background(), r, tc.host, tc.transport)
		if err != nil || fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("resolveTargets(%s, %s) = %v, %v; want %v", tc.host, tc.transport, got, err, tc.want)
		}
	}
	if _, err := resolveTargets(context.Background(), r, "nowhere.example", "udp"); err == nil {
		t.Error("a name that does not resolve gave no error")
	}
}

// refusingRouter refuses every number and counts the releases.
type refusingRouter struct{ released *atomic.Int32 }

func (r refusingRouter) Route(caller, dialled string) Target {
	return Target{Kind: TargetRefused, Code: 403, Refusal: "Premium numbers barred", Release: func() { r.released.Add(1) }}
}

// TestRefusedByDialPlan: a number the caller may not dial is answered with
// the reason, recorded, and its limiter slot given back.
func TestRefusedByDialPlan(t *testing.T) {
	t.Parallel()
	var released atomic.Int32
	s, cdrs := startCallServer(t, callOpts{router: refusingRouter{&released}})
	a := newRawPhone(t, s, "1001")
	a.register()
	a.invite("09001234", rtpSink(t))
	res := a.wait(3*time.Second, isFinal)
	if firstLine(res) != "SIP/2.0 403 Premium numbers barred" {
		t.Errorf("Alice got %q", firstLine(res))
	} else {
		a.ackFinal(res)
	}
	if r := cdrs.wait(t); r.Cause != 403 || r.Disposition != Failed || r.Callee != "09001234" {
		t.Errorf("CDR = %+v", r)
	}
	if n := released.Load(); n != 1 {
		t.Errorf("released %d times, want 1", n)
	}
}

// TestTrunkOddAnswer: a provider that answers with SDP the box cannot use
// gets its call hung up (ACK then BYE), the caller a clear 488, and the
// CDR says the call failed with that status.
func TestTrunkOddAnswer(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		"this is not SDP",
		"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 18\r\n", // G.729 only
	} {
		_, cdrs, a, pa, _ := startOutside(t)
		a.invite("0612345678", rtpSink(t))
		inv := pa.wait(3*time.Second, isReq("INVITE"))
		if inv == "" {
			t.Fatal("no INVITE reached the trunk")
		}
		pa.replyHdr(inv, "200 OK", "odd", "", body)
		if pa.wait(3*time.Second, isReq("ACK")) == "" {
			t.Error("the odd 200 was not acknowledged")
		}
		if bye := pa.wait(3*time.Second, isReq("BYE")); bye == "" {
			t.Error("the trunk's unusable call was not hung up")
		} else {
			pa.replyHdr(bye, "200 OK", "", "", "")
		}
		if res := a.wait(3*time.Second, isFinal); !strings.HasPrefix(res, "SIP/2.0 488") {
			t.Errorf("answer %q: Alice got %q, want 488", body, firstLine(res))
		} else {
			a.ackFinal(res)
		}
		if r := cdrs.wait(t); r.Disposition != Failed || r.Cause != 488 || r.Trunk != "first" {
			t.Errorf("CDR = %+v, want failed 488 on trunk first", r)
		}
	}
}

// TestTrunkRealm: a trunk bound to its provider's realm does not hand its
// credentials to a server challenging in another realm.
func TestTrunkRealm(t *testing.T) {
	t.Parallel()
	s, _ := startCallServer(t, callOpts{})
	prov := newRawPhone(t, s, "provider")
	if err := s.SetTrunks([]Trunk{{Name: "voip", Host: prov.addr(), Register: true, Username: "4420", Password: "trunk-pw-9", Realm: "prov.example", KeepAlive: -1}}); err != nil {
		t.Fatal(err)
	}
	reg := prov.wait(5*time.Second, isReq("REGISTER"))
	prov.replyHdr(reg, "401 Unauthorized", "p1", `WWW-Authenticate: Digest realm="elsewhere.example", nonce="n1", algorithm=MD5`, "")
	if again := prov.wait(time.Second, isReq("REGISTER")); again != "" {
		t.Errorf("the box answered a challenge from another realm: %q", hdr(again, "Authorization"))
	}
	st := waitTrunk(t, s, "voip", func(st TrunkStatus) bool { return st.LastError != "" })
	if st.Registered || !strings.Contains(st.LastError, "realm") {
		t.Errorf("status = %+v, want unregistered, saying why", st)
	}
}

// TestOutsideCallerFromPAI: a provider's P-Asserted-Identity names the
// caller before From does; without it, From; withheld is "anonymous".
func TestOutsideCallerFromPAI(t *testing.T) {
	mk := func(pai, fromUser, fromName string) *sip.Request {
		req := sip.NewRequest(sip.INVITE, sip.Uri{Scheme: "sip", User: "5551000", Host: "127.0.0.1"})
		if pai != "" {
			req.AppendHeader(sip.NewHeader("P-Asserted-Identity", pai))
		}
		req.AppendHeader(&sip.FromHeader{DisplayName: fromName, Address: sip.Uri{Scheme: "sip", User: fromUser, Host: "p.example"}})
		return req
	}
	for _, tc := range []struct {
		req       *sip.Request
		num, name string
	}{
		{mk(`"Carol Smith" <sip:0612345678@p.example>`, "gw", "Gateway"), "0612345678", "Carol Smith"},
		{mk("", "0698765432", "Dan"), "0698765432", "Dan"},
		{mk("<sip:@p.example>", "0611111111", ""), "0611111111", ""},
		{mk("", "", ""), "anonymous", ""},
	} {
		if num, name := outsideCaller(tc.req); num != tc.num || name != tc.name {
			t.Errorf("outsideCaller = %q %q, want %q %q", num, name, tc.num, tc.name)
		}
	}
}
