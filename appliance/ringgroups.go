package appliance

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"deskline/appliance/dialplan"
	"deskline/appliance/sip"
	"deskline/media"
	"deskline/media/tone"
	"deskline/storage"
	"deskline/webui"
)

// serviceRingGroup rings a ring group's members for a caller.
const serviceRingGroup = "ringgroup"

// ringGroupAPI is the web panel's RingGroupBackend; ring groups live in
// the "ringgroups" collection, keyed by name.
type ringGroupAPI struct{ a *Appliance }

func (a *Appliance) ringGroupByNumber(number string) (webui.RingGroup, bool) {
	list, err := a.ringGroups.List()
	if err != nil {
		return webui.RingGroup{}, false
	}
	for _, g := range list {
		if g.Number == number {
			return g, true
		}
	}
	return webui.RingGroup{}, false
}

// checkRingGroup validates a group against the box: its number free, its
// members extensions, its fallback reachable.
func (r ringGroupAPI) check(g *webui.RingGroup, old string) error {
	a := r.a
	if g.Name == "" || len(g.Name) > 64 || strings.ContainsAny(g.Name, " \t\r\n/") {
		return fieldErr("name", "1 to 64 characters without spaces or slashes")
	}
	if err := checkNumber(g.Number); err != nil {
		return fieldErr("number", "%v", strings.TrimPrefix(err.Error(), "invalid: "))
	}
	if _, err := a.exts.Get(g.Number); err == nil {
		return fieldErr("number", "%s is an extension", g.Number)
	}
	if q, ok := a.acd.queueNumberUser(g.Number); ok {
		return fieldErr("number", "%s is the number of queue %q", g.Number, q)
	}
	if f, ok := a.numberIsFlow(g.Number); ok {
		return fieldErr("number", "%s is the number of IVR flow %q", g.Number, f)
	}
	if other, ok := a.ringGroupByNumber(g.Number); ok && other.Name != old {
		return fieldErr("number", "%s is the number of ring group %q", g.Number, other.Name)
	}
	if _, isFeature := dialplan.DefaultFeatures()[g.Number]; isFeature {
		return fieldErr("number", "%s is a feature code", g.Number)
	}
	if len(g.Members) == 0 || len(g.Members) > 32 {
		return fieldErr("members", "1 to 32 extensions")
	}
	for _, m := range g.Members {
		if _, err := a.exts.Get(m); err != nil {
			return fieldErr("members", "no extension %q", m)
		}
	}
	switch g.Strategy {
	case "":
		g.Strategy = "ringall"
	case "ringall", "hunt":
	default:
		return fieldErr("strategy", "%q: want ringall (every phone at once) or hunt (one after another)", g.Strategy)
	}
	if g.RingTime == 0 {
		g.RingTime = 20
	}
	if g.RingTime < 5 || g.RingTime > 300 {
		return fieldErr("ring_time", "%d s: want 5 to 300", g.RingTime)
	}
	switch g.Fallback.Kind {
	case "", "hangup":
	case "extension", "voicemail":
		if _, err := a.exts.Get(g.Fallback.Target); err != nil {
			return fieldErr("fallback", "no extension %q", g.Fallback.Target)
		}
	case "queue":
		if !a.acd.hasQueue(g.Fallback.Target) {
			return fieldErr("fallback", "no queue %q", g.Fallback.Target)
		}
	default:
		return fieldErr("fallback", "kind %q: want extension, voicemail, queue or hangup", g.Fallback.Kind)
	}
	return nil
}

func (r ringGroupAPI) ListRingGroups(ctx context.Context) ([]webui.RingGroup, error) {
	return r.a.ringGroups.List()
}

func (r ringGroupAPI) GetRingGroup(ctx context.Context, name string) (webui.RingGroup, error) {
	g, err := r.a.ringGroups.Get(name)
	if errors.Is(err, storage.ErrNotFound) {
		return g, fmt.Errorf("%w: no ring group %q", webui.ErrNotFound, name)
	}
	return g, err
}

func (r ringGroupAPI) CreateRingGroup(ctx context.Context, in webui.RingGroup) (webui.RingGroup, error) {
	if err := r.check(&in, ""); err != nil {
		return webui.RingGroup{}, err
	}
	if err := r.a.ringGroups.Create(in.Name, in); errors.Is(err, storage.ErrExists) {
		return webui.RingGroup{}, fmt.Errorf("%w: ring group %q exists", webui.ErrConflict, in.Name)
	} else if err != nil {
		return webui.RingGroup{}, err
	}
	r.a.auditChange(ctx, "ringgroup.create", in.Name, fmt.Sprintf("number %s; %s %v", in.Number, in.Strategy, in.Members))
	return in, nil
}

