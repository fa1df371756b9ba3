// Package hwtest is the conformance suite for hw.Port: every driver and the
// simulator run the same rules through Run, in their own tests, against a
// fake or recorded device. Each rule runs as a subtest named after it, on a
// fresh port, and every failure message starts with the rule it broke.
//
// Imports: hw and the standard library (testing) only; only tests import
// hwtest.
package hwtest

import (
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	"deskline/hw"
)

// Fixture is one fresh port under test and the means to drive its device.
type Fixture struct {
	// Port is the port under test, just constructed: no device time has
	// passed and no frame has been captured yet.
	Port hw.Port
	// Advance moves the device's time forward by d: its frame clock and
	// its line timers follow. Fakes step their clock; it must return once
	// the device has done what that time brings (events posted, frames
	// captured and played).
	Advance func(d time.Duration)
	// Script makes the far end cause events (lifting, dialling, ringing
	// in, ...), advancing time as it needs, and returns the event types the
	// port must report, in order. It must also be harmless after Halt.
	Script func() []hw.EventType
	// Patience is how long, in real time, a call that must not block may
	// take before the rule fails; passing runs never wait for it. Zero
	// means 5 s.
	Patience time.Duration
}

// Rules lists the rules Run checks, in the order it checks them.
func Rules() []string {
	names := make([]string, len(rules))
	for i, r := range rules {
		names[i] = r.name
	}
	return names
}

// Run checks every rule against fresh fixtures from newFixture, which is
// called once per rule. Ports are halted when each rule ends.
func Run(t *testing.T, newFixture func(t *testing.T) *Fixture) {
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			before := settledGoroutines()
			f := newFixture(t)
			if f == nil || f.Port == nil || f.Advance == nil || f.Script == nil {
				t.Fatalf("rule %q: fixture needs Port, Advance and Script", r.name)
			}
			t.Cleanup(func() { f.Port.Halt() })
			guard := f.Patience
			if guard <= 0 {
				guard = 5 * time.Second
			}
			r.check(&checker{T: t, rule: r.name, before: before, guard: guard}, f)
		})
	}
}

type checker struct {
	*testing.T
	rule   string
	before int           // goroutines before the fixture was made
	guard  time.Duration // Fixture.Patience
}

func (c *checker) fail(format string, args ...any) {
	c.Helper()
	c.Errorf("rule %q: %s", c.rule, fmt.Sprintf(format, args...))
}

func (c *checker) fatal(format string, args ...any) {
	c.Helper()
	c.Fatalf("rule %q: %s", c.rule, fmt.Sprintf(format, args...))
}

// settledGoroutines counts goroutines once those already finishing (from
// earlier rules) have gone: the count has held still for a few rounds.
func settledGoroutines() int {
	n, still := runtime.NumGoroutine(), 0
	for i := 0; i < 200 && still < 5; i++ {
		runtime.Gosched()
		time.Sleep(50 * time.Microsecond)
		if m := runtime.NumGoroutine(); m != n {
			n, still = m, 0
		} else {
			still++
		}
	}
	return n
}

// within runs f and fails the rule if it has not returned within guard.
func (c *checker) within(what string, f func()) {
	c.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(c.guard):
		c.fatal("%s blocked for %v", what, c.guard)
	}
}

// notYet reports whether ch (buffered, capacity 1) is still empty after
// letting other goroutines run; it can miss an early result but never
// invents one, and it leaves any result in ch.
func notYet[T any](ch chan T) bool {
	for range 20 {
		runtime.Gosched()
		select {
		case v := <-ch:
			ch <- v
			return false
		default:
		}
	}
	return true
}

type rule struct {
	name  string
	check func(c *checker, f *Fixture)
}

