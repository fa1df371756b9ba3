package appliance_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"deskline/appliance/internal/phonetest"
	"deskline/media/prompt"
)

// TestQueueCallsReachAgents: a queue with two agents at desk phones that
// answer by themselves. A caller dials the queue's number, hears music, and
// is put through to the agent the strategy picks; a paused agent is
// skipped; the queue log says so in Asterisk's format.
func TestQueueCallsReachAgents(t *testing.T) {
	phonetest.Require(t)
	b, alice, bob := aliceCallsBob(t)
	carol := b.carol(t, true)
	must := func(method, path string, body any, want int) {
		t.Helper()
		if code, out := b.api(t, method, path, body); code != want {
			t.Fatalf("%s %s = %d %s, want %d", method, path, code, out, want)
		}
	}
	must("POST", "/agents", map[string]any{"id": "201", "name": "Bob", "extension": "1002"}, 201)
	must("POST", "/agents", map[string]any{"id": "202", "name": "Carol", "extension": "1003"}, 201)
	must("POST", "/queues", map[string]any{"name": "sales", "number": "600", "strategy": "linear",
		"members": []map[string]any{{"agent": "201"}, {"agent": "202"}}, "ring_timeout": 10}, 201)
	must("POST", "/agents/201/login", map[string]any{}, 200)
	must("POST", "/agents/202/login", map[string]any{}, 200)
	// Bob goes on a break: the linear strategy's first choice is skipped.
	must("POST", "/agents/201/pause", map[string]any{"reason": ""}, 200)

	ctx := ctxT(t, 60*time.Second)
	if err := alice.Dial(ctx, dialURI(b, "600")); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallEstablished)); err != nil {
		t.Fatal(err)
	}
	if _, err := carol.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallEstablished)); err != nil {
		t.Fatalf("the queue did not reach Carol: %v", err)
	}
	time.Sleep(3 * time.Second)
	if f := lastSecond(t, alice); !within(f, 1400, 0.03) {
		t.Errorf("through the queue Alice heard %.0f Hz, want Carol's 1400 Hz", f)
	}
	if err := alice.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	closedReason(t, carol, ctx)
	if ev, err := bob.WaitEvent(ctxT(t, 500*time.Millisecond), phonetest.IsType(phonetest.EventCallIncoming)); err == nil {
		t.Errorf("paused Bob was rung: %+v", ev)
	}
	var log string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		_, out := b.api(t, "GET", "/queue-log", nil)
		if log = string(out); strings.Contains(log, "COMPLETECALLER") {
			break
		}
	}
	for _, want := range []string{"|sales|NONE|ENTERQUEUE|", "|sales|202|CONNECT|", "|sales|202|COMPLETECALLER|"} {
		if !strings.Contains(log, want) {
			t.Errorf("queue log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "|sales|201|CONNECT|") {
		t.Errorf("the paused agent took the call:\n%s", log)
	}
}

// TestQueueAnnouncesPosition: a caller waiting in a queue hears music, and
// soon after entering the announcement of its position over it.
func TestQueueAnnouncesPosition(t *testing.T) {
	phonetest.Require(t)
	b, alice, _ := aliceCallsBob(t)
	must := func(method, path string, body any, want int) {
		t.Helper()
		if code, out := b.api(t, method, path, body); code != want {
			t.Fatalf("%s %s = %d %s, want %d", method, path, code, out, want)
		}
	}
	must("POST", "/agents", map[string]any{"id": "201", "name": "Bob", "extension": "1002"}, 201)
	must("POST", "/queues", map[string]any{"name": "support", "number": "601", "strategy": "ring-all",
		"members": []map[string]any{{"agent": "201"}}, "join_when_empty": true}, 201)
	must("POST", "/agents/201/login", map[string]any{"paused": true}, 200)
	ctx := ctxT(t, 30*time.Second)
	if err := alice.Dial(ctx, dialURI(b, "601")); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallEstablished)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(9 * time.Second)
	heard, rate := recordedSince(t, alice, 0)
	if err := alice.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	clip, _ := prompt.Default().Get("you-are-caller-number")
	music := heard[:4*rate]
	if c := bestMatch(music, clip[:rate/4]); c > 0.5 {
		t.Errorf("the first four seconds (music) match the announcement at %.2f", c)
	}
	t.Logf("announcement match: music %.2f, after 5 s %.2f", bestMatch(music, clip[:rate/4]), bestMatch(heard[4*rate:], clip[:rate/4]))
	if c := bestMatch(heard[4*rate:], clip[:rate/4]); c < 0.8 {
		t.Errorf("no announcement of the position after 5 s: best match %.2f, want ≥ 0.8", c)
	}
}

