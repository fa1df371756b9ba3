package jitter_test

import (
	"fmt"
	"time"

	"deskline/media/jitter"
)

func Example() {
	// One Buffer per terminated stream (here: a caller in the IVR). The
	// owner puts each decoded RTP packet as it arrives and gets a frame
	// at every 20 ms tick of the media scheduler.
	b := jitter.New(nil) // 40 ms to start with, adapting within 20..200 ms
	start := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	pcm := make([]int16, jitter.FrameSamples)
	out := make([]int16, jitter.FrameSamples)
	counts := map[jitter.Status]int{}
	for tick := range 100 {
		now := start.Add(time.Duration(tick) * 20 * time.Millisecond)
		// Packet 10 is lost; the others arrive on time.
		if seq := uint16(tick); seq != 10 {
			for i := range pcm {
				pcm[i] = 1000
			}
			b.Put(seq, uint32(tick)*jitter.FrameSamples, 0x1234, tick == 0, now, pcm)
		}
		counts[b.Get(out)]++
	}
	st := b.Stats()
	fmt.Println("normal:", counts[jitter.Normal], "concealed:", counts[jitter.Concealed], "empty:", counts[jitter.Empty])
	fmt.Println("received:", st.Received, "lost:", st.Lost)
	// On this steady network the delay has come down from 40 ms towards
	// the 20 ms minimum (within the 10 ms dead band).
	fmt.Println("delay:", st.Delay, "target:", st.Target)
	// Output:
	// normal: 97 concealed: 1 empty: 2
	// received: 99 lost: 1
	// delay: 30ms target: 20ms
}
