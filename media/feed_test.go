package media

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtp"

	"deskline/media/dtmf"
	"deskline/media/sched"
	"deskline/media/sched/schedtest"
)

// stepper drives a Scheduler by hand, one 20 ms frame at a time.
type stepper struct {
	clk *schedtest.Clock
	sc  *sched.Scheduler
}

func newStepper() *stepper {
	clk := schedtest.NewClock(time.Unix(1_700_000_000, 0))
	return &stepper{clk: clk, sc: sched.New(&sched.Opts{Clock: clk})}
}

// step advances the clock by n frames and delivers what is due.
func (s *stepper) step(n int) {
	for i := 0; i < n; i++ {
		s.sc.Tick(s.clk.Now())
		s.clk.Advance(20 * time.Millisecond)
	}
}

// toneSource is an endless sine at freq Hz.
func toneSource(freq float64) Source {
	var n int
	return SourceFunc(func(dst []int16) bool {
		s := sine(freq, 8000, n+len(dst))[n:]
		copy(dst, s)
		n += len(dst)
		return true
	})
}

// decoded returns the payloads of pkts decoded from codec c.
func decoded(c Codec, pkts []*rtp.Packet) []float64 {
	var x []float64
	pcm := make([]int16, FrameSamples)
	for _, p := range pkts {
		n := c.Decode(pcm, p.Payload)
		for _, v := range pcm[:n] {
			x = append(x, float64(v))
		}
	}
	return x
}

func TestFeedPlaysToneInPeersCodec(t *testing.T) {
	for _, c := range []Codec{PCMU, PCMA} {
		t.Run(c.String(), func(t *testing.T) {
			checkGoroutines(t)
			pool := newTestPool(t, 2)
			s := listen(t, pool)
			ph := newPhone(t)
			s.SetRemote(ph.addr)
			pt, _ := c.StaticPT()
			s.SetFormat(Format{Codec: c, PT: pt})
			st := newStepper()
			f := s.Play(st.sc, toneSource(440), nil)
			st.step(10)
			var got []*rtp.Packet
			for i := 0; i < 10; i++ {
				got = append(got, ph.recv())
			}
			f.Stop()
			st.step(3)
			ph.expectNothing()
			checkContinuous(t, got, map[int]bool{0: true})
			for _, p := range got {
				if p.PayloadType != pt || len(p.Payload) != FrameSamples {
					t.Fatalf("packet PT %d with %d bytes, want PT %d with 160", p.PayloadType, len(p.Payload), pt)
				}
			}
			x := decoded(c, got)
			if at, off := goertzel(x, 440), goertzel(x, 1000); at < 100*off {
				t.Errorf("440 Hz energy %.3g not well above 1000 Hz energy %.3g", at, off)
			}
		})
	}
}

// TestFeedOverRelay plays music over a bridged call, a prompt over the
// music, and lets each end: the peer hears one source at a time, in one
// continuous stream.
func TestFeedOverRelay(t *testing.T) {
	br := newBridge(t, Format{Codec: PCMU}, Format{Codec: PCMU}, nil)
	st := newStepper()
	var out []*rtp.Packet
	changes := map[int]bool{0: true}
	fromA := func(i int) {
		br.pa.send(br.a.LocalAddr(), audio(0, uint16(100+i), uint32(1000+160*i), 0xaaaa, frame(0x11)))
		out = append(out, br.pb.recv())
	}
	for i := 0; i < 3; i++ {
		fromA(i)
	}
	changes[len(out)] = true
	moh := br.b.Play(st.sc, SourceFunc(func(dst []int16) bool { clear(dst); return true }), nil)
	st.step(3)
	for i := 0; i < 3; i++ {
		out = append(out, br.pb.recv())
	}
	// A keeps talking during the music; none of it reaches B.
	before := br.a.Stats().PacketsIn
	for i := 3; i < 6; i++ {
		br.pa.send(br.a.LocalAddr(), audio(0, uint16(100+i), uint32(1000+160*i), 0xaaaa, frame(0x11)))
	}
	waitFor(t, "A's packets read", func() bool { return br.a.Stats().PacketsIn == before+3 })
	br.pb.expectNothing()

	var done atomic.Bool
	left := 2
	changes[len(out)] = true
	br.b.Play(st.sc, SourceFunc(func(dst []int16) bool {
		for i := range dst {
			dst[i] = 1000
		}
		left--
		return left > 0
	}), &FeedOptions{OnDone: func() { done.Store(true) }})
	st.step(2)
	for i := 0; i < 2; i++ {
		out = append(out, br.pb.recv())
	}
	if !done.Load() {
		t.Fatal("OnDone not called when the prompt ended")
	}
	// The prompt ended: the music is heard again.
	changes[len(out)] = true
	st.step(2)
	for i := 0; i < 2; i++ {
		out = append(out, br.pb.recv())
	}
	moh.Stop()
	st.step(1)
	br.pb.expectNothing()
	// The music stopped: A is heard again.
	changes[len(out)] = true
	for i := 6; i < 9; i++ {
		fromA(i)
	}
	checkContinuous(t, out, changes)
	if st.sc.Len() != 0 {
		t.Errorf("%d streams left in the scheduler", st.sc.Len())
	}
}

