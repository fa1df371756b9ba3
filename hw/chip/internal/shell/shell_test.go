package shell

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"deskline/hw"

	"github.com/jonboulle/clockwork"
)

// Without an Audio, frames are silence paced by the clock, and Halt
// unblocks a waiting reader.
func TestSilenceWithoutAudio(t *testing.T) {
	c := clockwork.NewFakeClock()
	polls := 0
	s := Start(Config{Name: "test", Kind: hw.FXS, Clock: c, Period: 4 * time.Millisecond,
		Poll:  func(time.Time, bool) time.Time { polls++; return time.Time{} },
		Inert: func() error { return nil }})
	done := make(chan error, 1)
	f := hw.Frame{1, 2, 3}
	go func() { done <- s.ReadFrame(&f) }()
	c.BlockUntilContext(context.Background(), 2) // the sampling loop and the reader
	c.Advance(19 * time.Millisecond)
	select {
	case <-done:
		t.Fatal("frame before 20 ms")
	case <-time.After(10 * time.Millisecond):
	}
	c.Advance(time.Millisecond)
	if err := <-done; err != nil || f != (hw.Frame{}) {
		t.Fatalf("ReadFrame = %v, frame %v; want silence", err, f[:3])
	}
	if err := s.WriteFrame(&f); err != nil {
		t.Fatalf("WriteFrame = %v", err)
	}
	go func() { done <- s.ReadFrame(&f) }()
	c.BlockUntilContext(context.Background(), 2)
	if err := s.Halt(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, hw.ErrHalted) {
		t.Fatalf("ReadFrame across Halt = %v, want ErrHalted", err)
	}
	if polls == 0 {
		t.Error("the chip was never sampled")
	}
	if _, ok := <-s.Events(); ok {
		t.Error("Events not closed by Halt")
	}
}

func TestAlarmsOncePerEpisode(t *testing.T) {
	var a Alarms
	got := []bool{a.Raise(3, true), a.Raise(3, true), a.Active(3), a.Raise(3, false), a.Raise(3, true)}
	if want := []bool{true, false, true, false, true}; !slices.Equal(got, want) {
		t.Errorf("Raise sequence = %v, want %v", got, want)
	}
}
