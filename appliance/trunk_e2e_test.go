package appliance_test

import (
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"deskline/appliance"
	"deskline/appliance/internal/phonetest"
	"deskline/appliance/internal/sipfake"
)

// congestedTrunk is a provider that answers every INVITE 503, as one does
// when its lines are full. It returns its address.
func congestedTrunk(t *testing.T) (addr string, invites <-chan string) {
	t.Helper()
	return sipfake.Start(t, map[string]string{"INVITE": "503 Service Unavailable"})
}

// TestOutsideLines: a baresip phone plays the provider, known to the box
// by its address. Alice's outside call matches the national route, whose
// first trunk is congested (503): it goes out through the second, and
// audio flows both ways. Her international call is refused: her class
// does not allow it. Carol, allowed internal calls only, still reaches the
// emergency number. The provider calling the business's number reaches
// the queue and its agent. An extension that keeps dialling numbers it
// may not trips the burst limiter, which an admin lifts.
func TestOutsideLines(t *testing.T) {
	phonetest.Require(t)
	b := startBoxWith(t, "", "", func(c *appliance.Config) { c.Country = "FR" })
	must := func(method, path string, body any, want int) string {
		t.Helper()
		code, out := b.api(t, method, path, body)
		if code != want {
			t.Fatalf("%s %s = %d %s, want %d", method, path, code, out, want)
		}
		return string(out)
	}
	b.addExtension(t, "1001", "Alice", pwAlice)
	b.addExtension(t, "1002", "Bob", pwBob)
	must("POST", "/extensions", map[string]any{"number": "1003", "name": "Carol", "password": pwCarol, "class": "internal"}, 201)
	must("POST", "/extensions", map[string]any{"number": "1004", "name": "Dave", "password": "dave-secret-4x9q", "class": "internal"}, 201)
	alice := phone(t, b, "1001", pwAlice, phonetest.Options{PlayWAV: tone(t, 1000)})
	bob := phone(t, b, "1002", pwBob, phonetest.Options{PlayWAV: tone(t, 600), AutoAnswer: true})
	carol := phone(t, b, "1003", pwCarol, phonetest.Options{PlayWAV: tone(t, 1000)})
	dave := phone(t, b, "1004", "dave-secret-4x9q", phonetest.Options{})
	// baresip answers only calls to its own user: the provider's phone
	// "is" the number Alice calls; a second one is the emergency line.
	prov := phonetest.Start(t, phonetest.Options{User: "0612345678", PlayWAV: tone(t, 1400), AutoAnswer: true})
	sos := phonetest.Start(t, phonetest.Options{User: "112", AutoAnswer: true})
	congested, invites := congestedTrunk(t)

	must("POST", "/trunks", map[string]any{"name": "primary", "host": congested, "sources": []string{congested}, "keepalive": -1}, 201)
	must("POST", "/trunks", map[string]any{"name": "backup", "host": prov.SIPAddr(), "sources": []string{prov.SIPAddr()},
		"keepalive": -1, "caller_id": "0140000000"}, 201)
	must("POST", "/trunks", map[string]any{"name": "sos-line", "host": sos.SIPAddr(), "sources": []string{sos.SIPAddr()}, "keepalive": -1}, 201)
	must("PUT", "/routes/outbound", map[string]any{"routes": []map[string]any{
		{"name": "national", "patterns": []map[string]any{{"pattern": "_0ZXXXXXXXX"}}, "trunks": []string{"primary", "backup"}},
		{"name": "international", "patterns": []map[string]any{{"pattern": "_00."}}, "trunks": []string{"backup"}},
		{"name": "emergency", "patterns": []map[string]any{{"pattern": "112"}, {"pattern": "15"}, {"pattern": "17"}, {"pattern": "18"}},
			"trunks": []string{"sos-line"}, "emergency": true},
	}}, 200)
	must("PUT", "/routing/limits", map[string]any{"burst_calls": 3, "burst_seconds": 60}, 200)
	must("POST", "/agents", map[string]any{"id": "201", "name": "Bob", "extension": "1002"}, 201)
	must("POST", "/queues", map[string]any{"name": "sales", "number": "600", "strategy": "linear", "members": []map[string]any{{"agent": "201"}}, "ring_timeout": 10}, 201)
	must("POST", "/agents/201/login", map[string]any{}, 200)
	must("PUT", "/routes/inbound", map[string]any{
		"routes":  []map[string]any{{"name": "main", "did": "0140000000", "destination": map[string]any{"kind": "queue", "target": "sales"}}},
		"default": map[string]any{"kind": "hangup"},
	}, 200)
	// A route to a trunk that does not exist is refused, naming the field.
	if code, out := b.api(t, "PUT", "/routes/outbound", map[string]any{"routes": []map[string]any{{"name": "x", "patterns": []map[string]any{{"pattern": "_0."}}, "trunks": []string{"nope"}}}}); code != 422 || !strings.Contains(string(out), "outbound[0].trunks") {
		t.Errorf("route to a missing trunk: %d %s", code, out)
	}
	if code, _ := b.api(t, "DELETE", "/trunks/backup", nil); code != 422 {
		t.Errorf("deleting a trunk routes use = %d, want 422", code)
	}

	ctx := ctxT(t, 90*time.Second)
	established := func(p *phonetest.Phone, what string) {
		t.Helper()
		if _, err := p.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallEstablished)); err != nil {
			t.Fatalf("%s: not established: %v\n%s", what, err, p.Log())
		}
	}

	// 1. National call: 503 on the first trunk, answered on the second.
	if err := alice.Dial(ctx, dialURI(b, "0612345678")); err != nil {
		t.Fatal(err)
	}
	select {
	case inv := <-invites:
		if !strings.HasPrefix(inv, "INVITE sip:0612345678@") {
			t.Errorf("the congested trunk got %q", strings.SplitN(inv, "\r\n", 2)[0])
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the first trunk was not tried")
	}
	established(alice, "Alice's outside call")
	established(prov, "the provider's side of Alice's call")
	time.Sleep(3 * time.Second)
	if err := alice.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	closedReason(t, prov, ctx)
	closedReason(t, alice, ctx)
	if f, rms := heardFrequency(t, prov); !within(f, 1000, 0.03) || rms < 0.01 {
		t.Errorf("the provider heard %.0f Hz (rms %.3f), want Alice's 1000 Hz", f, rms)
	}
	if f, rms := heardFrequency(t, alice); !within(f, 1400, 0.03) || rms < 0.01 {
		t.Errorf("Alice heard %.0f Hz (rms %.3f), want the far end's 1400 Hz", f, rms)
	}
	c := b.waitCDR(t, "1001", "0612345678")
	if c.Disposition != "answered" || c.Trunk != "backup" {
		t.Errorf("CDR = %+v, want answered on trunk backup", c)
	}

	// 2. International: Alice's class (national by default) forbids it.
	if err := alice.Dial(ctx, dialURI(b, "0044201234567")); err != nil {
		t.Fatal(err)
	}
	if r := closedReason(t, alice, ctx); !strings.Contains(r, "403") {
		t.Errorf("international call closed with %q, want 403", r)
	}

	// 3. Emergency from an internal-only extension goes out.
	if err := carol.Dial(ctx, dialURI(b, "112")); err != nil {
		t.Fatal(err)
	}
	established(carol, "Carol's emergency call")
	established(sos, "the emergency line's side")
	if err := carol.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	closedReason(t, sos, ctx)
	closedReason(t, carol, ctx)

	// 4. The provider calls the business's number: the queue's agent
	// answers, audio both ways.
	if err := prov.Dial(ctx, "sip:0140000000@"+b.sip()); err != nil {
		t.Fatal(err)
	}
	established(prov, "the inbound call")
	established(bob, "the agent's side of the inbound call")
	time.Sleep(3 * time.Second)
	if err := prov.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	closedReason(t, bob, ctx)
	closedReason(t, prov, ctx)
	if f, _ := heardFrequency(t, bob); !within(f, 1400, 0.03) {
		t.Errorf("the agent heard %.0f Hz, want the outside caller's 1400 Hz", f)
	}
	if f, _ := heardFrequency(t, prov); !within(f, 600, 0.03) {
		t.Errorf("the outside caller heard %.0f Hz, want the agent's 600 Hz", f)
	}

	// 5. Dave keeps trying numbers he may not call: after three attempts
	// his outside calls are suspended until an admin lifts it.
	var reasons []string
	for range 5 {
		if err := dave.Dial(ctx, dialURI(b, "0612345678")); err != nil {
			t.Fatal(err)
		}
		reasons = append(reasons, closedReason(t, dave, ctx))
	}
	if last := reasons[len(reasons)-1]; !strings.Contains(strings.ToLower(last), "suspended") {
		t.Errorf("after a burst of attempts the call closed with %q, want suspended (all: %q)", last, reasons)
	}
	if out := must("GET", "/routing/suspended", nil, 200); !strings.Contains(out, `"extension":"1004"`) {
		t.Errorf("suspensions = %s, want 1004", out)
	}
	must("DELETE", "/routing/suspended/1004", nil, 204)
	if out := must("GET", "/routing/suspended", nil, 200); strings.Contains(out, "1004") {
		t.Errorf("suspension not lifted: %s", out)
	}
}

