package appliance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	"deskline/appliance/dialplan/routing"
	"deskline/appliance/sip"
	"deskline/storage"
	"deskline/webui"
)

// routes is the box's call routing: the stored configuration, the plan
// built from it and the one toll-fraud limiter that lives as long as the
// box.
type routes struct {
	a       *Appliance
	store   *storage.Collection[routing.Config]
	limiter *routing.Limiter

	mu   sync.Mutex // serialises changes
	plan *routing.Plan
	cfg  routing.Config // as stored: without Country and Trunks
}

const routingKey = "config"

func newRoutes(a *Appliance, db *storage.DB) (*routes, error) {
	c, err := storage.NewCollection[routing.Config](db, "routing")
	if err != nil {
		return nil, err
	}
	r := &routes{a: a, store: c}
	cfg, err := c.Get(routingKey)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return nil, err
	}
	r.limiter = routing.NewLimiter(cfg.Limits, a.now)
	if err := r.apply(cfg); err != nil {
		// Stored by an older version, or trunks deleted behind its back:
		// run without outside routes and say why.
		a.log.Error("stored routing not applied: outside calls have no routes", "err", err)
		r.cfg = cfg
	}
	return r, nil
}

// full is cfg with what the box knows filled in.
func (r *routes) full(cfg routing.Config) routing.Config {
	cfg.Country = r.a.cfg.Country
	cfg.Trunks = nil
	if list, err := r.a.trunks.List(); err == nil {
		for _, t := range list {
			cfg.Trunks = append(cfg.Trunks, t.Name)
		}
	}
	return cfg
}

// check validates cfg for this box: the routing rules, and that the
// extensions, queues and flows inbound routes name exist.
func (r *routes) check(cfg routing.Config) (errs, warnings []webui.RoutingProblem) {
	for _, p := range r.full(cfg).Validate() {
		wp := webui.RoutingProblem{Path: p.Path, Severity: string(p.Severity), Message: p.Message}
		if p.Severity == routing.SeverityError {
			errs = append(errs, wp)
		} else {
			warnings = append(warnings, wp)
		}
	}
	dest := func(path string, d routing.Destination) {
		if msg := r.destProblem(d); msg != "" {
			errs = append(errs, webui.RoutingProblem{Path: path, Severity: string(routing.SeverityError), Message: msg})
		}
	}
	for i, in := range cfg.Inbound {
		dest(fmt.Sprintf("inbound[%d].destination", i), in.Destination)
	}
	dest("default_inbound", cfg.DefaultInbound)
	for i, b := range cfg.Blacklist {
		if b.Action == routing.BlockRedirect {
			dest(fmt.Sprintf("blacklist[%d].destination", i), b.Destination)
		}
	}
	return errs, warnings
}

// destProblem says why an inbound destination cannot be reached, or "".
func (r *routes) destProblem(d routing.Destination) string {
	switch d.Kind {
	case "", routing.DestHangup:
		return ""
	case routing.DestExtension, routing.DestVoicemail:
		if _, err := r.a.exts.Get(d.Target); err != nil {
			return fmt.Sprintf("no extension %q", d.Target)
		}
	case routing.DestQueue:
		if !r.a.acd.hasQueue(d.Target) {
			return fmt.Sprintf("no queue %q", d.Target)
		}
	case routing.DestIVR:
		if _, ok := r.a.flows.lib.Latest(d.Target); !ok {
			return fmt.Sprintf("no IVR flow %q", d.Target)
		}
	case routing.DestRingGroup:
		if !r.a.ringGroupExists(d.Target) {
			return fmt.Sprintf("no ring group %q", d.Target)
		}
	}
	return ""
}

// apply builds the plan of cfg and makes it the one new calls use.
func (r *routes) apply(cfg routing.Config) error {
	plan, err := routing.NewPlan(r.full(cfg), r.limiter)
	if err != nil {
		return err
	}
	r.limiter.SetLimits(cfg.Limits)
	r.mu.Lock()
	r.plan, r.cfg = plan, cfg
	r.mu.Unlock()
	return nil
}

// reapply rebuilds the plan after the trunks changed.
func (r *routes) reapply() {
	r.mu.Lock()
	cfg := r.cfg
	r.mu.Unlock()
	if err := r.apply(cfg); err != nil {
		r.a.log.Error("routing not rebuilt after a change", "err", err)
	}
}

func (r *routes) current() (*routing.Plan, routing.Config) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.plan, r.cfg
}

// usingTrunk names the outbound routes that try trunk.
func (r *routes) usingTrunk(trunk string) []string {
	_, cfg := r.current()
	var out []string
	for _, o := range cfg.Outbound {
		if slices.Contains(o.Trunks, trunk) {
			out = append(out, "route "+o.Name)
		}
	}
	return out
}

