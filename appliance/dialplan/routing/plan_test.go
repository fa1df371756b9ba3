package routing

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

// fakeClock is a settable clock for the Limiter.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// monday10 is Monday 23 November 2026, 10:00 in Paris.
var monday10 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// frConfig is a French office: outside line with 0 as most French PBXs,
// two trunks, an emergency route, a night route for premium numbers.
func frConfig() Config {
	return Config{
		Country: "FR",
		Trunks:  []string{"ovh", "orange", "backup"},
		Outbound: []OutboundRoute{
			{Name: "emergency", Emergency: true, Trunks: []string{"orange", "ovh"},
				Patterns: []PatternRule{{Pattern: "_1X"}, {Pattern: "_11X"}, {Prefix: "0", Pattern: "_1X"}, {Prefix: "0", Pattern: "_11X"}}},
			{Name: "premium-day", Trunks: []string{"ovh"}, Class: ClassPremium,
				TimeCondition: &TimeCondition{TimeZone: "Europe/Paris", Weekly: []Interval{{Days: []string{"mon", "tue", "wed", "thu", "fri"}, From: "08:00", To: "19:00"}}},
				Patterns:      []PatternRule{{Prefix: "0", Pattern: "_08[2-9]XXXXXXX"}}},
			{Name: "national", Trunks: []string{"ovh", "orange"}, CallerID: "+33142685300",
				Patterns: []PatternRule{{Prefix: "0", Pattern: "_0[1-9]XXXXXXXX", Strip: 1, Prepend: "+33"}}},
			{Name: "international", Trunks: []string{"ovh", "backup"},
				Patterns: []PatternRule{{Prefix: "0", Pattern: "_00.", Strip: 2, Prepend: "+"}}},
			{Name: "service", Trunks: []string{"orange"},
				Patterns: []PatternRule{{Prefix: "0", Pattern: "_3XXX"}, {Prefix: "0", Pattern: "_118XXX"}}},
		},
		Inbound: []InboundRoute{
			{Name: "main", DID: "+33142685300", Destination: Destination{Kind: DestIVR, Target: "welcome"}},
			{Name: "main-day", DID: "+33142685300", TimeCondition: &TimeCondition{TimeZone: "Europe/Paris", Weekly: []Interval{{Days: []string{"mon", "tue", "wed", "thu", "fri"}, From: "09:00", To: "18:00"}}},
				Destination: Destination{Kind: DestQueue, Target: "sales"}},
			{Name: "vip", DID: "+33142685300", CallerID: "_+336.", Destination: Destination{Kind: DestRingGroup, Target: "managers"}},
			{Name: "block", DID: "_+331426853XX", Destination: Destination{Kind: DestExtension, Target: "1001"}},
			{Name: "fax", DID: "+33142685399", Destination: Destination{Kind: DestHangup}},
		},
		DefaultInbound: Destination{Kind: DestVoicemail, Target: "1000"},
		Blacklist: []BlockRule{
			{Number: "+33612345678", Action: BlockReject, Code: 486},
			{Number: "_+33899.", Action: BlockReject},
			{Number: "anonymous", Action: BlockRedirect, Destination: Destination{Kind: DestIVR, Target: "who-are-you"}},
		},
		OutboundBlock: []string{"_0899.", "0612345678"},
	}
}

