package webui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// routesPage is what the routing pages show.
type routesPage struct {
	Tab       string // outbound, inbound, blacklist, limits
	Outbound  []routeForm
	Inbound   []routeForm
	Default   destForm
	Block     []blockRow
	NewBlock  blockRow
	OutBlock  string // the outbound block list, one pattern per line
	OutErrs   map[string]string
	Limits    limitsForm
	Suspended []Suspension
	Trunks    []string // names of the trunks that exist
	Targets   []destChoice
	Warnings  []RoutingProblem // after a save
}

// routeForm is one outbound or inbound route as its form shows it.
type routeForm struct {
	Index             int
	New               bool
	Orig              string // the name it had when the page was shown
	Name, CallerID    string
	Patterns          string   // outbound: one per line
	Trunks            []string // outbound: chosen in order, padded with "" for the empty choices
	Class             string
	Emergency         bool
	DID               string // inbound
	Dest              Destination
	TC                tcForm
	Errs, Warns       map[string]string // field → message
	ID                string            // prefix of its inputs' ids
	RouteErr, RouteWn string            // about the route as a whole
}

// tcForm is a time condition as its form fields show it.
type tcForm struct {
	On                         bool
	TimeZone, Weekly, Holidays string
}

// destForm is a destination's fields with their errors.
type destForm struct {
	Dest Destination
	Err  string
}

// blockRow is a blacklist rule with what is wrong with it.
type blockRow struct {
	Index int
	Rule  BlockRule
	Errs  map[string]string
}

// limitsForm is the limits form as typed.
type limitsForm struct {
	Ints     map[string]string
	Channels []struct{ Trunk, Value string }
	Hours    tcForm
	Errs     map[string]string
}

// destChoice is an extension, queue or IVR flow a destination may name.
type destChoice struct{ Kind, Value, Label string }

// routingClasses are the classes of outside calls, least first.
var routingClasses = []string{"internal", "local", "national", "international", "premium"}

// destKinds are the destinations of inbound calls.
var destKinds = []struct{ Value, Label string }{
	{"extension", "Extension"}, {"queue", "Queue"}, {"ivr", "IVR flow"}, {"ringgroup", "Ring group"}, {"voicemail", "Voicemail of"}, {"hangup", "Hang up"},
}

// limitFields are the whole-number limits, with their labels and help.
var limitFields = []struct{ Field, Label, Help string }{
	{"extension_concurrent", "Outside calls at once, per extension", "Default 2."},
	{"extension_per_hour", "Outside calls per hour, per extension", "Default 30."},
	{"trunk_concurrent", "Calls at once, per trunk", "Default 30; a trunk's own figure below overrides it."},
	{"trunk_per_hour", "Calls per hour, per trunk", "Default 300."},
	{"burst_calls", "Burst: calls", "More outside call attempts than this by one extension within the burst window suspend its outside calls until you lift the suspension on this page. Default 10."},
	{"burst_seconds", "Burst: window (seconds)", "Default 60."},
}

func (s *Server) routePageRoutes(mux *http.ServeMux) {
	mux.HandleFunc("/routes", s.admin(true, s.handleOutbound))
	mux.HandleFunc("/routes/inbound", s.admin(true, s.handleInbound))
	mux.HandleFunc("/routes/blacklist", s.admin(true, s.handleBlacklist))
	mux.HandleFunc("/routes/limits", s.admin(true, s.handleLimits))
}

// routingDoc reads part into v.
func (s *Server) routingDoc(ctx context.Context, part string, v any) error {
	raw, err := s.routing.Routing(ctx, part)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("webui: routing part %s: %w", part, err)
	}
	return nil
}

// saveRouting puts v as part. A refusal comes back as problems, with a
// nil error.
func (s *Server) saveRouting(ctx context.Context, part string, v any) (warnings, problems []RoutingProblem, err error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, nil, err
	}
	warnings, err = s.routing.SetRouting(ctx, part, raw)
	var re *RoutingErrors
	if errors.As(err, &re) {
		return nil, re.Problems, nil
	}
	return warnings, nil, err
}

