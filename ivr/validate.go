package ivr

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Limits on a flow, checked by Validate and Import.
const (
	MaxBlocks     = 500       // blocks in one flow
	MaxJSONBytes  = 64 << 10  // a flow's JSON encoding
	MaxRetries    = 9         // further attempts of a menu or collect
	MaxDigits     = 32        // digits one collect block reads
	MaxRecordSecs = 10 * 60   // longest recording
	minTimeoutMS  = 500       // shortest digit timeout
	maxTimeoutMS  = 60 * 1000 // longest digit timeout
	maxRingForMS  = 10 * 60 * 1000
	maxPriority   = 100
	maxSkillLevel = 100
	maxNameLen    = 64 // block ids, variables, prompt names, targets
)

// ValidateOptions let the appliance check a flow against what exists on
// the box. The zero value checks the flow alone.
type ValidateOptions struct {
	// Kinds are the custom block kinds a flow may use.
	Kinds *Kinds
	// PromptExists reports whether a prompt name is in the prompt set;
	// nil accepts any non-empty name.
	PromptExists func(name string) bool
	// TargetExists reports whether a goto target exists (an extension, a
	// queue, a voicemail box, a published flow); nil accepts any.
	TargetExists func(kind TargetKind, target string) bool
}

// Problem is one thing wrong with a flow: the block (empty for the flow
// itself), the field in JSON terms ("menu.options.7", "entry") and what is
// wrong.
type Problem struct {
	Block   string `json:"block,omitempty"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	if p.Block == "" {
		return p.Field + ": " + p.Message
	}
	return fmt.Sprintf("block %q: %s: %s", p.Block, p.Field, p.Message)
}

// ValidationError lists every problem found in a flow. It wraps ErrInvalid.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("ivr: invalid flow: ")
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// Unwrap returns ErrInvalid.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// Validate checks the flow on its own (see ValidateWith).
func (f *Flow) Validate() error { return f.ValidateWith(ValidateOptions{}) }

// ValidateWith checks everything a flow must satisfy before it is saved
// and returns a *ValidationError naming every problem, or nil: ids and
// names, the entry block, edges to existing blocks, every block reachable
// from the entry, no loop that could run without waiting for the caller
// (every cycle passes a menu, collect, record or waiting custom block),
// keys, timeouts, retries and lengths within bounds, time zones and
// holiday dates that parse, prompt names and targets that exist, and the
// size limits.
func (f *Flow) ValidateWith(o ValidateOptions) error {
	v := validator{o: o, f: f}
	v.flow()
	if len(v.probs) == 0 {
		return nil
	}
	return &ValidationError{Problems: v.probs}
}

type validator struct {
	o     ValidateOptions
	f     *Flow
	probs []Problem
	block string // the block being checked
}

func (v *validator) add(field, format string, args ...any) {
	v.probs = append(v.probs, Problem{Block: v.block, Field: field, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) flow() {
	f := v.f
	if !validID(f.ID) {
		v.add("id", "must be 1 to %d letters, digits, '-' or '_'", maxNameLen)
	}
	if strings.TrimSpace(f.Name) == "" || len(f.Name) > 200 {
		v.add("name", "must be 1 to 200 characters")
	}
	if f.Version < 0 {
		v.add("version", "must not be negative")
	}
	if len(f.Blocks) > MaxBlocks {
		v.add("blocks", "%d blocks, at most %d", len(f.Blocks), MaxBlocks)
		return // the rest would be slow and noisy
	}
	if len(f.Blocks) == 0 {
		v.add("blocks", "a flow needs at least one block")
	}
	if b, err := json.Marshal(f); err != nil {
		v.add("blocks", "does not encode as JSON: %v", err)
	} else if len(b) > MaxJSONBytes {
		v.add("blocks", "the flow is %d bytes as JSON, at most %d", len(b), MaxJSONBytes)
	}
	if f.Entry == "" {
		v.add("entry", "missing")
	} else if _, ok := f.Blocks[f.Entry]; !ok {
		v.add("entry", "no block %q", f.Entry)
	}
	for _, id := range sortedIDs(f.Blocks) {
		v.block = id
		if !validID(id) {
			v.add("id", "must be 1 to %d letters, digits, '-' or '_'", maxNameLen)
		}
		b := f.Blocks[id]
		v.blockFields(&b)
		forEdges(&b, v.o.Kinds, func(field, to string, required bool) {
			switch {
			case to == "" && required:
				v.add(field, "missing")
			case to == "":
			case !hasBlock(f, to):
				v.add(field, "no block %q", to)
			}
		})
	}
	v.block = ""
	if len(v.probs) > 0 && !hasBlock(f, f.Entry) {
		return
	}
	v.reachable()
	v.loops()
}

func hasBlock(f *Flow, id string) bool {
	_, ok := f.Blocks[id]
	return ok
}

func sortedIDs(m map[string]Block) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// parts counts the kind-specific parts set on b.
func parts(b *Block) int {
	n := 0
	for _, set := range []bool{b.Play != nil, b.Menu != nil, b.Collect != nil, b.Say != nil, b.TimeCondition != nil, b.Goto != nil, b.Set != nil, b.Record != nil, b.Hangup != nil} {
		if set {
			n++
		}
	}
	return n
}

func (v *validator) blockFields(b *Block) {
	if c, ok := v.o.Kinds.lookup(b.Kind); ok {
		if parts(b) > 0 {
			v.add("kind", "a %s block takes params and exits only", b.Kind)
		}
		if b.Params != nil && !json.Valid(b.Params) {
			v.add("params", "not JSON")
		} else if c.Check != nil {
			if err := c.Check(b.Params); err != nil {
				v.add("params", "%v", err)
			}
		}
		for name := range b.Exits {
			if !slices.Contains(c.Exits, name) {
				v.add("exits."+name, "a %s block has no such exit", b.Kind)
			}
		}
		return
	}
	if b.Params != nil || b.Exits != nil {
		v.add("params", "only custom kinds take params and exits")
	}
	one := func(set bool, field string) bool {
		if !set {
			v.add(field, "missing for a %s block", b.Kind)
			return false
		}
		if parts(b) > 1 {
			v.add("kind", "a %s block must set %s only", b.Kind, field)
		}
		return true
	}
	switch b.Kind {
	case KindPlay:
		if one(b.Play != nil, "play") {
			v.prompts("play.prompts", b.Play.Prompts, true)
		}
	case KindMenu:
		if one(b.Menu != nil, "menu") {
			v.menu(b.Menu)
		}
	case KindCollect:
		if one(b.Collect != nil, "collect") {
			v.collect(b.Collect)
		}
	case KindSay:
		if one(b.Say != nil, "say") {
			v.say(b.Say)
		}
	case KindTimeCondition:
		if one(b.TimeCondition != nil, "time_condition") {
			v.timeCondition(b.TimeCondition)
		}
	case KindGoto:
		if one(b.Goto != nil, "goto") {
			v.gotoBlock(b.Goto)
		}
	case KindSet:
		if one(b.Set != nil, "set") {
			v.set(b.Set)
		}
	case KindRecord:
		if one(b.Record != nil, "record") {
			v.record(b.Record)
		}
	case KindHangup:
		if parts(b) > 1 || parts(b) == 1 && b.Hangup == nil {
			v.add("kind", "a hangup block may set hangup only")
		}
		if b.Hangup != nil {
			v.prompts("hangup.prompts", b.Hangup.Prompts, false)
		}
	case "":
		v.add("kind", "missing")
	default:
		v.add("kind", "unknown kind %q", b.Kind)
	}
}

func (v *validator) prompts(field string, names []string, required bool) {
	if required && len(names) == 0 {
		v.add(field, "at least one prompt")
	}
	for i, n := range names {
		f := field + "." + strconv.Itoa(i)
		switch {
		case strings.TrimSpace(n) == "" || len(n) > maxNameLen:
			v.add(f, "prompt name must be 1 to %d characters", maxNameLen)
		case v.o.PromptExists != nil && !v.o.PromptExists(n):
			v.add(f, "no prompt %q", n)
		}
	}
}

func (v *validator) timeout(field string, ms int) {
	if ms != 0 && (ms < minTimeoutMS || ms > maxTimeoutMS) {
		v.add(field, "%d ms outside %d..%d", ms, minTimeoutMS, maxTimeoutMS)
	}
}

func (v *validator) retries(field string, n int) {
	if n < 0 || n > MaxRetries {
		v.add(field, "%d outside 0..%d", n, MaxRetries)
	}
}

func (v *validator) variable(field, name string) {
	if !validName(name, maxNameLen) {
		v.add(field, "a variable name is a letter or '_' then letters, digits or '_'")
	}
}

func (v *validator) menu(m *Menu) {
	v.prompts("menu.prompts", m.Prompts, true)
	if len(m.Options) == 0 && !m.DialExtensions {
		v.add("menu.options", "a menu needs at least one option")
	}
	for _, k := range slices.Sorted(mapKeys(m.Options)) {
		if len(k) != 1 || !isKey(k[0]) {
			v.add("menu.options."+k, "a key is one of 0-9, * and #")
		}
	}
	v.prompts("menu.invalid.prompts", m.Invalid.Prompts, false)
	v.prompts("menu.timeout.prompts", m.Timeout.Prompts, false)
	v.retries("menu.retries", m.Retries)
	v.timeout("menu.timeout_ms", m.TimeoutMS)
	v.timeout("menu.inter_digit_timeout_ms", m.InterDigitTimeoutMS)
	if m.MaxExtensionDigits < 0 || m.MaxExtensionDigits > 16 {
		v.add("menu.max_extension_digits", "%d outside 0..16", m.MaxExtensionDigits)
	}
}

func mapKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func isKey(c byte) bool { return c >= '0' && c <= '9' || c == '*' || c == '#' }

func (v *validator) collect(c *Collect) {
	v.prompts("collect.prompts", c.Prompts, false)
	v.variable("collect.variable", c.Variable)
	if c.MaxDigits < 1 || c.MaxDigits > MaxDigits {
		v.add("collect.max_digits", "%d outside 1..%d", c.MaxDigits, MaxDigits)
	}
	if c.MinDigits < 1 || c.MinDigits > max(c.MaxDigits, 1) {
		v.add("collect.min_digits", "%d outside 1..max_digits", c.MinDigits)
	}
	if c.Terminator != "" && c.Terminator != "#" && c.Terminator != "*" {
		v.add("collect.terminator", "must be empty, # or *")
	}
	v.timeout("collect.timeout_ms", c.TimeoutMS)
	v.timeout("collect.inter_digit_timeout_ms", c.InterDigitTimeoutMS)
	v.retries("collect.retries", c.Retries)
	v.prompts("collect.invalid", c.Invalid, false)
}

func (v *validator) say(s *Say) {
	switch s.What {
	case SayNumber, SayDigits, SayTime, SayDate:
	default:
		v.add("say.what", "must be number, digits, time or date")
	}
	if s.Variable != "" {
		v.variable("say.variable", s.Variable)
	} else if s.What == SayNumber || s.What == SayDigits {
		if s.Value == "" {
			v.add("say.value", "a variable or a value is needed")
		} else if _, ok := parseSay(s.What, s.Value); !ok {
			v.add("say.value", "%q is not a %s", s.Value, s.What)
		}
	} else if s.Value != "" {
		if _, err := time.Parse(time.RFC3339, s.Value); err != nil {
			v.add("say.value", "not an RFC 3339 time")
		}
	}
	if s.TimeZone != "" {
		if _, err := time.LoadLocation(s.TimeZone); err != nil {
			v.add("say.time_zone", "unknown time zone %q", s.TimeZone)
		}
	}
	v.prompts("say.before", s.Before, false)
	v.prompts("say.after", s.After, false)
}

func (v *validator) timeCondition(t *TimeCondition) {
	if _, err := compileTime(t); err != nil {
		v.add("time_condition."+err.field, "%s", err.msg)
	}
}

func (v *validator) gotoBlock(g *Goto) {
	switch g.Target {
	case TargetExtension, TargetQueue, TargetVoicemail, TargetFlow:
		if g.To == "" || len(g.To) > maxNameLen {
			v.add("goto.to", "missing %s", g.Target)
		} else if v.o.TargetExists != nil && !v.o.TargetExists(g.Target, g.To) {
			v.add("goto.to", "no %s %q", g.Target, g.To)
		}
	case TargetHangup:
		if g.To != "" {
			v.add("goto.to", "a hangup has no target")
		}
	default:
		v.add("goto.target", "must be extension, queue, voicemail, flow or hangup")
	}
	if g.RingForMS < 0 || g.RingForMS > maxRingForMS {
		v.add("goto.ring_for_ms", "%d outside 0..%d", g.RingForMS, maxRingForMS)
	}
}

func (v *validator) set(s *Set) {
	switch s.What {
	case SetPriority:
		if n, err := strconv.Atoi(s.Value); err != nil || n < 0 || n > maxPriority {
			v.add("set.value", "a priority is 0..%d", maxPriority)
		}
	case SetSkill:
		if s.Name == "" || len(s.Name) > maxNameLen {
			v.add("set.name", "missing skill name")
		}
		if n, err := strconv.Atoi(s.Value); err != nil || n < 0 || n > maxSkillLevel {
			v.add("set.value", "a skill level is 0..%d", maxSkillLevel)
		}
	case SetVariable:
		v.variable("set.name", s.Name)
		if len(s.Value) > 256 {
			v.add("set.value", "at most 256 characters")
		}
	default:
		v.add("set.what", "must be priority, skill or variable")
	}
}

func (v *validator) record(r *Record) {
	v.prompts("record.prompts", r.Prompts, false)
	v.variable("record.variable", r.Variable)
	if r.MaxSeconds < 1 || r.MaxSeconds > MaxRecordSecs {
		v.add("record.max_seconds", "%d outside 1..%d", r.MaxSeconds, MaxRecordSecs)
	}
}

// forEdges calls fn for every edge of b: the field naming it, the block it
// leads to ("" when unset) and whether it must be set.
func forEdges(b *Block, kinds *Kinds, fn func(field, to string, required bool)) {
	switch {
	case b.Play != nil && b.Kind == KindPlay:
		fn("play.next", b.Play.Next, true)
	case b.Menu != nil && b.Kind == KindMenu:
		m := b.Menu
		for _, k := range slices.Sorted(mapKeys(m.Options)) {
			fn("menu.options."+k, m.Options[k], true)
		}
		fn("menu.invalid.next", m.Invalid.Next, false)
		fn("menu.timeout.next", m.Timeout.Next, false)
		fn("menu.failure", m.Failure, false)
	case b.Collect != nil && b.Kind == KindCollect:
		fn("collect.next", b.Collect.Next, true)
		fn("collect.failure", b.Collect.Failure, false)
	case b.Say != nil && b.Kind == KindSay:
		fn("say.next", b.Say.Next, true)
	case b.TimeCondition != nil && b.Kind == KindTimeCondition:
		fn("time_condition.match", b.TimeCondition.Match, true)
		fn("time_condition.no_match", b.TimeCondition.NoMatch, true)
		fn("time_condition.holiday", b.TimeCondition.Holiday, false)
	case b.Goto != nil && b.Kind == KindGoto:
		fn("goto.failure", b.Goto.Failure, false)
	case b.Set != nil && b.Kind == KindSet:
		fn("set.next", b.Set.Next, true)
	case b.Record != nil && b.Kind == KindRecord:
		fn("record.next", b.Record.Next, true)
		fn("record.failure", b.Record.Failure, false)
	default:
		if c, ok := kinds.lookup(b.Kind); ok {
			for _, name := range c.Exits {
				fn("exits."+name, b.Exits[name], true)
			}
		}
	}
}

// waits reports whether running b waits for the caller.
func waits(b *Block, kinds *Kinds) bool {
	switch b.Kind {
	case KindMenu, KindCollect, KindRecord:
		return true
	}
	c, ok := kinds.lookup(b.Kind)
	return ok && c.Waits
}

// successors lists the distinct existing blocks b leads to.
func (v *validator) successors(b *Block) []string {
	var out []string
	forEdges(b, v.o.Kinds, func(_, to string, _ bool) {
		if hasBlock(v.f, to) && !slices.Contains(out, to) {
			out = append(out, to)
		}
	})
	return out
}

func (v *validator) reachable() {
	seen := map[string]bool{v.f.Entry: true}
	todo := []string{v.f.Entry}
	for len(todo) > 0 {
		id := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		b := v.f.Blocks[id]
		for _, n := range v.successors(&b) {
			if !seen[n] {
				seen[n] = true
				todo = append(todo, n)
			}
		}
	}
	for _, id := range sortedIDs(v.f.Blocks) {
		if !seen[id] {
			v.probs = append(v.probs, Problem{Block: id, Field: "id", Message: "not reachable from the entry block"})
		}
	}
}

// loops finds cycles among blocks that do not wait for the caller: a depth
// first search over the graph without waiting blocks, where an edge back
// to a block on the current path closes a loop that could spin.
func (v *validator) loops() {
	const (
		white = iota
		grey
		black
	)
	color := make(map[string]int, len(v.f.Blocks))
	var path []string
	var visit func(id string)
	visit = func(id string) {
		color[id] = grey
		path = append(path, id)
		b := v.f.Blocks[id]
		forEdges(&b, v.o.Kinds, func(field, n string, _ bool) {
			nb, ok := v.f.Blocks[n]
			if !ok || waits(&nb, v.o.Kinds) {
				return
			}
			switch color[n] {
			case white:
				visit(n)
			case grey:
				i := slices.Index(path, n)
				loop := strings.Join(append(slices.Clone(path[i:]), n), " → ")
				v.probs = append(v.probs, Problem{Block: id, Field: field, Message: "loop without a menu, collect or record: " + loop})
			}
		})
		path = path[:len(path)-1]
		color[id] = black
	}
	for _, id := range sortedIDs(v.f.Blocks) {
		b := v.f.Blocks[id]
		if color[id] == white && !waits(&b, v.o.Kinds) {
			visit(id)
		}
	}
}

// validID reports whether s is a usable id: 1 to maxNameLen ASCII letters,
// digits, '-' or '_'.
func validID(s string) bool {
	if s == "" || len(s) > maxNameLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// validName reports whether s is an identifier of at most n bytes.
func validName(s string, n int) bool {
	if s == "" || len(s) > n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

func lowerName(s string) string { return strings.ToLower(s) }
