package hw

import (
	"fmt"
	"sync"
	"time"
)

// EventType says what happened on a port.
type EventType uint8

const (
	_ EventType = iota
	// OffHook: FXS or USB telephone lifted (debounced), including answering
	// a ring.
	OffHook
	// OnHook: FXS or USB telephone hung up: on-hook for longer than the
	// flash window.
	OnHook
	// Flash: a hook flash (FXS on-hook inside the flash window, USB flash
	// key).
	Flash
	// Digit: a dialled digit the driver recognised itself: counted hook
	// pulses (Pulse is set), a chip's DTMF decoder, or a USB keypad. Most
	// DTMF arrives as audio and is detected by media, not here.
	Digit
	// RingStart and RingStop: FXO ringing voltage appeared (Count is the
	// ring number since the line was last idle, from 1) or went away.
	RingStart
	RingStop
	// CallerIDReceived: FXO caller ID decoded; CallerID holds it.
	CallerIDReceived
	// PolarityReversal: FXO line polarity flipped (answer or disconnect
	// supervision, depending on the exchange).
	PolarityReversal
	// LineUp and LineDown: FXO line voltage present or lost; USB device
	// attached or gone.
	LineUp
	LineDown
	// Alarm: the driver found a hardware fault it cannot hide (a chip that
	// reset itself, a power or battery alarm, a register reading no working
	// chip can return, a hook switch stuck off-hook); Err says which and
	// wraps the driver's sentinel. The port keeps running and reports the
	// same fault again only after it has cleared.
	Alarm
)

var eventNames = [...]string{
	OffHook: "OffHook", OnHook: "OnHook", Flash: "Flash", Digit: "Digit",
	RingStart: "RingStart", RingStop: "RingStop", CallerIDReceived: "CallerIDReceived",
	PolarityReversal: "PolarityReversal", LineUp: "LineUp", LineDown: "LineDown",
	Alarm: "Alarm",
}

func (t EventType) String() string {
	if int(t) < len(eventNames) && eventNames[t] != "" {
		return eventNames[t]
	}
	return fmt.Sprintf("EventType(%d)", uint8(t))
}

// Event is one thing that happened on a port.
type Event struct {
	Type EventType
	// Seq numbers the port's events from 1, without gaps as posted.
	Seq uint64
	// At is when the port recognised the event on its own clock; it trails
	// the physical edge by the debounce or classification delay.
	At time.Time
	// Digit is '0'-'9', '*', '#' or 'A'-'D' for Digit events.
	Digit byte
	// Pulse is set for Digit events counted from hook pulses.
	Pulse bool
	// Count is the ring number for RingStart.
	Count int
	// CallerID is set for CallerIDReceived.
	CallerID *CallerID
	// Err is set for Alarm.
	Err error
}

func (e Event) String() string {
	switch e.Type {
	case Digit:
		return fmt.Sprintf("#%d %v %q", e.Seq, e.Type, e.Digit)
	case RingStart:
		return fmt.Sprintf("#%d %v %d", e.Seq, e.Type, e.Count)
	case Alarm:
		return fmt.Sprintf("#%d %v: %v", e.Seq, e.Type, e.Err)
	}
	return fmt.Sprintf("#%d %v", e.Seq, e.Type)
}

// EventQueue implements the Events contract of Port for drivers: Post never
// blocks (events are queued without bound), one goroutine hands them to the
// channel in order, and Close stops that goroutine, waits for it, drops
// what was not received and closes the channel. The zero value is not
// usable; call NewEventQueue.
type EventQueue struct {
	c    chan Event
	wake chan struct{}
	done chan struct{}
	wg   sync.WaitGroup
	once sync.Once

	mu      sync.Mutex
	pending []Event
	holding bool // deliver holds an event taken from pending, not yet received
	seq     uint64
	closed  bool
}

// NewEventQueue starts a queue and its delivery goroutine.
func NewEventQueue() *EventQueue {
	q := &EventQueue{
		c:    make(chan Event), // unbuffered: after Close nothing is left in flight
		wake: make(chan struct{}, 1),
		done: make(chan struct{}),
	}
	q.wg.Add(1)
	go q.deliver()
	return q
}

// C is the channel events are delivered on; it is closed by Close.
func (q *EventQueue) C() <-chan Event { return q.c }

// Post assigns e the next Seq and queues it. It never blocks and may be
// called with the caller's own locks held. It reports false, dropping e,
// after Close.
func (q *EventQueue) Post(e Event) bool {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return false
	}
	q.seq++
	e.Seq = q.seq
	q.pending = append(q.pending, e)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return true
}

// Len is the number of events posted and not yet handed over on C. Right
// after a receive it may still count the event just received, until the
// delivery goroutine notes the hand-over; a test that wants to know the
// queue is empty checks until Len is 0 while receiving anything that comes.
func (q *EventQueue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := len(q.pending)
	if q.holding {
		n++
	}
	return n
}

// Close stops delivery, waits for the delivery goroutine to exit, and
// closes C. Events not yet received are dropped. It is idempotent and safe
// for concurrent use; every call returns after C is closed.
func (q *EventQueue) Close() {
	q.once.Do(func() {
		q.mu.Lock()
		q.closed = true
		q.pending = nil
		q.mu.Unlock()
		close(q.done)
		q.wg.Wait()
		close(q.c)
	})
}

func (q *EventQueue) deliver() {
	defer q.wg.Done()
	for {
		q.mu.Lock()
		if len(q.pending) == 0 {
			q.mu.Unlock()
			select {
			case <-q.wake:
				continue
			case <-q.done:
				return
			}
		}
		e := q.pending[0]
		q.pending[0] = Event{}
		q.pending = q.pending[1:]
		q.holding = true
		q.mu.Unlock()
		select {
		case q.c <- e:
		case <-q.done:
			return
		}
		q.mu.Lock()
		q.holding = false
		q.mu.Unlock()
	}
}