// pathOf splits a problem's path "outbound[2].patterns[0].pattern" into
// its list ("outbound"), index (2, or -1), field ("patterns") and the
// rest ("[0].pattern").
func pathOf(p string) (list string, index int, field, rest string) {
	index = -1
	head, tail, _ := strings.Cut(p, ".")
	list = head
	if i := strings.IndexByte(head, '['); i >= 0 && strings.HasSuffix(head, "]") {
		n, err := strconv.Atoi(head[i+1 : len(head)-1])
		if err == nil {
			list, index = head[:i], n
		}
	}
	field = tail
	if i := strings.IndexAny(tail, ".["); i >= 0 {
		field, rest = tail[:i], tail[i:]
	}
	return list, index, field, rest
}

// detail says which line or part of a field rest is about.
func detail(field, rest string) string {
	n, after := -1, rest
	if strings.HasPrefix(rest, "[") {
		if i := strings.IndexByte(rest, ']'); i > 0 {
			if v, err := strconv.Atoi(rest[1:i]); err == nil {
				n, after = v, rest[i+1:]
			}
		}
	}
	after = strings.TrimPrefix(after, ".")
	switch {
	case field == "trunks" && n >= 0:
		return fmt.Sprintf("Trunk %d: ", n+1)
	case n >= 0 && after != "" && after != "pattern":
		return fmt.Sprintf("Line %d (%s): ", n+1, after)
	case n >= 0:
		return fmt.Sprintf("Line %d: ", n+1)
	case strings.HasPrefix(after, "weekly["):
		_, idx, _, _ := pathOf(after)
		return fmt.Sprintf("Weekly times, line %d: ", idx+1)
	case strings.HasPrefix(after, "holidays["):
		_, idx, _, _ := pathOf(after)
		return fmt.Sprintf("Holiday %d: ", idx+1)
	case after == "time_zone":
		return "Time zone: "
	}
	return ""
}

// addMsg adds msg to what m says about field.
func addMsg(m map[string]string, field, msg string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	if m[field] != "" {
		m[field] += " "
	}
	m[field] += msg
	return m
}

// place puts problems next to the routes of list they name; it returns
// the problems that name none, as text.
func place(problems []RoutingProblem, list string, forms []routeForm, warn bool) (rest []string) {
	for _, p := range problems {
		l, i, field, sub := pathOf(p.Path)
		if l != list || i < 0 || i >= len(forms) {
			rest = append(rest, problemPlace(p.Path)+": "+sentence(p.Message))
			continue
		}
		f := &forms[i]
		msg := sentence(detail(field, sub) + p.Message)
		switch {
		case field == "" && warn:
			f.RouteWn += msg + " "
		case field == "":
			f.RouteErr += msg + " "
		case warn:
			f.Warns = addMsg(f.Warns, field, msg)
		default:
			f.Errs = addMsg(f.Errs, field, msg)
		}
	}
	return rest
}

// tcFormOf shows tc.
func tcFormOf(tc *TimeCondition) tcForm {
	if tc == nil {
		return tcForm{}
	}
	f := tcForm{On: true, TimeZone: tc.TimeZone, Holidays: strings.Join(tc.Holidays, " ")}
	var lines []string
	for _, w := range tc.Weekly {
		lines = append(lines, dayText(w.Days)+" "+w.From+"-"+w.To)
	}
	f.Weekly = strings.Join(lines, "\n")
	return f
}

// tcInput reads the time condition fields named prefix+"tc_…".
func tcInput(r *http.Request, prefix string) (tcForm, *TimeCondition, error) {
	f := tcForm{On: r.PostFormValue(prefix+"tc") != "", TimeZone: strings.TrimSpace(r.PostFormValue(prefix + "tc_zone")),
		Weekly: strings.TrimSpace(r.PostFormValue(prefix + "tc_weekly")), Holidays: strings.TrimSpace(r.PostFormValue(prefix + "tc_holidays"))}
	if !f.On {
		return f, nil, nil
	}
	tc := &TimeCondition{TimeZone: f.TimeZone, Holidays: strings.Fields(strings.ReplaceAll(f.Holidays, ",", " "))}
	for n, line := range strings.Split(f.Weekly, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		days, span, ok := strings.Cut(line, " ")
		from, to, ok2 := strings.Cut(strings.TrimSpace(span), "-")
		if !ok || !ok2 {
			return f, nil, fmt.Errorf("weekly times, line %d: write days and hours like \"mon-fri 08:00-18:00\"", n+1)
		}
		ds, err := dayList(days)
		if err != nil {
			return f, nil, fmt.Errorf("weekly times, line %d: %w", n+1, err)
		}
		tc.Weekly = append(tc.Weekly, TimeInterval{Days: ds, From: strings.TrimSpace(from), To: strings.TrimSpace(to)})
	}
	return f, tc, nil
}