func TestFeedRespectsHold(t *testing.T) {
	pool := newTestPool(t, 2)
	s := listen(t, pool)
	ph := newPhone(t)
	s.SetRemote(ph.addr)
	s.SetDirection(SendOnly) // the peer put us on hold
	st := newStepper()
	f := s.Play(st.sc, toneSource(440), nil)
	defer f.Stop()
	st.step(3)
	ph.expectNothing()
	if got := s.Stats().NotSent; got != 3 {
		t.Errorf("NotSent = %d, want 3", got)
	}
}

func TestFeedFrameAllocatesNothing(t *testing.T) {
	pool := newTestPool(t, 2)
	s := listen(t, pool)
	ph := newPhone(t)
	s.SetRemote(ph.addr)
	st := newStepper()
	src := SourceFunc(func(dst []int16) bool { return true })
	f := s.Play(st.sc, src, nil)
	defer f.Stop()
	var n int64
	if a := testing.AllocsPerRun(200, func() { f.Frame(n); n++ }); a != 0 {
		t.Errorf("Feed.Frame allocates %.1f times per frame", a)
	}
}

func TestReceiverReportsDigitsOnce(t *testing.T) {
	checkGoroutines(t)
	pool := newTestPool(t, 2)
	s := listen(t, pool)
	ph := newPhone(t)
	s.SetRemote(ph.addr)
	s.SetFormat(Format{Codec: PCMU, DTMFPT: 96})
	var got []string
	digits := make(chan struct{}, 16)
	r := NewReceiver(s, ReceiverOptions{OnDigit: func(d byte, end bool) {
		ev := "down"
		if end {
			ev = "up"
		}
		got = append(got, string(d)+" "+ev)
		digits <- struct{}{}
	}})
	r.Start()
	seq := uint16(1)
	for _, ev := range []uint8{5, 11} {
		ts := uint32(seq) * 1000
		for i, end := range []bool{false, false, true, true, true} {
			ph.send(s.LocalAddr(), dtmfPacket(96, seq, ts, ev, end, uint16(160*(i+1))))
			seq++
		}
	}
	for i := 0; i < 4; i++ {
		select {
		case <-digits:
		case <-time.After(2 * time.Second):
			t.Fatalf("digits so far: %q", got)
		}
	}
	r.Close()
	want := []string{"5 down", "5 up", "# down", "# up"}
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
}

