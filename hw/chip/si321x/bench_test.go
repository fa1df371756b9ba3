package si321x

import (
	"testing"
	"time"

	"deskline/hw/chip/internal/chiptest"
)

func pollRig(tb testing.TB) (*Dev, *chip) {
	h := chiptest.NewHarness(t0)
	c := newChip()
	d, err := NewConn(c, &Opts{Clock: h.Clock, Sleep: noSleep})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Halt() })
	return d, c
}

// One sample (hook read, line machine, linefeed) allocates nothing: it
// runs every 4 ms for the life of the port.
func TestPollAllocatesNothing(t *testing.T) {
	d, c := pollRig(t)
	c.setHook(true)
	now := t0
	allocs := testing.AllocsPerRun(1000, func() {
		now = now.Add(4 * time.Millisecond)
		d.poll(now, false)
	})
	if allocs != 0 {
		t.Errorf("poll allocates %v times per sample, want 0", allocs)
	}
}

func BenchmarkPoll(b *testing.B) {
	d, _ := pollRig(b)
	now := t0
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(4 * time.Millisecond)
		d.poll(now, false)
	}
}
