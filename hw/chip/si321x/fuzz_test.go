package si321x

import (
	"github.com/jonboulle/clockwork"
	"periph.io/x/conn/v3"
	"testing"
	"time"

	"deskline/hw"
	"deskline/hw/chip"
	"deskline/hw/chip/internal/chiptest"
)

// FuzzRegisters feeds random register values to the probe and, after a
// normal initialisation, to the sampling code, with control calls mixed
// in. Nothing may panic, and a failed probe must return an error.
func FuzzRegisters(f *testing.F) {
	f.Add([]byte{0x05, 0x02, 0x00, 0x33, 0x5a, 0x01, 0x00, 0x03, 0xff})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x02, 0x04, 0x00, 0xc0})
	f.Fuzz(fuzzOne)
}

func fuzzOne(t *testing.T, data []byte) {
	d := chiptest.FuzzStart(t, data, func() conn.Conn { return newChip() }, func(cn conn.Conn, c *clockwork.FakeClock) (*Dev, error) {
		return NewConn(cn, &Opts{Board: chip.Board{Clock: c, Sleep: chiptest.NoSleep}, CallerID: func(hw.CallerID) {}})
	})
	chiptest.Drive(data, chiptest.T0, &d.sh.Mu, d.poll, func(op, b byte, i int) {
		switch op {
		case 1:
			d.Ring(hw.Cadence{time.Duration(i+1) * time.Millisecond, 40 * time.Millisecond}, &hw.CallerID{Number: "1"})
		case 2:
			d.StopRing()
		case 3:
			d.SetReversed(b&2 != 0)
		case 4:
			d.SetOpen(b&4 != 0)
		}
	})
}