// extClass is an extension's permission class for outside calls.
func extClass(e extension) routing.Class {
	if e.Class == "" {
		return routing.DefaultClass
	}
	return routing.Class(e.Class)
}

// checkOutside validates the outside-call settings of an extension input
// against the stored extension old.
func checkOutside(in webui.ExtensionInput, old extension) (class, callerID string, err error) {
	class, callerID = old.Class, old.CallerID
	if in.Class != "" {
		if !routing.Class(in.Class).Valid() {
			return "", "", fieldErr("class", "%q: want internal, local, national, international or premium", in.Class)
		}
		class = in.Class
		if class == string(routing.DefaultClass) {
			class = ""
		}
	}
	if in.CallerID != nil {
		callerID = *in.CallerID
		if callerID != "" {
			if err := checkDigits(callerID); err != nil {
				return "", "", fieldErr("caller_id", "%v", err)
			}
		}
	}
	return class, callerID, nil
}

// outbound routes a number no extension, feature or queue has: out
// through a trunk, or refused with the reason. ok is false when routing
// has nothing to say (no outbound routes at all).
func (r *routes) outbound(caller, dialled string) (sip.Target, bool) {
	plan, cfg := r.current()
	if plan == nil || (len(cfg.Outbound) == 0 && !routing.IsEmergency(r.a.cfg.Country, dialled)) {
		return sip.Target{}, false
	}
	e, err := r.a.exts.Get(caller)
	if err != nil {
		return sip.Target{}, false
	}
	d, err := plan.Outbound(dialled, routing.Caller{Extension: caller, Class: extClass(e), CallerID: e.CallerID}, r.a.now())
	if d.Alert != nil {
		r.a.log.Warn("outside calls suspended", "extension", d.Alert.Extension, "reason", d.Alert.Reason)
		r.a.recordAudit(webui.AuditRecord{Actor: "system", Action: "outbound.suspended", Object: "extension " + d.Alert.Extension, Detail: d.Alert.Reason})
	}
	if err != nil {
		if errors.Is(err, routing.ErrNoRoute) {
			return sip.Target{}, false
		}
		code, _ := routing.Response(err)
		return sip.Target{Kind: sip.TargetRefused, Code: code, Refusal: refusal(err)}, true
	}
	t := sip.Target{Kind: sip.TargetTrunk, CallerID: d.CallerID}
	for _, at := range d.Attempts {
		trunk, emergency := at.Trunk, d.Emergency
		t.Trunks = append(t.Trunks, sip.TrunkAttempt{Trunk: at.Trunk, Number: at.Number, Start: func() (func(), error) {
			if emergency {
				return r.limiter.StartEmergency(caller, trunk), nil
			}
			return r.limiter.Start(caller, trunk)
		}})
	}
	r.a.log.Info("outside call", "caller", caller, "dialled", dialled, "route", d.Route, "emergency", d.Emergency)
	return t, true
}

// refusal is the reason phrase a refused caller's phone shows.
func refusal(err error) string {
	switch {
	case errors.Is(err, routing.ErrForbidden):
		return "Outside calls to this number are barred for this extension"
	case errors.Is(err, routing.ErrBlocked):
		return "This number is barred"
	case errors.Is(err, routing.ErrTimeOfDay):
		return "Outside calls are closed at this time"
	case errors.Is(err, routing.ErrSuspended):
		return "Outside calls suspended: ask the administrator"
	case errors.Is(err, routing.ErrLimit):
		return "Outside call limit reached"
	case errors.Is(err, routing.ErrIncomplete):
		return "Number incomplete"
	case errors.Is(err, routing.ErrTrunkBusy):
		return "All lines busy"
	}
	return "Forbidden"
}

// inbound routes a call that came in on a trunk.
func (r *routes) inbound(trunk, did, caller string) sip.Target {
	plan, _ := r.current()
	if plan == nil {
		return sip.Target{}
	}
	d, err := plan.Inbound(did, caller, r.a.now())
	if err != nil {
		code, _ := routing.Response(err)
		r.a.log.Info("inbound call refused", "trunk", trunk, "did", did, "caller", caller, "err", err)
		return sip.Target{Kind: sip.TargetRefused, Code: code, Refusal: "Declined"}
	}
	if d.Default {
		r.a.log.Warn("call to a number no inbound route knows", "trunk", trunk, "did", did, "caller", caller, "to", d.Destination.Kind)
	}
	t := d.Destination.Target
	switch d.Destination.Kind {
	case routing.DestExtension:
		target := sip.Target{Kind: sip.TargetExtension, Extension: t}
		if (directory{exts: r.a.exts}).hasVoicemail(t) {
			target.Fallback = &sip.Target{Kind: sip.TargetService, Service: serviceVoicemail, Args: t}
		}
		return target
	case routing.DestQueue:
		return sip.Target{Kind: sip.TargetService, Service: serviceQueue, Args: t}
	case routing.DestIVR:
		return sip.Target{Kind: sip.TargetService, Service: serviceFlow, Args: t}
	case routing.DestVoicemail:
		return sip.Target{Kind: sip.TargetService, Service: serviceVoicemail, Args: t}
	case routing.DestRingGroup:
		return sip.Target{Kind: sip.TargetService, Service: serviceRingGroup, Args: t}
	}
	return sip.Target{} // hang up: 404
}

