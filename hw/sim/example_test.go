package sim_test

import (
	"fmt"
	"time"

	"deskline/hw/sim"
)

// A telephone on a simulated FXS port is lifted, dials 42 on its rotary
// dial and hangs up; the port reports what a driver would.
func Example() {
	clock := sim.NewClock(time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC))
	port, phone, err := sim.NewFXS(clock, &sim.Opts{Name: "reception"})
	if err != nil {
		panic(err)
	}
	defer port.Halt()

	phone.Lift()
	clock.Advance(time.Second)
	phone.Dial("42")
	clock.Advance(3 * time.Second)
	phone.Hang()
	clock.Advance(time.Second)

	fmt.Println(port)
	for range 4 {
		e := <-port.Events()
		fmt.Println(e, e.At.Format("15:04:05.000"))
	}
	// Output:
	// sim.FXS{reception}
	// #1 OffHook 09:00:00.010
	// #2 Digit '4' 09:00:01.510
	// #3 Digit '2' 09:00:02.420
	// #4 OnHook 09:00:04.800
}
