package hw_test

import (
	"fmt"

	"deskline/hw"
)

// A driver posts what it recognises; the consumer ranges over the channel
// until Halt (here Close) ends it.
func ExampleEventQueue() {
	q := hw.NewEventQueue()
	q.Post(hw.Event{Type: hw.OffHook})
	q.Post(hw.Event{Type: hw.Digit, Digit: '7', Pulse: true})
	q.Post(hw.Event{Type: hw.OnHook})
	for range 3 {
		fmt.Println(<-q.C())
	}
	q.Close()
	_, open := <-q.C()
	fmt.Println("open:", open)
	// Output:
	// #1 OffHook
	// #2 Digit '7'
	// #3 OnHook
	// open: false
}