func mustPlan(t testing.TB, c Config, lim *Limiter) *Plan {
	t.Helper()
	p, err := NewPlan(c, lim)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOutbound(t *testing.T) {
	p := mustPlan(t, frConfig(), nil)
	national := Caller{Extension: "1001"}
	tests := []struct {
		number   string
		from     Caller
		at       time.Time
		route    string
		attempts []Attempt
		callerID string
		err      error
	}{
		{"00142685300", national, monday10, "national", []Attempt{{"ovh", "+33142685300"}, {"orange", "+33142685300"}}, "+33142685300", nil},
		{"0 06 12 34 56 79", national, monday10, "national", []Attempt{{"ovh", "+33612345679"}, {"orange", "+33612345679"}}, "+33142685300", nil},
		{"00142685300", Caller{Extension: "1002", CallerID: "+33142685301"}, monday10, "national", nil, "+33142685301", nil},
		{"0004930123456", Caller{Extension: "1003", Class: ClassInternational}, monday10, "international", []Attempt{{"ovh", "+4930123456"}, {"backup", "+4930123456"}}, "", nil},
		{"0004930123456", national, monday10, "", nil, "", ErrForbidden},
		{"00033142685300", national, monday10, "international", []Attempt{{"ovh", "+33142685300"}, {"backup", "+33142685300"}}, "", nil}, // own country: national
		{"00142685300", Caller{Extension: "1004", Class: ClassLocal}, monday10, "", nil, "", ErrForbidden},
		{"00800123456", Caller{Extension: "1004", Class: ClassLocal}, monday10, "national", nil, "", nil},
		{"00142685300", Caller{Extension: "1005", Class: ClassInternal}, monday10, "", nil, "", ErrForbidden},
		{"00826123456", Caller{Extension: "1006", Class: ClassPremium}, monday10, "premium-day", []Attempt{{"ovh", "0826123456"}}, "", nil},
		{"00826123456", national, monday10, "", nil, "", ErrForbidden},
		// At night the premium route is closed and the next route matches.
		{"00826123456", Caller{Extension: "1006", Class: ClassPremium}, monday10.Add(12 * time.Hour), "national", nil, "", nil},
		{"03949", national, monday10, "", nil, "", ErrForbidden}, // 3xxx is premium
		{"03949", Caller{Extension: "1006", Class: ClassPremium}, monday10, "service", []Attempt{{"orange", "3949"}}, "", nil},
		{"00899123456", Caller{Extension: "1006", Class: ClassPremium}, monday10, "", nil, "", ErrBlocked},
		{"00612345678", national, monday10, "", nil, "", ErrBlocked},
		{"0014268530", national, monday10, "", nil, "", ErrIncomplete},
		{"0", national, monday10, "", nil, "", ErrIncomplete},
		{"5", national, monday10, "", nil, "", ErrNoRoute},
		{"001426853001", national, monday10, "", nil, "", ErrNoRoute},
		{"0x142685300", national, monday10, "", nil, "", ErrNoRoute},
		{"", national, monday10, "", nil, "", ErrIncomplete},
	}
	for _, tt := range tests {
		dec, err := p.Outbound(tt.number, tt.from, tt.at)
		if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
			t.Errorf("Outbound(%q, %s) error = %v, want %v", tt.number, tt.from.Extension, err, tt.err)
			continue
		}
		if err != nil {
			continue
		}
		if dec.Route != tt.route {
			t.Errorf("Outbound(%q, %s) route = %q, want %q", tt.number, tt.from.Extension, dec.Route, tt.route)
		}
		if tt.attempts != nil && !slices.Equal(dec.Attempts, tt.attempts) {
			t.Errorf("Outbound(%q) attempts = %v, want %v", tt.number, dec.Attempts, tt.attempts)
		}
		if dec.CallerID != tt.callerID && tt.route == "national" && tt.callerID != "" {
			t.Errorf("Outbound(%q) caller ID = %q, want %q", tt.number, dec.CallerID, tt.callerID)
		}
		if dec.Emergency {
			t.Errorf("Outbound(%q) is an emergency call", tt.number)
		}
	}
}

