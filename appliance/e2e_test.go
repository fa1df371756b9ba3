package appliance_test

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"deskline/appliance"
	"deskline/appliance/internal/audiotest"
	"deskline/appliance/internal/phonetest"
)

// These tests drive real baresip phones (Debian's package) against a running
// appliance on loopback: what a person at a desk phone would notice.

const (
	pwAlice = "alice-secret-9f3k"
	pwBob   = "bob-secret-27xq1"
	pwCarol = "carol-secret-8mzp"
)

func ctxT(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// phone starts a registered baresip phone for an extension on the box.
func phone(t *testing.T, b *box, user, pw string, o phonetest.Options) *phonetest.Phone {
	t.Helper()
	o.User, o.Password, o.Registrar, o.Register = user, pw, b.sip(), true
	p := phonetest.Start(t, o)
	if err := p.WaitRegistered(ctxT(t, 15*time.Second)); err != nil {
		t.Fatalf("%s did not register: %v\n%s", user, err, p.Log())
	}
	return p
}

func tone(t *testing.T, hz float64) string {
	path := filepath.Join(t.TempDir(), "tone.wav")
	if err := audiotest.WriteTone(path, hz, 30, 8000); err != nil {
		t.Fatal(err)
	}
	return path
}

// aliceCallsBob starts a box with extensions 1001 (Alice, whose phone
// sends 1000 Hz) and 1002 (Bob, 600 Hz, answering by itself), both
// registered.
func aliceCallsBob(t *testing.T) (*box, *phonetest.Phone, *phonetest.Phone) {
	t.Helper()
	b := startBox(t, "", "")
	b.addExtension(t, "1001", "Alice", pwAlice)
	b.addExtension(t, "1002", "Bob", pwBob)
	alice := phone(t, b, "1001", pwAlice, phonetest.Options{PlayWAV: tone(t, 1000)})
	bob := phone(t, b, "1002", pwBob, phonetest.Options{PlayWAV: tone(t, 600), AutoAnswer: true})
	return b, alice, bob
}

// carol adds extension 1003 (Carol, whose phone sends 1400 Hz) to a box
// and registers her phone.
func (b *box) carol(t *testing.T, autoAnswer bool) *phonetest.Phone {
	t.Helper()
	b.addExtension(t, "1003", "Carol", pwCarol)
	return phone(t, b, "1003", pwCarol, phonetest.Options{PlayWAV: tone(t, 1400), AutoAnswer: autoAnswer})
}

func dialURI(b *box, number string) string { return "sip:" + number + "@" + b.sip() }

// heardFrequency is the dominant frequency of what a phone heard in its last call.
func heardFrequency(t *testing.T, p *phonetest.Phone) (float64, float64) {
	t.Helper()
	heard, _, err := p.Recordings()
	if err != nil {
		t.Fatalf("recordings: %v", err)
	}
	s, rate, err := audiotest.ReadWAV(heard)
	if err != nil {
		t.Fatalf("read %s: %v", heard, err)
	}
	return audiotest.DominantFrequency(s, rate), audiotest.RMS(s)
}

func within(got, want, tol float64) bool { return math.Abs(got-want) <= want*tol }

// TestCallCarriesAudioBothWays: Alice calls Bob; each phone sends its own
// tone and each hears the other's, through the box's media relay.
func TestCallCarriesAudioBothWays(t *testing.T) {
	phonetest.Require(t)
	for _, transport := range []string{"udp", "tcp"} {
		t.Run(transport, func(t *testing.T) {
			b := startBox(t, "", "")
			b.addExtension(t, "1001", "Alice", pwAlice)
			b.addExtension(t, "1002", "Bob", pwBob)
			alice := phone(t, b, "1001", pwAlice, phonetest.Options{PlayWAV: tone(t, 1000), Transport: transport})
			bob := phone(t, b, "1002", pwBob, phonetest.Options{PlayWAV: tone(t, 600), AutoAnswer: true, Transport: transport})

			code, body := b.api(t, "GET", "/registrations", nil)
			if code != 200 || !strings.Contains(string(body), `"1001"`) || !strings.Contains(string(body), `"1002"`) {
				t.Fatalf("GET /registrations = %d %s", code, body)
			}

			ctx := ctxT(t, 30*time.Second)
			if err := alice.Dial(ctx, dialURI(b, "1002")); err != nil {
				t.Fatal(err)
			}
			for _, p := range []*phonetest.Phone{alice, bob} {
				if _, err := p.WaitEvent(ctx, phonetest.IsType("CALL_ESTABLISHED")); err != nil {
					t.Fatalf("call not established: %v\n%s", err, p.Log())
				}
			}
			code, body = b.api(t, "GET", "/calls", nil)
			if code != 200 || !strings.Contains(string(body), `"caller":"1001"`) {
				t.Errorf("GET /calls during the call = %d %s", code, body)
			}
			time.Sleep(3 * time.Second) // let three seconds of audio flow each way
			if err := alice.Hangup(ctx); err != nil {
				t.Fatal(err)
			}
			for _, p := range []*phonetest.Phone{alice, bob} {
				if _, err := p.WaitEvent(ctx, phonetest.IsType("CALL_CLOSED")); err != nil {
					t.Fatalf("call not closed: %v\n%s", err, p.Log())
				}
			}
			fb, rmsb := heardFrequency(t, bob)
			fa, rmsa := heardFrequency(t, alice)
			t.Logf("Bob heard %.1f Hz (rms %.3f); Alice heard %.1f Hz (rms %.3f)", fb, rmsb, fa, rmsa)
			if f, rms := fb, rmsb; !within(f, 1000, 0.03) || rms < 0.01 {
				t.Errorf("Bob heard %.0f Hz (rms %.3f), want Alice's 1000 Hz", f, rms)
			}
			if f, rms := fa, rmsa; !within(f, 600, 0.03) || rms < 0.01 {
				t.Errorf("Alice heard %.0f Hz (rms %.3f), want Bob's 600 Hz", f, rms)
			}
			c := b.waitCDR(t, "1001", "1002")
			if c.Disposition != "answered" || c.Answer == nil || c.Duration < 2 || c.Duration > 20 {
				t.Errorf("CDR = %+v, want answered with ~3 s of talk", c)
			}
		})
	}
}

// TestWrongPasswordIsNotRegistered: a phone with a wrong password never
// registers, and nothing shows in the registrations.
func TestWrongPasswordIsNotRegistered(t *testing.T) {
	phonetest.Require(t)
	b := startBox(t, "", "")
	b.addExtension(t, "1001", "Alice", pwAlice)
	p := phonetest.Start(t, phonetest.Options{User: "1001", Password: "wrong-password-123", Registrar: b.sip(), Register: true})
	if err := p.WaitRegistered(ctxT(t, 15*time.Second)); err == nil {
		t.Fatal("registered with a wrong password")
	}
	// The same for an extension that does not exist.
	q := phonetest.Start(t, phonetest.Options{User: "1009", Password: "whatever-pass-1", Registrar: b.sip(), Register: true})
	if err := q.WaitRegistered(ctxT(t, 15*time.Second)); err == nil {
		t.Fatal("an unknown extension registered")
	}
	if code, body := b.api(t, "GET", "/registrations", nil); code != 200 || strings.Contains(string(body), "1001") || strings.Contains(string(body), "1009") {
		t.Errorf("GET /registrations = %d %s, want none", code, body)
	}
}

// closedReason waits for a phone's call to close and returns baresip's reason text.
func closedReason(t *testing.T, p *phonetest.Phone, ctx context.Context) string {
	t.Helper()
	ev, err := p.WaitEvent(ctx, phonetest.IsType("CALL_CLOSED"))
	if err != nil {
		t.Fatalf("call not closed: %v\n%s", err, p.Log())
	}
	return ev.Param
}

// TestCallFailures: unknown number → 404, unregistered extension → 480,
// busy callee → 486. The caller's phone shows the reason.
func TestCallFailures(t *testing.T) {
	phonetest.Require(t)
	b := startBox(t, "", "")
	b.addExtension(t, "1001", "Alice", pwAlice)
	b.addExtension(t, "1002", "Bob", pwBob)
	b.addExtension(t, "1003", "Carol", pwCarol)
	b.addExtension(t, "1004", "Dave", "dave-secret-55ty")
	b.noVoicemail(t, "1002")
	b.noVoicemail(t, "1004")
	alice := phone(t, b, "1001", pwAlice, phonetest.Options{})
	bob := phone(t, b, "1002", pwBob, phonetest.Options{AutoAnswer: true})
	carol := phone(t, b, "1003", pwCarol, phonetest.Options{})
	ctx := ctxT(t, 60*time.Second)

	if err := alice.Dial(ctx, dialURI(b, "1999")); err != nil {
		t.Fatal(err)
	}
	if r := closedReason(t, alice, ctx); !strings.Contains(r, "404") {
		t.Errorf("call to unknown number closed with %q, want 404", r)
	}
	if err := alice.Dial(ctx, dialURI(b, "1004")); err != nil { // Dave exists but has no phone
		t.Fatal(err)
	}
	if r := closedReason(t, alice, ctx); !strings.Contains(r, "480") {
		t.Errorf("call to unregistered extension closed with %q, want 480", r)
	}

	// Bob takes a call from Alice; Carol then finds him busy.
	if err := alice.Dial(ctx, dialURI(b, "1002")); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.WaitEvent(ctx, phonetest.IsType("CALL_ESTABLISHED")); err != nil {
		t.Fatal(err)
	}
	if err := carol.Dial(ctx, dialURI(b, "1002")); err != nil {
		t.Fatal(err)
	}
	if r := closedReason(t, carol, ctx); !strings.Contains(r, "486") {
		t.Errorf("call to busy extension closed with %q, want 486", r)
	}
	alice.Hangup(ctx)
	closedReason(t, bob, ctx)
	if c := b.waitCDR(t, "1003", "1002"); c.Disposition != "busy" {
		t.Errorf("busy CDR = %+v", c)
	}
}

// TestCallerHangsUpWhileRinging: the callee stops ringing and the CDR says
// the call was cancelled.
func TestCallerHangsUpWhileRinging(t *testing.T) {
	phonetest.Require(t)
	b := startBox(t, "", "")
	b.addExtension(t, "1001", "Alice", pwAlice)
	b.addExtension(t, "1002", "Bob", pwBob)
	alice := phone(t, b, "1001", pwAlice, phonetest.Options{})
	bob := phone(t, b, "1002", pwBob, phonetest.Options{}) // does not answer
	ctx := ctxT(t, 30*time.Second)
	if err := alice.Dial(ctx, dialURI(b, "1002")); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.WaitEvent(ctx, phonetest.IsType("CALL_INCOMING")); err != nil {
		t.Fatalf("Bob's phone did not ring: %v\n%s", err, bob.Log())
	}
	// 180 Ringing with SDP: baresip reports progress and plays our
	// ringback (TestCallerHearsRingback checks what it hears).
	if _, err := alice.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallProgress)); err != nil {
		t.Errorf("Alice's phone shows no call progress: %v", err)
	}
	if err := alice.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	closedReason(t, bob, ctx) // Bob's phone stops ringing
	c := b.waitCDR(t, "1001", "1002")
	if c.Disposition != "cancelled" || c.Answer != nil || c.Duration != 0 {
		t.Errorf("CDR = %+v, want cancelled and never answered", c)
	}
}

