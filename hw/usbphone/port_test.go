package usbphone

import (
	"errors"
	"sync"
	"testing"
	"time"

	"deskline/hw"
	"deskline/hw/alsa"
	"deskline/hw/hwtest"
)

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

type rig struct {
	pcm   *alsa.Fake
	in    *FakeInput
	ring  *FakeRinger
	p     *Port
	mu    sync.Mutex
	now   time.Time
	frame time.Time
}

func newRig(t *testing.T, withRinger bool) *rig {
	t.Helper()
	r := &rig{pcm: alsa.NewFake(0, 0), in: NewFakeInput(), now: epoch, frame: epoch.Add(hw.FrameDuration)}
	o := &Opts{Name: "desk", Now: r.clock}
	if withRinger {
		r.ring = &FakeRinger{}
		o.Ringer = r.ring
	}
	p, err := New(r.pcm, r.in, o)
	if err != nil {
		t.Fatal(err)
	}
	r.p = p
	t.Cleanup(func() { p.Halt() })
	return r
}

func (r *rig) clock() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.now
}

func (r *rig) advance(d time.Duration) {
	r.mu.Lock()
	r.now = r.now.Add(d)
	now := r.now
	r.mu.Unlock()
	for !now.Before(r.frame) {
		r.pcm.Tick()
		r.frame = r.frame.Add(hw.FrameDuration)
	}
}

func (r *rig) next(t *testing.T) hw.Event {
	t.Helper()
	select {
	case e := <-r.p.Events():
		return e
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5 s")
		return hw.Event{}
	}
}

func TestConformance(t *testing.T) {
	for _, ringer := range []bool{true, false} {
		hwtest.Run(t, func(t *testing.T) *hwtest.Fixture {
			r := newRig(t, ringer)
			return &hwtest.Fixture{
				Port:    r.p,
				Advance: r.advance,
				Script: func() []hw.EventType {
					r.in.Send(Control{Type: Hook, On: true})
					r.advance(time.Second)
					r.in.Send(Control{Type: Key, Key: '5'})
					r.in.Send(Control{Type: FlashKey})
					r.advance(time.Second)
					r.in.Send(Control{Type: Hook, On: false})
					return []hw.EventType{hw.OffHook, hw.Digit, hw.Flash, hw.OnHook}
				},
			}
		})
	}
}

func TestRingAndAnswer(t *testing.T) {
	r := newRig(t, true)
	us := hw.Cadence{2 * time.Second, 4 * time.Second}
	if err := r.p.Ring(us, &hw.CallerID{Number: "100"}); err != nil {
		t.Fatal(err)
	}
	if on, n := r.ring.State(); !on || n != 1 || !r.p.Ringing() {
		t.Fatalf("after Ring: ringer on %v (%d changes), Ringing %v", on, n, r.p.Ringing())
	}
	if err := r.p.Ring(us, nil); err != nil { // ringing again: no change
		t.Fatal(err)
	}
	r.advance(3 * time.Second)
	r.in.Send(Control{Type: Hook, On: true})
	if e := r.next(t); e.Type != hw.OffHook || !e.At.Equal(epoch.Add(3*time.Second)) {
		t.Errorf("answer: %v, want OffHook at +3s", e)
	}
	if on, n := r.ring.State(); on || n != 2 || r.p.Ringing() {
		t.Errorf("after answering: ringer on %v (%d changes), Ringing %v; want off after 2 changes", on, n, r.p.Ringing())
	}
	if err := r.p.Ring(us, nil); !errors.Is(err, hw.ErrOffHook) {
		t.Errorf("Ring while off-hook = %v, want ErrOffHook", err)
	}
	r.in.Send(Control{Type: Mute, On: true})
	r.in.Send(Control{Type: Key, Key: '#'})
	if e := r.next(t); e.Type != hw.Digit || e.Digit != '#' || e.Pulse {
		t.Errorf("keypad #: %v", e)
	}
	if !r.p.Muted() {
		t.Error("Muted() = false after the mute control")
	}
}

func TestNoRinger(t *testing.T) {
	r := newRig(t, false)
	if err := r.p.Ring(hw.Cadence{time.Second, time.Second}, nil); err != nil {
		t.Fatal(err)
	}
	if !r.p.Ringing() {
		t.Error("a port without ringer does not report Ringing")
	}
	r.p.StopRing()
	if r.p.Ringing() {
		t.Error("still Ringing after StopRing")
	}
}

func TestUnplugged(t *testing.T) {
	r := newRig(t, false)
	gone := errors.New("no such device")
	r.in.Fail(gone)
	if e := r.next(t); e.Type != hw.LineDown {
		t.Errorf("unplugged: %v, want LineDown", e)
	}
	if err := r.p.Halt(); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(r.p.Err(), gone) {
		t.Errorf("Err() = %v, want the input's error", r.p.Err())
	}
}
