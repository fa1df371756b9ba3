package sched_test

import (
	"fmt"
	"time"

	"deskline/media/sched"
	"deskline/media/sched/schedtest"
)

func Example() {
	// In the appliance: s := sched.New(nil) once per process, and
	// go s.Run(ctx) for its lifetime. Here a fake clock shows the policy.
	clock := schedtest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	s := sched.New(&sched.Opts{Clock: clock}) // 20 ms frames, catch up by 3

	remove := s.Add(sched.StreamFunc(func(n int64) {
		// A tone or prompt stream reads frame n from its generator here
		// and sends it (RTP timestamp = n·160).
		fmt.Println("frame", n)
	}))
	defer remove()

	s.Tick(clock.Now()) // frame 0 is due at once
	clock.Advance(20 * time.Millisecond)
	s.Tick(clock.Now())                   // frame 1
	clock.Advance(130 * time.Millisecond) // a late wake-up: frames 2..7 owed
	next := s.Tick(clock.Now())           // only the newest 3 are sent
	fmt.Println("next frame due in", next.Sub(clock.Now()))
	// Output:
	// frame 0
	// frame 1
	// frame 5
	// frame 6
	// frame 7
	// next frame due in 10ms
}
