package appliance_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"deskline/appliance/internal/audiotest"
	"deskline/appliance/internal/phonetest"
)

// recordedSince returns the samples a phone has heard in its current (or
// last) call from second from on, and the sample rate.
func recordedSince(t *testing.T, p *phonetest.Phone, from float64) ([]float64, int) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(p.Dir(), "snd", "dump-*-dec.wav"))
	if len(files) == 0 {
		t.Fatalf("%s recorded nothing\n%s", p.AOR(), p.Log())
	}
	s, rate, err := audiotest.ReadWAV(files[len(files)-1])
	if err != nil {
		t.Fatal(err)
	}
	i := int(from * float64(rate))
	if i > len(s) {
		i = len(s)
	}
	return s[i:], rate
}

// TestCallerHearsRingback: while the callee's phone rings, the caller hears
// the box's ringback tone (early media); once answered, the callee.
func TestCallerHearsRingback(t *testing.T) {
	phonetest.Require(t)
	b := startBox(t, "", "")
	b.addExtension(t, "1001", "Alice", pwAlice)
	b.addExtension(t, "1002", "Bob", pwBob)
	alice := phone(t, b, "1001", pwAlice, phonetest.Options{})
	bob := phone(t, b, "1002", pwBob, phonetest.Options{PlayWAV: tone(t, 600)})
	ctx := ctxT(t, 40*time.Second)
	if err := alice.Dial(ctx, dialURI(b, "1002")); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.WaitEvent(ctx, phonetest.IsType("CALL_INCOMING")); err != nil {
		t.Fatalf("Bob's phone did not ring: %v\n%s", err, bob.Log())
	}
	time.Sleep(2500 * time.Millisecond)
	ringing, rate := recordedSince(t, alice, 0)
	if err := bob.Accept(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallEstablished)); err != nil {
		t.Fatal(err)
	}
	answeredAt := float64(len(ringing)) / float64(rate)
	time.Sleep(2 * time.Second)
	if err := alice.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	closedReason(t, bob, ctx)
	// The US ringback is 440 + 480 Hz, 2 s on, 4 s off.
	if len(ringing) < rate {
		t.Fatalf("Alice recorded %.1f s while Bob rang, want at least 1 s of ringback\n%s", float64(len(ringing))/float64(rate), alice.Log())
	}
	f := audiotest.DominantFrequency(ringing, rate)
	t.Logf("while ringing Alice heard %.0f Hz at RMS %.3f over %.1f s", f, audiotest.RMS(ringing), float64(len(ringing))/float64(rate))
	if f < 430 || f > 490 || audiotest.RMS(ringing) < 0.02 {
		t.Errorf("while ringing Alice heard %.0f Hz at RMS %.3f, want the 440+480 Hz ringback", f, audiotest.RMS(ringing))
	}
	after, _ := recordedSince(t, alice, answeredAt+0.5)
	if f := audiotest.DominantFrequency(after, rate); !within(f, 600, 0.03) {
		t.Errorf("after the answer Alice heard %.0f Hz, want Bob's 600 Hz", f)
	}
}

// TestSpeakingClockAndEcho: feature codes answered by the box itself. *60
// says the time and hangs up; *43 plays back what the caller says until
// the caller presses #.
func TestSpeakingClockAndEcho(t *testing.T) {
	phonetest.Require(t)
	b := startBox(t, "", "")
	b.addExtension(t, "1001", "Alice", pwAlice)
	alice := phone(t, b, "1001", pwAlice, phonetest.Options{PlayWAV: tone(t, 1000)})
	ctx := ctxT(t, 60*time.Second)

	if err := alice.Dial(ctx, dialURI(b, "*60")); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallEstablished)); err != nil {
		t.Fatal(err)
	}
	if r := closedReason(t, alice, ctx); r == "" {
		t.Error("the speaking clock did not hang up")
	}
	if s := heardSoFar(t, alice); s < 2 {
		t.Errorf("the speaking clock said %.1f s of sound, want the time and date", s)
	}
	if c := b.waitCDR(t, "1001", ""); c.Dialled != "*60" || c.Disposition != "answered" {
		t.Errorf("CDR = %+v, want an answered call to *60", c)
	}

	if err := alice.Dial(ctx, dialURI(b, "*43")); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallEstablished)); err != nil {
		t.Fatal(err)
	}
	// The introduction takes about seven seconds; then the echo.
	time.Sleep(9 * time.Second)
	heard, rate := recordedSince(t, alice, 0)
	tail := heard[len(heard)-rate:]
	if f := audiotest.DominantFrequency(tail, rate); !within(f, 1000, 0.03) || audiotest.RMS(tail) < 0.05 {
		t.Errorf("in the echo test Alice heard %.0f Hz at RMS %.3f, want her own 1000 Hz back", f, audiotest.RMS(tail))
	}
	if err := alice.SendDTMF(ctx, "#"); err != nil {
		t.Fatal(err)
	}
	if r := closedReason(t, alice, ctx); r == "" {
		t.Error("the echo test did not end on #")
	}
}

