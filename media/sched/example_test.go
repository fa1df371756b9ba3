package sched_test

import (
	"context"
	"fmt"
	"time"

	"deskline/media/sched"
)

func Example() {
	s := sched.New(nil) // one per process; 20 ms frames on the system clock
	ctx, cancel := context.WithTimeout(context.Background(), 95*time.Millisecond)
	defer cancel()

	frames := 0
	remove := s.Add(sched.StreamFunc(func(n int64) {
		// A tone or prompt stream would read one frame from its generator
		// here and send it; n numbers the frame since Add.
		frames++
	}))
	defer remove()

	s.Run(ctx) // usually in its own goroutine, for the process's lifetime
	fmt.Println(frames >= 4 && frames <= 5)
	// Output: true
}
