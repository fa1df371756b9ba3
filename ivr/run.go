package ivr

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// Defaults the interpreter uses for fields left at zero.
const (
	DefaultTimeout            = 5 * time.Second // menu and collect: the first key
	DefaultInterDigitTimeout  = 2 * time.Second // collect and dial-through: the next key
	DefaultMaxExtensionDigits = 6
	DefaultMaxSteps           = 1000
)

// RunOptions configure one Run. The zero value runs a flow without custom
// kinds, say values, dial-through or goto-flow, on the system clock.
type RunOptions struct {
	// Kinds run the flow's custom blocks.
	Kinds *Kinds
	// Sayer spells say blocks' values; nil plays only their prompts.
	Sayer Sayer
	// Now is the clock for time conditions and say time/date; nil is
	// time.Now.
	Now func() time.Time
	// ExtensionExists reports whether digits dialled in a menu with
	// dial_extensions are an extension to transfer to; nil turns
	// dial-through off.
	ExtensionExists func(number string) bool
	// Flows finds the flow a goto-flow block continues in (its latest
	// version); nil makes such a goto fail.
	Flows interface {
		Latest(id string) (*Published, bool)
	}
	// MaxSteps caps the blocks executed in one Run, across goto-flows: a
	// second safety net behind validation. 0 is DefaultMaxSteps.
	MaxSteps int
	// Vars are the variables the flow starts with (the caller's number,
	// digits dialled after a feature code); Run copies them.
	Vars map[string]string
	// OnStep, when set, gets every block executed, for the call's trace.
	// It runs on the Run's goroutine, between blocks, and should return
	// quickly.
	OnStep func(Step)
}

// Outcome says how a block ended, in a Step.
type Outcome string

// The outcomes of built-in blocks; a custom block's outcome is the name of
// the exit it took.
const (
	OutcomeNext            Outcome = "next"
	OutcomeOption          Outcome = "option"    // menu: a key of Options
	OutcomeExtension       Outcome = "extension" // menu: a dialled extension answered
	OutcomeInvalid         Outcome = "invalid"
	OutcomeTimeout         Outcome = "timeout"
	OutcomeFailure         Outcome = "failure" // retries used up, or a transfer or recording failed
	OutcomeMatch           Outcome = "match"
	OutcomeNoMatch         Outcome = "no_match"
	OutcomeHoliday         Outcome = "holiday"
	OutcomeTransferred     Outcome = "transferred"
	OutcomeFlow            Outcome = "flow" // goto another flow
	OutcomeHangup          Outcome = "hangup"
	OutcomeSkipped         Outcome = "skipped"          // say: the value did not parse
	OutcomeExtensionFailed Outcome = "extension_failed" // menu: a dialled extension did not answer; asked again
)

// Step is one block executed, as OnStep sees it. A menu or collect block
// reports its final outcome, once per execution (retries inside it are not
// separate steps).
type Step struct {
	N       int // 1 for the first block of the Run
	Flow    string
	Version int
	Block   string
	Kind    Kind
	Outcome Outcome
	Input   string // keys the caller entered, if any
	Next    string // the block that follows; "" when the Run ends
}

// End says how a Run ended.
type End string

// How Runs end.
const (
	EndHangup      End = "hangup"      // a hangup block, or a failure with no edge to take
	EndTransferred End = "transferred" // the call left the flow through Channel.Transfer
	EndError       End = "error"       // the caller hung up, a channel failed, or the step cap was hit
)

// Result is how a Run ended.
type Result struct {
	End     End
	Flow    string // the flow and version the Run ended in (goto-flow moves on)
	Version int
	Block   string     // the last block executed
	Target  TargetKind // EndTransferred: where the call went
	To      string
	Steps   int
	Vars    map[string]string // the variables at the end
}

// Call is the state of one Run that custom blocks see and change.
type Call struct {
	// Channel is the caller's channel.
	Channel Channel
	vars    map[string]string
	opts    TransferOptions
	now     func() time.Time
}

// Var returns a flow variable ("" when unset).
func (c *Call) Var(name string) string { return c.vars[name] }

// SetVar sets a flow variable.
func (c *Call) SetVar(name, value string) { c.vars[name] = value }

