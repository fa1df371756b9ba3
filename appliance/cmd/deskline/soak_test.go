package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"deskline/appliance/internal/audiotest"
	"deskline/appliance/internal/phonetest"
	"deskline/appliance/internal/sipfake"
)

// soakSample is one look at the daemon's resources, from its status API.
type soakSample struct {
	at         time.Duration
	calls      int
	heap       uint64 // live heap, bytes
	rss        int64  // resident memory, bytes
	goroutines int
	fds        int
}

// sample reads the daemon's figures: the status API for its heap,
// goroutines and files, /proc for its resident memory.
func (k *killBox) sample(t *testing.T, start time.Time, calls int) soakSample {
	t.Helper()
	code, out := k.api("GET", "/status", nil)
	var st struct {
		Runtime struct {
			Goroutines int    `json:"goroutines"`
			HeapBytes  uint64 `json:"heap_bytes"`
			OpenFiles  int    `json:"open_files"`
		} `json:"runtime"`
	}
	if err := json.Unmarshal(out, &st); code != 200 || err != nil {
		t.Fatalf("GET /status = %d %s", code, out)
	}
	s := soakSample{at: time.Since(start).Round(time.Second), calls: calls, heap: st.Runtime.HeapBytes,
		goroutines: st.Runtime.Goroutines, fds: st.Runtime.OpenFiles, rss: -1}
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", k.cmd.Process.Pid)); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
				var kb int64
				fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
				s.rss = kb * 1024
			}
		}
	}
	return s
}

