package media

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"

	"deskline/media/mix"
	"deskline/media/sched"
)

// talker is a phone that sends a tone and records what it hears.
type talker struct {
	ph    *phone
	s     *Session
	freq  float64
	mu    sync.Mutex
	heard []float64
}

func (tk *talker) listen(ctx context.Context) {
	pcm := make([]int16, FrameSamples)
	for ctx.Err() == nil {
		pkt, ok := tk.ph.recvWithin(50 * time.Millisecond)
		if !ok {
			continue
		}
		n := PCMU.Decode(pcm, pkt.Payload)
		tk.mu.Lock()
		for _, v := range pcm[:n] {
			tk.heard = append(tk.heard, float64(v))
		}
		tk.mu.Unlock()
	}
}

// power returns the Goertzel power of freq in the last second heard,
// relative to the strongest of the probe frequencies.
func (tk *talker) powers(freqs ...float64) []float64 {
	tk.mu.Lock()
	x := tk.heard
	if len(x) > 8000 {
		x = x[len(x)-8000:]
	}
	x = append([]float64(nil), x...)
	tk.mu.Unlock()
	out := make([]float64, len(freqs))
	for i, f := range freqs {
		out[i] = goertzel(x, f)
	}
	return out
}

// TestConferenceSupervision: a caller and an agent talk; a supervisor
// listens, then whispers to the agent, then barges in.
func TestConferenceSupervision(t *testing.T) {
	checkGoroutines(t)
	pool := newTestPool(t, 6)
	sc := sched.New(nil)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	wg.Add(1)
	go func() { defer wg.Done(); sc.Run(ctx) }()

	caller := &talker{freq: 1000}
	agent := &talker{freq: 600}
	sup := &talker{freq: 1400}
	all := []*talker{caller, agent, sup}
	for _, tk := range all {
		tk.ph = newPhone(t)
		tk.s = listen(t, pool)
		tk.s.SetRemote(tk.ph.addr)
		wg.Add(1)
		go func() { defer wg.Done(); tk.listen(ctx) }()
	}
	// Each phone sends its tone in real time.
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		payload := make([]byte, FrameSamples)
		for i := 0; ctx.Err() == nil; i++ {
			for _, tk := range all {
				PCMU.Encode(payload, sine(tk.freq, 8000, FrameSamples*(i+1))[FrameSamples*i:])
				b, _ := (&rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: uint16(i), Timestamp: uint32(FrameSamples * i), SSRC: uint32(tk.freq)}, Payload: payload}).Marshal()
				tk.ph.conn.WriteToUDPAddrPort(b, tk.s.LocalAddr())
			}
			select {
			case <-tick.C:
			case <-ctx.Done():
			}
		}
	}()

	conf := NewConference(sc)
	defer conf.Close()
	for _, tk := range []*talker{caller, agent} {
		if err := conf.Join(tk.s, JoinOptions{Mode: mix.Talk}); err != nil {
			t.Fatal(err)
		}
	}
	if err := conf.Join(sup.s, JoinOptions{Mode: mix.Listen}); err != nil {
		t.Fatal(err)
	}
	// hears checks who hears which tone: want[i] says whether all[i]'s tone
	// is audible to tk.
	hears := func(stage string, tk *talker, want ...bool) {
		t.Helper()
		p := tk.powers(caller.freq, agent.freq, sup.freq)
		top := max(p[0], p[1], p[2])
		for i, w := range want {
			if got := p[i] > top/100; got != w {
				t.Errorf("%s: the %.0f Hz party hears %.0f Hz: %v, want %v (powers %.3g)", stage, tk.freq, all[i].freq, got, w, p)
			}
		}
	}
	time.Sleep(time.Second)
	hears("listen", caller, false, true, false)
	hears("listen", agent, true, false, false)
	hears("listen", sup, true, true, false)

	if err := conf.SetMode(sup.s, mix.Whisper, agent.s); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	hears("whisper", caller, false, true, false)
	hears("whisper", agent, true, false, true)
	hears("whisper", sup, true, true, false)

	if err := conf.SetMode(sup.s, mix.Talk, nil); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	hears("barge", caller, false, true, true)
	hears("barge", agent, true, false, true)
	hears("barge", sup, true, true, false)

	if !conf.Leave(sup.s) || conf.Len() != 2 {
		t.Errorf("after the supervisor left: %d members", conf.Len())
	}
	if err := conf.SetMode(sup.s, mix.Talk, nil); err != ErrNotMember {
		t.Errorf("SetMode of a gone member = %v", err)
	}
}