// Now returns the Run's clock.
func (c *Call) Now() time.Time { return c.now() }

// runner is one Run in progress.
type runner struct {
	ctx  context.Context
	p    *Published
	o    RunOptions
	call Call
	res  Result

	// The block being executed and what it did.
	id      string
	out     Outcome
	input   string
	digits  [MaxDigits]byte
	sayBuf  []string
	stopped bool // the Run ends after this block
}

// Run runs a published flow on a caller's channel from its entry block
// until the call leaves it (hang up, transfer) or fails. It returns when
// the flow ends; the caller's hang-up arrives as an error from the
// Channel, wrapped (Result.End is EndError). ctx is checked between
// blocks; the Channel's own methods return when the call ends.
//
// Run holds p for the whole call: a newer version published meanwhile is
// used by calls started after it, never by this one (a goto-flow takes the
// target's latest version when it happens).
func Run(ctx context.Context, p *Published, ch Channel, o RunOptions) (Result, error) {
	r := &runner{ctx: ctx, p: p, o: o}
	if r.o.MaxSteps <= 0 {
		r.o.MaxSteps = DefaultMaxSteps
	}
	if r.o.Now == nil {
		r.o.Now = time.Now
	}
	r.call = Call{Channel: ch, vars: make(map[string]string, len(o.Vars)+4), now: r.o.Now}
	for k, v := range o.Vars {
		r.call.vars[k] = v
	}
	r.res.Vars = r.call.vars
	cur := p.flow.Entry
	for {
		r.res.Flow, r.res.Version = r.p.flow.ID, r.p.flow.Version
		if err := ctx.Err(); err != nil {
			return r.fail(err)
		}
		if r.res.Steps >= r.o.MaxSteps {
			return r.fail(fmt.Errorf("%w: %d blocks in flow %q", ErrStepLimit, r.res.Steps, r.p.flow.ID))
		}
		r.res.Steps++
		b := r.p.flow.Blocks[cur]
		r.id, r.out, r.input, r.stopped = cur, OutcomeNext, "", false
		r.res.Block = cur
		next, err := r.exec(&b)
		if r.o.OnStep != nil {
			s := Step{N: r.res.Steps, Flow: r.p.flow.ID, Version: r.p.flow.Version, Block: cur, Kind: b.Kind, Outcome: r.out, Input: r.input}
			if err == nil && !r.stopped {
				s.Next = next
			}
			r.o.OnStep(s)
		}
		if err != nil {
			return r.fail(fmt.Errorf("ivr: flow %q block %q: %w", r.p.flow.ID, cur, err))
		}
		if r.stopped {
			return r.res, nil
		}
		if next == "" { // an optional edge left empty: hang up
			r.res.End = EndHangup
			return r.res, nil
		}
		cur = next
	}
}

func (r *runner) fail(err error) (Result, error) {
	r.res.End = EndError
	return r.res, err
}

// stop ends the Run after this block.
func (r *runner) stop(e End, out Outcome) {
	r.res.End, r.out, r.stopped = e, out, true
}

func (r *runner) exec(b *Block) (string, error) {
	ch := r.call.Channel
	switch b.Kind {
	case KindPlay:
		_, err := ch.Play(b.Play.Prompts, b.Play.Interruptible)
		return b.Play.Next, err
	case KindMenu:
		return r.menu(b.Menu)
	case KindCollect:
		return r.collect(b.Collect)
	case KindSay:
		return r.say(b.Say)
	case KindTimeCondition:
		t := b.TimeCondition
		open, holiday := r.p.times[r.id].at(r.o.Now())
		switch {
		case open:
			r.out = OutcomeMatch
			return t.Match, nil
		case holiday && t.Holiday != "":
			r.out = OutcomeHoliday
			return t.Holiday, nil
		}
		r.out = OutcomeNoMatch
		return t.NoMatch, nil
	case KindGoto:
		return r.gotoBlock(b.Goto)
	case KindSet:
		s := b.Set
		switch s.What {
		case SetPriority:
			r.call.opts.Priority, _ = strconv.Atoi(s.Value)
		case SetSkill:
			if r.call.opts.Skills == nil {
				r.call.opts.Skills = map[string]int{}
			}
			r.call.opts.Skills[s.Name], _ = strconv.Atoi(s.Value)
		case SetVariable:
			r.call.vars[s.Name] = s.Value
		}
		return s.Next, nil
	case KindRecord:
		rec := b.Record
		if len(rec.Prompts) > 0 {
			if _, err := ch.Play(rec.Prompts, false); err != nil {
				return "", err
			}
		}
		ref, err := ch.Record(time.Duration(rec.MaxSeconds)*time.Second, rec.Beep)
		if err != nil {
			return r.failed(rec.Failure, err)
		}
		r.call.vars[rec.Variable] = ref
		return rec.Next, nil
	case KindHangup:
		return "", r.hangup(b.Hangup)
	}
	c, ok := r.o.Kinds.lookup(b.Kind)
	if !ok {
		return "", fmt.Errorf("no custom kind %q in RunOptions.Kinds", b.Kind)
	}
	exit, err := c.Run(r.ctx, &r.call, b.Params)
	if err != nil {
		return "", err
	}
	next, ok := b.Exits[exit]
	if !ok {
		return "", fmt.Errorf("kind %q returned exit %q it does not have", b.Kind, exit)
	}
	r.out = Outcome(exit)
	return next, nil
}

