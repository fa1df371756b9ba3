package phonetest

import (
	"bufio"
	"context"
	"errors"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"deskline/appliance/internal/audiotest"
)

// talk is how long the audio test lets the phones talk: test content, not
// synchronisation (every step waits for baresip's events).
const talk = 3 * time.Second

func tone(t *testing.T, hz float64) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), strconv.Itoa(int(hz))+"hz.wav")
	if err := audiotest.WriteTone(path, hz, 30, 8000); err != nil {
		t.Fatal(err)
	}
	return path
}

func wait(t *testing.T, p *Phone, types ...string) Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	e, err := p.WaitEvent(ctx, IsType(types...))
	if err != nil {
		t.Fatalf("%s: waiting for %v: %v", p.opts.User, types, err)
	}
	return e
}

func checkFreq(t *testing.T, who, path string, want float64) {
	t.Helper()
	s, rate, err := audiotest.ReadWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(s) < rate { // at least a second of audio
		t.Errorf("%s: %s holds %d samples at %d Hz, want over a second", who, filepath.Base(path), len(s), rate)
	}
	got := audiotest.DominantFrequency(s, rate)
	if math.Abs(got-want) > want*0.03 {
		t.Errorf("%s: dominant frequency of %s = %v Hz, want %v Hz ±3%%", who, filepath.Base(path), got, want)
	}
	if rms := audiotest.RMS(s); rms < 0.05 {
		t.Errorf("%s: RMS of %s = %v, want a tone", who, filepath.Base(path), rms)
	}
}

// TestCallAudioAndDTMF calls from phone A (1000 Hz) to phone B (600 Hz,
// auto-answer) peer to peer, sends DTMF and checks what each side heard.
func TestCallAudioAndDTMF(t *testing.T) {
	a := Start(t, Options{User: "alice", PlayWAV: tone(t, 1000)})
	b := Start(t, Options{User: "bob", PlayWAV: tone(t, 600), AutoAnswer: true})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	events := a.Events() // the raw stream must carry the same events

	if err := a.Dial(ctx, b.URI()); err != nil {
		t.Fatal(err)
	}
	wait(t, a, EventCallRinging)
	ea := wait(t, a, EventCallEstablished)
	eb := wait(t, b, EventCallEstablished)
	if ea.Direction != "outgoing" || eb.Direction != "incoming" || ea.CallID == "" || ea.CallID != eb.CallID {
		t.Errorf("established: A %+v, B %+v; want outgoing/incoming with one call id", ea, eb)
	}
	if eb.PeerURI != a.AOR() {
		t.Errorf("B's peer = %q, want %q", eb.PeerURI, a.AOR())
	}
	wait(t, a, EventCallRTPEstab)
	wait(t, b, EventCallRTPEstab)

	if err := a.SendDTMF(ctx, "12#"); err != nil {
		t.Fatal(err)
	}
	var digits string
	for range 3 {
		e := wait(t, b, EventDTMFStart)
		digits += e.Digit
		wait(t, b, EventDTMFEnd)
	}
	if digits != "12#" {
		t.Errorf("B received DTMF %q, want %q", digits, "12#")
	}

	select {
	case <-time.After(talk):
	case <-ctx.Done():
		t.Fatal(ctx.Err())
	}
	if err := a.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	ca := wait(t, a, EventCallClosed)
	cb := wait(t, b, EventCallClosed)
	t.Logf("closed: A %q, B %q", ca.Reason, cb.Reason)
	if cb.Reason == "" {
		t.Errorf("B's CALL_CLOSED has no reason")
	}

	heardA, sentA, err := a.Recordings()
	if err != nil {
		t.Fatal(err)
	}
	heardB, sentB, err := b.Recordings()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("A: %s %s; B: %s %s", filepath.Base(heardA), filepath.Base(sentA), filepath.Base(heardB), filepath.Base(sentB))
	checkFreq(t, "A heard", heardA, 600)
	checkFreq(t, "B heard", heardB, 1000)
	checkFreq(t, "A sent", sentA, 1000)
	checkFreq(t, "B sent", sentB, 600)

	var seen []string
	for e := range events {
		seen = append(seen, e.Type)
		if e.Type == EventCallClosed {
			break
		}
	}
	if got := strings.Join(seen, " "); !strings.Contains(got, EventCallEstablished) {
		t.Errorf("Events() = %s, want CALL_ESTABLISHED before CALL_CLOSED", got)
	}
}