var weekDays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// dayText writes days as dayList reads them, runs of three or more
// as ranges: "mon-fri,sun".
func dayText(days []string) string {
	var parts []string
	for i := 0; i < len(days); {
		j := i
		k := slices.Index(weekDays, days[i])
		for k >= 0 && j+1 < len(days) && k+j+1-i < len(weekDays) && days[j+1] == weekDays[k+j+1-i] {
			j++
		}
		if j-i >= 2 {
			parts = append(parts, days[i]+"-"+days[j])
		} else {
			parts = append(parts, days[i:j+1]...)
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// dayList reads "mon-fri,sun".
func dayList(s string) ([]string, error) {
	var out []string
	for _, part := range strings.Split(strings.ToLower(s), ",") {
		a, b, isRange := strings.Cut(part, "-")
		i, j := slices.Index(weekDays, a), slices.Index(weekDays, b)
		if !isRange {
			j = i
		}
		if i < 0 || j < 0 || j < i {
			return nil, fmt.Errorf("%q is not a day or a range of days (mon … sun)", part)
		}
		out = append(out, weekDays[i:j+1]...)
	}
	return out, nil
}

// patternLines shows an outbound route's patterns, one per line.
func patternLines(ps []DialPattern) string {
	var lines []string
	for _, p := range ps {
		l := p.Pattern
		if p.Prefix != "" {
			l += " prefix=" + p.Prefix
		}
		if p.Strip != 0 {
			l += " strip=" + strconv.Itoa(p.Strip)
		}
		if p.Prepend != "" {
			l += " prepend=" + p.Prepend
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}

// parsePatterns reads patternLines' text. Line numbers in its errors
// count the patterns, as the backend's paths do.
func parsePatterns(text string) ([]DialPattern, error) {
	var out []DialPattern
	for _, line := range strings.Split(text, "\n") {
		words := strings.Fields(line)
		if len(words) == 0 {
			continue
		}
		n := len(out) + 1
		p := DialPattern{Pattern: words[0]}
		for _, w := range words[1:] {
			k, v, ok := strings.Cut(w, "=")
			switch {
			case !ok:
				return nil, fmt.Errorf("line %d: %q is not prefix=, strip= or prepend=", n, w)
			case k == "prefix":
				p.Prefix = v
			case k == "prepend":
				p.Prepend = v
			case k == "strip":
				s, err := strconv.Atoi(v)
				if err != nil {
					return nil, fmt.Errorf("line %d: strip= wants a number of characters, not %q", n, v)
				}
				p.Strip = s
			default:
				return nil, fmt.Errorf("line %d: %q is not prefix=, strip= or prepend=", n, w)
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// outboundForm shows route i.
func outboundForm(i int, rt OutboundRoute, trunks int) routeForm {
	f := routeForm{Index: i, Orig: rt.Name, Name: rt.Name, CallerID: rt.CallerID, Patterns: patternLines(rt.Patterns),
		Class: rt.Class, Emergency: rt.Emergency, TC: tcFormOf(rt.TimeCondition), ID: fmt.Sprintf("out%d", i)}
	f.Trunks = padTrunks(rt.Trunks, trunks)
	return f
}

// padTrunks adds empty choices to chosen: one more than chosen (at least
// two), at most as many as exist, and always one to choose with.
func padTrunks(chosen []string, exist int) []string {
	n := max(len(chosen), min(max(len(chosen)+1, 2), exist), 1)
	return append(slices.Clone(chosen), make([]string, n-len(chosen))...)
}

func (s *Server) trunkNames(ctx context.Context) ([]string, error) {
	if s.trunks == nil {
		return nil, nil
	}
	l, err := s.trunks.ListTrunks(ctx)
	var names []string
	for _, t := range l {
		names = append(names, t.Name)
	}
	return names, err
}

// routeAt finds the route the form was about: the one at index named
// orig, or -1 when the routes changed meanwhile.
func routeAt(r *http.Request, n int, name func(int) string) (int, bool) {
	i, err := strconv.Atoi(r.PostFormValue("index"))
	if err != nil || i < 0 || i > n {
		return -1, false
	}
	if i == n {
		return i, r.PostFormValue("orig") == ""
	}
	return i, name(i) == r.PostFormValue("orig")
}

const errChanged = "The routes changed while this page was open. Nothing was saved; please check them and try again."

func (s *Server) handleOutbound(w http.ResponseWriter, r *http.Request, d pageData) {
	d.Title = "Outbound routes"
	d.Routes.Tab = "outbound"
	ctx := r.Context()
	var doc OutboundRoutes
	if err := s.routingDoc(ctx, "outbound", &doc); err != nil {
		s.serverError(w, r, err)
		return
	}
	trunks, err := s.trunkNames(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Routes.Trunks = trunks
	show := func(status int, routes []OutboundRoute, edited *routeForm) {
		d.Routes.Outbound = outboundForms(routes, len(trunks), edited)
		s.render(w, r, status, "routes", d)
	}
	if r.Method != http.MethodPost {
		show(http.StatusOK, doc.Routes, nil)
		return
	}
	i, ok := routeAt(r, len(doc.Routes), func(i int) string { return doc.Routes[i].Name })
	if !ok {
		d.Error = errChanged
		show(http.StatusConflict, doc.Routes, nil)
		return
	}
	routes := slices.Clone(doc.Routes)
	var edited *routeForm
	switch r.PostFormValue("action") {
	case "delete":
		if i == len(routes) {
			seeOther(w, r, "/routes")
			return
		}
		routes = slices.Delete(routes, i, i+1)
	case "up", "down":
		j := i - 1
		if r.PostFormValue("action") == "down" {
			j = i + 1
		}
		if i == len(routes) || j < 0 || j >= len(routes) {
			seeOther(w, r, "/routes")
			return
		}
		routes[i], routes[j] = routes[j], routes[i]
	default:
		f, rt, ferr := outboundInput(r, i, len(trunks))
		f.New = i == len(routes)
		edited = &f
		if ferr != nil {
			f.Errs = addMsg(f.Errs, ferr.field, sentence(ferr.msg))
			d.Error = "Please correct the route marked below. Nothing was saved."
			show(http.StatusUnprocessableEntity, doc.Routes, edited)
			return
		}
		if f.New {
			routes = append(routes, rt)
		} else {
			routes[i] = rt
		}
	}
	warnings, problems, err := s.saveRouting(ctx, "outbound", OutboundRoutes{Routes: routes})
	switch {
	case err != nil:
		s.serverError(w, r, err)
	case problems != nil && edited == nil:
		// A move or a deletion: the page shows the stored order.
		d.Error = "The routes were not saved: " + strings.Join(problemTexts(problems), " ")
		show(http.StatusUnprocessableEntity, doc.Routes, nil)
	case problems != nil:
		d.Error = "The routes were not saved: please correct what is marked below."
		d.Routes.Outbound = outboundForms(doc.Routes, len(trunks), edited)
		if rest := place(problems, "outbound", d.Routes.Outbound, false); len(rest) > 0 {
			d.Error += " " + strings.Join(rest, " ")
		}
		s.render(w, r, http.StatusUnprocessableEntity, "routes", d)
	case len(warnings) == 0:
		seeOther(w, r, doneURL("/routes", "routes-saved", "outbound"))
	default:
		// Saved with warnings: show them next to the routes they are about.
		d.Notice = fmt.Sprintf(notices["routes-saved"], "outbound")
		d.Routes.Outbound = outboundForms(routes, len(trunks), nil)
		d.Routes.Warnings = warnings
		place(warnings, "outbound", d.Routes.Outbound, true)
		s.render(w, r, http.StatusOK, "routes", d)
	}
}

// outboundForms shows routes and a blank one to add, with edited (as
// typed) in its place.
func outboundForms(routes []OutboundRoute, trunks int, edited *routeForm) []routeForm {
	var l []routeForm
	for k, rt := range routes {
		l = append(l, outboundForm(k, rt, trunks))
	}
	blank := outboundForm(len(routes), OutboundRoute{}, trunks)
	blank.New = true
	l = append(l, blank)
	if edited != nil && edited.Index < len(l) {
		l[edited.Index] = *edited
	}
	return l
}

// problemTexts are problems as sentences.
func problemTexts(ps []RoutingProblem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, problemPlace(p.Path)+": "+sentence(p.Message))
	}
	return out
}

// listNames say in words what the lists of the routing documents hold.
var listNames = map[string]string{"outbound": "Outbound route", "inbound": "Inbound route", "blacklist": "Blacklist rule",
	"outbound_block": "Blocked number"}

// problemPlace says where a problem's path points, in words: "Outbound
// route 3, patterns, line 1".
func problemPlace(path string) string {
	list, i, field, rest := pathOf(path)
	name, ok := listNames[list]
	if !ok || i < 0 {
		return path
	}
	out := fmt.Sprintf("%s %d", name, i+1)
	if field != "" {
		out += ", " + strings.ReplaceAll(field, "_", " ")
	}
	if d := strings.TrimSuffix(detail(field, rest), ": "); d != "" {
		out += ", " + strings.ToLower(d[:1]) + d[1:]
	}
	return out
}

// formErr is a problem with a form field found before the backend saw it.
type formErr struct{ field, msg string }

// outboundInput reads route i's form.
func outboundInput(r *http.Request, i, trunks int) (routeForm, OutboundRoute, *formErr) {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := routeForm{Index: i, Orig: r.PostFormValue("orig"), Name: v("name"), CallerID: v("caller_id"), Patterns: r.PostFormValue("patterns"),
		Class: v("class"), Emergency: r.PostFormValue("emergency") != "", ID: fmt.Sprintf("out%d", i)}
	var chosen []string
	for _, t := range r.PostForm["trunk"] {
		if t = strings.TrimSpace(t); t != "" {
			chosen = append(chosen, t)
		}
	}
	f.Trunks = padTrunks(chosen, trunks)
	rt := OutboundRoute{Name: f.Name, Trunks: chosen, CallerID: f.CallerID, Class: f.Class, Emergency: f.Emergency}
	var err error
	if rt.Patterns, err = parsePatterns(f.Patterns); err != nil {
		return f, rt, &formErr{"patterns", err.Error()}
	}
	if f.TC, rt.TimeCondition, err = tcInput(r, ""); err != nil {
		return f, rt, &formErr{"time_condition", err.Error()}
	}
	return f, rt, nil
}

// destTargets lists what inbound destinations may name: extensions,
// queues, IVR flows and ring groups, as far as the box has them.
func (s *Server) destTargets(ctx context.Context) ([]destChoice, error) {
	var out []destChoice
	exts, err := s.backend.ListExtensions(ctx)
	if err != nil {
		return nil, err
	}
	for _, e := range exts {
		out = append(out, destChoice{"extension", e.Number, strings.TrimSpace(e.Number + " " + e.Name)})
	}
	if s.acd != nil {
		qs, err := s.acd.ListQueues(ctx)
		if err != nil {
			return nil, err
		}
		for _, q := range qs {
			out = append(out, destChoice{"queue", q.Name, "queue " + q.Name})
		}
	}
	if s.ivr != nil {
		fs, err := s.ivr.Flows(ctx)
		if err != nil {
			return nil, err
		}
		for _, f := range fs {
			out = append(out, destChoice{"ivr", f.ID, "IVR " + strings.TrimSpace(f.ID+" "+f.Name)})
		}
	}
	if s.ringGroups != nil {
		gs, err := s.ringGroups.ListRingGroups(ctx)
		if err != nil {
			return nil, err
		}
		for _, g := range gs {
			out = append(out, destChoice{"ringgroup", g.Name, "ring group " + g.Name + " (" + g.Number + ")"})
		}
	}
	return out, nil
}

// destInput reads a destination's fields named prefix+"kind" and
// prefix+"target".
func destInput(r *http.Request, prefix string) Destination {
	d := Destination{Kind: strings.TrimSpace(r.PostFormValue(prefix + "kind")), Target: strings.TrimSpace(r.PostFormValue(prefix + "target"))}
	if d.Kind == "hangup" {
		d.Target = ""
	}
	return d
}

// inboundForm shows inbound route i.
func inboundForm(i int, rt InboundRoute) routeForm {
	return routeForm{Index: i, Orig: rt.DID + "|" + rt.CallerID, Name: rt.Name, DID: rt.DID, CallerID: rt.CallerID,
		Dest: rt.Destination, TC: tcFormOf(rt.TimeCondition), ID: fmt.Sprintf("in%d", i)}
}

// inboundForms shows routes and a blank one to add, with edited in its
// place.
func inboundForms(routes []InboundRoute, edited *routeForm) []routeForm {
	var l []routeForm
	for k, rt := range routes {
		l = append(l, inboundForm(k, rt))
	}
	blank := inboundForm(len(routes), InboundRoute{Destination: Destination{Kind: "extension"}})
	blank.New, blank.Orig = true, ""
	l = append(l, blank)
	if edited != nil && edited.Index < len(l) {
		l[edited.Index] = *edited
	}
	return l
}

func (s *Server) handleInbound(w http.ResponseWriter, r *http.Request, d pageData) {
	d.Title = "Inbound routes"
	d.Routes.Tab = "inbound"
	ctx := r.Context()
	var doc InboundRoutes
	err := s.routingDoc(ctx, "inbound", &doc)
	if err == nil {
		d.Routes.Targets, err = s.destTargets(ctx)
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Routes.Default = destForm{Dest: doc.Default}
	show := func(status int, edited *routeForm) {
		d.Routes.Inbound = inboundForms(doc.Routes, edited)
		s.render(w, r, status, "routes", d)
	}
	if r.Method != http.MethodPost {
		show(http.StatusOK, nil)
		return
	}
	next := doc
	next.Routes = slices.Clone(doc.Routes)
	var edited *routeForm
	switch r.PostFormValue("action") {
	case "default":
		next.Default = destInput(r, "default_")
		d.Routes.Default.Dest = next.Default
	case "delete", "save":
		i, ok := routeAt(r, len(doc.Routes), func(i int) string { return doc.Routes[i].DID + "|" + doc.Routes[i].CallerID })
		if !ok {
			d.Error = errChanged
			show(http.StatusConflict, nil)
			return
		}
		if r.PostFormValue("action") == "delete" {
			if i == len(doc.Routes) {
				seeOther(w, r, "/routes/inbound")
				return
			}
			next.Routes = slices.Delete(next.Routes, i, i+1)
			break
		}
		v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
		f := routeForm{Index: i, New: i == len(doc.Routes), Orig: r.PostFormValue("orig"), Name: v("name"), DID: v("did"), CallerID: v("caller_id"),
			Dest: destInput(r, ""), ID: fmt.Sprintf("in%d", i)}
		edited = &f
		rt := InboundRoute{Name: f.Name, DID: f.DID, CallerID: f.CallerID, Destination: f.Dest}
		if f.TC, rt.TimeCondition, err = tcInput(r, ""); err != nil {
			f.Errs = addMsg(f.Errs, "time_condition", sentence(err.Error()))
			d.Error = "Please correct the route marked below. Nothing was saved."
			show(http.StatusUnprocessableEntity, edited)
			return
		}
		if f.New {
			next.Routes = append(next.Routes, rt)
		} else {
			next.Routes[i] = rt
		}
	default:
		seeOther(w, r, "/routes/inbound")
		return
	}
	warnings, problems, err := s.saveRouting(ctx, "inbound", next)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if problems != nil {
		d.Error = "The routes were not saved: please correct what is marked below."
		d.Routes.Inbound = inboundForms(doc.Routes, edited)
		var rest []string
		for _, p := range place(problems, "inbound", d.Routes.Inbound, false) {
			if strings.HasPrefix(p, "default_inbound") {
				d.Routes.Default.Err = sentence(strings.TrimPrefix(strings.TrimPrefix(p, "default_inbound"), ": "))
			} else {
				rest = append(rest, p)
			}
		}
		if len(rest) > 0 {
			d.Error = "The routes were not saved: " + strings.Join(rest, " ")
		}
		s.render(w, r, http.StatusUnprocessableEntity, "routes", d)
		return
	}
	if len(warnings) == 0 {
		seeOther(w, r, doneURL("/routes/inbound", "routes-saved", "inbound"))
		return
	}
	d.Notice = fmt.Sprintf(notices["routes-saved"], "inbound")
	d.Routes.Inbound = inboundForms(next.Routes, nil)
	d.Routes.Default = destForm{Dest: next.Default}
	d.Routes.Warnings = warnings
	place(warnings, "inbound", d.Routes.Inbound, true)
	s.render(w, r, http.StatusOK, "routes", d)
}

// afterSave answers a save of part without errors or warnings with a
// redirect to path (done). Otherwise it prepares d: the notice and the
// warnings when part was saved (200), the error when it was refused
// (422); it returns the status and the problems to show at their fields.
func afterSave(w http.ResponseWriter, r *http.Request, d *pageData, path, part string, warnings, problems []RoutingProblem) (status int, show []RoutingProblem, done bool) {
	if problems == nil && len(warnings) == 0 {
		seeOther(w, r, doneURL(path, "routes-saved", part))
		return 0, nil, true
	}
	if problems == nil {
		d.Notice = fmt.Sprintf(notices["routes-saved"], part)
		d.Routes.Warnings = warnings
		return http.StatusOK, warnings, false
	}
	d.Error = "Nothing was saved: please correct what is marked below."
	return http.StatusUnprocessableEntity, problems, false
}

// blockRows shows the blacklist and a blank rule to add.
func blockRows(rules []BlockRule) ([]blockRow, blockRow) {
	var l []blockRow
	for i, b := range rules {
		l = append(l, blockRow{Index: i, Rule: b})
	}
	return l, blockRow{Index: len(rules), Rule: BlockRule{Action: "reject"}}
}

func (s *Server) handleBlacklist(w http.ResponseWriter, r *http.Request, d pageData) {
	d.Title = "Blacklist"
	d.Routes.Tab = "blacklist"
	ctx := r.Context()
	var doc Blacklist
	err := s.routingDoc(ctx, "blacklist", &doc)
	if err == nil {
		d.Routes.Targets, err = s.destTargets(ctx)
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Routes.Block, d.Routes.NewBlock = blockRows(doc.Blacklist)
	d.Routes.OutBlock = strings.Join(doc.OutboundBlock, "\n")
	if r.Method != http.MethodPost {
		s.render(w, r, http.StatusOK, "routes", d)
		return
	}
	next := Blacklist{Blacklist: slices.Clone(doc.Blacklist), OutboundBlock: doc.OutboundBlock}
	switch r.PostFormValue("action") {
	case "add":
		v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
		b := BlockRule{Number: v("number"), Action: v("action_kind"), Comment: v("comment")}
		if b.Action == "redirect" {
			b.Destination = destInput(r, "")
		}
		d.Routes.NewBlock.Rule = b
		code, err := wholeNumber(v("code"))
		if err != nil {
			d.Routes.NewBlock.Errs = map[string]string{"code": sentence(err.Error())}
			d.Error = "Please correct the rule marked below. Nothing was saved."
			s.render(w, r, http.StatusUnprocessableEntity, "routes", d)
			return
		}
		if b.Action == "reject" {
			b.Code = code
		}
		d.Routes.NewBlock.Rule = b
		next.Blacklist = append(next.Blacklist, b)
	case "delete":
		i, err := strconv.Atoi(r.PostFormValue("index"))
		if err != nil || i < 0 || i >= len(doc.Blacklist) || doc.Blacklist[i].Number != r.PostFormValue("orig") {
			d.Error = errChanged
			s.render(w, r, http.StatusConflict, "routes", d)
			return
		}
		next.Blacklist = slices.Delete(next.Blacklist, i, i+1)
	case "outbound":
		d.Routes.OutBlock = r.PostFormValue("outbound_block")
		next.OutboundBlock = strings.Fields(d.Routes.OutBlock)
	default:
		seeOther(w, r, "/routes/blacklist")
		return
	}
	if next.OutboundBlock == nil {
		next.OutboundBlock = []string{}
	}
	warnings, problems, err := s.saveRouting(ctx, "blacklist", next)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	status, problems, done := afterSave(w, r, &d, "/routes/blacklist", "blacklist", warnings, problems)
	if done {
		return
	}
	if status == http.StatusOK {
		d.Routes.Block, d.Routes.NewBlock = blockRows(next.Blacklist)
	}
	var rest []string
	for _, p := range problems {
		list, i, field, sub := pathOf(p.Path)
		msg := sentence(p.Message)
		switch {
		case list == "outbound_block" && i >= 0:
			d.Routes.OutErrs = addMsg(d.Routes.OutErrs, "outbound_block", fmt.Sprintf("Line %d: %s", i+1, msg))
		case list == "blacklist" && i == len(d.Routes.Block):
			d.Routes.NewBlock.Errs = addMsg(d.Routes.NewBlock.Errs, field, sentence(detail(field, sub)+p.Message))
		case list == "blacklist" && i >= 0 && i < len(d.Routes.Block):
			d.Routes.Block[i].Errs = addMsg(d.Routes.Block[i].Errs, field, msg)
		default:
			rest = append(rest, problemPlace(p.Path)+": "+msg)
		}
	}
	if len(rest) > 0 {
		d.Error += " " + strings.Join(rest, " ")
	}
	s.render(w, r, status, "routes", d)
}

// limitsFormOf shows l for the trunks that exist.
func limitsFormOf(l RoutingLimits, trunks []string) limitsForm {
	f := limitsForm{Ints: map[string]string{}, Hours: tcFormOf(l.Hours)}
	for k, v := range map[string]int{"extension_concurrent": l.ExtensionConcurrent, "extension_per_hour": l.ExtensionPerHour,
		"trunk_concurrent": l.TrunkConcurrent, "trunk_per_hour": l.TrunkPerHour, "burst_calls": l.BurstCalls, "burst_seconds": l.BurstSeconds} {
		if v != 0 {
			f.Ints[k] = strconv.Itoa(v)
		}
	}
	names := slices.Clone(trunks)
	for t := range l.TrunkChannels {
		if !slices.Contains(names, t) {
			names = append(names, t)
		}
	}
	slices.Sort(names)
	for _, t := range names {
		v := ""
		if n := l.TrunkChannels[t]; n != 0 {
			v = strconv.Itoa(n)
		}
		f.Channels = append(f.Channels, struct{ Trunk, Value string }{t, v})
	}
	return f
}

func (s *Server) handleLimits(w http.ResponseWriter, r *http.Request, d pageData) {
	d.Title = "Limits"
	d.Routes.Tab = "limits"
	ctx := r.Context()
	var doc RoutingLimits
	err := s.routingDoc(ctx, "limits", &doc)
	var trunks []string
	if err == nil {
		trunks, err = s.trunkNames(ctx)
	}
	if err == nil {
		d.Routes.Suspended, err = s.routing.Suspended(ctx)
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Routes.Limits = limitsFormOf(doc, trunks)
	if r.Method != http.MethodPost {
		s.render(w, r, http.StatusOK, "routes", d)
		return
	}
	if r.PostFormValue("action") == "lift" {
		ext := r.PostFormValue("extension")
		if err := s.routing.LiftSuspension(ctx, ext); err != nil {
			s.refuse(w, r, d, err, s.renders("routes"))
			return
		}
		seeOther(w, r, doneURL("/routes/limits", "suspension-lifted", ext))
		return
	}
	f := limitsForm{Ints: map[string]string{}}
	var l RoutingLimits
	bad := func(field, msg string) {
		f.Errs = addMsg(f.Errs, field, sentence(msg))
	}
	num := func(field string) int {
		f.Ints[field] = strings.TrimSpace(r.PostFormValue(field))
		n, err := wholeNumber(f.Ints[field])
		if err != nil {
			bad(field, err.Error())
		}
		return n
	}
	l.ExtensionConcurrent, l.ExtensionPerHour = num("extension_concurrent"), num("extension_per_hour")
	l.TrunkConcurrent, l.TrunkPerHour = num("trunk_concurrent"), num("trunk_per_hour")
	l.BurstCalls, l.BurstSeconds = num("burst_calls"), num("burst_seconds")
	for _, c := range d.Routes.Limits.Channels {
		v := strings.TrimSpace(r.PostFormValue("channels_" + c.Trunk))
		f.Channels = append(f.Channels, struct{ Trunk, Value string }{c.Trunk, v})
		n, err := wholeNumber(v)
		if err != nil {
			bad("trunk_channels", c.Trunk+": "+err.Error())
		}
		if n != 0 {
			if l.TrunkChannels == nil {
				l.TrunkChannels = map[string]int{}
			}
			l.TrunkChannels[c.Trunk] = n
		}
	}
	f.Hours, l.Hours, err = tcInput(r, "")
	if err != nil {
		bad("hours", err.Error())
	}
	d.Routes.Limits = f
	if f.Errs != nil {
		d.Error = "Please correct the fields marked below. Nothing was saved."
		s.render(w, r, http.StatusUnprocessableEntity, "routes", d)
		return
	}
	warnings, problems, err := s.saveRouting(ctx, "limits", l)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	status, problems, done := afterSave(w, r, &d, "/routes/limits", "limits", warnings, problems)
	if done {
		return
	}
	for _, p := range problems {
		_, _, field, sub := pathOf(p.Path)
		if field == "" {
			d.Error += " " + p.Path + ": " + sentence(p.Message)
			continue
		}
		if field == "trunk_channels" {
			d.Routes.Limits.Errs = addMsg(d.Routes.Limits.Errs, field, sentence(strings.TrimPrefix(sub, ".")+": "+p.Message))
			continue
		}
		d.Routes.Limits.Errs = addMsg(d.Routes.Limits.Errs, field, sentence(detail(field, sub)+p.Message))
	}
	s.render(w, r, status, "routes", d)
}
