package ag1171

import (
	"sync"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"deskline/hw"
	"deskline/hw/alsa"
)

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// level is the state of RM and F/R from At on.
type level struct {
	At     time.Duration // since the rig started
	RM, FR gpio.Level
}

// rig is a port on gpiotest pins, a fake sound card and a fake clock. It
// steps the port the way the goroutine does: at the times step asks for,
// and at once when the test changes SHK (an edge), at 1 ms resolution.
type rig struct {
	t           *testing.T
	rm, fr, shk *gpiotest.Pin
	pcm         *alsa.Fake
	p           *Port
	cids        []hw.CallerID
	cidAt       []time.Duration
	mu          sync.Mutex // guards now for the port's clock
	now         time.Time
	next, frame time.Time
	edge        bool
	trace       []level
}

func newRig(t *testing.T, opts *Opts) *rig {
	t.Helper()
	r := &rig{
		t:   t,
		rm:  &gpiotest.Pin{N: "RM", Num: 23},
		fr:  &gpiotest.Pin{N: "FR", Num: 24},
		shk: &gpiotest.Pin{N: "SHK", Num: 25, EdgesChan: make(chan gpio.Level, 1)},
		pcm: alsa.NewFake(0, 0),
		now: epoch,
	}
	o := Opts{}
	if opts != nil {
		o = *opts
	}
	o.SendCallerID = func(c hw.CallerID) {
		r.cids = append(r.cids, c)
		r.cidAt = append(r.cidAt, r.clock().Sub(epoch))
	}
	p, err := newPort(Pins{RM: r.rm, FR: r.fr, SHK: r.shk}, r.pcm, &o, r.clock)
	if err != nil {
		t.Fatal(err)
	}
	close(p.done) // no goroutine: the rig steps the port
	r.p = p
	r.next, r.frame = epoch, epoch.Add(hw.FrameDuration)
	r.record()
	t.Cleanup(func() { p.Halt() })
	return r
}

func (r *rig) clock() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.now
}

func (r *rig) record() {
	l := level{At: r.clock().Sub(epoch), RM: r.rm.Read(), FR: r.fr.Read()}
	if n := len(r.trace); n > 0 && r.trace[n-1].RM == l.RM && r.trace[n-1].FR == l.FR {
		return
	}
	r.trace = append(r.trace, l)
}

// advance moves the fake clock on by d.
func (r *rig) advance(d time.Duration) {
	end := r.clock().Add(d)
	for {
		now := r.clock()
		if r.edge || !now.Before(r.next) {
			r.edge = false
			r.next = r.p.step(now)
			r.record()
		}
		for !now.Before(r.frame) {
			r.pcm.Tick()
			r.frame = r.frame.Add(hw.FrameDuration)
		}
		if !now.Before(end) {
			return
		}
		r.mu.Lock()
		r.now = now.Add(time.Millisecond)
		r.mu.Unlock()
	}
}

// hook sets the SHK line (off-hook = High) as an edge the port sees.
func (r *rig) hook(off bool) {
	r.shk.Out(gpio.Level(off))
	r.edge = true
}

// events receives everything the port has posted so far.
func (r *rig) events() []hw.Event {
	var got []hw.Event
	for {
		select {
		case e := <-r.p.Events():
			got = append(got, e)
			continue
		default:
		}
		if r.p.q.Len() == 0 {
			return got
		}
		time.Sleep(time.Millisecond) // the delivery goroutine is handing one over
	}
}

func types(es []hw.Event) []hw.EventType {
	var ts []hw.EventType
	for _, e := range es {
		ts = append(ts, e.Type)
	}
	return ts
}