// TestTrunkOverTCP: a provider reached over TCP takes the box's outside
// call, audio both ways.
func TestTrunkOverTCP(t *testing.T) {
	phonetest.Require(t)
	b := startBoxWith(t, "", "", func(c *appliance.Config) { c.Country = "FR" })
	b.addExtension(t, "1001", "Alice", pwAlice)
	alice := phone(t, b, "1001", pwAlice, phonetest.Options{PlayWAV: tone(t, 1000)})
	prov := phonetest.Start(t, phonetest.Options{User: "0655555555", PlayWAV: tone(t, 1400), AutoAnswer: true})
	// The trunk points at a TCP-only relay in front of the provider: a
	// call that gets through went over TCP.
	relay, conns := tcpRelay(t, prov.SIPAddr())
	for _, req := range []struct {
		method, path string
		body         any
	}{
		{"POST", "/trunks", map[string]any{"name": "tcp-line", "host": relay, "transport": "tcp", "sources": []string{prov.SIPAddr()}, "keepalive": -1}},
		{"PUT", "/routes/outbound", map[string]any{"routes": []map[string]any{{"name": "mobiles", "patterns": []map[string]any{{"pattern": "_06XXXXXXXX"}}, "trunks": []string{"tcp-line"}}}}},
	} {
		if code, out := b.api(t, req.method, req.path, req.body); code/100 != 2 {
			t.Fatalf("%s %s = %d %s", req.method, req.path, code, out)
		}
	}
	ctx := ctxT(t, 30*time.Second)
	if err := alice.Dial(ctx, dialURI(b, "0655555555")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*phonetest.Phone{alice, prov} {
		if _, err := p.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallEstablished)); err != nil {
			t.Fatalf("not established over TCP: %v\n%s", err, p.Log())
		}
	}
	time.Sleep(2 * time.Second)
	alice.Hangup(ctx)
	closedReason(t, prov, ctx)
	closedReason(t, alice, ctx)
	if f, _ := heardFrequency(t, prov); !within(f, 1000, 0.03) {
		t.Errorf("the provider heard %.0f Hz, want Alice's 1000 Hz", f)
	}
	if f, _ := heardFrequency(t, alice); !within(f, 1400, 0.03) {
		t.Errorf("Alice heard %.0f Hz, want the provider's 1400 Hz", f)
	}
	if n := conns.Load(); n == 0 {
		t.Error("no TCP connection reached the provider's relay")
	}
}

// tcpRelay accepts TCP connections on a loopback port and pipes each to
// target; it counts them. Nothing listens on UDP at its address.
func tcpRelay(t *testing.T, target string) (string, *atomic.Int32) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	var n atomic.Int32
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
	return l.Addr().String(), &n
}
