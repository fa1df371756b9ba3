package alsa_test

import (
	"fmt"

	"deskline/hw"
	"deskline/hw/alsa"
)

// A driver reads and writes frames; the fake's Tick stands for 20 ms of the
// sound card's clock.
func ExampleFake() {
	pcm := alsa.NewFake(0, 0)
	defer pcm.Close()
	pcm.Speak([]int16{100, 200})
	pcm.Tick()
	var f hw.Frame
	if err := pcm.ReadFrame(&f); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f[0], f[1], f[2])
	// Output: 100 200 0
}
