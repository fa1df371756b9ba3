package si3050

import (
	"testing"

	"deskline/hw/chip/internal/chiptest"
)

// One sample allocates nothing: it runs every 4 ms for the life of the port.
func TestPollAllocatesNothing(t *testing.T) {
	r := newRig(t, Opts{})
	r.d.Seize()
	chiptest.PollAllocs(t, chiptest.T0, &r.d.sh.Mu, r.d.poll)
}

func BenchmarkPoll(b *testing.B) {
	r := newRig(b, Opts{})
	chiptest.BenchPoll(b, chiptest.T0, &r.d.sh.Mu, r.d.poll)
}
