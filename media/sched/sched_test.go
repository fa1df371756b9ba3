package sched_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"deskline/media/sched"
	"deskline/media/sched/schedtest"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

const frame = 20 * time.Millisecond

// recorder is a Stream that records frame numbers and when they came.
type recorder struct {
	clock *schedtest.Clock
	n     []int64
	at    []time.Time
}

func (r *recorder) Frame(n int64) {
	r.n = append(r.n, n)
	r.at = append(r.at, r.clock.Now())
}

func setup(o sched.Opts) (*schedtest.Clock, *sched.Scheduler, *recorder) {
	c := schedtest.NewClock(t0)
	o.Clock = c
	s := sched.New(&o)
	r := &recorder{clock: c}
	s.Add(r)
	return c, s, r
}

func TestSteady(t *testing.T) {
	c, s, r := setup(sched.Opts{})
	for i := range 100 {
		next := s.Tick(c.Now())
		if want := t0.Add(time.Duration(i+1) * frame); !next.Equal(want) {
			t.Fatalf("tick %d: next due %v, want %v", i, next.Sub(t0), want.Sub(t0))
		}
		c.Set(next)
	}
	for i, n := range r.n {
		if n != int64(i) {
			t.Fatalf("frame %d numbered %d", i, n)
		}
	}
	if len(r.n) != 100 {
		t.Fatalf("%d frames in 100 ticks, want 100", len(r.n))
	}
}

func TestEarlyWakeDeliversNothing(t *testing.T) {
	c, s, r := setup(sched.Opts{})
	s.Tick(c.Now())
	c.Advance(frame - time.Millisecond)
	s.Tick(c.Now())
	if len(r.n) != 1 {
		t.Fatalf("%d frames after an early wake-up, want 1", len(r.n))
	}
}

// TestLateWakeUp: a wake-up 149 ms late (as measured on a saturated CPU)
// delivers at most MaxCatchUp frames, skips the oldest, and the stream
// stays on its 20 ms grid.
func TestLateWakeUp(t *testing.T) {
	for _, catchUp := range []int{0, 1, 3, 5} {
		c, s, r := setup(sched.Opts{MaxCatchUp: catchUp})
		want := max(catchUp, 0)
		if want == 0 {
			want = 3 // the default
		}
		s.Tick(c.Now()) // frame 0
		c.Advance(149 * time.Millisecond)
		next := s.Tick(c.Now()) // frames 1..7 are owed
		got := r.n[1:]
		if len(got) != want {
			t.Fatalf("MaxCatchUp %d: %d frames after 149 ms, want %d", catchUp, len(got), want)
		}
		if got[len(got)-1] != 7 {
			t.Errorf("MaxCatchUp %d: last frame %d, want 7 (the newest owed)", catchUp, got[len(got)-1])
		}
		if !next.Equal(t0.Add(8 * frame)) {
			t.Errorf("MaxCatchUp %d: next due at %v, want 160ms (on the grid)", catchUp, next.Sub(t0))
		}
		// And back to one frame per period.
		c.Set(next)
		s.Tick(c.Now())
		if n := r.n[len(r.n)-1]; n != 8 || len(r.n) != 1+want+1 {
			t.Errorf("MaxCatchUp %d: after catching up got frame %d (%d total)", catchUp, n, len(r.n))
		}
	}
}

// TestNoDrift: wake-ups late by random amounts below MaxCatchUp frames
// lose nothing and gain nothing over ten minutes.
func TestNoDrift(t *testing.T) {
	c, s, r := setup(sched.Opts{})
	rng := rand.New(rand.NewPCG(1, 1))
	end := t0.Add(10 * time.Minute)
	for next := s.Tick(c.Now()); c.Now().Before(end); {
		c.Set(next.Add(time.Duration(rng.Int64N(int64(45 * time.Millisecond)))))
		next = s.Tick(c.Now())
	}
	wantFrames := int64(c.Now().Sub(t0)/frame) + 1
	if int64(len(r.n)) != wantFrames {
		t.Fatalf("%d frames over %v, want %d", len(r.n), c.Now().Sub(t0), wantFrames)
	}
	for i, n := range r.n {
		due := t0.Add(time.Duration(n) * frame)
		if n != int64(i) || r.at[i].Before(due) {
			t.Fatalf("frame %d: number %d delivered at %v, due %v", i, n, r.at[i].Sub(t0), due.Sub(t0))
		}
	}
}

