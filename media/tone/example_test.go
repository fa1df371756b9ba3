package tone_test

import (
	"fmt"

	"deskline/media/tone"
)

func Example() {
	busy, ok := tone.Lookup("DE", tone.Busy)
	if !ok {
		panic("no table")
	}
	g, err := tone.NewGenerator(busy)
	if err != nil {
		panic(err)
	}
	frame := make([]byte, tone.FrameSamples) // 20 ms of µ-law
	sounding := 0
	for range 50 { // one second: called once per frame by the stream scheduler
		g.ReadUlaw(frame)
		if frame[80] != 0xff { // 0xff is µ-law silence
			sounding++
		}
	}
	fmt.Println(busy.Segments[0].Freqs[0], "Hz,", busy.Period(), "period,", sounding, "of 50 frames sounding")
	// Output: 425 Hz, 960ms period, 26 of 50 frames sounding
}