func TestOutboundEmergency(t *testing.T) {
	clk := &fakeClock{monday10}
	lim := NewLimiter(Limits{}, clk.now)
	c := frConfig()
	c.Limits.Hours = &TimeCondition{Weekly: []Interval{{Days: []string{"sun"}, From: "10:00", To: "11:00"}}}
	p := mustPlan(t, c, lim)
	barred := Caller{Extension: "1009", Class: ClassInternal, CallerID: "+33142685309", EmergencyCallerID: "+33142685300"}
	lim.Suspend("1009", "test")
	for _, n := range []string{"15", "17", "18", "112", "0112", "0 1 8", "115"} {
		dec, err := p.Outbound(n, barred, monday10)
		if err != nil || !dec.Emergency || dec.Route != "emergency" {
			t.Errorf("Outbound(%q) = %+v, %v; want the emergency route", n, dec, err)
			continue
		}
		want := normalize(n)
		if want[0] == '0' {
			want = want[1:]
		}
		if dec.Attempts[0] != (Attempt{"orange", want}) || dec.CallerID != "+33142685300" {
			t.Errorf("Outbound(%q) = %+v, want %s on orange from +33142685300", n, dec, want)
		}
	}
	// 114 and 196 are emergency numbers too, not matched by the emergency
	// route's patterns: they go out on it as dialled.
	for _, n := range []string{"196", "0196", "116000"} {
		dec, err := p.Outbound(n, barred, monday10)
		if err != nil || dec.Route != "emergency" || len(dec.Attempts) != 2 {
			t.Errorf("Outbound(%q) = %+v, %v; want the emergency route", n, dec, err)
		}
	}
	// With no emergency route, the first route with trunks carries it.
	c = frConfig()
	c.Outbound = c.Outbound[2:]
	dec, err := mustPlan(t, c, nil).Outbound("112", barred, monday10)
	if err != nil || dec.Route != "national" || dec.Attempts[0].Number != "112" {
		t.Errorf("no emergency route: Outbound(112) = %+v, %v", dec, err)
	}
	// 911 is not an emergency number in France.
	if _, err := p.Outbound("911", barred, monday10); err == nil {
		t.Errorf("Outbound(911) in France passes")
	}
}

func TestOutboundLimits(t *testing.T) {
	clk := &fakeClock{monday10}
	lim := NewLimiter(Limits{ExtensionPerHour: 3, BurstCalls: 5, BurstSeconds: 60}, clk.now)
	p := mustPlan(t, frConfig(), lim)
	ext := Caller{Extension: "1001"}
	for i := range 3 {
		if _, err := p.Outbound("00142685300", ext, clk.t); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		clk.advance(15 * time.Second)
	}
	if _, err := p.Outbound("00142685300", ext, clk.t); !errors.Is(err, ErrLimit) {
		t.Fatalf("fourth call in the hour: %v, want ErrLimit", err)
	}
	clk.advance(time.Hour)
	if _, err := p.Outbound("00142685300", ext, clk.t); err != nil {
		t.Fatalf("an hour later: %v", err)
	}
	// A burst: five attempts within a minute are fine, the sixth trips,
	// even when the attempts are refused calls.
	other := Caller{Extension: "1002"}
	var dec Decision
	var err error
	for i := range 6 {
		dec, err = p.Outbound("0004930123456", other, clk.t)
		if i < 5 && !errors.Is(err, ErrForbidden) {
			t.Fatalf("attempt %d: %v, want ErrForbidden", i, err)
		}
		clk.advance(time.Second)
	}
	if !errors.Is(err, ErrSuspended) || dec.Alert == nil || dec.Alert.Extension != "1002" {
		t.Fatalf("sixth attempt: %+v, %v; want ErrSuspended with an alert", dec, err)
	}
	// Suspended until lifted, however long it waits; emergency calls pass.
	clk.advance(24 * time.Hour)
	if _, err := p.Outbound("00142685300", other, clk.t); !errors.Is(err, ErrSuspended) {
		t.Fatalf("a day later: %v, want ErrSuspended", err)
	}
	if dec, err := p.Outbound("112", other, clk.t); err != nil || !dec.Emergency {
		t.Fatalf("emergency while suspended: %v", err)
	}
	if got := lim.Suspended(); len(got) != 1 || got[0].Extension != "1002" {
		t.Fatalf("Suspended() = %v", got)
	}
	if !lim.Lift("1002") || lim.Lift("1002") {
		t.Fatal("Lift")
	}
	if _, err := p.Outbound("00142685300", other, clk.t); err != nil {
		t.Fatalf("after Lift: %v", err)
	}
	// Outside Limits.Hours nothing but emergency calls goes out.
	c := frConfig()
	c.Limits.Hours = &TimeCondition{TimeZone: "Europe/Paris", Weekly: []Interval{{Days: []string{"mon"}, From: "08:00", To: "18:00"}}}
	p = mustPlan(t, c, NewLimiter(Limits{}, clk.now))
	if _, err := p.Outbound("00142685300", ext, monday10); err != nil {
		t.Fatalf("in hours: %v", err)
	}
	if _, err := p.Outbound("00142685300", ext, monday10.Add(10*time.Hour)); !errors.Is(err, ErrTimeOfDay) {
		t.Fatalf("out of hours: %v, want ErrTimeOfDay", err)
	}
}

