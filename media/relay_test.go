package media

import (
	"bytes"
	"math"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/zaf/g711"
)

func TestCodecAndDirectionNames(t *testing.T) {
	for c, want := range map[Codec]string{PCMU: "PCMU", PCMA: "PCMA", 9: "Codec(9)"} {
		if got := c.String(); got != want {
			t.Errorf("Codec(%d).String() = %q, want %q", c, got, want)
		}
	}
	if pt, ok := PCMA.StaticPT(); pt != 8 || !ok {
		t.Errorf("PCMA.StaticPT() = %d, %v, want 8, true", pt, ok)
	}
	if pt, ok := PCMU.StaticPT(); pt != 0 || !ok {
		t.Errorf("PCMU.StaticPT() = %d, %v, want 0, true", pt, ok)
	}
	if PCMU.ClockRate() != 8000 || PCMA.ClockRate() != 8000 {
		t.Error("G.711 clock rate is not 8000")
	}
	for _, tc := range []struct {
		d                   Direction
		name                string
		receives, peerSends bool
	}{
		{SendRecv, "sendrecv", true, true},
		{SendOnly, "sendonly", false, true},
		{RecvOnly, "recvonly", true, false},
		{Inactive, "inactive", false, false},
		{7, "Direction(7)", false, false},
	} {
		if got := tc.d.String(); got != tc.name {
			t.Errorf("Direction(%d).String() = %q, want %q", tc.d, got, tc.name)
		}
		if tc.d.PeerReceives() != tc.receives || tc.d.PeerSends() != tc.peerSends {
			t.Errorf("%v: PeerReceives, PeerSends = %v, %v, want %v, %v",
				tc.d, tc.d.PeerReceives(), tc.d.PeerSends(), tc.receives, tc.peerSends)
		}
	}
}

func TestTranscodeFrameMatchesG711(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	p := bytes.Clone(all)
	if !TranscodeFrame(p, PCMU, PCMA) {
		t.Fatal("PCMU→PCMA refused")
	}
	if want := g711.Ulaw2Alaw(all); !bytes.Equal(p, want) {
		t.Errorf("PCMU→PCMA differs from g711.Ulaw2Alaw")
	}
	p = bytes.Clone(all)
	TranscodeFrame(p, PCMA, PCMU)
	if want := g711.Alaw2Ulaw(all); !bytes.Equal(p, want) {
		t.Errorf("PCMA→PCMU differs from g711.Alaw2Ulaw")
	}
	p = bytes.Clone(all)
	if !TranscodeFrame(p, PCMA, PCMA) || !bytes.Equal(p, all) {
		t.Error("PCMA→PCMA changed the payload")
	}
	if TranscodeFrame(p, PCMA, 9) || !bytes.Equal(p, all) {
		t.Error("a conversion to an unknown codec was accepted")
	}
}

// sine returns n samples of a sine at freq Hz, sampled at 8 kHz.
func sine(freq, amp float64, n int) []int16 {
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(amp * math.Sin(2*math.Pi*freq*float64(i)/8000))
	}
	return s
}

// goertzel returns the power of x at freq Hz (8 kHz sampling).
func goertzel(x []float64, freq float64) float64 {
	w := 2 * math.Pi * freq / 8000
	c := 2 * math.Cos(w)
	var s1, s2 float64
	for _, v := range x {
		s1, s2 = v+c*s1-s2, s1
	}
	return s1*s1 + s2*s2 - c*s1*s2
}

