package appliance_test

import (
	"strings"
	"testing"
	"time"

	"deskline/appliance/internal/phonetest"
)

// TestRingGroups: a ring group's number rings its members' phones. With
// "ringall" every phone rings and the first to answer gets the caller
// (the others stop ringing); with "hunt" they ring one after another.
// Bad groups are refused naming the field.
func TestRingGroups(t *testing.T) {
	phonetest.Require(t)
	b, alice, bob := aliceCallsBob(t) // Bob answers by himself (600 Hz)
	carol := b.carol(t, false)        // Carol's phone only rings
	must := func(method, path string, body any, want int) string {
		t.Helper()
		code, out := b.api(t, method, path, body)
		if code != want {
			t.Fatalf("%s %s = %d %s, want %d", method, path, code, out, want)
		}
		return string(out)
	}
	for _, tc := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"name": "x", "number": "1002", "members": []string{"1003"}}, "number"},
		{map[string]any{"name": "x", "number": "700", "members": []string{"1009"}}, "members"},
		{map[string]any{"name": "x", "number": "700", "members": []string{"1003"}, "strategy": "random"}, "strategy"},
		{map[string]any{"name": "x", "number": "700", "members": []string{"1003"}, "fallback": map[string]any{"kind": "queue", "target": "none"}}, "fallback"},
	} {
		if code, out := b.api(t, "POST", "/ring-groups", tc.body); code != 422 || !strings.Contains(string(out), tc.field) {
			t.Errorf("POST %v = %d %s, want 422 naming %s", tc.body, code, out, tc.field)
		}
	}
	must("POST", "/ring-groups", map[string]any{"name": "office", "number": "700", "members": []string{"1003", "1002"}}, 201)
	must("POST", "/ring-groups", map[string]any{"name": "hunt", "number": "701", "members": []string{"1003", "1002"}, "strategy": "hunt", "ring_time": 5}, 201)

	// Ring all: Carol's phone rings, Bob answers at once; Carol stops ringing.
	ctx := ctxT(t, 60*time.Second)
	if err := alice.Dial(ctx, dialURI(b, "700")); err != nil {
		t.Fatal(err)
	}
	if _, err := carol.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallIncoming)); err != nil {
		t.Fatalf("Carol's phone did not ring: %v", err)
	}
	if _, err := bob.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallEstablished)); err != nil {
		t.Fatalf("Bob did not get the call: %v", err)
	}
	if _, err := alice.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallEstablished)); err != nil {
		t.Fatal(err)
	}
	if _, err := carol.WaitEvent(ctx, phonetest.IsType("CALL_CLOSED")); err != nil {
		t.Errorf("Carol's phone kept ringing after Bob answered: %v", err)
	}
	time.Sleep(2 * time.Second)
	if f := lastSecond(t, alice); !within(f, 600, 0.03) {
		t.Errorf("through the ring group Alice heard %.0f Hz, want Bob's 600 Hz", f)
	}
	alice.Hangup(ctx)
	closedReason(t, bob, ctx)
	closedReason(t, alice, ctx)

	// Hunt: Carol first, for 5 s; she does not answer; then Bob.
	start := time.Now()
	if err := alice.Dial(ctx, dialURI(b, "701")); err != nil {
		t.Fatal(err)
	}
	if _, err := carol.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallIncoming)); err != nil {
		t.Fatalf("hunt: Carol's phone did not ring first: %v", err)
	}
	if _, err := bob.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallEstablished)); err != nil {
		t.Fatalf("hunt: Bob did not get the call: %v", err)
	}
	if d := time.Since(start); d < 4*time.Second {
		t.Errorf("hunt: Bob got the call after %v, before Carol's 5 s were up", d)
	}
	alice.Hangup(ctx)
	closedReason(t, bob, ctx)
	if out := must("GET", "/ring-groups/hunt", nil, 200); !strings.Contains(out, `"strategy":"hunt"`) {
		t.Errorf("GET = %s", out)
	}
	must("DELETE", "/ring-groups/office", nil, 204)
	must("GET", "/ring-groups/office", nil, 404)
}