func TestLimiterStart(t *testing.T) {
	clk := &fakeClock{monday10}
	lim := NewLimiter(Limits{ExtensionConcurrent: 2, TrunkConcurrent: 3, TrunkChannels: map[string]int{"small": 1}, TrunkPerHour: 4}, clk.now)
	r1, err := lim.Start("1001", "ovh")
	if err != nil {
		t.Fatal(err)
	}
	r2, err := lim.Start("1001", "ovh")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lim.Start("1001", "orange"); !errors.Is(err, ErrLimit) {
		t.Fatalf("third call of 1001: %v, want ErrLimit", err)
	}
	r3, err := lim.Start("1002", "ovh")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lim.Start("1003", "ovh"); !errors.Is(err, ErrTrunkBusy) {
		t.Fatalf("fourth call on ovh: %v, want ErrTrunkBusy", err)
	}
	if e, tr := lim.Active("1001", "ovh"); e != 2 || tr != 3 {
		t.Fatalf("Active = %d, %d; want 2, 3", e, tr)
	}
	r1()
	r1() // twice is harmless
	if e, tr := lim.Active("1001", "ovh"); e != 1 || tr != 2 {
		t.Fatalf("after release: Active = %d, %d; want 1, 2", e, tr)
	}
	r4, err := lim.Start("1003", "ovh")
	if err != nil {
		t.Fatal(err)
	}
	r2()
	r3()
	r4()
	// Four calls on ovh within the hour: the fifth is refused even with
	// free channels, until the hour has passed.
	if _, err := lim.Start("1004", "ovh"); !errors.Is(err, ErrTrunkBusy) {
		t.Fatalf("fifth call on ovh in the hour: %v, want ErrTrunkBusy", err)
	}
	clk.advance(time.Hour + time.Second)
	if r, err := lim.Start("1004", "ovh"); err != nil {
		t.Fatal(err)
	} else {
		r()
	}
	rs, err := lim.Start("1001", "small")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lim.Start("1002", "small"); !errors.Is(err, ErrTrunkBusy) {
		t.Fatalf("second call on a one-channel trunk: %v", err)
	}
	// Emergency calls always start, and count.
	re := lim.StartEmergency("1002", "small")
	if e, tr := lim.Active("1002", "small"); e != 1 || tr != 2 {
		t.Fatalf("emergency: Active = %d, %d", e, tr)
	}
	re()
	rs()
	lim.Suspend("1005", "by admin")
	if _, err := lim.Start("1005", "ovh"); !errors.Is(err, ErrSuspended) {
		t.Fatalf("suspended: %v", err)
	}
	// Limits of -1 are off.
	lim.SetLimits(Limits{ExtensionConcurrent: -1, TrunkConcurrent: -1, TrunkPerHour: -1})
	for i := range 50 {
		if _, err := lim.Start("1001", "ovh"); err != nil {
			t.Fatalf("unlimited, call %d: %v", i, err)
		}
	}
}

