package appliance

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"deskline/appliance/sip"
	"deskline/ivr"
	"deskline/media/prompt"
	"deskline/storage"
	"deskline/webui"
)

// keptVersions is how many published versions of a flow the store keeps:
// calls started on an older one finish on it (it stays in memory until
// restart), and an admin can look back a few edits.
const keptVersions = 20

// flowRecord is a flow as stored: the number that reaches it and its
// published versions, oldest first.
type flowRecord struct {
	Number   string     `json:"number,omitempty"`
	Versions []ivr.Flow `json:"versions"`
}

// flows are the IVR flows (auto-attendants): stored, published and run.
type flows struct {
	a   *Appliance
	col *storage.Collection[flowRecord]
	lib ivr.Library

	mu      sync.Mutex
	numbers map[string]string // number → flow id
}

// openFlows loads every stored flow version into the library.
func (a *Appliance) openFlows() error {
	col, err := storage.NewCollection[flowRecord](a.db, "ivr_flows")
	if err != nil {
		return err
	}
	f := &flows{a: a, col: col, numbers: map[string]string{}}
	recs, err := col.List()
	if err != nil {
		return err
	}
	for _, r := range recs {
		for _, v := range r.Versions {
			p, err := ivr.Load(v, ivr.ValidateOptions{})
			if err != nil {
				a.log.Error("stored IVR flow unusable", "flow", v.ID, "version", v.Version, "err", err)
				continue
			}
			if err := f.lib.Add(p); err != nil {
				a.log.Error("stored IVR flow not loaded", "flow", v.ID, "version", v.Version, "err", err)
			}
		}
		if r.Number != "" && len(r.Versions) > 0 {
			f.numbers[r.Number] = r.Versions[0].ID
		}
	}
	a.flows = f
	return nil
}

// byNumber finds the flow a number reaches.
func (f *flows) byNumber(number string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id, ok := f.numbers[number]
	return id, ok
}

// validateOptions check a flow against the box: prompts in the set,
// targets that exist.
func (f *flows) validateOptions() ivr.ValidateOptions {
	dir := directory{exts: f.a.exts}
	return ivr.ValidateOptions{
		PromptExists: func(name string) bool { _, ok := f.a.prompts.Get(name); return ok },
		TargetExists: func(kind ivr.TargetKind, to string) bool {
			switch kind {
			case ivr.TargetExtension, ivr.TargetVoicemail:
				return dir.exists(to)
			case ivr.TargetFlow:
				_, ok := f.lib.Latest(to)
				return ok
			}
			return true
		},
	}
}

// Flows implements webui.IVRBackend: every flow, by id.
func (f *flows) Flows(ctx context.Context) ([]webui.IVRFlow, error) {
	recs, err := f.col.List()
	if err != nil {
		return nil, err
	}
	var out []webui.IVRFlow
	for _, r := range recs {
		if len(r.Versions) == 0 {
			continue
		}
		last := r.Versions[len(r.Versions)-1]
		out = append(out, webui.IVRFlow{ID: last.ID, Name: last.Name, Number: r.Number, Version: last.Version, Blocks: len(last.Blocks)})
	}
	slices.SortFunc(out, func(x, y webui.IVRFlow) int { return cmpString(x.ID, y.ID) })
	return out, nil
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Flow returns a flow's latest version as an export document.
func (f *flows) Flow(ctx context.Context, id string) (webui.IVRFlowDoc, error) {
	r, err := f.col.Get(id)
	if err != nil || len(r.Versions) == 0 {
		return webui.IVRFlowDoc{}, fmt.Errorf("%w: no IVR flow %q", webui.ErrNotFound, id)
	}
	doc, err := ivr.Export(r.Versions[len(r.Versions)-1])
	if err != nil {
		return webui.IVRFlowDoc{}, err
	}
	return webui.IVRFlowDoc{Number: r.Number, Flow: doc}, nil
}

// PublishFlow validates a flow (an export document) and publishes it as
// the flow's next version, reachable at number.
func (f *flows) PublishFlow(ctx context.Context, id string, in webui.IVRFlowDoc) (webui.IVRFlow, error) {
	draft, err := ivr.Import(in.Flow)
	if err != nil {
		return webui.IVRFlow{}, fmt.Errorf("%w: flow: %v", webui.ErrInvalid, err)
	}
	if draft.ID == "" {
		draft.ID = id
	}
	if draft.ID != id {
		return webui.IVRFlow{}, fmt.Errorf("%w: flow.id: %q does not match the address (%q)", webui.ErrInvalid, draft.ID, id)
	}
	if in.Number != "" {
		if err := checkNumber(in.Number); err != nil {
			return webui.IVRFlow{}, err
		}
		if (directory{exts: f.a.exts}).exists(in.Number) {
			return webui.IVRFlow{}, invalidf("number: %s is an extension", in.Number)
		}
		if other, ok := f.byNumber(in.Number); ok && other != id {
			return webui.IVRFlow{}, invalidf("number: %s already reaches flow %q", in.Number, other)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	latest, _ := f.lib.Latest(id)
	p, err := ivr.Publish(draft, latest, f.validateOptions())
	var verr *ivr.ValidationError
	if errors.As(err, &verr) {
		return webui.IVRFlow{}, fmt.Errorf("%w: %v", webui.ErrInvalid, err)
	}
	if err != nil {
		return webui.IVRFlow{}, err
	}
	rec, err := f.col.Get(id)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return webui.IVRFlow{}, err
	}
	rec.Number = in.Number
	rec.Versions = append(rec.Versions, p.Flow())
	if n := len(rec.Versions); n > keptVersions {
		rec.Versions = rec.Versions[n-keptVersions:]
	}
	if err := f.col.Put(id, rec); err != nil { // committed before it answers calls
		return webui.IVRFlow{}, err
	}
	if err := f.lib.Add(p); err != nil {
		return webui.IVRFlow{}, err
	}
	for n, fid := range f.numbers {
		if fid == id {
			delete(f.numbers, n)
		}
	}
	if in.Number != "" {
		f.numbers[in.Number] = id
	}
	f.a.auditChange(ctx, "ivr-published", "ivr flow "+id, "version "+strconv.Itoa(p.Version())+"; number "+in.Number)
	return webui.IVRFlow{ID: id, Name: p.Flow().Name, Number: in.Number, Version: p.Version(), Blocks: len(p.Flow().Blocks)}, nil
}

// DeleteFlow removes a flow: it stops answering its number. Calls in it
// finish on the version they run.
func (f *flows) DeleteFlow(ctx context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.col.Delete(id); err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("%w: no IVR flow %q", webui.ErrNotFound, id)
		}
		return err
	}
	for n, fid := range f.numbers {
		if fid == id {
			delete(f.numbers, n)
		}
	}
	f.a.auditChange(ctx, "ivr-deleted", "ivr flow "+id, "")
	return nil
}

