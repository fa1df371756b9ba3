package ports

import (
	"testing"
	"time"

	"deskline/hw"
	"deskline/media/fsk"
)

// FuzzCallerIDMessage: whatever a caller's SIP From header holds, the
// caller-ID message sent to an FXS port is well formed and carries the
// printable part of number and name.
func FuzzCallerIDMessage(f *testing.F) {
	f.Add("1001", "Alice")
	f.Add("", "")
	f.Add("+33 1 40 00 00 00", "Zoë \x00\x1b[2J Ünïcode name much too long")
	f.Fuzz(func(t *testing.T, number, name string) {
		at := time.Date(2026, 3, 4, 5, 6, 0, 0, time.UTC)
		msg := cidMessage(hw.CallerID{Number: number, Name: name, Time: at})
		if msg == nil {
			return // nothing a message could carry
		}
		c, err := fsk.ParseMessage(msg)
		if err != nil {
			t.Fatalf("message for %q %q does not parse: %v", number, name, err)
		}
		if c.Number != printable(number) || c.Name != printable(name) {
			t.Errorf("message carries %q %q, want %q %q", c.Number, c.Name, printable(number), printable(name))
		}
	})
}
