package appliance_test

import (
	"path/filepath"
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