func TestRelayTranscodesSine(t *testing.T) {
	for _, tc := range []struct {
		from, to Format
	}{
		{Format{Codec: PCMU, PT: 0}, Format{Codec: PCMA, PT: 8}},
		{Format{Codec: PCMA, PT: 8}, Format{Codec: PCMU, PT: 0}},
	} {
		t.Run(tc.from.Codec.String()+"→"+tc.to.Codec.String(), func(t *testing.T) {
			br := newBridge(t, tc.from, tc.to, nil)
			const frames = 10
			in := sine(1000, 8000, 160*frames)
			enc, dec := g711.EncodeUlawFrame, g711.DecodeAlawFrame
			if tc.from.Codec == PCMA {
				enc, dec = g711.EncodeAlawFrame, g711.DecodeUlawFrame
			}
			var got []float64
			for f := 0; f < frames; f++ {
				payload := make([]byte, 160)
				for i := range payload {
					payload[i] = enc(in[160*f+i])
				}
				br.pa.send(br.a.LocalAddr(), audio(tc.from.PT, uint16(f), uint32(160*f), 1, payload))
				pkt := br.pb.recv()
				if pkt.PayloadType != tc.to.PT {
					t.Fatalf("PT = %d, want %d", pkt.PayloadType, tc.to.PT)
				}
				for _, b := range pkt.Payload {
					got = append(got, float64(dec(b)))
				}
			}
			if len(got) != len(in) {
				t.Fatalf("got %d samples, want %d", len(got), len(in))
			}
			var eIn, eOut, eErr float64
			for i, v := range got {
				x := float64(in[i])
				eIn += x * x
				eOut += v * v
				eErr += (v - x) * (v - x)
			}
			if db := 10 * math.Log10(eOut/eIn); math.Abs(db) > 0.5 {
				t.Errorf("energy changed by %.2f dB", db)
			}
			if snr := 10 * math.Log10(eIn/eErr); snr < 25 {
				t.Errorf("SNR after two G.711 codings = %.1f dB, want ≥ 25", snr)
			}
			p1k := goertzel(got, 1000)
			for _, f := range []float64{500, 700, 1300, 2000, 3000} {
				if p := goertzel(got, f); p > p1k/1000 {
					t.Errorf("power at %.0f Hz is %.1g of that at 1 kHz", f, p/p1k)
				}
			}
		})
	}
}

func TestRelayRewritesPayloadType(t *testing.T) {
	br := newBridge(t, Format{Codec: PCMU, PT: 0}, Format{Codec: PCMU, PT: 112}, nil)
	payload := frame(0x55)
	br.pa.send(br.a.LocalAddr(), audio(0, 1, 0, 1, payload))
	got := br.pb.recv()
	if got.PayloadType != 112 || !bytes.Equal(got.Payload, payload) {
		t.Errorf("A→B: PT %d, payload changed %v; want PT 112, same payload", got.PayloadType, !bytes.Equal(got.Payload, payload))
	}
	br.pb.send(br.b.LocalAddr(), audio(112, 1, 0, 1, payload))
	if got := br.pa.recv(); got.PayloadType != 0 {
		t.Errorf("B→A: PT %d, want 0", got.PayloadType)
	}
	// A payload type A did not negotiate is dropped, not guessed at.
	br.pa.send(br.a.LocalAddr(), audio(8, 2, 160, 1, payload))
	waitFor(t, "the stray PT to be dropped", func() bool { return br.a.Stats().DroppedInvalid == 1 })
	br.pb.expectNothing()
}

func TestRelayStripsHeaderExtras(t *testing.T) {
	br := newBridge(t, Format{Codec: PCMU}, Format{Codec: PCMU}, nil)
	pkt := audio(0, 1, 0, 1, frame(3))
	pkt.CSRC = []uint32{11, 12}
	if err := pkt.SetExtension(1, []byte{0x80}); err != nil {
		t.Fatal(err)
	}
	pkt.Padding, pkt.PaddingSize = true, 4
	br.pa.send(br.a.LocalAddr(), pkt)
	got := br.pb.recv()
	if len(got.CSRC) != 0 || got.Extension || got.Padding || !bytes.Equal(got.Payload, frame(3)) {
		t.Errorf("got CSRC %v, extension %v, padding %v, payload intact %v; want none, false, false, true",
			got.CSRC, got.Extension, got.Padding, bytes.Equal(got.Payload, frame(3)))
	}
}

type dtmfReport struct {
	from     *Session
	event    uint8
	end      bool
	duration time.Duration
}

func dtmfPacket(pt uint8, seq uint16, ts uint32, event uint8, end bool, dur uint16) *rtp.Packet {
	flags := byte(10) // volume -10 dBm0
	if end {
		flags |= 0x80
	}
	return audio(pt, seq, ts, 1, []byte{event, flags, byte(dur >> 8), byte(dur)})
}

