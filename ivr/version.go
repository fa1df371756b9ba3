package ivr

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Published is one published version of a flow: validated, compiled and
// immutable. A Run holds the *Published it started with, so publishing a
// newer version never changes a call already in the flow; the older one is
// garbage once its last call has ended.
type Published struct {
	flow  Flow
	times map[string]*compiledTime  // time_condition blocks by id
	zones map[string]*time.Location // say blocks' time zones by block id
}

// ID is the flow's id.
func (p *Published) ID() string { return p.flow.ID }

// Version is the version number, counted from 1.
func (p *Published) Version() int { return p.flow.Version }

// Flow returns a copy of the published flow.
func (p *Published) Flow() Flow { return clone(p.flow) }

// Publish validates draft and makes it the version after latest (nil when
// the flow was never published): its Version is latest's plus one. The
// draft is copied; changing it afterwards changes nothing published.
func Publish(draft Flow, latest *Published, o ValidateOptions) (*Published, error) {
	draft.Version = 1
	if latest != nil {
		if latest.ID() != draft.ID {
			return nil, fmt.Errorf("ivr: publishing flow %q after a version of flow %q", draft.ID, latest.ID())
		}
		draft.Version = latest.Version() + 1
	}
	return compile(draft, o)
}

// Load rebuilds a version published earlier (read back from the store):
// it is validated again against o and keeps its Version, which must be 1
// or more.
func Load(f Flow, o ValidateOptions) (*Published, error) {
	if f.Version < 1 {
		return nil, fmt.Errorf("ivr: flow %q: version %d was never published", f.ID, f.Version)
	}
	return compile(f, o)
}

func compile(f Flow, o ValidateOptions) (*Published, error) {
	if err := f.ValidateWith(o); err != nil {
		return nil, err
	}
	f = clone(f)
	p := &Published{flow: f, times: map[string]*compiledTime{}, zones: map[string]*time.Location{}}
	for id, b := range f.Blocks {
		switch {
		case b.Kind == KindTimeCondition:
			c, _ := compileTime(b.TimeCondition) // validated above
			p.times[id] = c
		case b.Kind == KindSay && b.Say.TimeZone != "":
			loc, _ := time.LoadLocation(b.Say.TimeZone)
			p.zones[id] = loc
		}
	}
	return p, nil
}

// clone deep-copies a flow through its JSON form (flows are small; this
// runs on publish, not per call).
func clone(f Flow) Flow {
	b, err := json.Marshal(f)
	if err != nil {
		panic("ivr: a flow that does not encode: " + err.Error()) // only strings, ints, bools and RawMessage
	}
	var out Flow
	if err := json.Unmarshal(b, &out); err != nil {
		panic("ivr: a flow that does not decode: " + err.Error())
	}
	return out
}

// Library keeps every published version of every flow in memory, for the
// appliance to start calls on the latest version and for goto-flow blocks.
// It is safe for concurrent use. The zero value is empty.
type Library struct {
	mu    sync.RWMutex
	flows map[string][]*Published // by id, in version order
}

// Publish publishes draft as the next version of its flow and returns it.
func (l *Library) Publish(draft Flow, o ValidateOptions) (*Published, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	vs := l.flows[draft.ID]
	var latest *Published
	if len(vs) > 0 {
		latest = vs[len(vs)-1]
	}
	p, err := Publish(draft, latest, o)
	if err != nil {
		return nil, err
	}
	l.addLocked(p)
	return p, nil
}

// Add puts a loaded version back (at start-up); it must be newer than any
// version of the flow already in the library.
func (l *Library) Add(p *Published) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if vs := l.flows[p.ID()]; len(vs) > 0 && vs[len(vs)-1].Version() >= p.Version() {
		return fmt.Errorf("ivr: flow %q: version %d is not after %d", p.ID(), p.Version(), vs[len(vs)-1].Version())
	}
	l.addLocked(p)
	return nil
}

func (l *Library) addLocked(p *Published) {
	if l.flows == nil {
		l.flows = make(map[string][]*Published)
	}
	l.flows[p.ID()] = append(l.flows[p.ID()], p)
}

// Latest returns the newest version of flow id.
func (l *Library) Latest(id string) (*Published, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	vs := l.flows[id]
	if len(vs) == 0 {
		return nil, false
	}
	return vs[len(vs)-1], true
}

// Get returns version v of flow id.
func (l *Library) Get(id string, v int) (*Published, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	for _, p := range l.flows[id] {
		if p.Version() == v {
			return p, true
		}
	}
	return nil, false
}

// FormatVersion is the version of the export format Export writes and
// Import reads.
const FormatVersion = 1

// export is the document Export writes.
type export struct {
	Format int  `json:"format"`
	Flow   Flow `json:"flow"`
}

// ErrFormat is returned by Import for a document that is not an exported
// flow of a format this version reads.
var ErrFormat = errors.New("ivr: not an exported flow")

// Export writes a flow as an indented JSON document with a format version,
// for a file an admin downloads, keeps, and imports on this or another box.
func Export(f Flow) ([]byte, error) {
	return json.MarshalIndent(export{Format: FormatVersion, Flow: f}, "", "  ")
}

// Import reads a document written by Export: at most twice MaxJSONBytes
// (room for indentation), of a known format, with no unknown fields. It
// does not validate the flow: the caller does, with its custom kinds,
// prompts and targets, before saving or publishing it. The Version is kept
// as exported; Publish renumbers it.
func Import(data []byte) (Flow, error) {
	if len(data) > 2*MaxJSONBytes {
		return Flow{}, fmt.Errorf("%w: %d bytes, at most %d", ErrFormat, len(data), 2*MaxJSONBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var doc export
	if err := dec.Decode(&doc); err != nil {
		return Flow{}, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if dec.More() {
		return Flow{}, fmt.Errorf("%w: data after the document", ErrFormat)
	}
	if doc.Format != FormatVersion {
		return Flow{}, fmt.Errorf("%w: format %d, this version reads %d", ErrFormat, doc.Format, FormatVersion)
	}
	return doc.Flow, nil
}