// TestRestartKeepsPhonesReachable: after the box restarts on the same data
// directory, a phone that registered before is called without re-registering.
func TestRestartKeepsPhonesReachable(t *testing.T) {
	phonetest.Require(t)
	dir := t.TempDir()
	addr := freeSIPAddr(t)
	b := startBox(t, dir, addr)
	b.addExtension(t, "1001", "Alice", pwAlice)
	b.addExtension(t, "1002", "Bob", pwBob)
	alice := phone(t, b, "1001", pwAlice, phonetest.Options{})
	bob := phone(t, b, "1002", pwBob, phonetest.Options{AutoAnswer: true})
	b.stop(t)

	b2 := startBox(t, dir, addr)
	code, body := b2.api(t, "GET", "/registrations", nil)
	if code != 200 || !strings.Contains(string(body), `"1002"`) {
		t.Fatalf("registrations after restart = %d %s", code, body)
	}
	ctx := ctxT(t, 30*time.Second)
	if err := alice.Dial(ctx, dialURI(b2, "1002")); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.WaitEvent(ctx, phonetest.IsType("CALL_ESTABLISHED")); err != nil {
		t.Fatalf("Bob not reached after restart: %v", err)
	}
	alice.Hangup(ctx)
	closedReason(t, bob, ctx)
	// The phones unregister when they quit: let them while the box is up.
	alice.Stop()
	bob.Stop()
}

