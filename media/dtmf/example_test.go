package dtmf_test

import (
	"fmt"
	"time"

	"deskline/media/dtmf"
)

func Example() {
	// Sending side: render "12#" as in-band tones, 20 ms frames.
	gen := dtmf.NewGenerator(nil)
	if err := gen.Play("12#", 70*time.Millisecond, 70*time.Millisecond); err != nil {
		panic(err)
	}
	// Receiving side: one Detector per leg, fed every frame in order.
	det := dtmf.NewDetector(nil)
	frame := make([]int16, 160)
	events := make([]dtmf.Event, 0, 4) // reused: Feed appends
	for !gen.Done() {
		gen.Read(frame)
		for _, e := range det.Feed(frame, events[:0]) {
			if e.Ended {
				fmt.Printf("%c ended after %v\n", e.Digit, e.Duration().Round(5*time.Millisecond))
			} else {
				at := time.Duration(e.Start) * time.Second / dtmf.SampleRate
				fmt.Printf("%c began at %v\n", e.Digit, at.Round(5*time.Millisecond))
			}
		}
	}
	// Output:
	// 1 began at 0s
	// 1 ended after 70ms
	// 2 began at 140ms
	// 2 ended after 70ms
	// # began at 280ms
	// # ended after 70ms
}
