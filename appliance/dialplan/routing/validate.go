package routing

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Severity tells whether a Problem stops the configuration from being used.
type Severity string

const (
	SeverityError   Severity = "error"   // NewPlan refuses the configuration
	SeverityWarning Severity = "warning" // works, but probably not as meant
)

// Problem is one finding of Validate, for the panel to show beside the
// field.
type Problem struct {
	// Path names the field: "outbound[2].patterns[0].pattern",
	// "inbound[0].time_condition.time_zone", "limits.burst_calls".
	Path     string   `json:"path"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
}

func (p Problem) String() string { return p.Path + ": " + string(p.Severity) + ": " + p.Message }

type problems []Problem

func (ps *problems) add(sev Severity, path, format string, args ...any) {
	*ps = append(*ps, Problem{Path: path, Severity: sev, Message: fmt.Sprintf(format, args...)})
}

// pattern compiles s, reporting a problem at path if it is bad.
func (ps *problems) pattern(path, s string) (Pattern, bool) {
	p, err := Compile(s)
	var pe *PatternError
	if errors.As(err, &pe) {
		if pe.Char == "" {
			ps.add(SeverityError, path, "at the end of %q: %s", s, pe.Reason)
		} else {
			ps.add(SeverityError, path, "%q at position %d of %q: %s", pe.Char, pe.Pos, s, pe.Reason)
		}
		return Pattern{}, false
	}
	return p, true
}

func (ps *problems) timeCondition(path string, tc *TimeCondition) {
	if tc == nil {
		return
	}
	if _, err := tc.Compile(); err != nil {
		// The error reads "bad time condition: field: message".
		msg := strings.TrimPrefix(err.Error(), ErrBadTime.Error()+": ")
		field, msg, _ := strings.Cut(msg, ": ")
		ps.add(SeverityError, path+"."+field, "%s", msg)
	}
}

func (ps *problems) destination(path string, d Destination) {
	switch d.Kind {
	case DestHangup:
	case DestExtension, DestQueue, DestIVR, DestRingGroup, DestVoicemail:
		if d.Target == "" {
			ps.add(SeverityError, path+".target", "a %s destination needs a target", d.Kind)
		}
	default:
		ps.add(SeverityError, path+".kind", "%q is not one of extension, queue, ivr, ringgroup, voicemail, hangup", d.Kind)
	}
}

// symbolsOnly reports whether s holds only characters a number may hold.
func symbolsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if _, ok := symbol(s[i]); !ok {
			return false
		}
	}
	return true
}

// Validate checks the whole configuration and returns its problems, errors
// first in field order, then warnings; none means all is well. Errors:
// unparseable patterns, unknown trunks, routes without trunks or patterns,
// bad classes, time zones, times, dates, destinations, caller IDs and
// limits, unknown country. Warnings: outbound patterns shadowed by an
// earlier route's (they can never be used), inbound routes identical to an
// earlier one, no emergency route.
func (c Config) Validate() []Problem {
	var ps problems
	if c.Country != "" && plans[strings.ToUpper(c.Country)] == nil {
		ps.add(SeverityError, "country", "unknown country %q; known: %s", c.Country, strings.Join(Countries(), ", "))
	}
	type eff struct {
		route, rule int
		p           Pattern
	}
	var earlier []eff // effective patterns of routes without time condition
	names := map[string]int{}
	for i, r := range c.Outbound {
		path := fmt.Sprintf("outbound[%d]", i)
		switch j, dup := names[r.Name]; {
		case r.Name == "":
			ps.add(SeverityError, path+".name", "a route needs a name")
		case dup:
			ps.add(SeverityError, path+".name", "outbound[%d] already has the name %q", j, r.Name)
		default:
			names[r.Name] = i
		}
		if len(r.Patterns) == 0 {
			ps.add(SeverityError, path+".patterns", "a route needs at least one dial pattern")
		}
		var mine []eff
		for k, pr := range r.Patterns {
			pp := fmt.Sprintf("%s.patterns[%d]", path, k)
			if !symbolsOnly(pr.Prefix) {
				ps.add(SeverityError, pp+".prefix", "%q: a prefix has only digits, '*', '#' and '+'", pr.Prefix)
			}
			if !symbolsOnly(pr.Prepend) {
				ps.add(SeverityError, pp+".prepend", "%q: what is prepended has only digits, '*', '#' and '+'", pr.Prepend)
			}
			p, ok := ps.pattern(pp+".pattern", pr.Pattern)
			if !ok {
				continue
			}
			if pr.Strip < 0 {
				ps.add(SeverityError, pp+".strip", "cannot strip %d characters", pr.Strip)
			} else if pr.Strip > p.MinLen() {
				ps.add(SeverityWarning, pp+".strip", "strips %d characters but %q matches numbers of %d", pr.Strip, pr.Pattern, p.MinLen())
			}
			if !symbolsOnly(pr.Prefix) {
				continue
			}
			e := eff{i, k, p.withPrefix(pr.Prefix)}
			for _, o := range slices.Concat(earlier, mine) {
				if o.p.covers(e.p) {
					ps.add(SeverityWarning, pp, "never used: outbound[%d].patterns[%d] (%q) catches every number %q matches first", o.route, o.rule, c.Outbound[o.route].Patterns[o.rule].Pattern, pr.Pattern)
					break
				}
			}
			mine = append(mine, e)
		}
		if r.TimeCondition == nil {
			earlier = append(earlier, mine...)
		}
		if len(r.Trunks) == 0 {
			ps.add(SeverityError, path+".trunks", "a route needs at least one trunk")
		}
		for k, t := range r.Trunks {
			switch {
			case !slices.Contains(c.Trunks, t):
				ps.add(SeverityError, fmt.Sprintf("%s.trunks[%d]", path, k), "no trunk is named %q", t)
			case slices.Index(r.Trunks, t) < k:
				ps.add(SeverityWarning, fmt.Sprintf("%s.trunks[%d]", path, k), "trunk %q is listed twice", t)
			}
		}
		if !validCallerID(r.CallerID) {
			ps.add(SeverityError, path+".caller_id", "%q: a caller ID is digits, optionally after '+'", r.CallerID)
		}
		if !r.Class.Valid() {
			ps.add(SeverityError, path+".class", "%q is not one of internal, local, national, international, premium", r.Class)
		}
		ps.timeCondition(path+".time_condition", r.TimeCondition)
	}
	if len(c.Outbound) > 0 && !slices.ContainsFunc(c.Outbound, func(r OutboundRoute) bool { return r.Emergency }) {
		ps.add(SeverityWarning, "outbound", "no route is marked emergency: emergency numbers go out on the first route that matches them, else on %q as dialled", c.Outbound[0].Name)
	} else if len(c.Outbound) == 0 && len(c.Trunks) > 0 {
		ps.add(SeverityWarning, "outbound", "there are trunks but no outbound route: emergency numbers cannot be called")
	}
	for i, r := range c.Inbound {
		path := fmt.Sprintf("inbound[%d]", i)
		if r.DID == "" {
			ps.add(SeverityError, path+".did", "a route needs a DID (a number or a pattern)")
		} else {
			ps.pattern(path+".did", r.DID)
		}
		if r.CallerID != "" {
			ps.pattern(path+".caller_id", r.CallerID)
		}
		ps.timeCondition(path+".time_condition", r.TimeCondition)
		ps.destination(path+".destination", r.Destination)
		if r.TimeCondition == nil {
			for j, o := range c.Inbound[:i] {
				if o.TimeCondition == nil && o.DID == r.DID && o.CallerID == r.CallerID {
					ps.add(SeverityWarning, path, "never used: inbound[%d] has the same DID and caller ID", j)
					break
				}
			}
		}
	}
	if c.DefaultInbound.Kind != "" {
		ps.destination("default_inbound", c.DefaultInbound)
	}
	for i, b := range c.Blacklist {
		path := fmt.Sprintf("blacklist[%d]", i)
		if !strings.EqualFold(b.Number, Anonymous) {
			ps.pattern(path+".number", b.Number)
		}
		switch b.Action {
		case "", BlockReject:
			if b.Code != 0 && (b.Code < 400 || b.Code > 699) {
				ps.add(SeverityError, path+".code", "%d is not a SIP error code (400 to 699)", b.Code)
			}
		case BlockRedirect:
			ps.destination(path+".destination", b.Destination)
		default:
			ps.add(SeverityError, path+".action", "%q is not reject or redirect", b.Action)
		}
	}
	for i, s := range c.OutboundBlock {
		path := fmt.Sprintf("outbound_block[%d]", i)
		if p, ok := ps.pattern(path, s); ok {
			if n := slices.IndexFunc(EmergencyNumbers(c.Country), p.Match); n >= 0 {
				ps.add(SeverityWarning, path, "matches the emergency number %s, which is never blocked", EmergencyNumbers(c.Country)[n])
			}
		}
	}
	ps.limits(c)
	slices.SortStableFunc(ps, func(a, b Problem) int {
		if a.Severity == b.Severity {
			return 0
		}
		if a.Severity == SeverityError {
			return -1
		}
		return 1
	})
	return ps
}

func (ps *problems) limits(c Config) {
	l := c.Limits
	for _, f := range []struct {
		name string
		v    int
	}{
		{"extension_concurrent", l.ExtensionConcurrent}, {"extension_per_hour", l.ExtensionPerHour},
		{"trunk_concurrent", l.TrunkConcurrent}, {"trunk_per_hour", l.TrunkPerHour},
		{"burst_calls", l.BurstCalls}, {"burst_seconds", l.BurstSeconds},
	} {
		if f.v < -1 {
			ps.add(SeverityError, "limits."+f.name, "%d: a limit is a count, 0 for the default or -1 for none", f.v)
		}
	}
	if l.BurstSeconds == -1 && l.BurstCalls != -1 {
		ps.add(SeverityError, "limits.burst_seconds", "the burst window needs a length (0 for the default)")
	}
	for _, t := range slices.Sorted(maps.Keys(l.TrunkChannels)) {
		if v := l.TrunkChannels[t]; v < -1 {
			ps.add(SeverityError, "limits.trunk_channels."+t, "%d: a limit is a count, 0 for the default or -1 for none", v)
		}
		if !slices.Contains(c.Trunks, t) {
			ps.add(SeverityWarning, "limits.trunk_channels."+t, "no trunk is named %q", t)
		}
	}
	ps.timeCondition("limits.hours", l.Hours)
}

// validCallerID accepts "" and digits, optionally after '+'.
func validCallerID(s string) bool {
	d := strings.TrimPrefix(s, "+")
	return s == "" || (d != "" && strings.Trim(d, "0123456789") == "")
}