// TestManualAnswerOverTCP has B ring and answer by command, over TCP, and
// hang up from B's side; then checks that the processes are gone.
func TestManualAnswerOverTCP(t *testing.T) {
	var a, b *Phone
	t.Run("call", func(t *testing.T) {
		a = Start(t, Options{User: "carol", Transport: "tcp"})
		b = Start(t, Options{User: "dave", Transport: "tcp"})
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, _, err := b.Recordings(); !errors.Is(err, ErrNoRecording) {
			t.Errorf("Recordings before any call: %v, want ErrNoRecording", err)
		}
		if err := a.Dial(ctx, b.URI()); err != nil {
			t.Fatal(err)
		}
		in := wait(t, b, EventCallIncoming)
		if in.PeerURI != a.AOR() || in.Param != a.AOR() {
			t.Errorf("CALL_INCOMING = %+v, want peer %s", in, a.AOR())
		}
		if err := b.Accept(ctx); err != nil {
			t.Fatal(err)
		}
		wait(t, a, EventCallEstablished)
		wait(t, b, EventCallEstablished)
		if err := b.Hangup(ctx); err != nil {
			t.Fatal(err)
		}
		wait(t, b, EventCallClosed)
		if e := wait(t, a, EventCallClosed); e.Reason == "" {
			t.Errorf("A's CALL_CLOSED has no reason: %+v", e)
		}
		if _, _, err := b.Recordings(); err != nil {
			t.Errorf("Recordings after a silent call: %v", err)
		}
		if _, err := a.Command(ctx, "nosuchcommand", ""); !errors.Is(err, ErrCommand) {
			t.Errorf("unknown command: %v, want ErrCommand", err)
		}
	})
	for _, p := range []*Phone{a, b} {
		if p != nil && p.proc.ProcessState == nil {
			t.Errorf("%s: baresip still runs after the test's cleanup", p.opts.User)
		}
	}
}

func TestRegisterRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	p := Start(t, Options{User: "1001", Password: "secret", Registrar: addr, Transport: "tcp", Register: true})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = p.WaitRegistered(ctx)
	if !errors.Is(err, ErrRegisterFailed) {
		t.Fatalf("WaitRegistered = %v, want ErrRegisterFailed", err)
	}
	t.Logf("WaitRegistered: %v", err)
}

// TestRegisterOK registers with a minimal registrar written here: it answers
// every REGISTER with 200 OK.
func TestRegisterOK(t *testing.T) {
	Require(t)
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 65535)
		for {
			n, from, err := conn.ReadFrom(buf)
			if err != nil {
				return
			}
			if resp := okResponse(string(buf[:n])); resp != "" {
				conn.WriteTo([]byte(resp), from)
			}
		}
	}()
	t.Cleanup(func() { conn.Close(); <-done })

	p := Start(t, Options{User: "1002", Registrar: conn.LocalAddr().String(), Register: true})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := p.WaitRegistered(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := p.Command(ctx, "reginfo", "")
	if err != nil || !strings.Contains(r.Data, "OK") {
		t.Errorf("reginfo = %q, %v; want OK", r.Data, err)
	}
}

// okResponse answers a REGISTER request with 200 OK, or returns "".
func okResponse(req string) string {
	if !strings.HasPrefix(req, "REGISTER ") {
		return ""
	}
	var b strings.Builder
	b.WriteString("SIP/2.0 200 OK\r\n")
	sc := bufio.NewScanner(strings.NewReader(req))
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			break
		}
		name, _, _ := strings.Cut(line, ":")
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "via", "v", "from", "f", "call-id", "i", "cseq", "contact", "m":
			b.WriteString(line + "\r\n")
		case "to", "t":
			b.WriteString(line + ";tag=phonetest\r\n")
		}
	}
	b.WriteString("Expires: 300\r\nContent-Length: 0\r\n\r\n")
	return b.String()
}

// TestRequireFailsOnCI runs this test binary again with an empty PATH: with
// CI=true Require must fail the test, without it skip it.
func TestRequireFailsOnCI(t *testing.T) {
	if os.Getenv("PHONETEST_REQUIRE_CHILD") != "" {
		Require(t)
		t.Log("Require returned")
		return
	}
	for _, tc := range []struct {
		ci       string
		wantFail bool
		wantOut  string
	}{
		{"true", true, "--- FAIL"},
		{"", false, "--- SKIP"},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRequireFailsOnCI$", "-test.v")
		cmd.Env = append(os.Environ(), "PATH="+t.TempDir(), "CI="+tc.ci, "PHONETEST_REQUIRE_CHILD=1")
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		failed := errors.As(err, &exit)
		if err != nil && !failed {
			t.Fatal(err)
		}
		if failed != tc.wantFail || !strings.Contains(string(out), tc.wantOut) ||
			!strings.Contains(string(out), ".ci/install-test-deps") || strings.Contains(string(out), "Require returned") {
			t.Errorf("CI=%q without baresip: failed=%v, output:\n%s\nwant failed=%v with %q and the install hint",
				tc.ci, failed, out, tc.wantFail, tc.wantOut)
		}
	}
}

// TestPlayWAVEndHangsUp pins a baresip 1.0.0 behaviour the Options document:
// when the aufile source runs out, the call ends.
func TestPlayWAVEndHangsUp(t *testing.T) {
	short := filepath.Join(t.TempDir(), "short.wav")
	if err := audiotest.WriteTone(short, 1000, 0.5, 8000); err != nil {
		t.Fatal(err)
	}
	a := Start(t, Options{User: "erin", PlayWAV: short})
	b := Start(t, Options{User: "frank", AutoAnswer: true})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := a.Dial(ctx, b.URI()); err != nil {
		t.Fatal(err)
	}
	if e := wait(t, a, EventAudioError); !strings.Contains(e.Param, "end of file") {
		t.Errorf("AUDIO_ERROR param = %q, want end of file", e.Param)
	}
	if e := wait(t, a, EventCallClosed); e.Reason != "end of file" {
		t.Errorf("CALL_CLOSED reason = %q, want %q", e.Reason, "end of file")
	}
	wait(t, b, EventCallClosed)
}
