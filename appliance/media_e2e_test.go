package appliance_test

import (
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"deskline/appliance"
	"deskline/appliance/internal/audiotest"
	"deskline/appliance/internal/phonetest"
	"deskline/media/wav"
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

// lastSecond is the dominant frequency of what a phone heard in the last
// second of its current call.
func lastSecond(t *testing.T, p *phonetest.Phone) float64 {
	t.Helper()
	heard, rate := recordedSince(t, p, 0)
	if len(heard) < rate {
		t.Fatalf("%s recorded under a second", p.AOR())
	}
	return audiotest.DominantFrequency(heard[len(heard)-rate:], rate)
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

// goertzel is the power of freq in x (sampled at rate).
func goertzel(x []float64, freq float64, rate int) float64 {
	k := 2 * math.Cos(2*math.Pi*freq/float64(rate))
	var s1, s2 float64
	for _, v := range x {
		s1, s2 = v+k*s1-s2, s1
	}
	return (s1*s1 + s2*s2 - k*s1*s2) / float64(len(x)*len(x))
}

// whoHearsWhom checks what each phone heard in the last 1.5 s: want[i][j]
// says whether phone i heard phone j's tone.
func whoHearsWhom(t *testing.T, stage string, phones []*phonetest.Phone, names []string, freqs []float64, want [3][3]bool) {
	t.Helper()
	for i, p := range phones {
		heard, rate := recordedSince(t, p, 0)
		// Under load baresip's recorder may lag: give it a moment to have
		// 1.5 s on disk rather than read past what it wrote.
		for deadline := time.Now().Add(3 * time.Second); len(heard) < rate*3/2 && time.Now().Before(deadline); {
			time.Sleep(100 * time.Millisecond)
			heard, rate = recordedSince(t, p, 0)
		}
		if len(heard) < rate*3/2 {
			t.Errorf("%s: %s recorded only %.2f s", stage, names[i], float64(len(heard))/float64(rate))
			continue
		}
		heard = heard[len(heard)-rate*3/2:]
		var pw [3]float64
		top := 0.0
		for j, f := range freqs {
			pw[j] = goertzel(heard, f, rate)
			top = max(top, pw[j])
		}
		for j := range freqs {
			if i == j {
				continue
			}
			if got := pw[j] > top/100 && pw[j] > 1e-5; got != want[i][j] {
				t.Errorf("%s: %s hears %s: %v, want %v (powers %.2g)", stage, names[i], names[j], got, want[i][j], pw)
			}
		}
	}
}

// TestSupervisorListensWhispersBarges: Alice (1000 Hz) talks to Bob
// (600 Hz); Carol, a supervisor (1400 Hz), dials *30 1002 to listen, then
// presses 5 to whisper to Bob, 6 to barge in, and # to leave. Each phone's
// recording shows exactly who it heard at each stage.
func TestSupervisorListensWhispersBarges(t *testing.T) {
	phonetest.Require(t)
	b, alice, bob := aliceCallsBob(t)
	carol := b.carol(t, false)
	ctx := ctxT(t, 90*time.Second)

	// Carol is not a supervisor yet: refused, and the refusal is audited.
	if err := carol.Dial(ctx, dialURI(b, "*301002")); err != nil {
		t.Fatal(err)
	}
	closedReason(t, carol, ctx)
	if code, body := b.api(t, "PUT", "/extensions/1003", map[string]any{"name": "Carol", "supervisor": true}); code != 200 {
		t.Fatalf("make Carol a supervisor: %d %s", code, body)
	}

	if err := alice.Dial(ctx, dialURI(b, "1002")); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallEstablished)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	if err := carol.Dial(ctx, dialURI(b, "*301002")); err != nil {
		t.Fatal(err)
	}
	if _, err := carol.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallEstablished)); err != nil {
		t.Fatal(err)
	}
	phones := []*phonetest.Phone{alice, bob, carol}
	names := []string{"Alice", "Bob", "Carol"}
	freqs := []float64{1000, 600, 1400}
	stage := func(name string, want [3][3]bool) {
		t.Helper()
		time.Sleep(2500 * time.Millisecond)
		whoHearsWhom(t, name, phones, names, freqs, want)
	}
	stage("listen", [3][3]bool{{false, true, false}, {true, false, false}, {true, true, false}})
	if err := carol.SendDTMF(ctx, "5"); err != nil {
		t.Fatal(err)
	}
	stage("whisper", [3][3]bool{{false, true, false}, {true, false, true}, {true, true, false}})
	if err := carol.SendDTMF(ctx, "6"); err != nil {
		t.Fatal(err)
	}
	stage("barge", [3][3]bool{{false, true, true}, {true, false, true}, {true, true, false}})
	if err := carol.SendDTMF(ctx, "#"); err != nil {
		t.Fatal(err)
	}
	closedReason(t, carol, ctx)
	// Carol has left: Alice and Bob are relayed directly again.
	phones, names, freqs = phones[:2], names[:2], freqs[:2]
	stage("after", [3][3]bool{{false, true}, {true, false}})
	if err := alice.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	closedReason(t, bob, ctx)

	code, body := b.api(t, "GET", "/audit", nil)
	for _, want := range []string{"supervise-refused", "supervise-listen", "supervise-whisper", "supervise-barge"} {
		if code != 200 || !strings.Contains(string(body), want) {
			t.Errorf("audit log lacks %s: %d %s", want, code, body)
		}
	}
}