// TestTranscodingAndDTMF: Alice's phone only speaks µ-law, Bob's only A-law.
// The box transcodes so each still hears the other's tone, and the digits
// Alice presses reach Bob's phone.
func TestTranscodingAndDTMF(t *testing.T) {
	phonetest.Require(t)
	b := startBox(t, "", "")
	b.addExtension(t, "1001", "Alice", pwAlice)
	b.addExtension(t, "1002", "Bob", pwBob)
	alice := phone(t, b, "1001", pwAlice, phonetest.Options{PlayWAV: tone(t, 1000), Codecs: []string{"PCMU/8000/1"}})
	bob := phone(t, b, "1002", pwBob, phonetest.Options{PlayWAV: tone(t, 600), AutoAnswer: true, Codecs: []string{"PCMA/8000/1"}})
	ctx := ctxT(t, 30*time.Second)
	if err := alice.Dial(ctx, dialURI(b, "1002")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*phonetest.Phone{alice, bob} {
		if _, err := p.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallEstablished)); err != nil {
			t.Fatalf("call not established: %v\n%s", err, p.Log())
		}
	}
	time.Sleep(time.Second)
	if err := alice.SendDTMF(ctx, "12#"); err != nil {
		t.Fatal(err)
	}
	var got string
	for len(got) < 3 {
		ev, err := bob.WaitEvent(ctx, phonetest.IsType(phonetest.EventDTMFStart))
		if err != nil {
			t.Fatalf("Bob received digits %q, then: %v", got, err)
		}
		got += ev.Param
	}
	if got != "12#" {
		t.Errorf("Bob received digits %q, want %q", got, "12#")
	}
	time.Sleep(2 * time.Second)
	alice.Hangup(ctx)
	for _, p := range []*phonetest.Phone{alice, bob} {
		closedReason(t, p, ctx)
	}
	fb, _ := heardFrequency(t, bob)
	fa, _ := heardFrequency(t, alice)
	t.Logf("through the transcoder: Bob heard %.1f Hz, Alice heard %.1f Hz", fb, fa)
	if !within(fb, 1000, 0.03) || !within(fa, 600, 0.03) {
		t.Errorf("Bob heard %.0f Hz (want 1000), Alice heard %.0f Hz (want 600)", fb, fa)
	}
}