// bestMatch is the highest normalised cross-correlation of a clip (16-bit
// samples) anywhere in x (samples in -1..1).
func bestMatch(x []float64, clip []int16) float64 {
	c := make([]float64, len(clip))
	var cn float64
	for i, v := range clip {
		c[i] = float64(v) / 32768
		cn += c[i] * c[i]
	}
	best := 0.0
	for off := 0; off+len(c) <= len(x); off += 2 {
		var dot, xn float64
		for i, v := range c {
			dot += v * x[off+i]
			xn += x[off+i] * x[off+i]
		}
		if xn > 0 {
			best = max(best, dot/math.Sqrt(xn*cn))
		}
	}
	return best
}

// TestAgentCodesByPhone: an agent logs in from a desk phone with *45 and
// the PIN dialled inline, takes a queue call there, pauses with *47 (the
// queue then has nobody), unpauses with *48 and logs out with *46. A wrong
// PIN logs nobody in.
func TestAgentCodesByPhone(t *testing.T) {
	phonetest.Require(t)
	b, alice, bob := aliceCallsBob(t)
	must := func(method, path string, body any, want int) string {
		t.Helper()
		code, out := b.api(t, method, path, body)
		if code != want {
			t.Fatalf("%s %s = %d %s, want %d", method, path, code, out, want)
		}
		return string(out)
	}
	must("POST", "/agents", map[string]any{"id": "201", "name": "Bob", "extension": "1002", "pin": "4321"}, 201)
	must("POST", "/queues", map[string]any{"name": "sales", "number": "600", "strategy": "ring-all",
		"members": []map[string]any{{"agent": "201"}}}, 201)
	ctx := ctxT(t, 90*time.Second)
	code := func(c string) {
		t.Helper()
		if err := bob.Dial(ctx, dialURI(b, c)); err != nil {
			t.Fatal(err)
		}
		if _, err := bob.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallEstablished)); err != nil {
			t.Fatalf("%s not answered: %v", c, err)
		}
		closedReason(t, bob, ctx) // the box confirms and hangs up
	}
	status := func() string {
		t.Helper()
		return between(must("GET", "/agents/201/state", nil, 200), `"status":"`, `"`)
	}
	code("*45*201*9999")
	if s := status(); s != "logged-out" {
		t.Errorf("after a wrong PIN the agent is %s, want logged-out", s)
	}
	code("*45*201*4321")
	if s := status(); s != "available" {
		t.Fatalf("after *45 with the PIN the agent is %s, want available", s)
	}
	if err := alice.Dial(ctx, dialURI(b, "600")); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallEstablished)); err != nil {
		t.Fatalf("the queue call did not reach the agent's phone: %v", err)
	}
	if _, err := alice.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallEstablished)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	if err := alice.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	closedReason(t, bob, ctx)
	for deadline := time.Now().Add(5 * time.Second); status() == "on-call"; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the agent stays on-call after the call ended")
		}
	}
	if status() == "wrap-up" {
		must("POST", "/agents/201/end-wrap-up", nil, 200)
	}
	code("*47")
	if s := status(); s != "paused" {
		t.Errorf("after *47 the agent is %s, want paused", s)
	}
	code("*48")
	if s := status(); s != "available" {
		t.Errorf("after *48 the agent is %s, want available", s)
	}
	code("*46")
	if s := status(); s != "logged-out" {
		t.Errorf("after *46 the agent is %s, want logged-out", s)
	}
	audit := must("GET", "/audit", nil, 200)
	for _, want := range []string{"agent-login-refused", "agent-login", "agent-pause", "agent-unpause", "agent-logout"} {
		if !strings.Contains(audit, `"`+want+`"`) {
			t.Errorf("audit log lacks %s", want)
		}
	}
}
