package alsa

import (
	"errors"
	"testing"

	"deskline/hw"
)

func TestFakePacesAndBuffers(t *testing.T) {
	f := NewFake(2, 2)
	got := make(chan error, 1)
	var fr hw.Frame
	go func() { got <- f.ReadFrame(&fr) }()
	select {
	case <-got:
		t.Fatal("ReadFrame returned before the device captured a frame")
	default:
	}
	f.Speak([]int16{1, 2, 3})
	f.Tick()
	if err := <-got; err != nil || fr[0] != 1 || fr[2] != 3 || fr[3] != 0 {
		t.Fatalf("ReadFrame = %v, frame starts %v", err, fr[:4])
	}
	// Three periods unread with room for two: the oldest is dropped.
	f.Tick()
	f.Tick()
	f.Tick()
	if over, under := f.Stats(); over != 1 || under != 4 {
		t.Errorf("Stats() = %d overruns, %d underruns; want 1 and 4", over, under)
	}
	fr[0] = 7
	for range 2 {
		if err := f.WriteFrame(&fr); err != nil {
			t.Fatal(err)
		}
	}
	f.Tick()
	if h := f.Heard(); len(h) != 5*hw.FrameSamples || h[4*hw.FrameSamples] != 7 {
		t.Errorf("Heard() = %d samples, last frame starts %d; want 800 ending with the written frame", len(h), h[len(h)-hw.FrameSamples])
	}
	f.Close()
	if err := f.ReadFrame(&fr); !errors.Is(err, ErrClosed) {
		t.Errorf("ReadFrame after Close = %v", err)
	}
	if err := f.WriteFrame(&fr); !errors.Is(err, ErrClosed) {
		t.Errorf("WriteFrame after Close = %v", err)
	}
}