func TestStreamsKeepTheirOwnPhase(t *testing.T) {
	c, s, a := setup(sched.Opts{})
	c.Advance(7 * time.Millisecond)
	b := &recorder{clock: c}
	s.Add(b)
	next := s.Tick(c.Now()) // a: frame 0; b: frame 0
	if !next.Equal(t0.Add(frame)) {
		t.Fatalf("next due at %v, want 20ms", next.Sub(t0))
	}
	c.Set(next)
	next = s.Tick(c.Now()) // a: frame 1
	if !next.Equal(t0.Add(27 * time.Millisecond)) {
		t.Fatalf("next due at %v, want 27ms", next.Sub(t0))
	}
	if len(a.n) != 2 || len(b.n) != 1 {
		t.Fatalf("a got %v, b got %v; want 2 and 1 frames", a.n, b.n)
	}
}

func TestRemove(t *testing.T) {
	c := schedtest.NewClock(t0)
	s := sched.New(&sched.Opts{Clock: c})
	var calls int
	var remove func()
	remove = s.Add(sched.StreamFunc(func(n int64) {
		calls++
		if n == 9 { // frames 8, 9, 10 are delivered after the 200 ms jump
			remove() // from inside Frame
		}
	}))
	c.Advance(10 * frame)
	s.Tick(c.Now())
	s.Tick(c.Now().Add(frame))
	if calls != 2 || s.Len() != 0 {
		t.Fatalf("%d calls, %d streams after removing at frame 9; want 2 and 0", calls, s.Len())
	}
	remove() // twice is harmless
}

func TestTickAllocatesNothing(t *testing.T) {
	c := schedtest.NewClock(t0)
	s := sched.New(&sched.Opts{Clock: c})
	for range 50 {
		s.Add(sched.StreamFunc(func(int64) {}))
	}
	now := t0
	if n := testing.AllocsPerRun(100, func() {
		now = now.Add(frame)
		s.Tick(now)
	}); n != 0 {
		t.Errorf("Tick with 50 streams allocates %v times, want 0", n)
	}
}

// TestRun drives Run through the fake clock: frames come when time
// passes, a late wake-up catches up by MaxCatchUp, and Run stops when its
// context ends.
func TestRun(t *testing.T) {
	c := schedtest.NewClock(t0)
	s := sched.New(&sched.Opts{Clock: c})
	frames := make(chan int64, 16)
	s.Add(sched.StreamFunc(func(n int64) { frames <- n }))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()

	expect := func(want ...int64) {
		t.Helper()
		for _, w := range want {
			select {
			case n := <-frames:
				if n != w {
					t.Fatalf("frame %d, want %d", n, w)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("no frame %d within 5 s", w)
			}
		}
	}
	expect(0)
	for i := range int64(5) {
		c.Advance(frame)
		expect(i + 1)
	}
	c.Advance(10 * frame) // late wake-up: frames 6..15 owed
	expect(13, 14, 15)
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("Run returned %v, want context.Canceled", err)
	}
	select {
	case n := <-frames:
		t.Fatalf("unexpected frame %d", n)
	default:
	}
}

// BenchmarkTick measures one wake-up with 100 streams each owed a frame:
// the scheduler's own cost per stream per frame is ns/op / 100.
func BenchmarkTick(b *testing.B) {
	c := schedtest.NewClock(t0)
	s := sched.New(&sched.Opts{Clock: c})
	for range 100 {
		s.Add(sched.StreamFunc(func(int64) {}))
	}
	now := t0
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(frame)
		s.Tick(now)
	}
}