var rules = []rule{
	{"String names the port", func(c *checker, f *Fixture) {
		if f.Port.String() == "" {
			c.fail("String() is empty")
		}
	}},
	{"Kind is FXS, FXO or USB", func(c *checker, f *Fixture) {
		if k := f.Port.Kind(); k != hw.FXS && k != hw.FXO && k != hw.USB {
			c.fail("Kind() = %v", k)
		}
	}},
	{"Events returns one channel", func(c *checker, f *Fixture) {
		// Two calls must return the same channel (not a new one each time).
		first, second := f.Port.Events(), f.Port.Events()
		if first != second {
			c.fail("two calls to Events returned different channels")
		}
	}},
	{"Ring on an FXO port is an error", func(c *checker, f *Fixture) {
		if f.Port.Kind() != hw.FXO {
			c.Skip("not FXO")
		}
		us := hw.Cadence{2 * time.Second, 4 * time.Second}
		if err := f.Port.Ring(us, nil); !errors.Is(err, hw.ErrUnsupported) {
			c.fail("Ring() = %v, want ErrUnsupported", err)
		}
		if err := f.Port.StopRing(); !errors.Is(err, hw.ErrUnsupported) {
			c.fail("StopRing() = %v, want ErrUnsupported", err)
		}
	}},
	{"Seize on an FXS or USB port is an error", func(c *checker, f *Fixture) {
		if f.Port.Kind() == hw.FXO {
			c.Skip("FXO")
		}
		if err := f.Port.Seize(); !errors.Is(err, hw.ErrUnsupported) {
			c.fail("Seize() = %v, want ErrUnsupported", err)
		}
		if err := f.Port.Release(); !errors.Is(err, hw.ErrUnsupported) {
			c.fail("Release() = %v, want ErrUnsupported", err)
		}
	}},
	{"Ring validates the cadence; StopRing is idempotent", func(c *checker, f *Fixture) {
		if f.Port.Kind() == hw.FXO {
			c.Skip("FXO")
		}
		for _, bad := range []hw.Cadence{nil, {time.Second}, {time.Second, 0}} {
			if err := f.Port.Ring(bad, nil); !errors.Is(err, hw.ErrInvalid) {
				c.fail("Ring(%v) = %v, want ErrInvalid", bad, err)
			}
		}
		if err := f.Port.Ring(hw.Cadence{time.Second, 3 * time.Second}, &hw.CallerID{Number: "100"}); err != nil {
			c.fail("Ring(valid cadence) on an idle port = %v", err)
		}
		f.Advance(1500 * time.Millisecond)
		for i := range 2 {
			if err := f.Port.StopRing(); err != nil {
				c.fail("StopRing() #%d = %v", i+1, err)
			}
		}
	}},
	{"Seize and Release are idempotent", func(c *checker, f *Fixture) {
		if f.Port.Kind() != hw.FXO {
			c.Skip("not FXO")
		}
		for _, op := range []struct {
			name string
			fn   func() error
		}{{"Seize", f.Port.Seize}, {"Seize", f.Port.Seize}, {"Release", f.Port.Release}, {"Release", f.Port.Release}} {
			if err := op.fn(); err != nil {
				c.fail("%s() = %v", op.name, err)
			}
		}
	}},
	{"frames are 20 ms of device time", func(c *checker, f *Fixture) {
		var fr hw.Frame
		for i := range 10 {
			done := make(chan error, 1)
			go func() { done <- f.Port.ReadFrame(&fr) }()
			f.Advance(hw.FrameDuration - time.Millisecond)
			if !notYet(done) {
				c.fatal("frame %d arrived after %v of device time, want %v", i+1, hw.FrameDuration-time.Millisecond, hw.FrameDuration)
			}
			f.Advance(time.Millisecond)
			select {
			case err := <-done:
				if err != nil {
					c.fatal("ReadFrame #%d = %v", i+1, err)
				}
			case <-time.After(c.guard):
				c.fatal("ReadFrame #%d did not return after %v of device time", i+1, hw.FrameDuration)
			}
		}
		// A writer keeping pace with the device never blocks for long.
		for i := range 10 {
			c.within(fmt.Sprintf("WriteFrame #%d at one frame per 20 ms", i+1), func() {
				if err := f.Port.WriteFrame(&fr); err != nil {
					c.fail("WriteFrame #%d = %v", i+1, err)
				}
			})
			f.Advance(hw.FrameDuration)
		}
	}},
	{"events arrive in order", func(c *checker, f *Fixture) {
		want := f.Script()
		var last hw.Event
		for i, wt := range want {
			var e hw.Event
			select {
			case e = <-f.Port.Events():
			case <-time.After(c.guard):
				c.fatal("event %d: none received, want %v (all: %v)", i+1, wt, want)
			}
			if e.Type != wt {
				c.fatal("event %d = %v, want %v (all: %v)", i+1, e, wt, want)
			}
			if i > 0 && (e.Seq <= last.Seq || e.At.Before(last.At)) {
				c.fail("event %d (%v, Seq %d, At %v) after (%v, Seq %d, At %v): Seq must increase and At never go back",
					i+1, e.Type, e.Seq, e.At, last.Type, last.Seq, last.At)
			}
			last = e
		}
	}},
	{"Halt is idempotent and leaves the port inert", func(c *checker, f *Fixture) {
		for i := range 2 {
			c.within(fmt.Sprintf("Halt #%d", i+1), func() {
				if err := f.Port.Halt(); err != nil {
					c.fail("Halt() #%d = %v", i+1, err)
				}
			})
		}
		var fr hw.Frame
		ops := []struct {
			name string
			fn   func() error
		}{
			{"ReadFrame", func() error { return f.Port.ReadFrame(&fr) }},
			{"WriteFrame", func() error { return f.Port.WriteFrame(&fr) }},
			{"Ring", func() error { return f.Port.Ring(hw.Cadence{time.Second, time.Second}, nil) }},
			{"StopRing", f.Port.StopRing},
			{"Seize", f.Port.Seize},
			{"Release", f.Port.Release},
		}
		for _, op := range ops {
			c.within(op.name+" after Halt", func() {
				if err := op.fn(); !errors.Is(err, hw.ErrHalted) {
					c.fail("%s after Halt = %v, want ErrHalted", op.name, err)
				}
			})
		}
		c.within("Advance after Halt", func() { f.Advance(time.Second) })
	}},
	{"no events after Halt", func(c *checker, f *Fixture) {
		f.Script() // events left unread
		c.within("Halt with unread events", func() { f.Port.Halt() })
		closed := func(when string) {
			select {
			case e, ok := <-f.Port.Events():
				if ok {
					c.fail("received %v %s", e, when)
				}
			case <-time.After(c.guard):
				c.fail("Events not closed %s", when)
			}
		}
		closed("after Halt")
		f.Script()
		closed("after the far end acted on a halted port")
	}},
	{"Halt unblocks ReadFrame and WriteFrame", func(c *checker, f *Fixture) {
		read := make(chan error, 1)
		go func() {
			var fr hw.Frame
			read <- f.Port.ReadFrame(&fr)
		}()
		write := make(chan error, 1)
		go func() {
			var fr hw.Frame
			for range 1000 { // until the playout buffer is full and it blocks
				if err := f.Port.WriteFrame(&fr); err != nil {
					write <- err
					return
				}
			}
			write <- nil
		}()
		notYet(read)
		c.within("Halt", func() { f.Port.Halt() })
		for _, w := range []struct {
			name string
			ch   chan error
		}{{"ReadFrame", read}, {"WriteFrame", write}} {
			select {
			case err := <-w.ch:
				if err != nil && !errors.Is(err, hw.ErrHalted) {
					c.fail("%s across Halt = %v, want ErrHalted", w.name, err)
				}
			case <-time.After(c.guard):
				c.fail("%s still blocked after Halt", w.name)
			}
		}
	}},
	{"no goroutine leaks after Halt", func(c *checker, f *Fixture) {
		f.Script()
		done := make(chan struct{})
		go func() {
			defer close(done)
			var fr hw.Frame
			for f.Port.ReadFrame(&fr) == nil {
			}
		}()
		f.Advance(100 * time.Millisecond)
		c.within("Halt", func() { f.Port.Halt() })
		<-done
		deadline := time.Now().Add(c.guard)
		for {
			n := runtime.NumGoroutine()
			if n <= c.before {
				return
			}
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<16)
				buf = buf[:runtime.Stack(buf, true)]
				c.fatal("%d goroutines after Halt, %d before the port was made:\n%s", n, c.before, buf)
			}
			runtime.Gosched()
			time.Sleep(time.Millisecond) // goroutines that were told to stop are still exiting
		}
	}},
}
