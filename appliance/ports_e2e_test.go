package appliance_test

import (
	"context"
	"log/slog"
	"math"
	"sync"
	"testing"
	"time"

	"deskline/appliance/internal/audiotest"
	"deskline/appliance/internal/phonetest"
	"deskline/appliance/ports"
	"deskline/hw"
	"deskline/hw/sim"
	"deskline/media"
	"deskline/media/dtmf"
	"deskline/media/fsk"
)

// analog is a gateway in front of a box with simulated ports on a clock
// that follows real time, as `make run` drives it.
type analog struct {
	gw    *ports.Gateway
	clock *sim.Clock
}

const pwAnalog = "analog-secret-5r2w"

func startAnalog(t *testing.T, b *box, country string) *analog {
	t.Helper()
	pool, err := media.NewPortPool(46000, 46998)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	clock := sim.NewClock(start)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tk := time.NewTicker(5 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-stop:
				return
			case now := <-tk.C:
				clock.AdvanceTo(start.Add(now.Sub(start)))
			}
		}
	}()
	log := slog.New(slog.NewTextHandler(b.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	gw, err := ports.New(ports.Options{SIPAddr: b.sip(), Media: pool, Country: country, Now: clock.Now, Logger: log,
		Credentials: func(ext string) (string, string, bool) { return ext, pwAnalog, true }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		gw.Close()
		close(stop)
		wg.Wait()
	})
	return &analog{gw: gw, clock: clock}
}

// fxs adds extension ext on a simulated FXS port and waits until it is
// registered.
func (a *analog) fxs(t *testing.T, b *box, ext string) *sim.Phone {
	t.Helper()
	b.addExtension(t, ext, "Analog "+ext, pwAnalog)
	port, ph, err := sim.NewFXS(a.clock, &sim.Opts{Name: ext})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.gw.AddFXS(port, ext); err != nil {
		port.Halt()
		t.Fatal(err)
	}
	a.wait(t, "registration of "+ext, func(s ports.Status) bool { return s.Extension == ext && s.Registered })
	return ph
}

// wait polls the gateway's status until ok holds for a port.
func (a *analog) wait(t *testing.T, what string, ok func(ports.Status) bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		for _, s := range a.gw.Status() {
			if ok(s) {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s: not reached; ports: %+v", what, a.gw.Status())
}

// sine is seconds of a tone at -10 dBm0-ish.
func sine(hz, seconds float64) []int16 {
	out := make([]int16, int(seconds*hw.SampleRate))
	for i := range out {
		out[i] = int16(7000 * math.Sin(2*math.Pi*hz*float64(i)/hw.SampleRate))
	}
	return out
}

// dtmfAudio renders digits as in-band DTMF, as a telephone's keypad sends.
func dtmfAudio(t *testing.T, digits string) []int16 {
	t.Helper()
	g := dtmf.NewGenerator(nil)
	if err := g.Play(digits, 80*time.Millisecond, 80*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	var out []int16
	var f [160]int16
	for !g.Done() {
		g.Read(f[:])
		out = append(out, f[:]...)
	}
	return out
}

// lastSeconds is the dominant frequency of the last d of samples.
func lastSeconds(s []int16, d float64) (float64, float64) {
	n := min(len(s), int(d*hw.SampleRate))
	f := make([]float64, n)
	for i, v := range s[len(s)-n:] {
		f[i] = float64(v) / 32768
	}
	return audiotest.DominantFrequency(f, hw.SampleRate), audiotest.RMS(f)
}

// talkBoth lets a call between an analog port and a baresip phone run for
// 3 s, checks that the port heard the phone's tone (phoneHz), ends the call
// from the analog side with hangUp, and checks that the phone heard the
// port's tone (analogHz).
func talkBoth(ctx context.Context, t *testing.T, heard func() []int16, analogHz float64, p *phonetest.Phone, phoneHz float64, hangUp func()) {
	t.Helper()
	time.Sleep(3 * time.Second)
	if f, rms := lastSeconds(heard(), 1.5); !within(f, phoneHz, 0.03) || rms < 0.01 {
		t.Errorf("the analog port heard %.0f Hz (rms %.3f), want the phone's %.0f Hz", f, rms, phoneHz)
	}
	hangUp()
	closedReason(t, p, ctx)
	if f, rms := heardFrequency(t, p); !within(f, analogHz, 0.03) || rms < 0.01 {
		t.Errorf("the phone heard %.0f Hz (rms %.3f), want the analog port's %.0f Hz", f, rms, analogHz)
	}
}

// TestAnalogPhoneCallsExtension: a simulated analog phone lifts its
// handset and hears dial tone, dials 1002 with DTMF tones in its audio,
// Bob's baresip phone answers, and each hears the other's tone.
func TestAnalogPhoneCallsExtension(t *testing.T) {
	phonetest.Require(t)
	b := startBox(t, "", "")
	b.addExtension(t, "1002", "Bob", pwBob)
	bob := phone(t, b, "1002", pwBob, phonetest.Options{PlayWAV: tone(t, 600), AutoAnswer: true})
	a := startAnalog(t, b, "US")
	ph := a.fxs(t, b, "2001")
	ctx := ctxT(t, 60*time.Second)

	ph.Lift()
	time.Sleep(time.Second)
	heard := ph.Heard()
	// US dial tone is 350 + 440 Hz.
	if f, rms := lastSeconds(heard, 0.8); !(within(f, 350, 0.03) || within(f, 440, 0.03)) || rms < 0.01 {
		t.Fatalf("off-hook: heard %.0f Hz (rms %.3f), want dial tone (350/440 Hz)", f, rms)
	}
	ph.Speak(dtmfAudio(t, "1002#"))
	ph.Speak(sine(1000, 20))
	if _, err := bob.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallEstablished)); err != nil {
		t.Fatalf("Bob's phone did not answer: %v; ports %+v", err, a.gw.Status())
	}
	a.wait(t, "talking", func(s ports.Status) bool { return s.Extension == "2001" && s.State == "talking" })
	talkBoth(ctx, t, ph.Heard, 1000, bob, 600, ph.Hang)
	if c := b.waitCDR(t, "2001", "1002"); c.Disposition != "answered" {
		t.Errorf("CDR = %+v, want answered", c)
	}
}

// TestAnalogPhoneRings: Alice calls the analog extension; its port rings
// with the country's cadence (GB: 0.4 s on, 0.2 off, 0.4 on, 2 off), the
// caller ID decoded from the port audio by our FSK demodulator names
// Alice, and lifting the handset answers.
func TestAnalogPhoneRings(t *testing.T) {
	phonetest.Require(t)
	b := startBox(t, "", "")
	b.addExtension(t, "1001", "Alice", pwAlice)
	alice := phone(t, b, "1001", pwAlice, phonetest.Options{PlayWAV: tone(t, 1000)})
	a := startAnalog(t, b, "GB")
	ph := a.fxs(t, b, "2001")
	ctx := ctxT(t, 60*time.Second)
	ph.Heard() // drop the silence so far

	if err := alice.Dial(ctx, dialURI(b, "2001")); err != nil {
		t.Fatal(err)
	}
	// Watch the bell on the port's clock for one period and a half.
	type edge struct {
		at      time.Time
		ringing bool
	}
	var edges []edge
	var was bool
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && len(edges) < 6 {
		now, r := a.clock.Now(), ph.Ringing()
		if r != was {
			edges = append(edges, edge{now, r})
			was = r
		}
		time.Sleep(2 * time.Millisecond)
	}
	want := []time.Duration{400, 200, 400, 2000, 400}
	if len(edges) < 6 || !edges[0].ringing {
		t.Fatalf("bell edges %v, want the GB double ring", edges)
	}
	for i, w := range want {
		got := edges[i+1].at.Sub(edges[i].at)
		if d := got - w*time.Millisecond; d < -60*time.Millisecond || d > 60*time.Millisecond {
			t.Errorf("ring cadence step %d lasted %v, want %v", i, got, w*time.Millisecond)
		}
	}
	var got []fsk.CallerID
	d := fsk.NewDemodulator(fsk.V23, func(msg []byte) {
		if c, err := fsk.ParseMessage(msg); err == nil {
			got = append(got, c)
		}
	})
	heard := ph.Heard()
	for i := 0; i+160 <= len(heard); i += 160 {
		d.Write(heard[i : i+160])
	}
	if len(got) != 1 || got[0].Number != "1001" || got[0].Name != "Alice" {
		t.Errorf("caller ID decoded from the port audio: %+v, want 1001 Alice", got)
	}
	ph.Lift()
	if _, err := alice.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallEstablished)); err != nil {
		t.Fatalf("lifting the handset did not answer: %v", err)
	}
	time.Sleep(2 * time.Second)
	if f, rms := lastSeconds(ph.Heard(), 1); !within(f, 1000, 0.03) || rms < 0.01 {
		t.Errorf("the analog phone heard %.0f Hz (rms %.3f), want Alice's 1000 Hz", f, rms)
	}
	ph.Hang()
	closedReason(t, alice, ctx)
}