// TestRecordingOnDemand: an admin starts recording a call in progress and
// stops it; the WAV file has the caller on the left and the callee on the
// right. A recording still running when the call ends is finished too.
func TestRecordingOnDemand(t *testing.T) {
	phonetest.Require(t)
	b, alice, bob := aliceCallsBob(t)
	ctx := ctxT(t, 60*time.Second)

	if code, body := b.api(t, "POST", "/calls/nosuchcall/recording", nil); code != 404 {
		t.Errorf("recording an unknown call: %d %s, want 404", code, body)
	}
	callID := func() string {
		t.Helper()
		if err := alice.Dial(ctx, dialURI(b, "1002")); err != nil {
			t.Fatal(err)
		}
		if _, err := alice.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallEstablished)); err != nil {
			t.Fatal(err)
		}
		_, body := b.api(t, "GET", "/calls", nil)
		var calls []struct{ ID string }
		if err := json.Unmarshal(body, &calls); err != nil || len(calls) != 1 {
			t.Fatalf("calls: %v %s", err, body)
		}
		return calls[0].ID
	}
	id := callID()
	if code, body := b.api(t, "POST", "/calls/"+id+"/recording", nil); code != 201 {
		t.Fatalf("start recording: %d %s", code, body)
	}
	if code, _ := b.api(t, "POST", "/calls/"+id+"/recording", nil); code != 409 {
		t.Errorf("starting twice: %d, want 409", code)
	}
	time.Sleep(3 * time.Second)
	code, body := b.api(t, "DELETE", "/calls/"+id+"/recording", nil)
	if code != 200 {
		t.Fatalf("stop recording: %d %s", code, body)
	}
	var rec struct {
		Name     string
		Duration float64
	}
	json.Unmarshal(body, &rec)
	if rec.Duration < 2.5 || rec.Duration > 3.5 {
		t.Errorf("recording = %s, want about 3 s", body)
	}
	// The call goes on, relayed again.
	time.Sleep(time.Second)
	heard, rate := recordedSince(t, bob, 0)
	if f := audiotest.DominantFrequency(heard[len(heard)-rate/2:], rate); !within(f, 1000, 0.03) {
		t.Errorf("after the recording Bob hears %.0f Hz, want Alice's 1000 Hz", f)
	}

	code, wavBytes := b.api(t, "GET", "/recordings/"+rec.Name, nil)
	if code != 200 {
		t.Fatalf("download: %d %s", code, wavBytes)
	}
	a, err := wav.Decode(wavBytes)
	if err != nil || a.Channels != 2 || a.Rate != 8000 {
		t.Fatalf("recording: %v, %+v", err, a)
	}
	left, right := make([]float64, 0, len(a.Samples)/2), make([]float64, 0, len(a.Samples)/2)
	for i := 0; i+1 < len(a.Samples); i += 2 {
		left = append(left, float64(a.Samples[i])/32768)
		right = append(right, float64(a.Samples[i+1])/32768)
	}
	if f := audiotest.DominantFrequency(left[rate:], rate); !within(f, 1000, 0.03) {
		t.Errorf("left channel is %.0f Hz, want the caller's 1000 Hz", f)
	}
	if f := audiotest.DominantFrequency(right[rate:], rate); !within(f, 600, 0.03) {
		t.Errorf("right channel is %.0f Hz, want the callee's 600 Hz", f)
	}

	// Recording until the call ends.
	if code, body := b.api(t, "POST", "/calls/"+id+"/recording", nil); code != 201 {
		t.Fatalf("start recording again: %d %s", code, body)
	}
	time.Sleep(time.Second)
	if err := bob.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	closedReason(t, alice, ctx)
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, body = b.api(t, "GET", "/recordings", nil)
		var list []struct{ Name string }
		json.Unmarshal(body, &list)
		if len(list) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("recordings after the call ended: %s, want two", body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	code, body = b.api(t, "GET", "/audit", nil)
	if !strings.Contains(string(body), "recording-started") || !strings.Contains(string(body), "recording-stopped") {
		t.Errorf("audit log lacks the recording: %d %s", code, body)
	}
}

