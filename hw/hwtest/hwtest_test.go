package hwtest_test

import (
	"testing"
	"time"

	"deskline/hw"
	"deskline/hw/hwtest"
	"deskline/hw/line"
	"deskline/hw/sim"
)

var t0 = time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)

func TestSimFXS(t *testing.T) {
	hwtest.Run(t, func(t *testing.T) *hwtest.Fixture {
		c := sim.NewClock(t0)
		p, phone, err := sim.NewFXS(c, &sim.Opts{Name: "conformance"})
		if err != nil {
			t.Fatal(err)
		}
		return &hwtest.Fixture{
			Port:    p,
			Advance: c.Advance,
			Script: func() []hw.EventType {
				phone.Lift()
				c.Advance(500 * time.Millisecond)
				phone.Dial("3")
				c.Advance(1500 * time.Millisecond)
				phone.Flash(200 * time.Millisecond)
				c.Advance(time.Second)
				phone.Press('*')
				phone.Hang()
				c.Advance(time.Second)
				return []hw.EventType{hw.OffHook, hw.Digit, hw.Flash, hw.Digit, hw.OnHook}
			},
		}
	})
}

func TestSimFXO(t *testing.T) {
	hwtest.Run(t, func(t *testing.T) *hwtest.Fixture {
		c := sim.NewClock(t0)
		p, ex, err := sim.NewFXO(c, &sim.Opts{Name: "conformance"})
		if err != nil {
			t.Fatal(err)
		}
		us, _ := line.Cadence("us")
		return &hwtest.Fixture{
			Port:    p,
			Advance: c.Advance,
			Script: func() []hw.EventType {
				c.Advance(500 * time.Millisecond)
				ex.Ring(us, &hw.CallerID{Number: "5550100", Name: "Front desk"})
				c.Advance(7 * time.Second)
				p.Seize()
				c.Advance(time.Second)
				ex.ReversePolarity()
				c.Advance(time.Second)
				ex.SetBattery(false)
				c.Advance(time.Second)
				return []hw.EventType{hw.LineUp, hw.RingStart, hw.RingStop, hw.CallerIDReceived,
					hw.RingStart, hw.RingStop, hw.PolarityReversal, hw.LineDown}
			},
		}
	})
}
