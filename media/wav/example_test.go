package wav_test

import (
	"fmt"
	"os"
	"path/filepath"

	"deskline/media/wav"
)

func Example() {
	dir, _ := os.MkdirTemp("", "wav")
	defer os.RemoveAll(dir)
	f, _ := os.Create(filepath.Join(dir, "rec.wav"))
	defer f.Close()

	// Record half a second of µ-law, one 20 ms frame at a time.
	w, err := wav.NewWriter(f, 1, wav.ULaw)
	if err != nil {
		panic(err)
	}
	frame := make([]int16, 160)
	for range 25 {
		w.Write(frame)
	}
	w.Close() // or Flush now and then: the file is valid up to each Flush

	b, _ := os.ReadFile(f.Name())
	a, err := wav.Decode(b)
	if err != nil {
		panic(err)
	}
	fmt.Println(a.Rate, "Hz,", a.Channels, "channel,", a.Duration(), "s,", len(a.To8kMono()), "samples at 8 kHz")
	// Output: 8000 Hz, 1 channel, 0.5 s, 4000 samples at 8 kHz
}