// TestSoak runs calls, extension churn and agent state changes in a loop
// against the deskline daemon (its own process, as on the box) and checks
// that its memory, goroutines and open files stay flat. It runs for
// $DESKLINE_SOAK (a Go duration; `make soak` sets minutes, by hand hours)
// and 20 s otherwise, and logs its figures ($DESKLINE_SOAK_REPORT: also to
// that file).
func TestSoak(t *testing.T) {
	phonetest.Require(t)
	length := 20 * time.Second
	if v := os.Getenv("DESKLINE_SOAK"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 10*time.Second {
			t.Fatalf("DESKLINE_SOAK=%q: want a duration of at least 10s", v)
		}
		length = d
	}
	k := &killBox{bin: filepath.Join(t.TempDir(), "deskline"), data: t.TempDir(), sip: sipfake.FreeAddr(t), http: freeTCP(t), quiet: true}
	if out, err := exec.Command("go", "build", "-o", k.bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	k.start(t)
	t.Cleanup(func() {
		k.stop()
		if t.Failed() {
			t.Logf("daemon log:\n%s", k.logs.String())
		}
	})
	must := func(method, path string, body any, want int) {
		t.Helper()
		if code, out := k.api(method, path, body); code != want {
			t.Fatalf("%s %s = %d %s, want %d", method, path, code, out, want)
		}
	}
	const pwAlice, pwBob = "alice-soak-secret-1", "bob-soak-secret-22"
	must("POST", "/extensions", map[string]any{"number": "1001", "name": "Alice", "password": pwAlice}, 201)
	must("POST", "/extensions", map[string]any{"number": "1002", "name": "Bob", "password": pwBob}, 201)
	phoneOn := func(user, pw string, o phonetest.Options) *phonetest.Phone {
		o.User, o.Password, o.Registrar, o.Register = user, pw, k.sip, true
		p := phonetest.Start(t, o)
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := p.WaitRegistered(ctx); err != nil {
			t.Fatalf("%s did not register: %v", user, err)
		}
		return p
	}
	alice := phoneOn("1001", pwAlice, phonetest.Options{PlayWAV: toneWAV(t, 1000)})
	bob := phoneOn("1002", pwBob, phonetest.Options{PlayWAV: toneWAV(t, 600), AutoAnswer: true})
	must("POST", "/agents", map[string]any{"id": "201", "name": "Bob", "extension": "1002"}, 201)
	must("POST", "/queues", map[string]any{"name": "sales", "number": "600", "strategy": "linear", "members": []map[string]any{{"agent": "201"}}}, 201)

	start := time.Now()
	var samples []soakSample
	calls := 0
	next := start
	for i := 0; time.Since(start) < length; i++ {
		if time.Now().After(next) {
			samples = append(samples, k.sample(t, start, calls))
			next = next.Add(length / 10)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		if err := alice.Dial(ctx, "sip:1002@"+k.sip); err != nil {
			t.Fatal(err)
		}
		for _, p := range []*phonetest.Phone{alice, bob} {
			if _, err := p.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallEstablished)); err != nil {
				t.Fatalf("call %d not established: %v", calls+1, err)
			}
		}
		time.Sleep(300 * time.Millisecond)
		if err := alice.Hangup(ctx); err != nil {
			t.Fatal(err)
		}
		for _, p := range []*phonetest.Phone{alice, bob} {
			if _, err := p.WaitEvent(ctx, phonetest.IsType("CALL_CLOSED")); err != nil {
				t.Fatalf("call %d not closed: %v", calls+1, err)
			}
		}
		cancel()
		calls++
		// Configuration churn and agent state changes between calls.
		num := fmt.Sprintf("2%03d", i%1000)
		must("POST", "/extensions", map[string]any{"number": num, "name": "Churn", "password": "churn-secret-" + strings.Repeat("x", 1+i%3) + "-pw"}, 201)
		must("DELETE", "/extensions/"+num, nil, 204)
		must("POST", "/agents/201/login", map[string]any{}, 200)
		must("POST", "/agents/201/pause", map[string]any{"reason": ""}, 200)
		must("POST", "/agents/201/logout", nil, 200)
	}
	time.Sleep(time.Second) // let the last call's goroutines finish
	samples = append(samples, k.sample(t, start, calls))

	var rep strings.Builder
	fmt.Fprintf(&rep, "soak: %v, %d calls (with extension churn and agent changes between calls), deskline daemon figures\n", length, calls)
	fmt.Fprintf(&rep, "%8s %6s %10s %9s %10s %6s\n", "time", "calls", "heap KiB", "RSS KiB", "goroutines", "fds")
	for _, s := range samples {
		fmt.Fprintf(&rep, "%8v %6d %10d %9d %10d %6d\n", s.at, s.calls, s.heap/1024, s.rss/1024, s.goroutines, s.fds)
	}
	t.Log("\n" + rep.String())
	if path := os.Getenv("DESKLINE_SOAK_REPORT"); path != "" {
		if err := os.WriteFile(path, []byte(rep.String()), 0o644); err != nil {
			t.Error(err)
		}
	}
	if calls < 5 || len(samples) < 3 {
		t.Fatalf("only %d calls and %d samples: the soak did not run", calls, len(samples))
	}
	// Flat: the end compares with the daemon warmed up (after its first
	// calls), with room for the garbage collector's rhythm and for caches
	// that expire (SIP transactions live 32 s), not for a leak per call.
	base, last := samples[1], samples[len(samples)-1]
	if last.goroutines > base.goroutines+10 {
		t.Errorf("goroutines grew from %d to %d over %d calls", base.goroutines, last.goroutines, last.calls-base.calls)
	}
	if base.fds >= 0 && last.fds > base.fds+10 {
		t.Errorf("open files grew from %d to %d over %d calls", base.fds, last.fds, last.calls-base.calls)
	}
	if last.rss > base.rss*3/2+8<<20 {
		t.Errorf("resident memory grew from %d KiB to %d KiB over %d calls", base.rss/1024, last.rss/1024, last.calls-base.calls)
	}
}

// toneWAV writes 30 s of a tone at hz as the WAV a phone plays.
func toneWAV(t *testing.T, hz float64) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tone.wav")
	if err := audiotest.WriteTone(path, hz, 30, 8000); err != nil {
		t.Fatal(err)
	}
	return path
}