func TestLimitsDefaults(t *testing.T) {
	clk := &fakeClock{monday10}
	lim := NewLimiter(Limits{}, clk.now)
	for i := range DefaultExtensionConcurrent {
		if _, err := lim.Start("1001", "ovh"); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if _, err := lim.Start("1001", "ovh"); !errors.Is(err, ErrLimit) {
		t.Fatalf("default concurrent limit not applied: %v", err)
	}
	for i := range DefaultBurstCalls {
		if _, err := lim.attempt("1002", clk.t); err != nil {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	if a, err := lim.attempt("1002", clk.t); a == nil || !errors.Is(err, ErrSuspended) {
		t.Fatalf("default burst limit not applied: %v", err)
	}
}

func TestInbound(t *testing.T) {
	p := mustPlan(t, frConfig(), nil)
	night := monday10.Add(12 * time.Hour)
	tests := []struct {
		did, caller string
		at          time.Time
		want        InboundDecision
		err         error
	}{
		{"+33142685300", "+33145678901", monday10, InboundDecision{Destination: Destination{DestQueue, "sales"}, Route: "main-day"}, nil},
		{"+33142685300", "+33145678901", night, InboundDecision{Destination: Destination{DestIVR, "welcome"}, Route: "main"}, nil},
		{"+33 1 42 68 53 00", "+33645678901", monday10, InboundDecision{Destination: Destination{DestRingGroup, "managers"}, Route: "vip"}, nil},
		{"+33142685342", "+33145678901", night, InboundDecision{Destination: Destination{DestExtension, "1001"}, Route: "block"}, nil},
		{"+33142685399", "+33145678901", night, InboundDecision{Destination: Destination{DestHangup, ""}, Route: "fax"}, nil},
		{"+33999999999", "+33145678901", night, InboundDecision{Destination: Destination{DestVoicemail, "1000"}, Default: true}, nil},
		{"+33142685300", "", night, InboundDecision{Destination: Destination{DestIVR, "who-are-you"}, Blacklisted: true}, nil},
		{"+33142685300", "Anonymous", night, InboundDecision{Destination: Destination{DestIVR, "who-are-you"}, Blacklisted: true}, nil},
		{"+33142685300", "+33612345678", night, InboundDecision{}, ErrBlacklisted},
		{"+33142685300", "0612345678", night, InboundDecision{}, ErrBlacklisted},
		{"0033142685300", "0033612345678", night, InboundDecision{}, ErrBlacklisted},
		{"0142685300", "0145678901", monday10, InboundDecision{Destination: Destination{DestQueue, "sales"}, Route: "main-day"}, nil},
		{"0142685342", "0645678901", night, InboundDecision{Destination: Destination{DestExtension, "1001"}, Route: "block"}, nil},
		{"0142685300", "0645678901", night, InboundDecision{Destination: Destination{DestRingGroup, "managers"}, Route: "vip"}, nil},
		{"*0142685300", "0145678901", night, InboundDecision{Destination: Destination{DestVoicemail, "1000"}, Default: true}, nil},
		{"+33142685300", "+33899000000", night, InboundDecision{}, ErrBlacklisted},
	}
	for _, tt := range tests {
		got, err := p.Inbound(tt.did, tt.caller, tt.at)
		if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
			t.Errorf("Inbound(%q, %q) error = %v, want %v", tt.did, tt.caller, err, tt.err)
			continue
		}
		if got != tt.want {
			t.Errorf("Inbound(%q, %q) = %+v, want %+v", tt.did, tt.caller, got, tt.want)
		}
	}
	_, err := p.Inbound("+33142685300", "+33612345678", night)
	if code, _ := Response(err); code != 486 {
		t.Errorf("blacklist code = %d, want the rule's 486", code)
	}
	_, err = p.Inbound("+33142685300", "+33899000000", night)
	if code, _ := Response(err); code != 603 {
		t.Errorf("blacklist code = %d, want the default 603", code)
	}
	// With no default destination, unknown DIDs are hung up.
	c := frConfig()
	c.DefaultInbound = Destination{}
	if got, _ := mustPlan(t, c, nil).Inbound("123", "456", night); got.Destination.Kind != DestHangup || !got.Default {
		t.Errorf("no default: %+v", got)
	}
}

func TestProgress(t *testing.T) {
	c := Config{Country: "US", Trunks: []string{"t"}, Outbound: []OutboundRoute{
		{Name: "local", Trunks: []string{"t"}, Patterns: []PatternRule{{Prefix: "9", Pattern: "_NXXXXXX"}, {Prefix: "9", Pattern: "_1NXXNXXXXXX"}}},
		{Name: "intl", Trunks: []string{"t"}, Patterns: []PatternRule{{Prefix: "9", Pattern: "_011."}}},
		{Name: "info", Trunks: []string{"t"}, Patterns: []PatternRule{{Prefix: "9", Pattern: "_411!"}}},
	}}
	p := mustPlan(t, c, nil)
	tests := []struct {
		number string
		want   Progress
	}{
		{"", NeedMore}, {"9", NeedMore}, {"95", NeedMore}, {"9555123", NeedMore},
		{"95551234", DialNow}, {"912125551234", DialNow}, {"9011", NeedMore}, {"901144", MayDial},
		{"9411", DialNow}, {"8", NoMatch}, {"95551234567", NoMatch}, {"911", DialNow}, {"9911", DialNow},
	}
	for _, tt := range tests {
		if got := p.Progress(tt.number); got != tt.want {
			t.Errorf("Progress(%q) = %d, want %d", tt.number, got, tt.want)
		}
	}
}

func TestResponse(t *testing.T) {
	for _, tt := range []struct {
		err    error
		code   int
		prompt string
	}{
		{nil, 0, ""},
		{refuse(ErrForbidden, "x"), 403, "outside-calls-barred"},
		{refuse(ErrNoRoute, "x"), 404, "no-route"},
		{refuse(ErrIncomplete, "x"), 484, "number-incomplete"},
		{refuse(ErrTrunkBusy, "x"), 503, "all-lines-busy"},
		{refuse(ErrSuspended, "x"), 403, "outside-calls-suspended"},
		{refuse(ErrLimit, "x"), 403, "call-limit-reached"},
		{refuse(ErrTimeOfDay, "x"), 403, "outside-calls-closed"},
		{refuse(ErrBlocked, "x"), 403, "number-barred"},
		{fmt.Errorf("other"), 500, "call-failed"},
	} {
		if code, prompt := Response(tt.err); code != tt.code || prompt != tt.prompt {
			t.Errorf("Response(%v) = %d %q, want %d %q", tt.err, code, prompt, tt.code, tt.prompt)
		}
	}
}

func TestNewPlanRefusesErrors(t *testing.T) {
	c := frConfig()
	c.Outbound[2].Patterns[0].Pattern = "_0[1-9"
	if _, err := NewPlan(c, nil); !errors.Is(err, ErrConfig) {
		t.Fatalf("NewPlan with a bad pattern = %v, want ErrConfig", err)
	}
}

func TestLimiterConcurrent(t *testing.T) {
	clk := &fakeClock{monday10}
	lim := NewLimiter(Limits{ExtensionConcurrent: -1, TrunkConcurrent: 8, TrunkPerHour: -1}, clk.now)
	done := make(chan int)
	for g := range 16 {
		go func() {
			ok := 0
			for range 200 {
				if release, err := lim.Start(fmt.Sprint(g), "ovh"); err == nil {
					ok++
					release()
				}
			}
			done <- ok
		}()
	}
	total := 0
	for range 16 {
		total += <-done
	}
	if _, tr := lim.Active("", "ovh"); tr != 0 || total == 0 {
		t.Errorf("after all releases the trunk has %d calls (%d admitted)", tr, total)
	}
}
