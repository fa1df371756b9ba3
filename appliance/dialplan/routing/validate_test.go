package routing

import (
	"strings"
	"testing"
)

func TestValidateClean(t *testing.T) {
	if ps := frConfig().Validate(); len(ps) != 0 {
		t.Errorf("frConfig().Validate() = %v, want none", ps)
	}
	if ps := (Config{}).Validate(); len(ps) != 0 {
		t.Errorf("Config{}.Validate() = %v, want none", ps)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *Config)
		path   string
		sev    Severity
		msg    string // a part of the message
	}{
		{"bad pattern", func(c *Config) { c.Outbound[2].Patterns[0].Pattern = "_0[1-9XXX" }, "outbound[2].patterns[0].pattern", SeverityError, `"X" at position 7`},
		{"unterminated set", func(c *Config) { c.Outbound[2].Patterns[0].Pattern = "_0[1-9" }, "outbound[2].patterns[0].pattern", SeverityError, "at the end"},
		{"bad prefix", func(c *Config) { c.Outbound[2].Patterns[0].Prefix = "9a" }, "outbound[2].patterns[0].prefix", SeverityError, "only digits"},
		{"bad prepend", func(c *Config) { c.Outbound[2].Patterns[0].Prepend = "+33 " }, "outbound[2].patterns[0].prepend", SeverityError, "only digits"},
		{"negative strip", func(c *Config) { c.Outbound[2].Patterns[0].Strip = -1 }, "outbound[2].patterns[0].strip", SeverityError, "cannot strip"},
		{"long strip", func(c *Config) { c.Outbound[2].Patterns[0].Strip = 11 }, "outbound[2].patterns[0].strip", SeverityWarning, "strips 11"},
		{"no patterns", func(c *Config) { c.Outbound[3].Patterns = nil }, "outbound[3].patterns", SeverityError, "at least one"},
		{"unknown trunk", func(c *Config) { c.Outbound[3].Trunks[1] = "nowhere" }, "outbound[3].trunks[1]", SeverityError, `"nowhere"`},
		{"no trunks", func(c *Config) { c.Outbound[3].Trunks = nil }, "outbound[3].trunks", SeverityError, "at least one trunk"},
		{"trunk twice", func(c *Config) { c.Outbound[3].Trunks = []string{"ovh", "ovh"} }, "outbound[3].trunks[1]", SeverityWarning, "twice"},
		{"no name", func(c *Config) { c.Outbound[1].Name = "" }, "outbound[1].name", SeverityError, "needs a name"},
		{"same name", func(c *Config) { c.Outbound[3].Name = "national" }, "outbound[3].name", SeverityError, "outbound[2]"},
		{"bad class", func(c *Config) { c.Outbound[3].Class = "world" }, "outbound[3].class", SeverityError, `"world"`},
		{"bad caller id", func(c *Config) { c.Outbound[3].CallerID = "Acme" }, "outbound[3].caller_id", SeverityError, "digits"},
		{"bad time zone", func(c *Config) { c.Outbound[1].TimeCondition.TimeZone = "Europe/Pariss" }, "outbound[1].time_condition.time_zone", SeverityError, "Europe/Pariss"},
		{"bad day", func(c *Config) { c.Outbound[1].TimeCondition.Weekly[0].Days[2] = "mer" }, "outbound[1].time_condition.weekly[0].days[2]", SeverityError, `"mer"`},
		{"shadowed exact", func(c *Config) {
			c.Outbound = append(c.Outbound, OutboundRoute{Name: "late", Trunks: []string{"ovh"}, Patterns: []PatternRule{{Prefix: "0", Pattern: "0142685300"}}})
		}, "outbound[5].patterns[0]", SeverityWarning, "outbound[2].patterns[0]"},
		{"shadowed prefix", func(c *Config) {
			c.Outbound = append(c.Outbound, OutboundRoute{Name: "uk", Trunks: []string{"ovh"}, Patterns: []PatternRule{{Prefix: "0", Pattern: "_0044."}}})
		}, "outbound[5].patterns[0]", SeverityWarning, "outbound[3].patterns[0]"},
		{"shadowed across prefixes", func(c *Config) {
			c.Outbound = append(c.Outbound, OutboundRoute{Name: "uk", Trunks: []string{"ovh"}, Patterns: []PatternRule{{Pattern: "_000."}}})
		}, "outbound[5].patterns[0]", SeverityWarning, "outbound[3].patterns[0]"},
		{"shadowed in the route", func(c *Config) {
			c.Outbound[3].Patterns = append(c.Outbound[3].Patterns, PatternRule{Prefix: "0", Pattern: "_0033XXXXXXXXX"})
		}, "outbound[3].patterns[1]", SeverityWarning, "outbound[3].patterns[0]"},
		{"no emergency route", func(c *Config) { c.Outbound[0].Emergency = false }, "outbound", SeverityWarning, "emergency"},
		{"no route at all", func(c *Config) { c.Outbound = nil }, "outbound", SeverityWarning, "emergency"},
		{"bad did", func(c *Config) { c.Inbound[1].DID = "+33 1 42" }, "inbound[1].did", SeverityError, `" " at position 4`},
		{"empty did", func(c *Config) { c.Inbound[1].DID = "" }, "inbound[1].did", SeverityError, "needs a DID"},
		{"bad caller pattern", func(c *Config) { c.Inbound[2].CallerID = "_+336.." }, "inbound[2].caller_id", SeverityError, "last"},
		{"bad kind", func(c *Config) { c.Inbound[2].Destination.Kind = "fax" }, "inbound[2].destination.kind", SeverityError, `"fax"`},
		{"no target", func(c *Config) { c.Inbound[2].Destination.Target = "" }, "inbound[2].destination.target", SeverityError, "needs a target"},
		{"inbound twice", func(c *Config) { c.Inbound = append(c.Inbound, c.Inbound[0]) }, "inbound[5]", SeverityWarning, "inbound[0]"},
		{"bad holiday", func(c *Config) { c.Inbound[1].TimeCondition.Holidays = []string{"2026-02-30"} }, "inbound[1].time_condition.holidays[0]", SeverityError, "date"},
		{"bad default", func(c *Config) { c.DefaultInbound.Target = "" }, "default_inbound.target", SeverityError, "target"},
		{"bad blacklist number", func(c *Config) { c.Blacklist[0].Number = "withheld" }, "blacklist[0].number", SeverityError, `"w" at position 1`},
		{"bad blacklist code", func(c *Config) { c.Blacklist[0].Code = 200 }, "blacklist[0].code", SeverityError, "200"},
		{"bad blacklist action", func(c *Config) { c.Blacklist[0].Action = "drop" }, "blacklist[0].action", SeverityError, `"drop"`},
		{"redirect nowhere", func(c *Config) { c.Blacklist[2].Destination = Destination{} }, "blacklist[2].destination.kind", SeverityError, `""`},
		{"bad block", func(c *Config) { c.OutboundBlock[0] = "_0899[" }, "outbound_block[0]", SeverityError, "'[' without ']'"},
		{"blocks emergency", func(c *Config) { c.OutboundBlock = append(c.OutboundBlock, "_1X") }, "outbound_block[2]", SeverityWarning, "emergency number 15"},
		{"bad country", func(c *Config) { c.Country = "France" }, "country", SeverityError, "FR"},
		{"bad limit", func(c *Config) { c.Limits.BurstCalls = -5 }, "limits.burst_calls", SeverityError, "-5"},
		{"burst without window", func(c *Config) { c.Limits.BurstSeconds = -1 }, "limits.burst_seconds", SeverityError, "window"},
		{"bad channels", func(c *Config) { c.Limits.TrunkChannels = map[string]int{"ovh": -2} }, "limits.trunk_channels.ovh", SeverityError, "-2"},
		{"channels of nothing", func(c *Config) { c.Limits.TrunkChannels = map[string]int{"sfr": 4} }, "limits.trunk_channels.sfr", SeverityWarning, "sfr"},
		{"bad hours", func(c *Config) {
			c.Limits.Hours = &TimeCondition{Weekly: []Interval{{Days: []string{"mon"}, From: "8", To: "18:00"}}}
		}, "limits.hours.weekly[0].from", SeverityError, `"8"`},
	}
	for _, tt := range tests {
		c := frConfig()
		tt.change(&c)
		ps := c.Validate()
		found := false
		for _, p := range ps {
			if p.Path == tt.path && p.Severity == tt.sev && strings.Contains(p.Message, tt.msg) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: Validate() = %v, want a %s at %s saying %q", tt.name, ps, tt.sev, tt.path, tt.msg)
		}
		for i := 1; i < len(ps); i++ {
			if ps[i-1].Severity == SeverityWarning && ps[i].Severity == SeverityError {
				t.Errorf("%s: an error after a warning: %v", tt.name, ps)
			}
		}
	}
}

func TestValidateNoFalseShadow(t *testing.T) {
	// A route behind a time condition does not shadow: outside its hours
	// the later route is used.
	c := Config{Trunks: []string{"a", "b"}, Outbound: []OutboundRoute{
		{Name: "day", Emergency: true, Trunks: []string{"a"}, Patterns: []PatternRule{{Pattern: "_00."}},
			TimeCondition: &TimeCondition{Weekly: []Interval{{Days: []string{"mon"}, From: "08:00", To: "18:00"}}}},
		{Name: "other", Trunks: []string{"b"}, Patterns: []PatternRule{{Pattern: "_00."}, {Pattern: "_0XX"}, {Pattern: "_0X."}}},
	}}
	if ps := c.Validate(); len(ps) != 0 {
		t.Errorf("Validate() = %v, want none", ps)
	}
}