// TestReceiverDetectsInBandDigits sends digits as tones in the audio of a
// leg without telephone-events, as an analog gateway does.
func TestReceiverDetectsInBandDigits(t *testing.T) {
	pool := newTestPool(t, 2)
	s := listen(t, pool)
	ph := newPhone(t)
	s.SetRemote(ph.addr)
	s.SetFormat(Format{Codec: PCMA, PT: 8})
	ch := make(chan byte, 16)
	var frames atomic.Int64
	r := NewReceiver(s, ReceiverOptions{
		InBand:  true,
		OnAudio: func(h *rtp.Header, pcm []int16) { frames.Add(1) },
		OnDigit: func(d byte, end bool) {
			if end {
				ch <- d
			}
		},
	})
	r.Start()
	defer r.Close()
	gen := dtmf.NewGenerator(nil)
	if err := gen.Play("19*", 100*time.Millisecond, 100*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	pcm := make([]int16, FrameSamples)
	payload := make([]byte, FrameSamples)
	for i := 0; i < 60; i++ {
		gen.Read(pcm)
		PCMA.Encode(payload, pcm)
		ph.send(s.LocalAddr(), audio(8, uint16(i), uint32(160*i), 7, payload))
		time.Sleep(time.Millisecond) // keep the socket buffer from overflowing
	}
	var got []byte
	for len(got) < 3 {
		select {
		case d := <-ch:
			got = append(got, d)
		case <-time.After(2 * time.Second):
			t.Fatalf("digits heard: %q, want \"19*\"", got)
		}
	}
	if string(got) != "19*" {
		t.Errorf("digits heard: %q, want \"19*\"", got)
	}
	if frames.Load() != 60 {
		t.Errorf("OnAudio saw %d frames, want 60", frames.Load())
	}
}

func TestCodecRoundTrip(t *testing.T) {
	in := []int16{0, 1000, -1000, 32000, -32000}
	for _, c := range []Codec{PCMU, PCMA} {
		enc := make([]byte, len(in))
		out := make([]int16, len(in))
		c.Encode(enc, in)
		c.Decode(out, enc)
		for i := range in {
			if d := float64(out[i] - in[i]); d > 0.07*float64(abs(in[i]))+16 || -d > 0.07*float64(abs(in[i]))+16 {
				t.Errorf("%v: %d came back as %d", c, in[i], out[i])
			}
		}
	}
	for d := range []byte(eventDigits) {
		if ev, ok := DigitEvent(eventDigits[d]); !ok || int(ev) != d {
			t.Errorf("DigitEvent(%q) = %d, %v", eventDigits[d], ev, ok)
		}
	}
	if _, ok := DigitEvent('x'); ok {
		t.Error("DigitEvent accepted x")
	}
}

func abs(v int16) int32 {
	if v < 0 {
		return -int32(v)
	}
	return int32(v)
}

func TestSendDigitRFC4733(t *testing.T) {
	pool := newTestPool(t, 2)
	s := listen(t, pool)
	ph := newPhone(t)
	s.SetRemote(ph.addr)
	s.SetFormat(Format{Codec: PCMU, DTMFPT: 97})
	st := newStepper()
	if err := s.SendDigit(st.sc, 'x', time.Second); err != ErrNotDigit {
		t.Errorf("SendDigit(x) = %v", err)
	}
	if err := s.SendDigit(st.sc, '#', 100*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	st.step(10)
	var got []*rtp.Packet
	for i := 0; i < 8; i++ {
		got = append(got, ph.recv())
	}
	st.step(3)
	ph.expectNothing()
	for i, p := range got {
		end := p.Payload[1]&0x80 != 0
		dur := int(p.Payload[2])<<8 | int(p.Payload[3])
		wantDur := min(i+1, 5) * 160
		if p.PayloadType != 97 || p.Payload[0] != 11 || end != (i >= 5) || dur != wantDur || p.Timestamp != got[0].Timestamp || p.Marker != (i == 0) {
			t.Errorf("packet %d: PT %d event %d end %v duration %d ts %d marker %v", i, p.PayloadType, p.Payload[0], end, dur, p.Timestamp, p.Marker)
		}
	}
	if st.sc.Len() != 0 {
		t.Error("the digit's stream was not removed")
	}
}

func TestSendDigitInBand(t *testing.T) {
	pool := newTestPool(t, 2)
	s := listen(t, pool)
	ph := newPhone(t)
	s.SetRemote(ph.addr)
	s.SetFormat(Format{Codec: PCMA, PT: 8})
	st := newStepper()
	if err := s.SendDigit(st.sc, '7', 100*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	st.step(8)
	det := dtmf.NewDetector(nil)
	pcm := make([]int16, FrameSamples)
	var digits []byte
	for {
		p, ok := ph.recvWithin(50 * time.Millisecond)
		if !ok {
			break
		}
		PCMA.Decode(pcm, p.Payload)
		for _, e := range det.Feed(pcm, nil) {
			if !e.Ended {
				digits = append(digits, e.Digit)
			}
		}
	}
	det.Feed(make([]int16, 800), nil)
	if string(digits) != "7" {
		t.Errorf("in-band digits heard: %q, want 7", digits)
	}
}
