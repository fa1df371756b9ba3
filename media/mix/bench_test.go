package mix

import (
	"fmt"
	"testing"
)

// BenchmarkMix mixes one 20 ms tick of a conference of n talking parties,
// one of them whispering, inputs included.
func BenchmarkMix(b *testing.B) {
	for _, n := range []int{3, 10, 50} {
		for _, k := range []int{0, 4} {
			name := fmt.Sprintf("parties=%d", n)
			if k > 0 {
				name += fmt.Sprintf("/loudest=%d", k)
			}
			b.Run(name, func(b *testing.B) {
				m := New(&Options{MaxTalkers: k})
				ps := make([]*Party, n)
				for i := range ps {
					ps[i] = m.Add(i, Talk)
				}
				ps[n-1].SetMode(Whisper)
				ps[n-1].SetTarget(ps[0])
				frame := make([]int16, FrameSamples)
				tone(frame, 1000, amp, 0)
				b.ReportAllocs()
				for b.Loop() {
					for _, p := range ps {
						p.Put(frame)
					}
					m.Mix()
				}
			})
		}
	}
}
