package webuitest

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"deskline/webui"
)

// MemoryTrunks is a webui.TrunkBackend in memory with simple checks; a
// test sets each trunk's live state with SetStatus. Deleting a trunk is
// refused while a route of the MemoryRouting made over it names it. It
// is safe for concurrent use.
type MemoryTrunks struct {
	mu       sync.Mutex
	trunks   map[string]webui.Trunk // with the password, without status
	statuses map[string]webui.TrunkStatus
	inUse    func(name string) []string // routes naming a trunk
}

// NewMemoryTrunks returns a backend without trunks.
func NewMemoryTrunks() *MemoryTrunks {
	return &MemoryTrunks{trunks: map[string]webui.Trunk{}, statuses: map[string]webui.TrunkStatus{}}
}

// SetStatus sets the live state the named trunk is listed with.
func (m *MemoryTrunks) SetStatus(name string, st webui.TrunkStatus) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.statuses[name] = st
}

// Password returns the password stored for the named trunk.
func (m *MemoryTrunks) Password(name string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.trunks[name].Password
}

// names returns the trunks' names, sorted.
func (m *MemoryTrunks) names() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	l := make([]string, 0, len(m.trunks))
	for n := range m.trunks {
		l = append(l, n)
	}
	slices.Sort(l)
	return l
}

// view is t as served: no password, with its status. m.mu is held.
func (m *MemoryTrunks) view(t webui.Trunk) webui.Trunk {
	t.PasswordSet, t.Password = t.Password != "", ""
	st, ok := m.statuses[t.Name]
	if !ok {
		st = webui.TrunkStatus{LastError: "not started"}
	}
	t.Status = &st
	return t
}

func checkTrunk(t webui.Trunk) error {
	switch {
	case t.Name == "" || strings.Trim(strings.ToLower(t.Name), "abcdefghijklmnopqrstuvwxyz0123456789-_") != "" || len(t.Name) > 32:
		return invalid("name", "1 to 32 letters, digits, '-' or '_'")
	case t.Host == "" || strings.ContainsAny(t.Host, " /@"):
		return invalid("host", "want the provider's domain or address, host or host:port")
	case !slices.Contains([]string{"", "udp", "tcp", "tls"}, t.Transport):
		return invalid("transport", "want udp, tcp or tls")
	case !slices.Contains([]string{"", "from", "pai", "rpid"}, t.CallerIDMode):
		return invalid("caller_id_mode", "want from, pai or rpid")
	case !slices.Contains([]string{"", "rfc4733", "inband"}, t.DTMF):
		return invalid("dtmf", "want rfc4733 or inband")
	case !callerID(t.CallerID):
		return invalid("caller_id", "a caller ID is digits, optionally after '+'")
	case t.Expiry < 0 || (t.Expiry > 0 && t.Expiry < 60):
		return invalid("expiry", "at least 60 seconds (0 for the default)")
	case t.MaxChannels < 0:
		return invalid("max_channels", "cannot be negative")
	case t.KeepAlive < -1:
		return invalid("keepalive", "seconds, 0 for the default or -1 for none")
	case t.Register && t.Username == "":
		return invalid("username", "registering needs a user name")
	}
	for _, c := range t.Codecs {
		if c != "PCMU" && c != "PCMA" {
			return invalid("codecs", fmt.Sprintf("%q: want PCMU or PCMA", c))
		}
	}
	return nil
}

func trunkNotFound(name string) error { return fmt.Errorf("%w: no trunk %q", webui.ErrNotFound, name) }

// ListTrunks implements webui.TrunkBackend, by name.
func (m *MemoryTrunks) ListTrunks(ctx context.Context) ([]webui.Trunk, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var l []webui.Trunk
	for _, t := range m.trunks {
		l = append(l, m.view(t))
	}
	slices.SortFunc(l, func(a, b webui.Trunk) int { return cmp.Compare(a.Name, b.Name) })
	return l, nil
}

// GetTrunk implements webui.TrunkBackend.
func (m *MemoryTrunks) GetTrunk(ctx context.Context, name string) (webui.Trunk, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.trunks[name]
	if !ok {
		return webui.Trunk{}, trunkNotFound(name)
	}
	return m.view(t), nil
}