// TestCallQualityInAPI: during a call /api/v1/calls shows each phone's
// codec, packet counts and call quality, including what the phones report
// over RTCP about the audio the box sends them.
func TestCallQualityInAPI(t *testing.T) {
	phonetest.Require(t)
	b, alice, bob := aliceCallsBob(t)
	ctx := ctxT(t, 40*time.Second)
	if err := alice.Dial(ctx, dialURI(b, "1002")); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallEstablished)); err != nil {
		t.Fatal(err)
	}
	type quality struct {
		LossPct float64 `json:"loss_pct"`
		MOS     float64 `json:"mos"`
	}
	var calls []struct {
		Legs []struct {
			Side, Extension, Codec string
			PacketsIn              uint64 `json:"packets_in"`
			Received               quality
			Sent                   *quality
		}
	}
	// baresip reports every 5 s or so.
	deadline := time.Now().Add(15 * time.Second)
	for {
		_, body := b.api(t, "GET", "/calls", nil)
		if err := json.Unmarshal(body, &calls); err != nil || len(calls) != 1 || len(calls[0].Legs) != 2 {
			t.Fatalf("calls: %v %s", err, body)
		}
		if calls[0].Legs[0].Sent != nil && calls[0].Legs[1].Sent != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no RTCP reports from the phones within 15 s: %s", body)
		}
		time.Sleep(500 * time.Millisecond)
	}
	for i, want := range []string{"1001", "1002"} {
		l := calls[0].Legs[i]
		if l.Extension != want || l.Codec != "PCMU" || l.PacketsIn < 100 {
			t.Errorf("leg %d = %+v, want %s on PCMU with audio flowing", i, l, want)
		}
		if l.Received.LossPct != 0 || l.Received.MOS < 4 || l.Sent.MOS < 4 {
			t.Errorf("leg %s: received %+v, sent %+v: want no loss and a MOS above 4 on loopback", want, l.Received, *l.Sent)
		}
	}
	if err := alice.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	closedReason(t, bob, ctx)
}

// TestConferenceRoom: three phones dial *881 and each hears the other two;
// the first alone hears music; # leaves.
func TestConferenceRoom(t *testing.T) {
	phonetest.Require(t)
	b := startBox(t, "", "")
	b.addExtension(t, "1001", "Alice", pwAlice)
	b.addExtension(t, "1002", "Bob", pwBob)
	b.addExtension(t, "1003", "Carol", pwCarol)
	alice := phone(t, b, "1001", pwAlice, phonetest.Options{PlayWAV: tone(t, 1000)})
	bob := phone(t, b, "1002", pwBob, phonetest.Options{PlayWAV: tone(t, 600)})
	carol := phone(t, b, "1003", pwCarol, phonetest.Options{PlayWAV: tone(t, 1400)})
	ctx := ctxT(t, 60*time.Second)
	phones := []*phonetest.Phone{alice, bob, carol}
	for i, p := range phones {
		if err := p.Dial(ctx, dialURI(b, "*881")); err != nil {
			t.Fatal(err)
		}
		if _, err := p.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallEstablished)); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			time.Sleep(2500 * time.Millisecond)
			heard, rate := recordedSince(t, alice, 0)
			heard = heard[len(heard)-rate:]
			if f := audiotest.DominantFrequency(heard, rate); within(f, 1000, 0.03) || audiotest.RMS(heard) < 0.02 {
				t.Errorf("alone in the room Alice heard %.0f Hz at RMS %.3f, want music", f, audiotest.RMS(heard))
			}
		}
	}
	time.Sleep(3 * time.Second)
	whoHearsWhom(t, "room", phones, []string{"Alice", "Bob", "Carol"}, []float64{1000, 600, 1400},
		[3][3]bool{{false, true, true}, {true, false, true}, {true, true, false}})
	for _, p := range phones {
		if err := p.SendDTMF(ctx, "#"); err != nil {
			t.Fatal(err)
		}
		closedReason(t, p, ctx)
	}
}

