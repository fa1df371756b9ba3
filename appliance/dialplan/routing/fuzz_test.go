package routing

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// FuzzPattern compiles arbitrary patterns and matches arbitrary numbers:
// no panics, errors that point inside the pattern, and matching that agrees
// with an independent translation to a regular expression.
func FuzzPattern(f *testing.F) {
	for _, s := range [][2]string{
		{"_NXXNXXXXXX", "2125551234"}, {"_9[135-7]X.", "95012"}, {"_00!", "00"}, {"112", "112"},
		{"_[1-", "1"}, {"_9.X", "91"}, {"_+33[1-9]XXXXXXXX", "+33142685300"}, {"_*4[*#]", "*4#"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, number string) {
		p, err := Compile(pattern)
		if err != nil {
			var pe *PatternError
			if !errors.As(err, &pe) || !errors.Is(err, ErrBadPattern) {
				t.Fatalf("Compile(%q) = %v: not a *PatternError", pattern, err)
			}
			if pe.Pos < 1 || pe.Pos > len(pattern)+1 {
				t.Fatalf("Compile(%q): position %d outside the pattern", pattern, pe.Pos)
			}
			if pe.Pos <= len(pattern) && pe.Char != pattern[pe.Pos-1:pe.Pos] {
				t.Fatalf("Compile(%q): char %q is not the one at position %d", pattern, pe.Char, pe.Pos)
			}
			if p.Match(number) || p.Partial(number) {
				t.Fatalf("Compile(%q) failed but the pattern matches", pattern)
			}
			return
		}
		if p.String() != pattern || p.Specificity() < 0 || !p.covers(p) {
			t.Fatalf("Compile(%q): String %q, Specificity %d, covers itself %v", pattern, p, p.Specificity(), p.covers(p))
		}
		if got, want := p.Match(number), toRegexp(pattern).MatchString(number); got != want {
			t.Fatalf("%q.Match(%q) = %v, the regexp says %v", pattern, number, got, want)
		}
		if p.Match(number) {
			if len(number) < p.MinLen() {
				t.Fatalf("%q matches %q, shorter than MinLen %d", pattern, number, p.MinLen())
			}
			for k := range len(number) {
				if !p.Partial(number[:k]) {
					t.Fatalf("%q matches %q but not Partial(%q)", pattern, number, number[:k])
				}
			}
		}
		if p.Partial(number) && !p.Partial(number[:len(number)/2]) {
			t.Fatalf("%q: Partial(%q) but not of its first half", pattern, number)
		}
	})
}

// FuzzConfig decodes arbitrary JSON as a Config and validates it: no
// panics, well-formed problems, NewPlan accepting exactly the configurations
// without errors, and decisions that are refusals Response knows.
func FuzzConfig(f *testing.F) {
	seed, _ := json.Marshal(frConfig())
	f.Add(seed)
	f.Add([]byte(`{"country":"US","trunks":["t"],"outbound":[{"name":"all","patterns":[{"prefix":"9","pattern":"_1NXXNXXXXXX"}],"trunks":["t"],"emergency":true}]}`))
	f.Add([]byte(`{"outbound":[{"name":"x","patterns":[{"pattern":"_9[1-"}],"trunks":["nowhere"],"time_condition":{"time_zone":"Europe/Nowhere"}}]}`))
	f.Add([]byte(`{"inbound":[{"did":"_0142XXXXXX","destination":{"kind":"queue","target":"q"}}],"blacklist":[{"number":"anonymous","action":"reject"}]}`))
	f.Fuzz(checkConfig)
}

func checkConfig(t *testing.T, data []byte) {
	{
		if len(data) > 8<<10 {
			return
		}
		c, err := DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return
		}
		ps := c.Validate()
		hasErr := false
		for _, p := range ps {
			if p.Path == "" || p.Message == "" || (p.Severity != SeverityError && p.Severity != SeverityWarning) {
				t.Fatalf("malformed problem %+v", p)
			}
			hasErr = hasErr || p.Severity == SeverityError
		}
		plan, err := NewPlan(c, NewLimiter(c.Limits, func() time.Time { return monday10 }))
		if hasErr != (err != nil) {
			t.Fatalf("Validate errors %v but NewPlan = %v", hasErr, err)
		}
		if err != nil {
			return
		}
		// The same configuration, written and read back, has the same problems.
		again, _ := json.Marshal(c)
		c2, err := DecodeConfig(bytes.NewReader(again))
		if err != nil || !slices.Equal(c2.Validate(), ps) {
			t.Fatalf("round trip: %v; problems %v then %v", err, ps, c2.Validate())
		}
		numbers := []string{"", "0", "112", "911", "00142685300", "0004930123456", "+33142685300", "*45", "9#"}
		for _, r := range c.Outbound {
			for _, pr := range r.Patterns {
				numbers = append(numbers, pr.Prefix+strings.Trim(pr.Pattern, "_.!"))
			}
		}
		for _, n := range numbers {
			plan.Progress(n)
			dec, err := plan.Outbound(n, Caller{Extension: "1001", Class: ClassPremium}, monday10)
			if code, _ := Response(err); code == 500 {
				t.Fatalf("Outbound(%q) = %v: not a refusal", n, err)
			}
			if err == nil && len(dec.Attempts) == 0 {
				t.Fatalf("Outbound(%q) = %+v: no trunk to try", n, dec)
			}
			if _, err := plan.Inbound(n, n, monday10); err != nil && !errors.Is(err, ErrBlacklisted) {
				t.Fatalf("Inbound(%q) = %v", n, err)
			}
		}
	}
}