// CreateTrunk implements webui.TrunkBackend.
func (m *MemoryTrunks) CreateTrunk(ctx context.Context, in webui.Trunk) (webui.Trunk, error) {
	if err := checkTrunk(in); err != nil {
		return webui.Trunk{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.trunks[in.Name]; ok {
		return webui.Trunk{}, fmt.Errorf("%w: name: trunk %q already exists", webui.ErrConflict, in.Name)
	}
	in.Status, in.PasswordSet = nil, false
	m.trunks[in.Name] = in
	return m.view(in), nil
}

// UpdateTrunk implements webui.TrunkBackend: an empty password keeps the
// stored one.
func (m *MemoryTrunks) UpdateTrunk(ctx context.Context, name string, in webui.Trunk) (webui.Trunk, error) {
	if in.Name != name {
		return webui.Trunk{}, invalid("name", "cannot be changed")
	}
	if err := checkTrunk(in); err != nil {
		return webui.Trunk{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	old, ok := m.trunks[name]
	if !ok {
		return webui.Trunk{}, trunkNotFound(name)
	}
	in.Password = cmp.Or(in.Password, old.Password)
	in.Status, in.PasswordSet = nil, false
	m.trunks[name] = in
	return m.view(in), nil
}

// DeleteTrunk implements webui.TrunkBackend.
func (m *MemoryTrunks) DeleteTrunk(ctx context.Context, name string) error {
	m.mu.Lock()
	inUse := m.inUse
	_, ok := m.trunks[name]
	m.mu.Unlock()
	if !ok {
		return trunkNotFound(name)
	}
	if inUse != nil {
		if routes := inUse(name); len(routes) > 0 {
			return fmt.Errorf("%w: trunk %q is used by the route %s", webui.ErrInvalid, name, strings.Join(routes, ", "))
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.trunks, name)
	delete(m.statuses, name)
	return nil
}

// MemoryRouting is a webui.RoutingBackend that keeps each part as the
// JSON document it was given. It is a test double: it checks the
// documents' shape and a few rules (names, patterns' characters, trunks
// that exist, destinations' kinds, limits), and warns only about a
// pattern repeated by a later route; the box's own validation is richer.
// Suspensions are set by the test with Suspend. It is safe for concurrent
// use.
type MemoryRouting struct {
	// Now stamps suspensions; nil means time.Now.
	Now func() time.Time

	trunks    *MemoryTrunks
	mu        sync.Mutex
	docs      map[string]json.RawMessage
	suspended []webui.Suspension
}

// NewMemoryRouting returns empty routing over trunks (nil: no trunks
// exist), whose deletion it then refuses while a route names the trunk.
func NewMemoryRouting(trunks *MemoryTrunks) *MemoryRouting {
	r := &MemoryRouting{trunks: trunks, docs: map[string]json.RawMessage{
		"outbound":  json.RawMessage(`{"routes":[]}`),
		"inbound":   json.RawMessage(`{"routes":[],"default":{"kind":"hangup"}}`),
		"blacklist": json.RawMessage(`{"blacklist":[],"outbound_block":[]}`),
		"limits":    json.RawMessage(`{}`),
	}}
	if trunks != nil {
		trunks.mu.Lock()
		trunks.inUse = r.routesUsing
		trunks.mu.Unlock()
	}
	return r
}

// routesUsing names the outbound routes that use trunk.
func (r *MemoryRouting) routesUsing(trunk string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var doc webui.OutboundRoutes
	if json.Unmarshal(r.docs["outbound"], &doc) != nil {
		return nil
	}
	var l []string
	for _, rt := range doc.Routes {
		if slices.Contains(rt.Trunks, trunk) {
			l = append(l, rt.Name)
		}
	}
	return l
}

// Suspend suspends ext's outside calls for reason.
func (r *MemoryRouting) Suspend(ext, reason string) {
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.suspended = append(r.suspended, webui.Suspension{Extension: ext, At: now(), Reason: reason})
}

// Routing implements webui.RoutingBackend.
func (r *MemoryRouting) Routing(ctx context.Context, part string) (json.RawMessage, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	doc, ok := r.docs[part]
	if !ok {
		return nil, fmt.Errorf("%w: no routing part %q", webui.ErrNotFound, part)
	}
	return slices.Clone(doc), nil
}

// SetRouting implements webui.RoutingBackend.
func (r *MemoryRouting) SetRouting(ctx context.Context, part string, doc json.RawMessage) ([]webui.RoutingProblem, error) {
	var p routingCheck
	if r.trunks != nil {
		p.trunks = r.trunks.names()
	}
	var v any
	switch part {
	case "outbound":
		v = &webui.OutboundRoutes{}
	case "inbound":
		v = &webui.InboundRoutes{}
	case "blacklist":
		v = &webui.Blacklist{}
	case "limits":
		v = &webui.RoutingLimits{}
	default:
		return nil, fmt.Errorf("%w: no routing part %q", webui.ErrNotFound, part)
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return nil, &webui.RoutingErrors{Problems: []webui.RoutingProblem{{Path: part, Severity: "error", Message: "not a valid document: " + err.Error()}}}
	}
	switch v := v.(type) {
	case *webui.OutboundRoutes:
		p.outbound(v)
	case *webui.InboundRoutes:
		p.inbound(v)
	case *webui.Blacklist:
		p.blacklist(v)
	case *webui.RoutingLimits:
		p.limits(v)
	}
	if len(p.errs) > 0 {
		return nil, &webui.RoutingErrors{Problems: p.errs}
	}
	canonical, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.docs[part] = canonical
	return p.warnings, nil
}

// Suspended implements webui.RoutingBackend.
func (r *MemoryRouting) Suspended(ctx context.Context) ([]webui.Suspension, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.suspended), nil
}

// LiftSuspension implements webui.RoutingBackend.
func (r *MemoryRouting) LiftSuspension(ctx context.Context, ext string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	i := slices.IndexFunc(r.suspended, func(s webui.Suspension) bool { return s.Extension == ext })
	if i < 0 {
		return fmt.Errorf("%w: extension %q is not suspended", webui.ErrNotFound, ext)
	}
	r.suspended = slices.Delete(r.suspended, i, i+1)
	return nil
}

// routingCheck collects the problems of one document.
type routingCheck struct {
	trunks         []string
	errs, warnings []webui.RoutingProblem
}

func (c *routingCheck) fail(path, format string, args ...any) {
	c.errs = append(c.errs, webui.RoutingProblem{Path: path, Severity: "error", Message: fmt.Sprintf(format, args...)})
}

// pattern checks a number or pattern: digits, '*', '#', '+', and after a
// leading '_' the letters X, Z, N, '.', '!' and ranges in brackets.
func (c *routingCheck) pattern(path, s string) {
	allowed := "0123456789*#+"
	if strings.HasPrefix(s, "_") {
		s, allowed = s[1:], allowed+"XZNxzn.![]-"
	}
	if s == "" {
		c.fail(path, "is empty")
	} else if i := strings.IndexFunc(s, func(r rune) bool { return !strings.ContainsRune(allowed, r) }); i >= 0 {
		c.fail(path, "%q at position %d: not a digit or pattern letter", s[i], i)
	}
}

func (c *routingCheck) callerID(path, s string) {
	if !callerID(s) {
		c.fail(path, "%q: a caller ID is digits, optionally after '+'", s)
	}
}

var days = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

func (c *routingCheck) timeCondition(path string, tc *webui.TimeCondition) {
	if tc == nil {
		return
	}
	if tc.TimeZone != "" {
		if _, err := time.LoadLocation(tc.TimeZone); err != nil {
			c.fail(path+".time_zone", "%q is not a time zone", tc.TimeZone)
		}
	}
	for i, w := range tc.Weekly {
		wp := fmt.Sprintf("%s.weekly[%d]", path, i)
		for _, d := range w.Days {
			if !slices.Contains(days, d) {
				c.fail(wp+".days", "%q is not a day (mon … sun)", d)
			}
		}
		for _, f := range [][2]string{{"from", w.From}, {"to", w.To}} {
			if _, err := time.Parse("15:04", f[1]); err != nil && f[1] != "24:00" {
				c.fail(wp+"."+f[0], "%q is not a time like 08:30", f[1])
			}
		}
	}
	for i, h := range tc.Holidays {
		if _, err := time.Parse(time.DateOnly, h); err != nil {
			c.fail(fmt.Sprintf("%s.holidays[%d]", path, i), "%q is not a date like 2026-12-25", h)
		}
	}
}

func (c *routingCheck) destination(path string, d webui.Destination) {
	switch d.Kind {
	case "", "hangup":
	case "extension", "queue", "ivr", "voicemail":
		if d.Target == "" {
			c.fail(path+".target", "a %s destination needs a target", d.Kind)
		}
	default:
		c.fail(path+".kind", "%q is not one of extension, queue, ivr, voicemail, hangup", d.Kind)
	}
}

func (c *routingCheck) outbound(doc *webui.OutboundRoutes) {
	names := map[string]int{}
	seen := map[string]string{} // prefix+pattern → where
	for i, r := range doc.Routes {
		path := fmt.Sprintf("outbound[%d]", i)
		if j, dup := names[r.Name]; r.Name == "" {
			c.fail(path+".name", "a route needs a name")
		} else if dup {
			c.fail(path+".name", "outbound[%d] already has the name %q", j, r.Name)
		} else {
			names[r.Name] = i
		}
		if len(r.Patterns) == 0 {
			c.fail(path+".patterns", "a route needs at least one dial pattern")
		}
		for k, p := range r.Patterns {
			pp := fmt.Sprintf("%s.patterns[%d]", path, k)
			c.pattern(pp+".pattern", p.Pattern)
			if p.Strip < 0 {
				c.fail(pp+".strip", "cannot strip %d characters", p.Strip)
			}
			if where, ok := seen[p.Prefix+"|"+p.Pattern]; ok && r.TimeCondition == nil {
				c.warnings = append(c.warnings, webui.RoutingProblem{Path: pp, Severity: "warning",
					Message: fmt.Sprintf("never used: %s catches every number %q matches first", where, p.Pattern)})
			} else if !ok && r.TimeCondition == nil {
				seen[p.Prefix+"|"+p.Pattern] = pp
			}
		}
		if len(r.Trunks) == 0 {
			c.fail(path+".trunks", "a route needs at least one trunk")
		}
		for k, t := range r.Trunks {
			if !slices.Contains(c.trunks, t) {
				c.fail(fmt.Sprintf("%s.trunks[%d]", path, k), "no trunk is named %q", t)
			}
		}
		c.callerID(path+".caller_id", r.CallerID)
		if r.Class != "" && !slices.Contains(Classes, r.Class) {
			c.fail(path+".class", "%q is not one of %s", r.Class, strings.Join(Classes, ", "))
		}
		c.timeCondition(path+".time_condition", r.TimeCondition)
	}
}

func (c *routingCheck) inbound(doc *webui.InboundRoutes) {
	for i, r := range doc.Routes {
		path := fmt.Sprintf("inbound[%d]", i)
		if r.DID == "" {
			c.fail(path+".did", "a route needs a DID (a number or a pattern)")
		} else {
			c.pattern(path+".did", r.DID)
		}
		if r.CallerID != "" {
			c.pattern(path+".caller_id", r.CallerID)
		}
		c.timeCondition(path+".time_condition", r.TimeCondition)
		c.destination(path+".destination", r.Destination)
	}
	c.destination("default_inbound", doc.Default)
}

func (c *routingCheck) blacklist(doc *webui.Blacklist) {
	for i, b := range doc.Blacklist {
		path := fmt.Sprintf("blacklist[%d]", i)
		if b.Number != "anonymous" {
			c.pattern(path+".number", b.Number)
		}
		switch b.Action {
		case "reject":
			if b.Code != 0 && (b.Code < 400 || b.Code > 699) {
				c.fail(path+".code", "%d is not a SIP error code (400 to 699)", b.Code)
			}
		case "redirect":
			c.destination(path+".destination", b.Destination)
		default:
			c.fail(path+".action", "%q is not reject or redirect", b.Action)
		}
	}
	for i, s := range doc.OutboundBlock {
		c.pattern(fmt.Sprintf("outbound_block[%d]", i), s)
	}
}

func (c *routingCheck) limits(l *webui.RoutingLimits) {
	for _, f := range []struct {
		name string
		v    int
	}{
		{"extension_concurrent", l.ExtensionConcurrent}, {"extension_per_hour", l.ExtensionPerHour},
		{"trunk_concurrent", l.TrunkConcurrent}, {"trunk_per_hour", l.TrunkPerHour},
		{"burst_calls", l.BurstCalls}, {"burst_seconds", l.BurstSeconds},
	} {
		if f.v < -1 {
			c.fail("limits."+f.name, "%d: a limit is a count, 0 for the default or -1 for none", f.v)
		}
	}
	for _, t := range slices.Sorted(maps.Keys(l.TrunkChannels)) {
		if v := l.TrunkChannels[t]; v < -1 {
			c.fail("limits.trunk_channels."+t, "%d: a limit is a count, 0 for the default or -1 for none", v)
		}
	}
	c.timeCondition("limits.hours", l.Hours)
}
