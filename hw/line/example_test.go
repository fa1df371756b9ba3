package line_test

import (
	"fmt"
	"time"

	"deskline/hw"
	"deskline/hw/line"
)

// A driver polls the hook switch every 5 ms and feeds the Hook; here the
// phone is lifted, dials 2 on a rotary dial and hangs up.
func ExampleHook() {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h, err := line.NewHook(nil, func(e hw.Event) {
		fmt.Printf("%v at +%v\n", e.Type, e.At.Sub(start))
	})
	if err != nil {
		panic(err)
	}
	// The hook level over time: off-hook, two 60 ms breaks, then on-hook.
	level := func(t time.Duration) bool {
		switch {
		case t < 500*time.Millisecond:
			return true
		case t < 560*time.Millisecond, t >= 600*time.Millisecond && t < 660*time.Millisecond:
			return false
		case t < 1500*time.Millisecond:
			return true
		}
		return false
	}
	for t := time.Duration(0); t < 3*time.Second; t += 5 * time.Millisecond {
		h.Sample(level(t), start.Add(t))
	}
	// Output:
	// OffHook at +10ms
	// Digit at +810ms
	// OnHook at +2.3s
}

// The caller-ID moment of US ringing: half a second into the first silence.
func ExampleRinger() {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	us, _ := line.Cadence("us")
	r, _ := line.NewRinger(us, start, nil)
	cid, _ := r.CallerIDAt()
	on, next := r.At(start)
	fmt.Println(on, next.Sub(start), cid.Sub(start))
	// Output: true 2s 2.5s
}
