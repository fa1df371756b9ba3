// Package sched paces generated media streams — tones, prompts, music on
// hold — from one clock: each stream's frames are computed from the time
// elapsed since it started, not counted from ticks, so streams neither
// drift when wake-ups are late nor burst when the CPU is busy.
//
// One Scheduler serves every generated stream of the process. Its owner
// runs Run in one goroutine; streams are added and removed from any
// goroutine. Frame k of a stream is due at start + k·Opts.Frame. At each
// wake-up the Scheduler calls Frame for every due frame, in order, except
// that it never delivers more than Opts.MaxCatchUp frames of one stream in
// one wake-up: after a late wake-up the oldest owed frames are skipped
// (the stream sees a gap in frame numbers and can jump its RTP timestamp),
// so a stream stays aligned to the clock and the peer's jitter buffer sees
// at most MaxCatchUp frames at once.
//
// Imports: the standard library only. Importers: the media engine.
package sched

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Stream is a generated stream the Scheduler paces.
type Stream interface {
	// Frame produces and sends frame number n (0 for the frame due when
	// the stream was added). It is called from the Scheduler's goroutine,
	// never concurrently for one Stream, with n increasing; a jump in n
	// means frames were skipped after a late wake-up. It must not block:
	// every stream of the process waits for it.
	Frame(n int64)
}

// StreamFunc adapts a function to Stream.
type StreamFunc func(n int64)

// Frame calls f(n).
func (f StreamFunc) Frame(n int64) { f(n) }

// Timer is the part of a *time.Timer a Scheduler uses.
type Timer interface {
	C() <-chan time.Time
	// Reset makes the timer fire after d (at once for d <= 0), dropping
	// any earlier setting.
	Reset(d time.Duration)
	Stop()
}

// Clock is the Scheduler's source of time. Tests inject a fake one.
type Clock interface {
	Now() time.Time
	NewTimer(d time.Duration) Timer
}

// Opts configures a Scheduler. The zero value (or nil) is valid.
type Opts struct {
	// Frame is the frame period. Default 20 ms.
	Frame time.Duration
	// MaxCatchUp is the most frames of one stream delivered in one
	// wake-up. Default 3 (60 ms of 20 ms frames).
	MaxCatchUp int
	// Clock defaults to the system clock.
	Clock Clock
}

// Scheduler paces Streams. Create it with New.
type Scheduler struct {
	frame    time.Duration
	catchUp  int64
	clock    Clock
	wake     chan struct{}
	mu       sync.Mutex
	entries  []*entry // guarded by mu
	snapshot []*entry // owned by the goroutine running Tick
}

type entry struct {
	s       Stream
	start   time.Time
	next    int64 // next frame to deliver; touched only by Tick
	removed atomic.Bool
}

// New returns a Scheduler with options o (nil for the defaults).
func New(o *Opts) *Scheduler {
	s := &Scheduler{frame: 20 * time.Millisecond, catchUp: 3, clock: systemClock{}, wake: make(chan struct{}, 1)}
	if o != nil {
		if o.Frame > 0 {
			s.frame = o.Frame
		}
		if o.MaxCatchUp > 0 {
			s.catchUp = int64(o.MaxCatchUp)
		}
		if o.Clock != nil {
			s.clock = o.Clock
		}
	}
	return s
}

// Add starts pacing st: its frame 0 is due now. It returns the function
// that stops it; after that function returns no new Frame call for st
// starts (one already running may finish). Safe for concurrent use, and
// from within Frame.
func (s *Scheduler) Add(st Stream) (remove func()) {
	e := &entry{s: st, start: s.clock.Now()}
	s.mu.Lock()
	s.entries = append(s.entries, e)
	s.mu.Unlock()
	s.poke()
	return func() {
		if e.removed.Swap(true) {
			return
		}
		s.mu.Lock()
		for i, x := range s.entries {
			if x == e {
				s.entries = append(s.entries[:i], s.entries[i+1:]...)
				break
			}
		}
		s.mu.Unlock()
	}
}

// Len returns the number of streams being paced.
func (s *Scheduler) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.entries)
}

func (s *Scheduler) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Tick delivers every frame due at now and returns when the next frame
// is due (the zero Time when there are no streams). Run calls it at each
// wake-up; call it directly only when no Run is running (for instance to
// drive a Scheduler from a simulation). It allocates nothing once the
// number of streams has stopped growing, and it holds no lock while
// calling Frame.
func (s *Scheduler) Tick(now time.Time) time.Time {
	s.mu.Lock()
	s.snapshot = append(s.snapshot[:0], s.entries...)
	s.mu.Unlock()
	var next time.Time
	for _, e := range s.snapshot {
		due := int64(now.Sub(e.start)/s.frame) + 1 // frames 0..due-1 are due
		if now.Before(e.start) {
			due = 0
		}
		if due-e.next > s.catchUp {
			e.next = due - s.catchUp // late: skip the oldest frames
		}
		for ; e.next < due && !e.removed.Load(); e.next++ {
			e.s.Frame(e.next)
		}
		if e.removed.Load() {
			continue
		}
		at := e.start.Add(time.Duration(e.next) * s.frame)
		if next.IsZero() || at.Before(next) {
			next = at
		}
	}
	clear(s.snapshot) // drop references to removed streams
	return next
}

// Run paces streams until ctx is done, then returns ctx.Err(). Only one
// Run may be running per Scheduler.
func (s *Scheduler) Run(ctx context.Context) error {
	t := s.clock.NewTimer(time.Hour)
	defer t.Stop()
	for {
		if next := s.Tick(s.clock.Now()); next.IsZero() {
			t.Reset(time.Hour)
		} else {
			t.Reset(next.Sub(s.clock.Now()))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C():
		case <-s.wake:
		}
	}
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }
func (systemClock) NewTimer(d time.Duration) Timer {
	return sysTimer{time.NewTimer(d)}
}

type sysTimer struct{ t *time.Timer }

func (t sysTimer) C() <-chan time.Time   { return t.t.C }
func (t sysTimer) Reset(d time.Duration) { t.t.Reset(d) }
func (t sysTimer) Stop()                 { t.t.Stop() }
