package routing

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Plan decides where calls go. It is built once per configuration by
// NewPlan, is immutable, and is safe for concurrent use; its decisions are
// functions of the configuration, the time given and the Limiter's
// counters.
type Plan struct {
	plan      *numbering
	out       []outRoute
	in        []inRoute
	def       Destination
	blacklist []blackRule
	block     []Pattern
	hours     *Schedule
	lim       *Limiter
	// prefixes are the distinct outside-line prefixes of the rules, for
	// finding emergency numbers dialled after one.
	prefixes []string
}

type outRoute struct {
	*OutboundRoute
	rules []outRule
	sched *Schedule
}

type outRule struct {
	PatternRule
	p Pattern
}

type inRoute struct {
	*InboundRoute
	did, cid Pattern
	sched    *Schedule
}

type blackRule struct {
	*BlockRule
	p Pattern // zero for Anonymous
}

// NewPlan compiles a configuration. It fails, wrapping ErrConfig, when
// Validate reports an error (warnings are accepted). lim enforces the
// limits; nil means no limits (tests and tools only: a box always has one,
// made with NewLimiter(c.Limits, clock)). The Plan keeps references to c's
// slices: do not change them afterwards.
func NewPlan(c Config, lim *Limiter) (*Plan, error) {
	var errs []string
	for _, p := range c.Validate() {
		if p.Severity == SeverityError {
			errs = append(errs, p.String())
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("routing: %w: %s", ErrConfig, strings.Join(errs, "; "))
	}
	p := &Plan{plan: planFor(c.Country), def: c.DefaultInbound, lim: lim}
	if p.def.Kind == "" {
		p.def.Kind = DestHangup
	}
	var err error
	if p.hours, err = c.Limits.Hours.schedule(); err != nil {
		return nil, err
	}
	for i := range c.Outbound {
		r := outRoute{OutboundRoute: &c.Outbound[i]}
		for _, pr := range r.Patterns {
			pat, err := Compile(pr.Pattern)
			if err != nil {
				return nil, err
			}
			r.rules = append(r.rules, outRule{pr, pat})
		}
		if r.sched, err = r.TimeCondition.schedule(); err != nil {
			return nil, err
		}
		p.out = append(p.out, r)
	}
	for i := range c.Inbound {
		r := inRoute{InboundRoute: &c.Inbound[i]}
		if r.did, err = Compile(r.DID); err != nil {
			return nil, err
		}
		if r.InboundRoute.CallerID != "" {
			if r.cid, err = Compile(r.InboundRoute.CallerID); err != nil {
				return nil, err
			}
		}
		if r.sched, err = r.TimeCondition.schedule(); err != nil {
			return nil, err
		}
		p.in = append(p.in, r)
	}
	for i := range c.Blacklist {
		b := blackRule{BlockRule: &c.Blacklist[i]}
		if !strings.EqualFold(b.Number, Anonymous) {
			if b.p, err = Compile(b.Number); err != nil {
				return nil, err
			}
		}
		p.blacklist = append(p.blacklist, b)
	}
	for _, s := range c.OutboundBlock {
		pat, err := Compile(s)
		if err != nil {
			return nil, err
		}
		p.block = append(p.block, pat)
	}
	if p.plan == nil {
		p.plan = generic
	}
	for _, r := range p.out {
		for _, ru := range r.rules {
			if ru.Prefix != "" && !slices.Contains(p.prefixes, ru.Prefix) {
				p.prefixes = append(p.prefixes, ru.Prefix)
			}
		}
	}
	return p, nil
}

// Caller is the extension placing an outbound call.
type Caller struct {
	Extension string `json:"extension"`
	// Class is what the extension may dial ("": DefaultClass).
	Class Class `json:"class,omitempty"`
	// CallerID is the extension's own outside number, presented instead
	// of the route's when set.
	CallerID string `json:"caller_id,omitempty"`
	// EmergencyCallerID is presented on emergency calls (the number
	// that locates the phone for the emergency services), when set.
	EmergencyCallerID string `json:"emergency_caller_id,omitempty"`
}

// Decision is where an outbound call goes.
type Decision struct {
	Route     string // the route's name
	Emergency bool   // an emergency number: use Limiter.StartEmergency
	Class     Class  // the class the caller needed
	CallerID  string // to present ("" when neither caller nor route has one)
	// Attempts are the trunks to try in order, each with the number to
	// send it.
	Attempts []Attempt
	// Alert is set when this attempt tripped the burst detector: log it
	// and show it in the panel. The error is then ErrSuspended.
	Alert *Alert
}

// Attempt is one trunk to try and the number to send on it.
type Attempt struct {
	Trunk  string
	Number string
}

// Outbound decides how a number dialled by from at now goes out. Separators
// phones sometimes send (spaces, dashes, dots, parentheses) are ignored.
// Emergency numbers of the configured country (also after the outside-line
// prefix, "9911") always get a Decision, through the first emergency route,
// else the first route that matches, else the first route with trunks (and
// ErrNoRoute only when there is no route at all). For
// other numbers the error wraps ErrSuspended, ErrNoRoute, ErrIncomplete,
// ErrTimeOfDay, ErrForbidden, ErrBlocked or ErrLimit (see Response).
//
// Each call counts as one attempt for the burst detector of
// from.Extension, and each allowed one toward its calls per hour.
func (p *Plan) Outbound(number string, from Caller, now time.Time) (Decision, error) {
	d := normalize(number)
	if em, ok := p.emergency(d); ok {
		return p.emergencyDecision(d, em, from)
	}
	if p.lim != nil {
		if alert, err := p.lim.attempt(from.Extension, now); err != nil {
			return Decision{Alert: alert}, err
		}
	}
	if !p.hours.Active(now) {
		return Decision{}, refuse(ErrTimeOfDay, "outside calls are closed at %s", now.Format("Mon 15:04"))
	}
	route, rule, closed, incomplete := p.match(d, now)
	if route == nil {
		switch {
		case closed:
			return Decision{}, refuse(ErrTimeOfDay, "the routes for %s are closed at %s", d, now.Format("Mon 15:04"))
		case incomplete:
			return Decision{}, refuse(ErrIncomplete, "%s", d)
		}
		return Decision{}, refuse(ErrNoRoute, "%s", d)
	}
	rest := d[len(rule.Prefix):]
	need := p.plan.classify(rest)
	if route.Class != "" {
		need = maxClass(route.Class, need)
	}
	if c := from.Class; !c.Allows(need) {
		if c == "" {
			c = DefaultClass
		}
		return Decision{}, refuse(ErrForbidden, "extension %s of class %s may not dial %s (%s) on route %s", from.Extension, c, d, need, route.Name)
	}
	for _, b := range p.block {
		if b.Match(rest) || b.Match(d) {
			return Decision{}, refuse(ErrBlocked, "%s matches %s", d, b)
		}
	}
	if p.lim != nil {
		if err := p.lim.place(from.Extension, now); err != nil {
			return Decision{}, err
		}
	}
	dec := p.decision(route, rule, rest, from.CallerID)
	dec.Class = need
	return dec, nil
}

// match finds the first route with a rule matching d whose time condition
// holds at now. closed tells that a route matched but was closed;
// incomplete that some rule could match d with more digits.
func (p *Plan) match(d string, now time.Time) (route *outRoute, rule *outRule, closed, incomplete bool) {
	for i := range p.out {
		r := &p.out[i]
		for j := range r.rules {
			ru := &r.rules[j]
			if !strings.HasPrefix(d, ru.Prefix) {
				incomplete = incomplete || strings.HasPrefix(ru.Prefix, d)
				continue
			}
			rest := d[len(ru.Prefix):]
			if !ru.p.Match(rest) {
				incomplete = incomplete || ru.p.Partial(rest)
				continue
			}
			if !r.sched.Active(now) {
				closed = true
				break
			}
			return r, ru, false, false
		}
	}
	return nil, nil, closed, incomplete
}

// decision builds the attempts of route for rest (the number after the
// rule's prefix).
func (p *Plan) decision(route *outRoute, rule *outRule, rest, callerID string) Decision {
	n := rest[min(max(rule.Strip, 0), len(rest)):]
	if rule.Prepend != "" {
		n = rule.Prepend + n
	}
	dec := Decision{Route: route.Name, CallerID: callerID, Attempts: make([]Attempt, len(route.Trunks))}
	if dec.CallerID == "" {
		dec.CallerID = route.CallerID
	}
	for i, t := range route.Trunks {
		dec.Attempts[i] = Attempt{Trunk: t, Number: n}
	}
	return dec
}

// emergency reports whether d is an emergency number, as dialled or after a
// route's outside-line prefix, and returns that number.
func (p *Plan) emergency(d string) (string, bool) {
	if slices.Contains(p.plan.emergency, d) {
		return d, true
	}
	for _, pre := range p.prefixes {
		if strings.HasPrefix(d, pre) && slices.Contains(p.plan.emergency, d[len(pre):]) {
			return d[len(pre):], true
		}
	}
	return "", false
}

func (p *Plan) emergencyDecision(d, em string, from Caller) (Decision, error) {
	var dec Decision
	found := false
	// Emergency routes first, then the others, in order.
	for _, wantEmergency := range []bool{true, false} {
		for i := 0; i < len(p.out) && !found; i++ {
			r := &p.out[i]
			if r.Emergency != wantEmergency || len(r.Trunks) == 0 {
				continue
			}
			for j := range r.rules {
				ru := &r.rules[j]
				if strings.HasPrefix(d, ru.Prefix) && ru.p.Match(d[len(ru.Prefix):]) {
					dec, found = p.decision(r, ru, d[len(ru.Prefix):], from.CallerID), true
					break
				}
			}
		}
	}
	for _, wantEmergency := range []bool{true, false} {
		for i := 0; i < len(p.out) && !found; i++ {
			if r := &p.out[i]; r.Emergency == wantEmergency && len(r.Trunks) > 0 {
				dec, found = p.decision(r, &outRule{}, em, from.CallerID), true
			}
		}
	}
	if !found {
		return Decision{Emergency: true}, refuse(ErrNoRoute, "emergency number %s: there is no outbound route", em)
	}
	if from.EmergencyCallerID != "" {
		dec.CallerID = from.EmergencyCallerID
	}
	dec.Emergency, dec.Class = true, ClassLocal
	return dec, nil
}

// Progress says what to do with the digits a phone has sent so far.
type Progress uint8

const (
	NoMatch  Progress = iota // no route will ever match: refuse now
	NeedMore                 // a route could match with more digits: wait
	MayDial                  // a route matches, a longer number could too: dial after the inter-digit timeout
	DialNow                  // a route matches and no longer number could (or it ends in '!'): dial now
)

// Progress tells, for overlap dialling, whether number (so far) should be
// dialled now, after a timeout, or waited on. Emergency numbers are DialNow.
// It ignores time conditions and classes: Outbound decides those.
func (p *Plan) Progress(number string) Progress {
	d := normalize(number)
	if _, ok := p.emergency(d); ok {
		return DialNow
	}
	matched, partial, immediate := false, false, false
	for i := range p.out {
		for _, ru := range p.out[i].rules {
			if !strings.HasPrefix(d, ru.Prefix) {
				partial = partial || strings.HasPrefix(ru.Prefix, d)
				continue
			}
			rest := d[len(ru.Prefix):]
			if ru.p.Match(rest) {
				matched = true
				immediate = immediate || ru.p.Immediate()
			}
			partial = partial || ru.p.Partial(rest)
		}
	}
	switch {
	case matched && (immediate || !partial):
		return DialNow
	case matched:
		return MayDial
	case partial:
		return NeedMore
	}
	return NoMatch
}

// InboundDecision is where an inbound call goes.
type InboundDecision struct {
	Destination Destination
	Route       string // the route's name, "" for the default and the blacklist
	// Default is set when no route knew the DID: the integrator logs it.
	Default bool
	// Blacklisted is set when the blacklist redirected the caller.
	Blacklisted bool
}

// Inbound decides where a call from callerID to did goes at now. A caller
// on the blacklist is rejected (the error wraps ErrBlacklisted, and
// Response gives the rule's code) or redirected; otherwise the most
// specific route whose DID and caller ID patterns match and whose time
// condition holds wins (DID specificity first, then caller ID, then having
// a time condition; the earlier of equals); otherwise the default
// destination. A callerID that is empty or not a number is anonymous.
// Numbers match in national and in international form alike: a route for
// "0142685300" takes calls to "+33142685300" in France, and a blacklisted
// "+33612345678" is refused when it calls as "0612345678".
func (p *Plan) Inbound(did, callerID string, now time.Time) (InboundDecision, error) {
	dn, cn := p.forms(normalize(did)), p.forms(normalize(callerID))
	anonymous := cn.n == "" || strings.Trim(cn.n, "0123456789*#+") != ""
	for _, b := range p.blacklist {
		if (b.p.Specificity() < 0 && anonymous) || (!anonymous && cn.match(b.p)) {
			if b.Action == BlockRedirect {
				return InboundDecision{Destination: b.Destination, Blacklisted: true}, nil
			}
			code := b.Code
			if code == 0 {
				code = 603
			}
			return InboundDecision{}, fmt.Errorf("routing: %w", &codeError{code, fmt.Errorf("%w: %s matches %s", ErrBlacklisted, callerID, b.Number)})
		}
	}
	var best *inRoute
	var bestKey [3]int
	for i := range p.in {
		r := &p.in[i]
		if !dn.match(r.did) {
			continue
		}
		cidSpec := 0
		if r.InboundRoute.CallerID != "" {
			if anonymous || !cn.match(r.cid) {
				continue
			}
			cidSpec = 1 + r.cid.Specificity()
		}
		if !r.sched.Active(now) {
			continue
		}
		key := [3]int{r.did.Specificity(), cidSpec, 0}
		if r.sched != nil {
			key[2] = 1
		}
		if best == nil || slices.Compare(key[:], bestKey[:]) > 0 {
			best, bestKey = r, key
		}
	}
	if best == nil {
		return InboundDecision{Destination: p.def, Default: true}, nil
	}
	return InboundDecision{Destination: best.Destination, Route: best.Name}, nil
}

// forms is a number as received and, when the country is known, the same
// number in national (0142685300) and international (+33142685300) form. Providers differ in which they
// send, admins in which they write.
type forms struct{ n, alt, intl string }

func (p *Plan) forms(n string) forms {
	pl := p.plan
	if pl.cc == "" || n == "" {
		return forms{n: n}
	}
	if rest, ok := pl.abroad(n); ok {
		if strings.HasPrefix(rest, pl.cc) {
			return forms{n, pl.trunk + rest[len(pl.cc):], "+" + rest}
		}
		return forms{n: n}
	}
	if strings.HasPrefix(n, pl.trunk) && symbolsOnly(n) && !strings.ContainsAny(n, "*#+") {
		return forms{n: n, intl: "+" + pl.cc + n[len(pl.trunk):]}
	}
	return forms{n: n}
}

func (f forms) match(p Pattern) bool {
	return p.Match(f.n) || (f.alt != "" && p.Match(f.alt)) || (f.intl != "" && p.Match(f.intl))
}

// normalize removes the visual separators phones and providers put in
// numbers and unescapes '#'.
func normalize(s string) string {
	if strings.Contains(s, "%23") {
		s = strings.ReplaceAll(s, "%23", "#")
	}
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(" -.()", r) {
			return -1
		}
		return r
	}, s)
}
