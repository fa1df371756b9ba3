// Package ivrtest provides a scripted fake of ivr.Channel for tests of
// flows and of code built on the interpreter.
//
// Imports: ivr. Importers: tests only.
package ivrtest

import (
	"errors"
	"slices"
	"strings"
	"time"

	"deskline/ivr"
)

// ErrHungUp is returned by the Fake once its script has run out and it
// has nothing more to answer: the caller hung up.
var ErrHungUp = errors.New("ivrtest: the caller hung up")

// Fake is a caller following a script. Keys holds what the caller presses,
// in order, each consumed by one ReadDigit: a key ('0'-'9', '*', '#',
// 'A'-'D') is pressed, '.' lets the read time out, and once Keys is used up
// the next read hangs up. An interruptible Play is cut short by the next
// key and returns it without consuming it, like the appliance's channel.
// Every call is recorded.
type Fake struct {
	Keys string
	// TransferErr answers Transfer: a key "kind:target" mapped to the error
	// to return; targets not listed succeed.
	TransferErr map[string]error
	// RecordErr, when set, is returned by Record.
	RecordErr error

	Played    [][]string // every Play's prompts, in order
	Reads     []time.Duration
	Transfers []Transfer
	Records   []Record
	pos       int
}

// Transfer is one Transfer call.
type Transfer struct {
	Kind   ivr.TargetKind
	Target string
	Opts   ivr.TransferOptions
}

// Record is one Record call.
type Record struct {
	Max  time.Duration
	Beep bool
}

// next takes the next scripted key: the key, or 0 for a '.' (a timeout).
func (f *Fake) next() (byte, error) {
	if f.pos >= len(f.Keys) {
		return 0, ErrHungUp
	}
	k := f.Keys[f.pos]
	f.pos++
	if k == '.' {
		return 0, nil
	}
	return k, nil
}

// Play records the prompts. Played interruptibly, it returns the next
// scripted key without consuming it (the key stays for ReadDigit); 0 when
// the next entry is a '.' or there is none.
func (f *Fake) Play(prompts []string, interrupt bool) (byte, error) {
	f.Played = append(f.Played, slices.Clone(prompts))
	if !interrupt || f.pos >= len(f.Keys) || f.Keys[f.pos] == '.' {
		return 0, nil
	}
	return f.Keys[f.pos], nil
}

// ReadDigit returns the next scripted key, 0 for '.', or ErrHungUp.
func (f *Fake) ReadDigit(timeout time.Duration) (byte, error) {
	f.Reads = append(f.Reads, timeout)
	return f.next()
}

// Record records the call and returns a made-up file name.
func (f *Fake) Record(max time.Duration, beep bool) (string, error) {
	f.Records = append(f.Records, Record{max, beep})
	if f.RecordErr != nil {
		return "", f.RecordErr
	}
	return "rec-" + strings.Repeat("x", len(f.Records)) + ".wav", nil
}

// Transfer records the call and answers from TransferErr.
func (f *Fake) Transfer(kind ivr.TargetKind, target string, opts ivr.TransferOptions) error {
	f.Transfers = append(f.Transfers, Transfer{kind, target, opts})
	return f.TransferErr[string(kind)+":"+target]
}

// Heard returns every prompt played, in order, as one list.
func (f *Fake) Heard() []string {
	var all []string
	for _, p := range f.Played {
		all = append(all, p...)
	}
	return all
}

var _ ivr.Channel = (*Fake)(nil)
