package webui

import (
	"slices"
	"testing"
)

func TestPathOf(t *testing.T) {
	for _, c := range []struct {
		path, list  string
		index       int
		field, rest string
		detailWant  string
	}{
		{"outbound[2].patterns[0].pattern", "outbound", 2, "patterns", "[0].pattern", "Line 1: "},
		{"outbound[0].patterns[3].strip", "outbound", 0, "patterns", "[3].strip", "Line 4 (strip): "},
		{"outbound[1].trunks[1]", "outbound", 1, "trunks", "[1]", "Trunk 2: "},
		{"outbound[1].time_condition.weekly[2].from", "outbound", 1, "time_condition", ".weekly[2].from", "Weekly times, line 3: "},
		{"inbound[0].time_condition.holidays[0]", "inbound", 0, "time_condition", ".holidays[0]", "Holiday 1: "},
		{"inbound[4].destination.target", "inbound", 4, "destination", ".target", ""},
		{"outbound[7]", "outbound", 7, "", "", ""},
		{"default_inbound", "default_inbound", -1, "", "", ""},
		{"limits.trunk_channels.voip", "limits", -1, "trunk_channels", ".voip", ""},
		{"outbound[x].name", "outbound[x]", -1, "name", "", ""},
		{"", "", -1, "", "", ""},
	} {
		list, index, field, rest := pathOf(c.path)
		if list != c.list || index != c.index || field != c.field || rest != c.rest {
			t.Errorf("pathOf(%q) = %q, %d, %q, %q; want %q, %d, %q, %q", c.path, list, index, field, rest, c.list, c.index, c.field, c.rest)
		}
		if got := detail(field, rest); got != c.detailWant {
			t.Errorf("detail of %q = %q, want %q", c.path, got, c.detailWant)
		}
	}
}

// TestPatternLines: what the form shows reads back as the same patterns.
func TestPatternLines(t *testing.T) {
	ps := []DialPattern{{Pattern: "_0ZXXXXXXXX", Strip: 1, Prepend: "+33"}, {Pattern: "112"}, {Prefix: "9", Pattern: "_X."}}
	text := patternLines(ps)
	if text != "_0ZXXXXXXXX strip=1 prepend=+33\n112\n_X. prefix=9" {
		t.Errorf("patternLines = %q", text)
	}
	back, err := parsePatterns(text + "\n\n")
	if err != nil || !slices.Equal(back, ps) {
		t.Errorf("parsePatterns = %+v, %v; want %+v", back, err, ps)
	}
	for _, bad := range []string{"_X strip=two", "_X speed=3", "1\n2 prepend"} {
		if _, err := parsePatterns(bad); err == nil {
			t.Errorf("parsePatterns(%q) took it", bad)
		}
	}
}

// TestDays: day lists are written compactly and read back.
func TestDays(t *testing.T) {
	for _, c := range []struct {
		days []string
		text string
	}{
		{[]string{"mon", "tue", "wed", "thu", "fri"}, "mon-fri"},
		{[]string{"mon", "tue"}, "mon,tue"},
		{[]string{"mon", "tue", "wed", "fri", "sat", "sun"}, "mon-wed,fri-sun"},
		{[]string{"sun"}, "sun"},
		{[]string{"fri", "sat", "sun", "mon"}, "fri-sun,mon"},
	} {
		if got := dayText(c.days); got != c.text {
			t.Errorf("dayText(%v) = %q, want %q", c.days, got, c.text)
		}
		if got, err := dayList(c.text); err != nil || !slices.Equal(got, c.days) {
			t.Errorf("dayList(%q) = %v, %v", c.text, got, err)
		}
	}
	for _, bad := range []string{"", "fri-mon", "monday", "mon-", "mon,,tue"} {
		if _, err := dayList(bad); err == nil {
			t.Errorf("dayList(%q) took it", bad)
		}
	}
}

// FuzzRoutingFormText feeds the routing forms' text fields and problem
// paths to their readers: none may panic, and patterns that read back
// are shown as text that reads back the same.
func FuzzRoutingFormText(f *testing.F) {
	f.Add("_0ZXXXXXXXX strip=1 prepend=+33\n9 prefix=0", "mon-fri", "outbound[2].patterns[0].pattern")
	f.Add("x strip=-1", "sat,sun", "inbound[1].time_condition.weekly[0].from")
	f.Add("", "", "outbound[")
	f.Fuzz(func(t *testing.T, patterns, days, path string) {
		if ps, err := parsePatterns(patterns); err == nil {
			back, err := parsePatterns(patternLines(ps))
			if err != nil || !slices.Equal(back, ps) {
				t.Fatalf("%q: read %+v, shown as %q, read back %+v, %v", patterns, ps, patternLines(ps), back, err)
			}
		}
		if ds, err := dayList(days); err == nil {
			if back, err := dayList(dayText(ds)); err != nil || !slices.Equal(back, ds) {
				t.Fatalf("%q: days %v, shown as %q, read back %v, %v", days, ds, dayText(ds), back, err)
			}
		}
		_, _, field, rest := pathOf(path)
		detail(field, rest)
	})
}

func TestProblemPlace(t *testing.T) {
	for path, want := range map[string]string{
		"outbound[2].patterns[0].pattern":         "Outbound route 3, patterns, line 1",
		"inbound[0].destination.target":           "Inbound route 1, destination",
		"outbound[1].time_condition.weekly[0].to": "Outbound route 2, time condition, weekly times, line 1",
		"outbound_block[4]":                       "Blocked number 5",
		"limits.burst_calls":                      "limits.burst_calls",
		"default_inbound":                         "default_inbound",
	} {
		if got := problemPlace(path); got != want {
			t.Errorf("problemPlace(%q) = %q, want %q", path, got, want)
		}
	}
}