// TestSRTPPhoneTalksToPlainPhone: a phone that insists on SRTP and one
// that knows only RTP talk through the box, both ways round; an extension
// set to require SRTP is refused plain RTP.
func TestSRTPPhoneTalksToPlainPhone(t *testing.T) {
	phonetest.Require(t)
	b := startBox(t, "", "")
	b.addExtension(t, "1001", "Alice", pwAlice)
	b.addExtension(t, "1002", "Bob", pwBob)
	if code, body := b.api(t, "PUT", "/extensions/1001", map[string]string{"name": "Alice", "srtp": "required"}); code != 200 {
		t.Fatalf("set SRTP required: %d %s", code, body)
	}
	alice := phone(t, b, "1001", pwAlice, phonetest.Options{PlayWAV: tone(t, 1000), AutoAnswer: true, MediaEnc: "srtp-mand"})
	bob := phone(t, b, "1002", pwBob, phonetest.Options{PlayWAV: tone(t, 600), AutoAnswer: true})
	ctx := ctxT(t, 60*time.Second)

	talk := func(caller, callee *phonetest.Phone, number string, callerHz, calleeHz float64) {
		t.Helper()
		if err := caller.Dial(ctx, dialURI(b, number)); err != nil {
			t.Fatal(err)
		}
		if _, err := caller.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallEstablished)); err != nil {
			t.Fatalf("call to %s not established: %v\n%s", number, err, caller.Log())
		}
		time.Sleep(3 * time.Second)
		if err := caller.Hangup(ctx); err != nil {
			t.Fatal(err)
		}
		closedReason(t, callee, ctx)
		for _, c := range []struct {
			p    *phonetest.Phone
			want float64
		}{{caller, calleeHz}, {callee, callerHz}} {
			heard, rate := recordedSince(t, c.p, 0.5)
			if f := audiotest.DominantFrequency(heard, rate); !within(f, c.want, 0.03) || audiotest.RMS(heard) < 0.05 {
				t.Errorf("call to %s: %s heard %.0f Hz at RMS %.3f, want %.0f Hz", number, c.p.AOR(), f, audiotest.RMS(heard), c.want)
			}
		}
	}
	talk(alice, bob, "1002", 1000, 600) // SRTP in, plain out
	talk(bob, alice, "1001", 600, 1000) // plain in, SRTP out (the box offers RTP/SAVP)

	// A plain phone on the SRTP-only extension is refused.
	b.addExtension(t, "1003", "Carol", pwCarol)
	if code, body := b.api(t, "PUT", "/extensions/1003", map[string]string{"name": "Carol", "srtp": "required"}); code != 200 {
		t.Fatalf("set SRTP required: %d %s", code, body)
	}
	carol := phone(t, b, "1003", pwCarol, phonetest.Options{})
	if err := carol.Dial(ctx, dialURI(b, "1002")); err != nil {
		t.Fatal(err)
	}
	if r := closedReason(t, carol, ctx); !strings.Contains(r, "488") {
		t.Errorf("a plain call from an SRTP-only extension closed with %q, want 488", r)
	}
	if code, body := b.api(t, "PUT", "/extensions/1003", map[string]string{"name": "Carol", "srtp": "sometimes"}); code != 400 && code != 422 || !strings.Contains(string(body), "srtp") {
		t.Errorf("a bad srtp value got %d %s, want a refusal naming srtp", code, body)
	}
}