// TestVoicemail: Bob does not answer; Alice hears why and a beep, and her
// message is kept; the CDR says voicemail. Bob dials *97, is told he has
// one new message, hears it (Alice's 1000 Hz) and deletes it with 3.
func TestVoicemail(t *testing.T) {
	phonetest.Require(t)
	b := startBoxWith(t, "", "", func(c *appliance.Config) { c.NoAnswer = 2 * time.Second })
	b.addExtension(t, "1001", "Alice", pwAlice)
	b.addExtension(t, "1002", "Bob", pwBob)
	alice := phone(t, b, "1001", pwAlice, phonetest.Options{PlayWAV: tone(t, 1000)})
	bob := phone(t, b, "1002", pwBob, phonetest.Options{})
	ctx := ctxT(t, 90*time.Second)
	if err := alice.Dial(ctx, dialURI(b, "1002")); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallEstablished)); err != nil {
		t.Fatalf("voicemail did not answer: %v", err)
	}
	closedReason(t, bob, ctx) // Bob's phone stopped ringing
	// "The person you are calling is not available. Please leave a message
	// after the tone." and the beep take about six seconds; then Alice
	// speaks (her tone) for three.
	box := filepath.Join(b.dataDir(), "files", "voicemail", "1002", "new")
	deadline := time.Now().Add(20 * time.Second)
	for {
		if files, _ := filepath.Glob(filepath.Join(box, "*.part")); len(files) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no message being recorded")
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(3 * time.Second)
	if err := alice.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for deadline := time.Now().Add(5 * time.Second); len(msgs) == 0 && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		msgs, _ = filepath.Glob(filepath.Join(box, "*-1001.wav"))
	}
	if len(msgs) != 1 {
		t.Fatalf("messages in Bob's box: %v, want one from 1001", msgs)
	}
	if c := b.waitCDR(t, "1001", "1002"); c.Disposition != "voicemail" {
		t.Errorf("CDR = %+v, want voicemail", c)
	}

	if err := bob.Dial(ctx, dialURI(b, "*97")); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallEstablished)); err != nil {
		t.Fatal(err)
	}
	// "You have one new message", a beep, then the message.
	time.Sleep(5500 * time.Millisecond)
	if f := lastSecond(t, bob); !within(f, 1000, 0.03) {
		t.Errorf("playing the message Bob heard %.0f Hz, want Alice's 1000 Hz", f)
	}
	if err := bob.SendDTMF(ctx, "3"); err != nil {
		t.Fatal(err)
	}
	closedReason(t, bob, ctx) // "message deleted", "goodbye"
	if left, _ := filepath.Glob(filepath.Join(b.dataDir(), "files", "voicemail", "1002", "*", "*.wav")); len(left) != 0 {
		t.Errorf("after deleting, Bob's box holds %v", left)
	}
}

// TestAutoAttendant: an admin publishes an IVR flow on number 500 through
// the API; Alice calls it, hears the greeting, presses 1 and is put
// through to Bob. A flow with a dangling edge is refused with the block
// named.
func TestAutoAttendant(t *testing.T) {
	phonetest.Require(t)
	b, alice, bob := aliceCallsBob(t)
	bad := `{"number":"500","flow":{"format":1,"flow":{"id":"main","name":"Main","entry":"menu","blocks":{
		"menu":{"kind":"menu","menu":{"prompts":["welcome"],"options":{"1":"nowhere"}}}}}}}`
	if code, body := b.api(t, "PUT", "/ivr/main", bad); code != 422 || !strings.Contains(string(body), "nowhere") {
		t.Errorf("a flow with a dangling edge: %d %s, want 422 naming it", code, body)
	}
	good := `{"number":"500","flow":{"format":1,"flow":{"id":"main","name":"Main","entry":"menu","blocks":{
		"menu":{"kind":"menu","menu":{"prompts":["thank-you-for-calling","welcome"],"options":{"1":"bob"},"retries":2,"timeout_ms":5000,"failure":"bye"}},
		"bob":{"kind":"goto","goto":{"target":"extension","to":"1002"}},
		"bye":{"kind":"hangup","hangup":{"prompts":["goodbye"]}}}}}}`
	code, body := b.api(t, "PUT", "/ivr/main", good)
	if code != 200 || !strings.Contains(string(body), `"version":1`) {
		t.Fatalf("publish: %d %s", code, body)
	}
	ctx := ctxT(t, 40*time.Second)
	if err := alice.Dial(ctx, dialURI(b, "500")); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallEstablished)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	if err := alice.SendDTMF(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(4 * time.Second)
	if f := lastSecond(t, alice); !within(f, 600, 0.03) {
		t.Errorf("after pressing 1 Alice heard %.0f Hz, want Bob's 600 Hz", f)
	}
	if err := alice.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	closedReason(t, bob, ctx)
	if c := b.waitCDR(t, "1001", "1002"); c.Dialled != "500" || c.Disposition != "answered" {
		t.Errorf("CDR = %+v, want an answered call dialled as 500", c)
	}
}