// failed takes a failure edge after err, or ends the Run with err when the
// block has none.
func (r *runner) failed(failure string, err error) (string, error) {
	r.out = OutcomeFailure
	if failure == "" {
		return "", err
	}
	return failure, nil
}

func (r *runner) hangup(h *Hangup) error {
	if h != nil && len(h.Prompts) > 0 {
		if _, err := r.call.Channel.Play(h.Prompts, false); err != nil {
			return err
		}
	}
	r.stop(EndHangup, OutcomeHangup)
	return nil
}

func (r *runner) gotoBlock(g *Goto) (string, error) {
	switch g.Target {
	case TargetHangup:
		return "", r.hangup(nil)
	case TargetFlow:
		var p *Published
		ok := false
		if r.o.Flows != nil {
			p, ok = r.o.Flows.Latest(g.To)
		}
		if !ok {
			return r.failed(g.Failure, fmt.Errorf("%w: %q", ErrNoFlow, g.To))
		}
		r.p = p
		r.out = OutcomeFlow
		return p.flow.Entry, nil
	}
	opts := r.call.opts
	opts.RingFor = time.Duration(g.RingForMS) * time.Millisecond
	if err := r.call.Channel.Transfer(g.Target, g.To, opts); err != nil {
		return r.failed(g.Failure, err)
	}
	r.res.Target, r.res.To = g.Target, g.To
	r.stop(EndTransferred, OutcomeTransferred)
	return "", nil
}

func ms(v int, def time.Duration) time.Duration {
	if v == 0 {
		return def
	}
	return time.Duration(v) * time.Millisecond
}

// keys holds one-key strings, so that looking a key up allocates nothing.
var keys = func() (k [256]string) {
	for _, c := range "0123456789*#ABCD" {
		k[c] = string(c)
	}
	return k
}()

func (r *runner) menu(m *Menu) (string, error) {
	ch := r.call.Channel
	timeout := ms(m.TimeoutMS, DefaultTimeout)
	for attempt := 0; ; attempt++ {
		// A key that cuts the prompts short stays queued: ReadDigit gets it.
		if _, err := ch.Play(m.Prompts, true); err != nil {
			return "", err
		}
		d, err := ch.ReadDigit(timeout)
		if err != nil {
			return "", err
		}
		branch := m.Timeout
		r.out = OutcomeTimeout
		if d != 0 {
			r.out, r.input = OutcomeInvalid, keys[d]
			branch = m.Invalid
			if m.DialExtensions && r.o.ExtensionExists != nil && d >= '0' && d <= '9' {
				n, err := r.dialThrough(m, d)
				if err != nil {
					return "", err
				}
				if n > 1 || m.Options[keys[d]] == "" {
					number := string(r.digits[:n])
					r.input = number
					if r.o.ExtensionExists(number) {
						opts := r.call.opts
						opts.RingFor = 0
						if err := ch.Transfer(TargetExtension, number, opts); err == nil {
							r.res.Target, r.res.To = TargetExtension, number
							r.stop(EndTransferred, OutcomeExtension)
							return "", nil
						}
						r.out = OutcomeExtensionFailed
					}
					d = 0 // not an option: invalid
				}
			}
			if next, ok := m.Options[keys[d]]; ok && d != 0 {
				r.out = OutcomeOption
				return next, nil
			}
		}
		if len(branch.Prompts) > 0 {
			if _, err := ch.Play(branch.Prompts, false); err != nil {
				return "", err
			}
		}
		if branch.Next != "" {
			return branch.Next, nil
		}
		if attempt >= m.Retries {
			r.out = OutcomeFailure
			return m.Failure, nil
		}
	}
}