func (r ringGroupAPI) UpdateRingGroup(ctx context.Context, name string, in webui.RingGroup) (webui.RingGroup, error) {
	in.Name = name
	if err := r.check(&in, name); err != nil {
		return webui.RingGroup{}, err
	}
	err := r.a.ringGroups.Update(name, func(v *webui.RingGroup) error { *v = in; return nil })
	if errors.Is(err, storage.ErrNotFound) {
		return webui.RingGroup{}, fmt.Errorf("%w: no ring group %q", webui.ErrNotFound, name)
	}
	if err != nil {
		return webui.RingGroup{}, err
	}
	r.a.auditChange(ctx, "ringgroup.update", name, fmt.Sprintf("number %s; %s %v", in.Number, in.Strategy, in.Members))
	return in, nil
}

func (r ringGroupAPI) DeleteRingGroup(ctx context.Context, name string) error {
	if _, err := r.a.ringGroups.Get(name); errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("%w: no ring group %q", webui.ErrNotFound, name)
	}
	_, cfg := r.a.routes.current()
	for _, in := range cfg.Inbound {
		if in.Destination.Kind == "ringgroup" && in.Destination.Target == name {
			return fieldErr("name", "inbound route %q sends calls to it; change it first", in.Name)
		}
	}
	if err := r.a.ringGroups.Delete(name); err != nil {
		return err
	}
	r.a.auditChange(ctx, "ringgroup.delete", name, "")
	return nil
}

// ringGroup is the ring group service: the caller hears ringback while
// the members' phones ring (all at once, or one after another); the first
// to answer gets the call. When nobody answers the caller goes to the
// group's fallback, or hears that nobody is available.
func (a *Appliance) ringGroup(ch *sip.Channel) error {
	g, err := a.ringGroups.Get(ch.Args())
	if err != nil {
		return a.say(ch, "person-not-available", "goodbye")
	}
	ring := time.Duration(g.RingTime) * time.Second
	var waiting media.Source
	if rb, ok := tone.Lookup(a.cfg.Country, tone.Ringback); ok {
		if gen, err := tone.NewGenerator(rb); err == nil {
			waiting = media.Endless(gen.Read)
		}
	}
	feed := ch.PlayBackground(waiting)
	defer feed.Stop()
	rounds := [][]string{g.Members} // ringall: one round with everyone
	if g.Strategy == "hunt" {
		rounds = nil
		for _, m := range g.Members {
			rounds = append(rounds, []string{m})
		}
	}
	for _, members := range rounds {
		o, err := a.offerFirst(ch, members, ring)
		if errors.Is(err, sip.ErrHungUp) {
			return err
		}
		if o != nil {
			feed.Stop()
			return o.Accept()
		}
	}
	feed.Stop()
	a.log.Info("ring group: nobody answered", "group", g.Name, "caller", ch.Caller(), "fallback", g.Fallback.Kind)
	switch g.Fallback.Kind {
	case "extension":
		return ch.Connect(g.Fallback.Target, 30*time.Second, nil)
	case "voicemail":
		return a.leaveVoicemailFor(ch, g.Fallback.Target)
	case "queue":
		return a.queues.run(ch, g.Fallback.Target)
	}
	return a.say(ch, "person-not-available", "goodbye")
}

// offerFirst rings members at once and returns the first offer answered
// (the others cancelled), or nil when none answered within ring.
func (a *Appliance) offerFirst(ch *sip.Channel, members []string, ring time.Duration) (*sip.Offer, error) {
	type result struct {
		o   *sip.Offer
		err error
	}
	results := make(chan result, len(members))
	var offers []*sip.Offer
	for _, m := range members {
		o, err := ch.Offer(m, ring, func(o *sip.Offer, err error) { results <- result{o, err} })
		if err != nil {
			continue // not registered, or busy: skipped
		}
		offers = append(offers, o)
	}
	pending := len(offers)
	var won *sip.Offer
	var hungUp error
	for ; pending > 0; pending-- {
		r := <-results
		if r.err == nil && won == nil {
			won = r.o
			for _, o := range offers {
				if o != won {
					o.Cancel()
				}
			}
			continue
		}
		if r.err == nil {
			r.o.Cancel() // a second answer just after the first
		}
		if errors.Is(r.err, sip.ErrHungUp) {
			hungUp = r.err
		}
	}
	if hungUp != nil && won == nil {
		return nil, hungUp
	}
	return won, nil
}

// ringGroupTarget routes a dialled number to a ring group, if it is one.
func (a *Appliance) ringGroupTarget(number string) (sip.Target, bool) {
	g, ok := a.ringGroupByNumber(number)
	if !ok {
		return sip.Target{}, false
	}
	return sip.Target{Kind: sip.TargetService, Service: serviceRingGroup, Args: g.Name}, true
}

// ringGroupExists says whether a ring group of that name exists, for
// validating routes.
func (a *Appliance) ringGroupExists(name string) bool {
	_, err := a.ringGroups.Get(name)
	return err == nil
}
