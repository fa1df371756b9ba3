package ports

import (
	"net"
	"testing"
	"time"

	"deskline/hw"
	"deskline/media"
	"deskline/media/dtmf"
	"deskline/media/fsk"
	"deskline/media/sched"
)

// testEndpoint is an endpoint without SIP or a port: enough for the frame
// paths.
func testEndpoint(t testing.TB, kind hw.Kind) *endpoint {
	t.Helper()
	pool, err := media.NewPortPool(47000, 47098)
	if err != nil {
		t.Fatal(err)
	}
	g, err := New(Options{SIPAddr: "127.0.0.1:5060", Media: pool, Credentials: func(string) (string, string, bool) { return "", "", true }})
	if err != nil {
		t.Fatal(err)
	}
	e := &endpoint{g: g, kind: kind, det: dtmf.NewDetector(nil), evs: make([]dtmf.Event, 0, 8), sc: sched.New(nil),
		dg: dtmf.NewGenerator(nil), log: g.log}
	e.src = media.SourceFunc(func(dst []int16) bool { copy(dst, e.up[:]); return true })
	e.demod = fsk.NewDemodulator(g.fskMode, e.lineCallerID)
	e.gen, _ = newToneGen(g)
	return e
}

// talking puts e in a call whose RTP goes to a local socket.
func talking(t testing.TB, e *endpoint) {
	t.Helper()
	sink, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sink.Close() })
	sess, err := e.newSession()
	if err != nil {
		t.Fatal(err)
	}
	sess.SetRemote(sink.LocalAddr().(*net.UDPAddr).AddrPort())
	c := &call{sess: sess, answered: make(chan struct{})}
	e.mu.Lock()
	e.call, e.state = c, stTalking
	e.startMedia(c)
	e.mu.Unlock()
	t.Cleanup(c.closeMedia)
}

func TestFramePathsAllocateNothing(t *testing.T) {
	e := testEndpoint(t, hw.FXS)
	var f hw.Frame
	pcm := make([]int16, 160)
	fill := func() {
		e.mu.Lock()
		e.fill(&f)
		e.mu.Unlock()
	}
	for _, tc := range []struct {
		name string
		set  func()
		run  func()
	}{
		{"dial tone", func() { e.state = stDialTone; e.offHookAt = time.Now(); e.setTone(e.g.dial) }, func() { e.captured(); fill() }},
		{"caller ID", func() {
			e.state, e.cidMsg, e.cidAt = stRinging, []byte{0x80, 0x03, 0x02, 0x01, 0x31, 0x4b}, time.Now()
		}, func() {
			fill()
			e.mu.Lock()
			e.cidAt = time.Now()
			e.mu.Unlock()
		}},
		{"box audio", func() { e.state, e.snd = stTalking, sndRTP }, func() { e.onAudio(nil, pcm); fill() }},
	} {
		e.mu.Lock()
		tc.set()
		e.mu.Unlock()
		tc.run() // warm up
		if n := testing.AllocsPerRun(200, tc.run); n != 0 {
			t.Errorf("%s: %v allocations per frame, want 0", tc.name, n)
		}
	}
	e.mu.Lock()
	e.state, e.cidAt, e.snd = stIdle, time.Time{}, sndSilence
	e.mu.Unlock()
	talking(t, e)
	e.captured()
	if n := testing.AllocsPerRun(200, func() { e.captured(); fill() }); n != 0 {
		t.Errorf("a call's frame: %v allocations, want 0", n)
	}
}

// BenchmarkCallFrame is one 20 ms frame of a call both ways: port audio
// encoded and sent as RTP, the box's audio queued and played out.
func BenchmarkCallFrame(b *testing.B) {
	e := testEndpoint(b, hw.FXS)
	talking(b, e)
	var f hw.Frame
	pcm := make([]int16, 160)
	b.ReportAllocs()
	for b.Loop() {
		e.captured()
		e.onAudio(nil, pcm)
		e.mu.Lock()
		e.fill(&f)
		e.mu.Unlock()
	}
}

// BenchmarkDialling is one frame of an off-hook port: DTMF detection on
// the port audio and dial tone out.
func BenchmarkDialling(b *testing.B) {
	e := testEndpoint(b, hw.FXS)
	e.state, e.offHookAt = stDialTone, time.Now().Add(time.Hour)
	e.setTone(e.g.dial)
	var f hw.Frame
	b.ReportAllocs()
	for b.Loop() {
		e.captured()
		e.mu.Lock()
		e.fill(&f)
		e.mu.Unlock()
	}
}
