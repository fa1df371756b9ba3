package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"deskline/appliance"
	"deskline/appliance/internal/audiotest"
	"deskline/appliance/internal/phonetest"
	"deskline/appliance/internal/sipfake"
)

const killPass = "kill-test-pass-1"

// killBox runs the daemon binary as its own process, as on the box, on
// the addresses given (fixed ones let phones find it again after a
// SIGKILL).
type killBox struct {
	bin, data, sip, http string
	password             string // the admin password; "" = killPass
	quiet                bool   // log warnings only (a long soak would fill logs)
	cmd                  *exec.Cmd
	logs                 strings.Builder
}

func (k *killBox) start(t *testing.T) time.Duration {
	t.Helper()
	args := []string{"-data", k.data, "-sip", k.sip, "-http", k.http, "-sips", "127.0.0.1:0", "-https", "127.0.0.1:0",
		"-rtp", "47000-47998", "-sip-allow", "127.0.0.0/8"}
	if k.quiet {
		args = append(args, "-log-level", "warn")
	}
	k.cmd = exec.Command(k.bin, args...)
	if k.password == "" {
		k.password = killPass
	}
	k.cmd.Env = append(os.Environ(), "DESKLINE_ADMIN_PASSWORD="+k.password)
	stdout, _ := k.cmd.StdoutPipe()
	k.logs.Reset()
	k.cmd.Stderr = &k.logs
	started := time.Now()
	if err := k.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		once := sync.Once{}
		for sc.Scan() {
			if strings.Contains(sc.Text(), "Web panel:") {
				once.Do(func() { close(ready) })
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	select {
	case <-ready:
	case <-time.After(15 * time.Second):
		k.cmd.Process.Kill()
		k.cmd.Wait()
		t.Fatalf("no start-up:\n%s", k.logs.String())
	}
	return time.Since(started)
}

// stop ends the daemon with SIGTERM, as gokrazy does, and SIGKILL after
// 10 s.
func (k *killBox) stop() {
	k.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { k.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		k.cmd.Process.Kill()
		<-done
	}
}

func (k *killBox) kill() {
	k.cmd.Process.Signal(syscall.SIGKILL)
	k.cmd.Wait()
}

func (k *killBox) api(method, path string, body any) (int, []byte) {
	var r io.Reader
	if body != nil {
		j, _ := json.Marshal(body)
		r = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, "http://"+k.http+"/api/v1"+path, r)
	req.SetBasicAuth("admin", k.password)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return 0, nil
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, out
}

// TestSIGKILLUnderCalls kills the daemon with SIGKILL at random moments
// while two real phones call each other through it and an agent is paused
// and unpaused, restarts it on the same addresses, and checks what a user
// would: every call record the API had shown is still there, the agent's
// last acknowledged state is restored, both phones are still registered
// (without registering again) and can call at once, and the store passes
// its consistency check.
func TestSIGKILLUnderCalls(t *testing.T) {
	phonetest.Require(t)
	k := &killBox{bin: filepath.Join(t.TempDir(), "deskline"), data: t.TempDir(), sip: sipfake.FreeAddr(t), http: freeTCP(t)}
	if out, err := exec.Command("go", "build", "-o", k.bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		if k.cmd != nil && k.cmd.ProcessState == nil {
			k.kill()
		}
	})
	k.start(t)
	must := func(method, path string, body any, want int) []byte {
		t.Helper()
		code, out := k.api(method, path, body)
		if code != want {
			t.Fatalf("%s %s = %d %s, want %d", method, path, code, out, want)
		}
		return out
	}
	must("POST", "/extensions", map[string]any{"number": "1001", "name": "Alice", "password": "alice-secret-k1"}, 201)
	must("POST", "/extensions", map[string]any{"number": "1002", "name": "Bob", "password": "bob-secret-k22"}, 201)
	must("POST", "/agents", map[string]any{"id": "201", "name": "Bob", "extension": "1002"}, 201)
	must("POST", "/queues", map[string]any{"name": "sales", "number": "600", "strategy": "linear", "members": []map[string]any{{"agent": "201"}}}, 201)
	must("POST", "/agents/201/login", map[string]any{}, 200)
	toneFile := filepath.Join(t.TempDir(), "tone.wav")
	if err := audiotest.WriteTone(toneFile, 1000, 120, 8000); err != nil {
		t.Fatal(err)
	}
	start := func(user, pw string, auto bool) *phonetest.Phone {
		p := phonetest.Start(t, phonetest.Options{User: user, Password: pw, Registrar: k.sip, Register: true, AutoAnswer: auto, PlayWAV: toneFile, RegInterval: time.Hour})
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := p.WaitRegistered(ctx); err != nil {
			t.Fatalf("%s did not register: %v", user, err)
		}
		return p
	}
	alice := start("1001", "alice-secret-k1", false)
	bob := start("1002", "bob-secret-k22", true)
	// Registrations are saved at most every 2 s (a phone re-registers
	// anyway): give the first save its time before any kill.
	time.Sleep(2500 * time.Millisecond)

	rng := rand.New(rand.NewPCG(3, 4))
	seenCDR := map[string]bool{}
	paused := false
	const rounds = 4
	var slowest time.Duration
	calls := 0
	for round := 0; round < rounds; round++ {
		// Calls and agent changes until a kill at a random moment.
		killAt := time.Now().Add(time.Duration(1500+rng.IntN(2500)) * time.Millisecond)
		for time.Now().Before(killAt) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if err := alice.Dial(ctx, "sip:1002@"+k.sip); err == nil {
				if _, err := alice.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallEstablished)); err == nil {
					bob.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallEstablished))
					time.Sleep(time.Duration(100+rng.IntN(400)) * time.Millisecond)
					alice.Hangup(ctx)
					alice.WaitEvent(ctx, phonetest.IsType("CALL_CLOSED"))
					bob.WaitEvent(ctx, phonetest.IsType("CALL_CLOSED"))
					calls++
				}
			}
			cancel()
			action := "/agents/201/pause"
			if paused {
				action = "/agents/201/unpause"
			}
			if code, _ := k.api("POST", action, map[string]any{}); code == 200 {
				paused = !paused
			}
			if code, out := k.api("GET", "/cdr?limit=1000", nil); code == 200 {
				var recs []struct {
					ID string `json:"id"`
				}
				json.Unmarshal(out, &recs)
				for _, r := range recs {
					seenCDR[r.ID] = true
				}
			}
		}
		// Sometimes in the middle of a call.
		if rng.IntN(2) == 0 {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			alice.Dial(ctx, "sip:1002@"+k.sip)
			alice.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallEstablished))
			cancel()
		}
		k.kill()
		// The phones' dangling call (if any) is theirs to drop.
		for _, p := range []*phonetest.Phone{alice, bob} {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			p.Hangup(ctx)
			p.WaitEvent(ctx, phonetest.IsType("CALL_CLOSED"))
			cancel()
		}
		if d := k.start(t); d > slowest {
			slowest = d
		}

		out := must("GET", "/cdr?limit=1000", nil, 200)
		for id := range seenCDR {
			if !strings.Contains(string(out), `"id":"`+id+`"`) {
				t.Errorf("round %d: call record %s was shown before the SIGKILL and is gone", round, id)
			}
		}
		var st struct {
			Status string `json:"status"`
		}
		json.Unmarshal(must("GET", "/agents/201/state", nil, 200), &st)
		if want := map[bool]string{true: "paused", false: "available"}[paused]; st.Status != want {
			t.Errorf("round %d: agent 201 is %q after the restart, want %q (the last acknowledged change)", round, st.Status, want)
		}
		regs := string(must("GET", "/registrations", nil, 200))
		if !strings.Contains(regs, `"1001"`) || !strings.Contains(regs, `"1002"`) {
			t.Errorf("round %d: registrations lost in the SIGKILL: %s", round, regs)
		}
	}
	// After the last restart a call goes through at once.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := alice.Dial(ctx, "sip:1002@"+k.sip); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallEstablished)); err != nil {
		t.Errorf("no call after the last restart: %v", err)
	}
	alice.Hangup(ctx)
	k.kill()

	db, err := appliance.OpenStore(k.data, nil)
	if err != nil {
		t.Fatalf("store after %d SIGKILLs: %v", rounds, err)
	}
	defer db.Close()
	if err := db.Check(); err != nil {
		t.Fatalf("store after %d SIGKILLs: %v", rounds, err)
	}
	if calls < rounds || len(seenCDR) < rounds {
		t.Fatalf("%d calls and %d call records seen in %d rounds: the load did not exercise the daemon", calls, len(seenCDR), rounds)
	}
	t.Logf("%d SIGKILLs under calls: %d calls, %d call records seen, none lost; slowest start-up %v", rounds, calls, len(seenCDR), slowest.Round(time.Millisecond))
	if slowest > 3*time.Second {
		t.Logf("NOTE: start-up took %v, over the 3 s goal (reported, not asserted: the machine may be loaded)", slowest)
	}
}
