package ports_test

import (
	"fmt"
	"time"

	"deskline/appliance/ports"
	"deskline/hw/sim"
	"deskline/media"
)

// A box's integrator puts an analog telephone on extension 2001 and an
// exchange line behind a trunk: the line's address is the trunk's host and
// source.
func Example() {
	pool, err := media.NewPortPool(48000, 48098)
	if err != nil {
		panic(err)
	}
	clock := sim.NewClock(time.Now()) // a demo advances it from real time
	gw, err := ports.New(ports.Options{
		SIPAddr: "127.0.0.1:5060", Media: pool, Country: "US", Now: clock.Now,
		Credentials: func(ext string) (string, string, bool) { return ext, "the extension's password", true },
	})
	if err != nil {
		panic(err)
	}
	defer gw.Close() // halts the ports too

	phonePort, _, _ := sim.NewFXS(clock, &sim.Opts{Name: "desk"})
	if err := gw.AddFXS(phonePort, "2001"); err != nil {
		panic(err)
	}
	linePort, _, _ := sim.NewFXO(clock, &sim.Opts{Name: "pstn"})
	addr, err := gw.AddFXO(linePort, ports.LineOptions{Trunk: "pstn", DID: "5550100"})
	if err != nil {
		panic(err)
	}
	_ = addr // POST /api/v1/trunks {"name":"pstn","host":addr,"sources":[addr]}
	for _, s := range gw.Status() {
		fmt.Println(s.Port, s.Kind, s.Extension+s.DID, s.State)
	}
	// Output:
	// sim.FXS{desk} FXS 2001 idle
	// sim.FXO{pstn} FXO 5550100 idle
}
