package hw_test

import (
	"errors"
	"runtime"
	"testing"
	"time"

	"deskline/hw"
)

func TestEventQueueOrderAndClose(t *testing.T) {
	before := runtime.NumGoroutine()
	q := hw.NewEventQueue()
	for i := range 100 {
		if !q.Post(hw.Event{Type: hw.Digit, Digit: byte('0' + i%10)}) {
			t.Fatalf("Post #%d = false before Close", i)
		}
	}
	for i := range 100 {
		e := <-q.C()
		if e.Seq != uint64(i+1) || e.Digit != byte('0'+i%10) {
			t.Fatalf("event %d = %v, want Seq %d digit %q", i, e, i+1, rune('0'+i%10))
		}
	}
	q.Post(hw.Event{Type: hw.OnHook}) // left undelivered
	q.Close()
	q.Close()
	if e, ok := <-q.C(); ok {
		t.Errorf("received %v after Close, want closed channel", e)
	}
	if q.Post(hw.Event{Type: hw.OffHook}) {
		t.Errorf("Post after Close = true, want false")
	}
	waitGoroutines(t, before)
}

func waitGoroutines(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > want {
		if time.Now().After(deadline) {
			t.Fatalf("goroutines = %d, want <= %d", runtime.NumGoroutine(), want)
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
}

func TestCadenceValidate(t *testing.T) {
	for _, tc := range []struct {
		c  hw.Cadence
		ok bool
	}{
		{hw.Cadence{2 * time.Second, 4 * time.Second}, true},
		{hw.Cadence{400 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 2 * time.Second}, true},
		{nil, false},
		{hw.Cadence{time.Second}, false},
		{hw.Cadence{time.Second, 0}, false},
		{hw.Cadence{-time.Second, time.Second}, false},
	} {
		err := tc.c.Validate()
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, hw.ErrInvalid)) {
			t.Errorf("Cadence(%v).Validate() = %v, want ok=%v", tc.c, err, tc.ok)
		}
	}
	if p := (hw.Cadence{2 * time.Second, 4 * time.Second}).Period(); p != 6*time.Second {
		t.Errorf("Period = %v, want 6s", p)
	}
	if hw.FrameDuration != 20*time.Millisecond {
		t.Errorf("FrameDuration = %v, want 20ms", hw.FrameDuration)
	}
}

func TestNames(t *testing.T) {
	if s := hw.FXO.String(); s != "FXO" {
		t.Errorf("FXO.String() = %q", s)
	}
	if s := hw.RingStart.String(); s != "RingStart" {
		t.Errorf("RingStart.String() = %q", s)
	}
	if s := hw.EventType(200).String(); s != "EventType(200)" {
		t.Errorf("EventType(200).String() = %q", s)
	}
}
