// Package line holds the line state machines every analog port driver
// shares: Hook reads an FXS telephone's hook switch (debounce, flash,
// hang-up, pulse dialling), Ringer generates a ring cadence and says when
// caller ID goes out, FXS combines the two with ring trip into the linefeed
// an FXS driver applies, and Monitor reads an FXO line (ringing, line
// voltage, polarity).
//
// Nothing here sleeps, starts goroutines or reads a clock. A driver samples
// its hardware (by polling every few milliseconds, or on an interrupt and at
// the time Deadline returns) and passes each sample with the time it was
// taken; the machines call emit synchronously from Sample. Times passed in
// must not go backwards. A machine is not safe for concurrent use: its
// driver serialises calls.
//
// Event times are the moments decisions became certain on the sample clock
// (an edge plus the debounce, a timer's expiry), not the sampling instants,
// so results do not depend on how often a driver samples as long as it
// samples at least once per debounce interval.
//
// Imports: hw only.
package line
