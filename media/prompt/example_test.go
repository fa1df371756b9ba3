package prompt_test

import (
	"fmt"
	"time"

	"deskline/media/prompt"
)

func Example() {
	set := prompt.Default()
	// "You are caller number 3. Your estimated hold time is 4 minutes."
	names := []string{"you-are-caller-number"}
	names = append(names, prompt.SayNumber(3)...)
	names = append(names, "estimated-hold-time")
	names = append(names, prompt.SayDuration(4*time.Minute)...)
	p, err := set.Player(names...)
	if err != nil {
		panic(err)
	}
	p.Gap = 100 * time.Millisecond
	frame := make([]int16, prompt.FrameSamples)
	frames := 1
	for !p.Read(frame) { // called once per 20 ms by the stream scheduler
		frames++
	}
	fmt.Println(names)
	fmt.Println(frames == (p.Len()+prompt.FrameSamples-1)/prompt.FrameSamples)
	// Output:
	// [you-are-caller-number 3 estimated-hold-time 4 minutes]
	// true
}
