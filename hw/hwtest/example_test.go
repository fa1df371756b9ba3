package hwtest_test

import (
	"fmt"

	"deskline/hw/hwtest"
)

// The rules every hw.Port implementation passes. A driver's test calls
// hwtest.Run(t, newFixture) with a Fixture built on its fake device, as
// TestSimFXS does for the simulator.
func ExampleRules() {
	for _, r := range hwtest.Rules() {
		fmt.Println(r)
	}
	// Output:
	// String names the port
	// Kind is FXS, FXO or USB
	// Events returns one channel
	// Ring on an FXO port is an error
	// Seize on an FXS or USB port is an error
	// Ring validates the cadence; StopRing is idempotent
	// Seize and Release are idempotent
	// frames are 20 ms of device time
	// events arrive in order
	// Halt is idempotent and leaves the port inert
	// no events after Halt
	// Halt unblocks ReadFrame and WriteFrame
	// no goroutine leaks after Halt
}