// runFlow answers a caller with an IVR flow's latest version.
func (a *Appliance) runFlow(ch *sip.Channel) error {
	id := ch.Args()
	p, ok := a.flows.lib.Latest(id)
	if !ok {
		return a.say(ch, "invalid-entry", "goodbye")
	}
	dir := directory{exts: a.exts}
	res, err := ivr.Run(ch.Context(), p, flowChannel{a: a, ch: ch}, ivr.RunOptions{
		Sayer:           prompt.English{},
		Now:             a.now,
		ExtensionExists: dir.exists,
		Flows:           &a.flows.lib,
		Vars:            map[string]string{"caller": ch.Caller()},
		OnStep: func(s ivr.Step) {
			a.log.Debug("ivr step", "flow", s.Flow, "version", s.Version, "block", s.Block, "outcome", s.Outcome)
		},
	})
	a.log.Info("ivr flow ended", "flow", id, "version", p.Version(), "caller", ch.Caller(), "end", res.End, "to", res.To, "steps", res.Steps)
	return err
}

// flowChannel is the ivr.Channel of a call: prompts from the box's set,
// keys from the caller, transfers through the SIP side.
type flowChannel struct {
	a  *Appliance
	ch *sip.Channel
}

func (c flowChannel) Play(prompts []string, interrupt bool) (byte, error) {
	p, err := c.a.prompts.Player(prompts...)
	if err != nil {
		return 0, err
	}
	return c.ch.Play(playback(p), interrupt)
}

func (c flowChannel) ReadDigit(timeout time.Duration) (byte, error) {
	return c.ch.ReadDigit(timeout)
}

// Record is not offered to flows yet: voicemail takes messages.
func (c flowChannel) Record(max time.Duration, beep bool) (string, error) {
	return "", errors.New("recording in a flow is not available yet; use a voicemail target")
}

// defaultRing is how long an extension rings for a flow's caller.
const defaultRing = 30 * time.Second

func (c flowChannel) Transfer(kind ivr.TargetKind, target string, o ivr.TransferOptions) error {
	switch kind {
	case ivr.TargetExtension:
		ring := o.RingFor
		if ring <= 0 {
			ring = defaultRing
		}
		return c.ch.Connect(target, ring, nil)
	case ivr.TargetVoicemail:
		return c.a.leaveVoicemailFor(c.ch, target)
	}
	return fmt.Errorf("transfer to a %s is not available yet", kind)
}

// numberIsFlow tells the dial plan which numbers reach IVR flows.
func (a *Appliance) numberIsFlow(number string) (string, bool) {
	if a.flows == nil {
		return "", false
	}
	return a.flows.byNumber(number)
}