func TestRelayDTMF(t *testing.T) {
	var mu sync.Mutex
	var reports []dtmfReport
	opts := &RelayOptions{OnDTMF: func(from *Session, event uint8, end bool, d time.Duration) {
		mu.Lock()
		reports = append(reports, dtmfReport{from, event, end, d})
		mu.Unlock()
	}}
	br := newBridge(t, Format{Codec: PCMU, DTMFPT: 101}, Format{Codec: PCMA, PT: 8, DTMFPT: 96}, opts)

	// Digit 5: a start packet, two updates, the end packet three times.
	seq := uint16(0)
	send := func(ts uint32, event uint8, end bool, dur uint16) {
		seq++
		br.pa.send(br.a.LocalAddr(), dtmfPacket(101, seq, ts, event, end, dur))
	}
	send(8000, 5, false, 160)
	send(8000, 5, false, 320)
	send(8000, 5, false, 480)
	for i := 0; i < 3; i++ {
		send(8000, 5, true, 800)
	}
	for i := 0; i < 6; i++ {
		got := br.pb.recv()
		if got.PayloadType != 96 || got.Payload[0] != 5 {
			t.Fatalf("packet %d: PT %d event %d, want PT 96 event 5", i, got.PayloadType, got.Payload[0])
		}
		if want := i == 0; got.Marker != want {
			t.Errorf("packet %d: marker %v, want %v", i, got.Marker, want)
		}
	}
	// Digit 5 again at a new timestamp is a new key press.
	send(9600, 5, false, 160)
	send(9600, 5, true, 400)
	send(9600, 5, true, 400)
	br.pb.recv()
	br.pb.recv()
	br.pb.recv()

	mu.Lock()
	got := append([]dtmfReport(nil), reports...)
	mu.Unlock()
	want := []dtmfReport{
		{br.a, 5, false, 20 * time.Millisecond},
		{br.a, 5, true, 100 * time.Millisecond},
		{br.a, 5, false, 20 * time.Millisecond},
		{br.a, 5, true, 50 * time.Millisecond},
	}
	if len(got) != len(want) {
		t.Fatalf("reports = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("report %d = %+v, want %+v", i, got[i], want[i])
		}
	}

	// B's side did not negotiate telephone-events: events are still reported
	// but not sent to A.
	br.a.SetFormat(Format{Codec: PCMU})
	br.pb.send(br.b.LocalAddr(), dtmfPacket(96, 1, 0, 11, true, 400))
	waitFor(t, "the event to be withheld", func() bool { return br.a.Stats().NotSent == 1 })
	br.pa.expectNothing()
	mu.Lock()
	last := reports[len(reports)-1]
	mu.Unlock()
	if last.from != br.b || last.event != 11 || !last.end {
		t.Errorf("last report = %+v, want # from B, end", last)
	}
	// A short telephone-event payload is garbage.
	br.pb.sendRaw(br.b.LocalAddr(), mustMarshal(t, audio(96, 2, 0, 1, []byte{1, 2})))
	waitFor(t, "the short event to be dropped", func() bool { return br.b.Stats().DroppedInvalid == 1 })
}