// routingAPI is the web panel's RoutingBackend.
type routingAPI struct{ r *routes }

type outboundDoc struct {
	Routes []routing.OutboundRoute `json:"routes"`
}

type inboundDoc struct {
	Routes  []routing.InboundRoute `json:"routes"`
	Default routing.Destination    `json:"default"`
}

type blacklistDoc struct {
	Blacklist     []routing.BlockRule `json:"blacklist"`
	OutboundBlock []string            `json:"outbound_block"`
}

func (api routingAPI) Routing(ctx context.Context, part string) (json.RawMessage, error) {
	_, cfg := api.r.current()
	var v any
	switch part {
	case "outbound":
		v = outboundDoc{Routes: orEmpty(cfg.Outbound)}
	case "inbound":
		v = inboundDoc{Routes: orEmpty(cfg.Inbound), Default: cfg.DefaultInbound}
	case "blacklist":
		v = blacklistDoc{Blacklist: orEmpty(cfg.Blacklist), OutboundBlock: orEmpty(cfg.OutboundBlock)}
	case "limits":
		v = cfg.Limits
	default:
		return nil, fmt.Errorf("%w: no routing part %q", webui.ErrNotFound, part)
	}
	return json.Marshal(v)
}

func orEmptyList[T any](l []T) []T {
	if l == nil {
		return []T{}
	}
	return l
}

func (api routingAPI) SetRouting(ctx context.Context, part string, doc json.RawMessage) ([]webui.RoutingProblem, error) {
	r := api.r
	_, cfg := r.current()
	dec := func(v any) error {
		d := json.NewDecoder(bytes.NewReader(doc))
		d.DisallowUnknownFields()
		if err := d.Decode(v); err != nil {
			return &webui.RoutingErrors{Problems: []webui.RoutingProblem{{Path: part, Severity: "error", Message: "not a valid document: " + err.Error()}}}
		}
		return nil
	}
	switch part {
	case "outbound":
		var v outboundDoc
		if err := dec(&v); err != nil {
			return nil, err
		}
		cfg.Outbound = v.Routes
	case "inbound":
		var v inboundDoc
		if err := dec(&v); err != nil {
			return nil, err
		}
		cfg.Inbound, cfg.DefaultInbound = v.Routes, v.Default
	case "blacklist":
		var v blacklistDoc
		if err := dec(&v); err != nil {
			return nil, err
		}
		cfg.Blacklist, cfg.OutboundBlock = v.Blacklist, v.OutboundBlock
	case "limits":
		var v routing.Limits
		if err := dec(&v); err != nil {
			return nil, err
		}
		cfg.Limits = v
	default:
		return nil, fmt.Errorf("%w: no routing part %q", webui.ErrNotFound, part)
	}
	errs, warnings := r.check(cfg)
	if len(errs) > 0 {
		return nil, &webui.RoutingErrors{Problems: errs}
	}
	if err := r.store.Put(routingKey, cfg); err != nil {
		return nil, err
	}
	if err := r.apply(cfg); err != nil {
		return nil, err
	}
	r.a.auditChange(ctx, "routing.update", part, fmt.Sprintf("%d warnings", len(warnings)))
	return warnings, nil
}

func (api routingAPI) Suspended(ctx context.Context) ([]webui.Suspension, error) {
	var out []webui.Suspension
	for _, al := range api.r.limiter.Suspended() {
		out = append(out, webui.Suspension{Extension: al.Extension, At: al.At, Reason: al.Reason})
	}
	return out, nil
}

func (api routingAPI) LiftSuspension(ctx context.Context, ext string) error {
	if !api.r.limiter.Lift(ext) {
		return fmt.Errorf("%w: extension %q is not suspended", webui.ErrNotFound, ext)
	}
	api.r.a.auditChange(ctx, "outbound.lifted", "extension "+ext, "")
	return nil
}
