package ivr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Channel is the caller's leg as the interpreter sees it. The appliance
// implements it over its SIP channel (or an analog port). One Run calls it
// from one goroutine, one method at a time. When the caller hangs up, every
// blocking method returns an error (the Run ends with it, wrapped).
type Channel interface {
	// Play plays the named prompts one after the other. With interrupt
	// set, a key the caller presses stops playback and is returned; it
	// stays queued for the next ReadDigit (the interpreter reads keys only
	// with ReadDigit). Otherwise, and when the prompts end, Play returns 0.
	// The interpreter reuses the prompts slice: Play must not keep it.
	Play(prompts []string, interrupt bool) (byte, error)
	// ReadDigit returns the next key the caller presses ('0'-'9', '*',
	// '#', 'A'-'D'), waiting at most timeout; 0 and no error on timeout.
	ReadDigit(timeout time.Duration) (byte, error)
	// Record records what the caller says for at most max, or until the
	// caller presses # (the key is consumed), after a beep when beep is set,
	// and returns a reference to the recording (a file name) for the flow
	// to store. An error other than a hang-up takes the record block's
	// failure edge.
	Record(max time.Duration, beep bool) (string, error)
	// Transfer hands the call to an extension, a queue or a voicemail box.
	// It returns nil when the call has left the flow (bridged, queued,
	// message left), and then the Run ends; an error (busy, no answer, no
	// such target) takes the goto block's failure edge unless the caller
	// has hung up.
	Transfer(kind TargetKind, target string, opts TransferOptions) error
}

// TransferOptions carry what set blocks decided for the call's next hop.
type TransferOptions struct {
	RingFor  time.Duration  // extensions: how long to ring; 0 for the appliance's default
	Priority int            // queues: the caller's priority (higher waits ahead)
	Skills   map[string]int // queues: skills the agent needs, with minimum levels; nil for none
}

// Sayer spells values as lists of prompt names; media/prompt's English
// (or prompt.Lookup(lang)) implements it.
type Sayer interface {
	Number(n int64) []string
	Digits(s string) []string
	Time(t time.Time) []string
	Date(t time.Time) []string
}

// Custom is a block kind the appliance adds (agent login, logout, pause):
// how the validator checks its blocks and how the interpreter runs them.
type Custom struct {
	// Exits are the exit names a block of this kind has; every one must
	// be mapped in the block's Exits to an existing block.
	Exits []string
	// Waits reports that a block of this kind waits for the caller (reads
	// digits or records), so a loop through it cannot spin.
	Waits bool
	// Check validates a block's Params; nil accepts any. Its error is
	// reported against the block's params field.
	Check func(params json.RawMessage) error
	// Run runs a block and returns the name of the exit to take. It may use
	// c.Channel and the call's variables; an error ends the Run.
	Run func(ctx context.Context, c *Call, params json.RawMessage) (exit string, err error)
}

// Kinds is a registry of custom block kinds, filled once at start-up and
// then only read (safe for concurrent Runs). The zero value is empty.
type Kinds struct {
	m map[Kind]Custom
}

// Register adds a custom kind. Its name is lower-case letters, digits and
// underscores and may not be a built-in kind; Run is required.
func (k *Kinds) Register(name Kind, c Custom) error {
	if builtin(name) {
		return fmt.Errorf("ivr: kind %q is built in", name)
	}
	if !validName(string(name), 32) || string(name) != lowerName(string(name)) {
		return fmt.Errorf("ivr: kind %q: not a lower-case name", name)
	}
	if c.Run == nil {
		return fmt.Errorf("ivr: kind %q: no Run function", name)
	}
	if _, dup := k.m[name]; dup {
		return fmt.Errorf("ivr: kind %q registered twice", name)
	}
	if k.m == nil {
		k.m = make(map[Kind]Custom)
	}
	k.m[name] = c
	return nil
}

// lookup returns the custom kind name (false when not registered).
func (k *Kinds) lookup(name Kind) (Custom, bool) {
	if k == nil {
		return Custom{}, false
	}
	c, ok := k.m[name]
	return c, ok
}

// The errors a Run returns, wrapped with the block they happened in.
var (
	// ErrStepLimit: the Run executed RunOptions.MaxSteps blocks; the flow
	// (or a chain of flows) loops without end.
	ErrStepLimit = errors.New("ivr: step limit reached")
	// ErrNoFlow: a goto names a flow that RunOptions.Flows does not have.
	ErrNoFlow = errors.New("ivr: no such flow")
	// ErrInvalid wraps every validation error (see *ValidationError).
	ErrInvalid = errors.New("ivr: invalid flow")
)