func mustMarshal(t *testing.T, p *rtp.Packet) []byte {
	t.Helper()
	b, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRelayKeepsStreamContinuous(t *testing.T) {
	br := newBridge(t, Format{Codec: PCMU}, Format{Codec: PCMU}, nil)
	var out []*rtp.Packet
	for i := 0; i < 5; i++ {
		br.pa.send(br.a.LocalAddr(), audio(0, uint16(1000+i), uint32(50000+160*i), 0xaaaa, frame(1)))
		out = append(out, br.pb.recv())
	}
	// The source behind A changes (A's phone was replaced by a transfer):
	// new SSRC, sequence and timestamp.
	for i := 0; i < 5; i++ {
		br.pa.send(br.a.LocalAddr(), audio(0, uint16(7+i), uint32(9_000_000+160*i), 0xbbbb, frame(2)))
		out = append(out, br.pb.recv())
	}
	// Another relay feeds B from a third leg (A was unbridged).
	br.relay.Close()
	c := listen(t, br.pool)
	pc := newPhone(t)
	c.SetRemote(pc.addr)
	r2 := NewRelay(c, br.b, nil)
	r2.Start()
	defer r2.Close()
	for i := 0; i < 5; i++ {
		pc.send(c.LocalAddr(), audio(0, uint16(40000+i), uint32(123+160*i), 0xaaaa, frame(3)))
		out = append(out, br.pb.recv())
	}
	checkContinuous(t, out, map[int]bool{0: true, 5: true, 10: true})
}

// checkContinuous checks one SSRC, sequence numbers without gaps, and the
// timestamp stepping by 160 except at source changes, where it must jump
// forward by at least a frame and the marker must be set.
func checkContinuous(t *testing.T, out []*rtp.Packet, changes map[int]bool) {
	t.Helper()
	for i, p := range out {
		if p.Marker != changes[i] {
			t.Errorf("packet %d: marker %v, want %v", i, p.Marker, changes[i])
		}
		if i == 0 {
			continue
		}
		prev := out[i-1]
		if p.SSRC != prev.SSRC {
			t.Errorf("packet %d: SSRC %#x, want %#x", i, p.SSRC, prev.SSRC)
		}
		if p.SequenceNumber != prev.SequenceNumber+1 {
			t.Errorf("packet %d: seq %d after %d", i, p.SequenceNumber, prev.SequenceNumber)
		}
		step := p.Timestamp - prev.Timestamp
		if changes[i] {
			if step < 160 || step > 8000*10 {
				t.Errorf("packet %d: timestamp jumped by %d at a source change, want 160..80000", i, step)
			}
		} else if step != 160 {
			t.Errorf("packet %d: timestamp step %d, want 160", i, step)
		}
	}
}

func TestRelayCloseLeavesNoGoroutines(t *testing.T) {
	checkGoroutines(t)
	p := newTestPool(t, 2)
	a, b := listen(t, p), listen(t, p)
	r := NewRelay(a, b, nil)
	r.Start()
	r.Start() // no second pair of goroutines
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	r.Start() // after Close: nothing
	NewRelay(a, b, nil).Close()

	// The sessions survive the relay and serve the next one.
	pa, pb := newPhone(t), newPhone(t)
	a.SetRemote(pa.addr)
	b.SetRemote(pb.addr)
	r2 := NewRelay(a, b, nil)
	r2.Start()
	pa.send(a.LocalAddr(), audio(0, 1, 0, 1, frame(1)))
	pb.recv()
	r2.Close()
}

func TestClosingSessionEndsRelay(t *testing.T) {
	checkGoroutines(t)
	p := newTestPool(t, 2)
	a, b := listen(t, p), listen(t, p)
	r := NewRelay(a, b, nil)
	r.Start()
	a.Close()
	b.Close()
	done := make(chan struct{})
	go func() { r.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("Relay.Close hung after its sessions were closed")
	}
	if p.InUse() != 0 {
		t.Errorf("InUse = %d, want 0", p.InUse())
	}
}

func TestRelayDropsGarbage(t *testing.T) {
	br := newBridge(t, Format{Codec: PCMU}, Format{Codec: PCMU}, nil)
	garbage := [][]byte{
		{},
		[]byte("INVITE sip:x SIP/2.0"),
		{0x80, 0x00, 0x00},                        // short
		{0x40, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1},   // version 1
		{0x8f, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1},   // 15 CSRCs missing
		{0x90, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1},   // extension missing
		{0xa0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0},   // padding 0
		{0xa0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 99},  // padding too long
		{0x81, 200, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1}, // RTCP sender report
	}
	for _, g := range garbage {
		br.pa.sendRaw(br.a.LocalAddr(), g)
	}
	waitFor(t, "garbage to be counted", func() bool { return br.a.Stats().DroppedInvalid == uint64(len(garbage)) })
	br.pb.expectNothing()
	if got := br.a.Stats().Learned; got.IsValid() {
		t.Errorf("learned %v from garbage", got)
	}
}

// TestForwardAllocatesNothing holds the per-packet path, read to write, to
// zero allocations, for the same law and across laws.
func TestForwardAllocatesNothing(t *testing.T) {
	for _, tc := range []struct {
		name string
		to   Format
		pt   uint8
	}{
		{"same", Format{Codec: PCMU}, 0},
		{"transcode", Format{Codec: PCMA, PT: 8, DTMFPT: 96}, 0},
		{"dtmf", Format{Codec: PCMA, PT: 8, DTMFPT: 96}, 101},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newTestPool(t, 2)
			a, b := listen(t, p), listen(t, p)
			sink := newPhone(t)
			b.SetRemote(sink.addr)
			a.SetFormat(Format{Codec: PCMU, DTMFPT: 101})
			b.SetFormat(tc.to)
			pp := newPipe(a, b, func(*Session, uint8, bool, time.Duration) {})
			src := netip.MustParseAddrPort("127.0.0.1:40000")
			var pkt []byte
			if tc.pt == 101 {
				pkt = mustMarshal(t, dtmfPacket(101, 1, 0, 1, false, 160))
			} else {
				pkt = mustMarshal(t, audio(0, 1, 0, 1, frame(0x33)))
			}
			buf := make([]byte, len(pkt))
			seq := uint16(0)
			run := func() {
				copy(buf, pkt)
				seq++
				buf[2], buf[3] = byte(seq>>8), byte(seq)
				out, to, ok := pp.forward(buf, src, time.Now())
				if !ok {
					t.Fatal("packet not forwarded")
				}
				b.sent(b.conn.WriteToUDPAddrPort(out, to))
			}
			run() // warm up
			if n := testing.AllocsPerRun(1000, run); n != 0 {
				t.Errorf("forward+write allocates %v per packet, want 0", n)
			}
		})
	}
}