// TestNoAnswer: a callee that never picks up stops ringing after the
// no-answer time, the caller hears 480 and the CDR says no-answer.
func TestNoAnswer(t *testing.T) {
	phonetest.Require(t)
	b := startBoxWith(t, "", "", func(c *appliance.Config) { c.NoAnswer = 2 * time.Second })
	b.addExtension(t, "1001", "Alice", pwAlice)
	b.addExtension(t, "1002", "Bob", pwBob)
	b.noVoicemail(t, "1002")
	alice := phone(t, b, "1001", pwAlice, phonetest.Options{})
	bob := phone(t, b, "1002", pwBob, phonetest.Options{})
	ctx := ctxT(t, 20*time.Second)
	if err := alice.Dial(ctx, dialURI(b, "1002")); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallIncoming)); err != nil {
		t.Fatal(err)
	}
	if r := closedReason(t, alice, ctx); !strings.Contains(r, "480") {
		t.Errorf("unanswered call closed with %q, want 480", r)
	}
	closedReason(t, bob, ctx)
	if c := b.waitCDR(t, "1001", "1002"); c.Disposition != "no-answer" || c.Answer != nil {
		t.Errorf("CDR = %+v, want no-answer", c)
	}
}

// TestHoldAndResume: while Alice holds the call she hears nothing from Bob,
// and the call goes on after she resumes: Bob hears her again and either can
// hang up. (baresip 1.0 stops decoding for good once it has put a call on
// hold, even phone to phone without a PBX, so what the holder hears after
// resuming is checked in appliance/sip's TestHoldResumeRTP instead.)
func TestHoldAndResume(t *testing.T) {
	phonetest.Require(t)
	b, alice, bob := aliceCallsBob(t)
	ctx := ctxT(t, 30*time.Second)
	if err := alice.Dial(ctx, dialURI(b, "1002")); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallEstablished)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	before := heardSoFar(t, alice)
	if _, err := alice.Command(ctx, "hold", ""); err != nil {
		t.Fatal(err)
	}
	bobHoldStart, rate := recordedSince(t, bob, 0)
	time.Sleep(3 * time.Second)
	during := heardSoFar(t, alice) - before
	bobHold, _ := recordedSince(t, bob, float64(len(bobHoldStart))/float64(rate)+0.5)
	if _, err := alice.Command(ctx, "resume", ""); err != nil {
		t.Fatal(err)
	}
	bobBefore := heardSoFar(t, bob)
	time.Sleep(2 * time.Second)
	bobAfter := heardSoFar(t, bob) - bobBefore
	if err := bob.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	closedReason(t, alice, ctx)
	closedReason(t, bob, ctx)
	t.Logf("Alice heard %.1f s of Bob before hold and %.1f s during 3 s of hold; Bob heard %.1f s of Alice in 2 s after resume", before, during, bobAfter)
	if before < 1 {
		t.Errorf("Alice heard only %.1f s of Bob before holding", before)
	}
	if during > 0.3 {
		t.Errorf("Alice heard %.1f s of Bob while holding, want none", during)
	}
	if bobAfter < 1 {
		t.Errorf("Bob heard only %.1f s of Alice after she resumed", bobAfter)
	}
	// While held, Bob hears the box's music, not Alice's 1000 Hz tone
	// (her phone goes on sending it).
	f, level := audiotest.DominantFrequency(bobHold, rate), audiotest.RMS(bobHold)
	t.Logf("on hold Bob heard %.1f s dominated by %.0f Hz at RMS %.3f", float64(len(bobHold))/float64(rate), f, level)
	if len(bobHold) < rate || level < 0.02 || within(f, 1000, 0.03) {
		t.Errorf("on hold Bob heard %.1f s dominated by %.0f Hz at RMS %.3f, want music on hold", float64(len(bobHold))/float64(rate), f, level)
	}
	if c := b.waitCDR(t, "1001", "1002"); c.Disposition != "answered" || c.Duration < 6 {
		t.Errorf("CDR = %+v, want one answered call of about 7 s", c)
	}
}

// heardSoFar is how many seconds of sound above silence a phone has heard
// in its current (or last) call, from its recording.
func heardSoFar(t *testing.T, p *phonetest.Phone) float64 {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(p.Dir(), "snd", "dump-*-dec.wav"))
	if len(files) == 0 {
		return 0
	}
	s, rate, err := audiotest.ReadWAV(files[len(files)-1])
	if err != nil {
		t.Fatal(err)
	}
	loud := 0
	const win = 160
	for i := 0; i+win <= len(s); i += win {
		if audiotest.RMS(s[i:i+win]) > 0.05 {
			loud += win
		}
	}
	return float64(loud) / float64(rate)
}