// TestAnalogLineRingsIn: an exchange line on a simulated FXO port rings
// with caller ID; after two rings the gateway seizes it and calls the box
// at the line's DID, whose route is an IVR menu; the caller presses 1 with
// tones down the line and reaches Bob. Audio flows both ways, and the
// exchange reversing the line's polarity ends the call. Then Bob calls out
// through the line, whose number the exchange hears as DTMF tones.
func TestAnalogLineRingsIn(t *testing.T) {
	phonetest.Require(t)
	b := startBox(t, "", "")
	b.addExtension(t, "1002", "Bob", pwBob)
	bob := phone(t, b, "1002", pwBob, phonetest.Options{PlayWAV: tone(t, 600), AutoAnswer: true})
	a := startAnalog(t, b, "US")
	port, x, err := sim.NewFXO(a.clock, &sim.Opts{Name: "pstn"})
	if err != nil {
		t.Fatal(err)
	}
	addr, err := a.gw.AddFXO(port, ports.LineOptions{Trunk: "pstn", DID: "0140000000", AnswerAfterRings: 2})
	if err != nil {
		port.Halt()
		t.Fatal(err)
	}
	must := func(method, path string, body any, want int) {
		t.Helper()
		if code, out := b.api(t, method, path, body); code != want {
			t.Fatalf("%s %s = %d %s, want %d", method, path, code, out, want)
		}
	}
	must("POST", "/trunks", map[string]any{"name": "pstn", "host": addr, "sources": []string{addr}, "keepalive": -1}, 201)
	flow := `{"number":"500","flow":{"format":1,"flow":{"id":"main","name":"Main","entry":"menu","blocks":{
		"menu":{"kind":"menu","menu":{"prompts":["thank-you-for-calling","welcome"],"options":{"1":"bob"},"retries":2,"timeout_ms":5000,"failure":"bye"}},
		"bob":{"kind":"goto","goto":{"target":"extension","to":"1002"}},
		"bye":{"kind":"hangup","hangup":{"prompts":["goodbye"]}}}}}}`
	must("PUT", "/ivr/main", flow, 200)
	must("PUT", "/routes/inbound", map[string]any{
		"routes":  []map[string]any{{"name": "main", "did": "0140000000", "destination": map[string]any{"kind": "ivr", "target": "main"}}},
		"default": map[string]any{"kind": "hangup"},
	}, 200)
	ctx := ctxT(t, 60*time.Second)

	if err := x.Ring(hw.Cadence{time.Second, 2 * time.Second}, &hw.CallerID{Number: "0612345678", Name: "Outside"}); err != nil {
		t.Fatal(err)
	}
	// The IVR answers; the caller presses 1 (tones down the line) for Bob.
	a.wait(t, "the IVR answers", func(s ports.Status) bool { return s.DID == "0140000000" && s.State == "talking" })
	time.Sleep(time.Second)
	x.Speak(dtmfAudio(t, "1"))
	x.Speak(sine(1400, 20))
	if _, err := bob.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallEstablished)); err != nil {
		t.Fatalf("the line's call did not reach Bob: %v; ports %+v", err, a.gw.Status())
	}
	if !x.Seized() {
		t.Error("the line is not seized during the call")
	}
	talkBoth(ctx, t, x.Heard, 1400, bob, 600, x.ReversePolarity)
	released := func(after string) {
		t.Helper()
		a.wait(t, "line released", func(s ports.Status) bool { return s.DID == "0140000000" && s.State == "idle" })
		if x.Seized() {
			t.Errorf("the line is still seized after %s", after)
		}
	}
	released("the polarity reversal")
	if c := b.waitCDR(t, "0612345678", "1002"); c.Disposition != "answered" || c.Trunk != "pstn" {
		t.Errorf("CDR = %+v, want answered on trunk pstn", c)
	}

	// Bob calls out through the line: it is seized, the number goes down
	// it as DTMF tones, and the call is answered once dialled.
	must("PUT", "/routes/outbound", map[string]any{"routes": []map[string]any{
		{"name": "national", "patterns": []map[string]any{{"pattern": "_0ZXXXXXXXX"}}, "trunks": []string{"pstn"}},
	}}, 200)
	x.Heard()
	if err := bob.Dial(ctx, dialURI(b, "0612345678")); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallEstablished)); err != nil {
		t.Fatalf("Bob's outside call was not answered once dialled: %v; ports %+v", err, a.gw.Status())
	}
	if !x.Seized() {
		t.Error("the line is not seized during Bob's outside call")
	}
	det := dtmf.NewDetector(nil)
	var dialled []byte
	for _, ev := range det.Feed(x.Heard(), nil) {
		if !ev.Ended {
			dialled = append(dialled, ev.Digit)
		}
	}
	if string(dialled) != "0612345678" {
		t.Errorf("the exchange heard the keys %q, want 0612345678", dialled)
	}
	if err := bob.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	released("Bob hung up")
}
