package si321x

import (
	"deskline/hw/chip"
	"testing"

	"deskline/hw/chip/internal/chiptest"
)

func pollRig(tb testing.TB) (*Dev, *simChip) {
	h := chiptest.NewHarness(t0)
	c := newChip()
	d, err := NewConn(c, &Opts{Board: chip.Board{Clock: h.Clock, Sleep: noSleep}})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Halt() })
	return d, c
}

// One sample allocates nothing: it runs every 4 ms for the life of the port.
func TestPollAllocatesNothing(t *testing.T) {
	d, c := pollRig(t)
	_ = c
	c.setHook(true)
	chiptest.PollAllocs(t, t0, &d.sh.Mu, d.poll)
}

func BenchmarkPoll(b *testing.B) {
	d, _ := pollRig(b)
	chiptest.BenchPoll(b, t0, &d.sh.Mu, d.poll)
}
