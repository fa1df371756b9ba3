package si3050

import (
	"deskline/hw/chip"
	"github.com/jonboulle/clockwork"
	"periph.io/x/conn/v3"
	"testing"

	"deskline/hw/chip/internal/chiptest"
)

// FuzzRegisters feeds random register values to the probe and, after a
// normal initialisation, to the sampling code, with control calls mixed
// in. Nothing may panic, and a failed probe must return an error.
func FuzzRegisters(f *testing.F) {
	f.Add([]byte{0x03, 0x5a, 0x30, 0x08, 0x30, 0xd0, 0x1e, 0x68})
	f.Add([]byte{0xff, 0x00, 0x80, 0x7f, 0x02, 0x60, 0x00})
	f.Fuzz(fuzzOne)
}

func fuzzOne(t *testing.T, data []byte) {
	d := chiptest.FuzzStart(t, data, func() conn.Conn { return newChip() }, func(cn conn.Conn, c *clockwork.FakeClock) (*Dev, error) {
		return NewConn(cn, &Opts{Board: chip.Board{Clock: c, Sleep: chiptest.NoSleep}})
	})
	chiptest.Drive(data, chiptest.T0, &d.sh.Mu, d.poll, func(op, b byte, i int) {
		switch op {
		case 1:
			d.Seize()
		case 2:
			d.Release()
		case 3:
			d.Flash()
		case 4:
			d.LineVoltage()
		}
	})
}
