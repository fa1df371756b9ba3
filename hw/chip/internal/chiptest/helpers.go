package chiptest

import (
	"slices"
	"sync"
	"testing"
	"time"

	"deskline/hw"

	"github.com/jonboulle/clockwork"
	"periph.io/x/conn/v3"

	"periph.io/x/conn/v3/conntest"
	"periph.io/x/conn/v3/spi/spitest"
)

// Playback returns an SPI port that replays io; when the test ends it
// fails the test unless every transfer happened.
func Playback(t *testing.T, io ...[]conntest.IO) *spitest.Playback {
	t.Helper()
	p := &spitest.Playback{Playback: conntest.Playback{Ops: slices.Concat(io...), DontPanic: true}}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("playback: %v", err)
		}
	})
	return p
}

// Expect receives len(want) events from p and fails the test unless their
// types are want, in order.
func Expect(t testing.TB, p hw.Port, want ...hw.EventType) []hw.Event {
	t.Helper()
	var got []hw.Event
	var types []hw.EventType
	for range want {
		select {
		case e := <-p.Events():
			got = append(got, e)
			types = append(types, e.Type)
		case <-time.After(5 * time.Second):
			t.Fatalf("events = %v, want %v", got, want)
		}
	}
	if !slices.Equal(types, want) {
		t.Fatalf("events = %v, want %v", got, want)
	}
	return got
}

// Quiet fails the test if p has an event waiting.
func Quiet(t testing.TB, p hw.Port) {
	t.Helper()
	select {
	case e := <-p.Events():
		t.Errorf("unexpected %v", e)
	default:
	}
}

// Poll is a driver's sampling function, called with lock held.
type Poll func(now time.Time, irq bool) time.Time

// PollAllocs fails t if one sample (every 4 ms from start) allocates.
func PollAllocs(t *testing.T, start time.Time, lock sync.Locker, poll Poll) {
	now := start
	allocs := testing.AllocsPerRun(1000, func() {
		now = now.Add(4 * time.Millisecond)
		lock.Lock()
		poll(now, false)
		lock.Unlock()
	})
	if allocs != 0 {
		t.Errorf("one sample allocates %v times, want 0", allocs)
	}
}

// BenchPoll measures one sample every 4 ms of simulated time.
func BenchPoll(b *testing.B, start time.Time, lock sync.Locker, poll Poll) {
	now := start
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(4 * time.Millisecond)
		lock.Lock()
		poll(now, false)
		lock.Unlock()
	}
}

// Drive runs poll once per byte of data, moving time on from start by the byte's low
// four bits in ms and passing bit 0 as irq, then calls act with the byte's
// top three bits for the driver's control calls.
func Drive(data []byte, start time.Time, lock sync.Locker, poll Poll, act func(op, b byte, i int)) {
	now := start
	for i, b := range data {
		now = now.Add(time.Duration(b%16) * time.Millisecond)
		lock.Lock()
		poll(now, b&1 != 0)
		lock.Unlock()
		act(b>>5, b, i)
	}
}

// Next receives one event from p, failing the test after 5 s without one.
func Next(t testing.TB, p hw.Port) hw.Event {
	t.Helper()
	select {
	case e := <-p.Events():
		return e
	case <-time.After(5 * time.Second):
		t.Fatal("no event")
	}
	return hw.Event{}
}

// T0 is the start time of simulated clocks in the drivers' tests.
var T0 = time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)

// NoSleep is an Opts.Sleep that returns at once.
func NoSleep(time.Duration) {}

// FuzzStart makes the port a fuzz target exercises. It first calls newPort
// on sim() with every byte read from data, so the probe sees random
// registers (a port that still comes up is halted); then on a fresh sim()
// with data switched on only after initialisation. The second port is
// halted when the test ends.
func FuzzStart[P interface{ Halt() error }](t *testing.T, data []byte, sim func() conn.Conn, newPort func(conn.Conn, *clockwork.FakeClock) (P, error)) P {
	h := NewHarness(T0)
	if p, err := newPort(&FuzzConn{Conn: sim(), Data: data, On: true}, h.Clock); err == nil {
		p.Halt()
	}
	fc := &FuzzConn{Conn: sim(), Data: data}
	p, err := newPort(fc, h.Clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Halt() })
	fc.On = true
	return p
}