// dialThrough reads the rest of a number whose first digit is d into
// r.digits and returns its length.
func (r *runner) dialThrough(m *Menu, d byte) (int, error) {
	maxN := m.MaxExtensionDigits
	if maxN == 0 {
		maxN = DefaultMaxExtensionDigits
	}
	inter := ms(m.InterDigitTimeoutMS, DefaultInterDigitTimeout)
	r.digits[0] = d
	n := 1
	for n < maxN {
		d, err := r.call.Channel.ReadDigit(inter)
		if err != nil {
			return 0, err
		}
		if d < '0' || d > '9' { // a timeout, #, or another key ends the number
			break
		}
		r.digits[n] = d
		n++
	}
	return n, nil
}

func (r *runner) collect(c *Collect) (string, error) {
	ch := r.call.Channel
	var term byte
	if c.Terminator != "" {
		term = c.Terminator[0]
	}
	for attempt := 0; ; attempt++ {
		if len(c.Prompts) > 0 {
			if _, err := ch.Play(c.Prompts, true); err != nil {
				return "", err
			}
		}
		timeout := ms(c.TimeoutMS, DefaultTimeout)
		n := 0
		for n < c.MaxDigits {
			d, err := ch.ReadDigit(timeout)
			if err != nil {
				return "", err
			}
			if d == 0 || d == term {
				break
			}
			if isKey(d) {
				r.digits[n] = d
				n++
			}
			timeout = ms(c.InterDigitTimeoutMS, DefaultInterDigitTimeout)
		}
		if n >= c.MinDigits {
			v := string(r.digits[:n])
			r.call.vars[c.Variable], r.input = v, v
			return c.Next, nil
		}
		r.out = OutcomeInvalid
		if len(c.Invalid) > 0 {
			if _, err := ch.Play(c.Invalid, false); err != nil {
				return "", err
			}
		}
		if attempt >= c.Retries {
			r.out = OutcomeFailure
			return c.Failure, nil
		}
	}
}

// parseSay checks a number or digits value.
func parseSay(what, s string) (int64, bool) {
	if what == SayDigits {
		for i := 0; i < len(s); i++ {
			if !isKey(s[i]) {
				return 0, false
			}
		}
		return 0, s != ""
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func (r *runner) say(s *Say) (string, error) {
	v := s.Value
	if s.Variable != "" {
		v = r.call.vars[s.Variable]
	}
	said, ok := r.spell(s, v)
	if !ok {
		r.out = OutcomeSkipped
	}
	r.sayBuf = append(append(append(r.sayBuf[:0], s.Before...), said...), s.After...)
	if len(r.sayBuf) > 0 {
		if _, err := r.call.Channel.Play(r.sayBuf, false); err != nil {
			return "", err
		}
	}
	return s.Next, nil
}

// spell turns a say block's value into prompt names.
func (r *runner) spell(s *Say, v string) ([]string, bool) {
	if r.o.Sayer == nil {
		return nil, false
	}
	switch s.What {
	case SayNumber, SayDigits:
		n, ok := parseSay(s.What, v)
		if !ok {
			return nil, false
		}
		if s.What == SayDigits {
			return r.o.Sayer.Digits(v), true
		}
		return r.o.Sayer.Number(n), true
	}
	t := r.o.Now()
	if v != "" {
		var err error
		if t, err = time.Parse(time.RFC3339, v); err != nil {
			return nil, false
		}
	}
	if loc := r.p.zones[r.id]; loc != nil {
		t = t.In(loc)
	} else {
		t = t.Local()
	}
	if s.What == SayDate {
		return r.o.Sayer.Date(t), true
	}
	return r.o.Sayer.Time(t), true
}
