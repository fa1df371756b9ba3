package appliance_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"deskline/appliance"
)

type simState struct {
	Ports []struct {
		Name     string `json:"name"`
		OffHook  bool   `json:"off_hook"`
		Ringing  bool   `json:"ringing"`
		CallerID *struct {
			Number string `json:"Number"`
		} `json:"caller_id"`
		Gateway *struct {
			Extension  string `json:"extension"`
			Registered bool   `json:"registered"`
			State      string `json:"state"`
		} `json:"gateway"`
	} `json:"ports"`
}

// TestSimPortsAPI: with -sim-ports the box has two simulated analog
// extensions and a line, driven through /api/v1/sim behind the API's
// authentication. One analog phone dials the other with keypad tones; the
// other rings with the caller's number and answers.
func TestSimPortsAPI(t *testing.T) {
	b := startBoxWith(t, "", "", func(c *appliance.Config) { c.SimPorts = true })
	if code, _ := apiAs(t, b, "admin", "wrong-password-123", "GET", "/sim", nil); code != http.StatusUnauthorized {
		t.Errorf("GET /sim with a wrong password = %d, want 401", code)
	}
	state := func() simState {
		t.Helper()
		code, body := b.api(t, "GET", "/sim", nil)
		var s simState
		if code != 200 || json.Unmarshal(body, &s) != nil {
			t.Fatalf("GET /sim = %d %s", code, body)
		}
		return s
	}
	waitFor := func(what string, ok func(simState) bool) simState {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			s := state()
			if ok(s) {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: not reached: %+v", what, s)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitFor("both extensions registered", func(s simState) bool {
		return len(s.Ports) == 3 && s.Ports[0].Gateway.Registered && s.Ports[1].Gateway.Registered
	})
	if code, _ := b.api(t, "POST", "/sim/fxs9/hook", map[string]bool{"off": true}); code != http.StatusNotFound {
		t.Errorf("POST /sim/fxs9/hook = %d, want 404", code)
	}
	if code, body := b.api(t, "POST", "/sim/fxs1/dial", map[string]string{"digits": "2002"}); code != 422 {
		t.Errorf("dialling on-hook = %d %s, want 422", code, body)
	}
	hook := func(port string, off bool) {
		t.Helper()
		if code, body := b.api(t, "POST", "/sim/"+port+"/hook", map[string]bool{"off": off}); code != 200 {
			t.Fatalf("%s hook off=%v: %d %s", port, off, code, body)
		}
		if !off { // a hang-up is told from a flash after 800 ms on-hook
			i := map[string]int{"fxs1": 0, "fxs2": 1}[port]
			waitFor(port+" on-hook", func(s simState) bool { return s.Ports[i].Gateway.State == "idle" })
		}
	}
	call := func() {
		t.Helper()
		hook("fxs1", true)
		if code, body := b.api(t, "POST", "/sim/fxs1/dial", map[string]string{"digits": "2002#"}); code != 200 {
			t.Fatalf("dial = %d %s", code, body)
		}
	}
	// An analog phone off the hook is busy: the caller hears so.
	b.noVoicemail(t, "2002")
	hook("fxs2", true)
	call()
	waitFor("fxs1 busy", func(s simState) bool { return s.Ports[0].Gateway.State == "busy" })
	hook("fxs1", false)
	hook("fxs2", false)
	// The caller gives up: the bell stops.
	call()
	waitFor("fxs2 rings", func(s simState) bool { return s.Ports[1].Gateway.State == "ringing" })
	hook("fxs1", false)
	waitFor("fxs2 stops ringing", func(s simState) bool { return s.Ports[1].Gateway.State == "idle" && !s.Ports[1].Ringing })
	// Answered.
	call()
	s := waitFor("caller ID shown", func(s simState) bool { return s.Ports[1].CallerID != nil })
	if n := s.Ports[1].CallerID.Number; n != "2001" {
		t.Errorf("fxs2's caller ID = %q, want 2001", n)
	}
	if code, body := b.api(t, "POST", "/sim/fxs2/hook", map[string]bool{"off": true}); code != 200 {
		t.Fatalf("answer = %d %s", code, body)
	}
	waitFor("both talking", func(s simState) bool {
		return s.Ports[0].Gateway.State == "talking" && s.Ports[1].Gateway.State == "talking"
	})
	b.api(t, "POST", "/sim/fxs1/hook", map[string]bool{"off": false})
	waitFor("fxs2 hears the hang-up", func(s simState) bool { return s.Ports[1].Gateway.State == "busy" })
	// Earlier calls of this test left busy and cancelled records: wait for
	// this call's, which is written as the call ends.
	var last string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		_, body := b.api(t, "GET", "/cdr", nil)
		last = string(body)
		var recs []cdrJSON
		json.Unmarshal(body, &recs)
		for _, c := range recs {
			if c.Caller == "2001" && c.Callee == "2002" && c.Disposition == "answered" {
				return
			}
		}
	}
	t.Errorf("no answered call record from 2001 to 2002: %s", last)
}
