package si321x

import (
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
	h := chiptest.NewHarness(t0)
	probe := &chiptest.FuzzConn{Conn: newChip(), Data: data, On: true}
	if d, err := NewConn(probe, &Opts{Board: chip.Board{Clock: h.Clock, Sleep: noSleep}}); err == nil {
		d.Halt()
	}
	fc := &chiptest.FuzzConn{Conn: newChip(), Data: data}
	d, err := NewConn(fc, &Opts{Board: chip.Board{Clock: h.Clock, Sleep: noSleep}, CallerID: func(hw.CallerID) {}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Halt()
	fc.On = true
	chiptest.Drive(data, t0, &d.sh.Mu, d.poll, func(op, b byte, i int) {
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
