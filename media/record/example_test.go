package record_test

import (
	"fmt"
	"os"

	"deskline/media/record"
	"deskline/media/wav"
)

func Example() {
	dir, _ := os.MkdirTemp("", "rec")
	defer os.RemoveAll(dir)

	// At start-up: finish recordings a power cut interrupted.
	if _, err := record.Recover(dir); err != nil {
		fmt.Println(err)
	}

	r, err := record.Create(dir, "call-42", record.Options{MinFree: -1})
	if err != nil {
		panic(err)
	}
	caller, callee := make([]int16, 160), make([]int16, 160)
	for range 50 { // one second; called once per 20 ms frame
		if err := r.Write(caller, callee); err != nil {
			r.Close() // keeps what was flushed
			panic(err)
		}
	}
	if err := r.Close(); err != nil {
		panic(err)
	}
	b, _ := os.ReadFile(dir + "/call-42.wav")
	a, _ := wav.Decode(b)
	fmt.Println(a.Channels, "channels,", a.Duration(), "s")
	// Output: 2 channels, 1 s
}
