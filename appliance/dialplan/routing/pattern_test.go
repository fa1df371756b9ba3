package routing

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		pattern string
		pos     int
		char    string
		reason  string // a word of the reason
	}{
		{"", 1, "", "empty"},
		{"_", 2, "", "followed"},
		{"_9A", 3, "A", "not a digit"},
		{"_9[1-5", 7, "", "without ']'"},
		{"_9[]", 4, "]", "empty"},
		{"_9[5-1]", 6, "1", "downwards"},
		{"_9[1-]", 5, "-", "upper end"},
		{"_9[a]", 4, "a", "set holds"},
		{"_9[1-#]", 6, "#", "digit to digit"},
		{"_9]", 3, "]", "without '['"},
		{"_9.1", 3, ".", "last"},
		{"_9!X", 3, "!", "last"},
		{"_.", 2, ".", "at least one"},
		{"_!", 2, "!", "at least one"},
		{"9XX", 2, "X", "starts with '_'"},
		{"12 34", 3, " ", "only digits"},
		{"_9 1", 3, " ", "not a digit"},
		{"_" + strings.Repeat("X", MaxPatternLen), MaxPatternLen + 1, "X", "at most"},
	}
	for _, tt := range tests {
		_, err := Compile(tt.pattern)
		var pe *PatternError
		if !errors.As(err, &pe) || !errors.Is(err, ErrBadPattern) {
			t.Errorf("Compile(%q) = %v, want a *PatternError wrapping ErrBadPattern", tt.pattern, err)
			continue
		}
		if pe.Pos != tt.pos || pe.Char != tt.char || !strings.Contains(pe.Reason, tt.reason) {
			t.Errorf("Compile(%q): position %d char %q reason %q, want %d %q (%q)", tt.pattern, pe.Pos, pe.Char, pe.Reason, tt.pos, tt.char, tt.reason)
		}
		if !strings.Contains(err.Error(), tt.pattern) {
			t.Errorf("Compile(%q): error %q does not quote the pattern", tt.pattern, err)
		}
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern string
		yes, no []string
	}{
		{"112", []string{"112"}, []string{"11", "1120", "", "112#"}},
		{"+33142685300", []string{"+33142685300"}, []string{"33142685300"}},
		{"_X", []string{"0", "9"}, []string{"", "*", "10", "a"}},
		{"_Z", []string{"1", "9"}, []string{"0"}},
		{"_N", []string{"2", "9"}, []string{"0", "1"}},
		{"_nxz", []string{"201"}, []string{"101", "200"}},
		{"_NXXNXXXXXX", []string{"2125551234"}, []string{"1125551234", "2121551234", "212555123"}},
		{"_[1-5]", []string{"1", "3", "5"}, []string{"0", "6"}},
		{"_[135-7]", []string{"1", "3", "5", "6", "7"}, []string{"2", "4", "8"}},
		{"_[*#]1", []string{"*1", "#1"}, []string{"11"}},
		{"_9.", []string{"90", "9123456789", "9*#"}, []string{"9", "8123"}},
		{"_9!", []string{"9", "90", "9123"}, []string{"", "8"}},
		{"_*4X", []string{"*40", "*49"}, []string{"*4", "#40"}},
		{"_00.", []string{"0044", "0033142685300"}, []string{"00", "0144"}},
		{"_+.", []string{"+33"}, []string{"+", "33"}},
		{"_9X.", []string{"901", "9123"}, []string{"90", "9a1"}},
	}
	for _, tt := range tests {
		checkYesNo(t, tt.pattern, "Match", MustCompile(tt.pattern).Match, tt.yes, tt.no)
	}
	if (Pattern{}).Match("") || (Pattern{}).Partial("") {
		t.Error("the zero Pattern matches")
	}
}

// checkYesNo checks that f holds for every number of yes and none of no.
func checkYesNo(t *testing.T, pattern, name string, f func(string) bool, yes, no []string) {
	t.Helper()
	for _, n := range yes {
		if !f(n) {
			t.Errorf("%q.%s(%q) = false, want true", pattern, name, n)
		}
	}
	for _, n := range no {
		if f(n) {
			t.Errorf("%q.%s(%q) = true, want false", pattern, name, n)
		}
	}
}

func TestPartial(t *testing.T) {
	tests := []struct {
		pattern string
		yes, no []string
	}{
		{"_NXXNXXXXXX", []string{"", "2", "212", "212555123"}, []string{"2125551234", "1", "21255512345"}},
		{"_9.", []string{"", "9", "91", "9123456"}, []string{"8"}},
		{"_9011!", []string{"9", "9011", "901144"}, []string{"9012"}},
		{"112", []string{"", "1", "11"}, []string{"112", "12"}},
	}
	for _, tt := range tests {
		checkYesNo(t, tt.pattern, "Partial", MustCompile(tt.pattern).Partial, tt.yes, tt.no)
	}
	if !MustCompile("_9!").Immediate() || MustCompile("_9.").Immediate() {
		t.Error("Immediate: only '!' patterns are immediate")
	}
}

func TestSpecificity(t *testing.T) {
	// Each pattern is more specific than the next; all match the number.
	for _, chain := range []struct {
		number   string
		patterns []string
	}{
		{"5552345", []string{"5552345", "_555[2-3]XXX", "_555NXXX", "_555XXXX", "_555.", "_555!", "_5!"}},
		{"12", []string{"_XX", "_X."}},
	} {
		for i := 1; i < len(chain.patterns); i++ {
			a, b := MustCompile(chain.patterns[i-1]), MustCompile(chain.patterns[i])
			if !a.Match(chain.number) || !b.Match(chain.number) {
				t.Fatalf("%q or %q does not match %q", a, b, chain.number)
			}
			if a.Specificity() <= b.Specificity() {
				t.Errorf("Specificity(%q) = %d, not above Specificity(%q) = %d", a, a.Specificity(), b, b.Specificity())
			}
		}
	}
}

func TestCovers(t *testing.T) {
	tests := []struct {
		p, q string
		want bool
	}{
		{"_X.", "_9.", true},
		{"_9.", "_9011.", true},
		{"_9.", "_9XXX", true},
		{"_9!", "_9", true},
		{"_9.", "_9", false},
		{"_9.", "_9!", false},
		{"_9!", "_9.", true},
		{"_9XXX", "_9123", true},
		{"_9123", "_9XXX", false},
		{"_9XXX", "_9XX", false},
		{"_9XX", "_9XX.", false},
		{"_N", "_Z", false},
		{"_Z", "_N", true},
		{"_[1-5]", "_[24]", true},
		{"911", "911", true},
		{"_911", "9111", false},
	}
	for _, tt := range tests {
		if got := MustCompile(tt.p).covers(MustCompile(tt.q)); got != tt.want {
			t.Errorf("%q.covers(%q) = %v, want %v", tt.p, tt.q, got, tt.want)
		}
	}
	if !MustCompile("_X.").covers(MustCompile("_1.").withPrefix("9")) || MustCompile("_8.").covers(MustCompile("_1.").withPrefix("9")) {
		t.Error("covers with prefix")
	}
}

// toRegexp translates a compiled-OK pattern into a regular expression: an
// independent reading of the same syntax, for the fuzzer to compare with.
func toRegexp(s string) *regexp.Regexp {
	if !strings.HasPrefix(s, "_") {
		return regexp.MustCompile("^" + regexp.QuoteMeta(s) + "$")
	}
	var b strings.Builder
	b.WriteString("^")
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case 'X', 'x':
			b.WriteString("[0-9]")
		case 'Z', 'z':
			b.WriteString("[1-9]")
		case 'N', 'n':
			b.WriteString("[2-9]")
		case '.':
			b.WriteString(`[0-9*#+]+`)
		case '!':
			b.WriteString(`[0-9*#+]*`)
		case '[':
			end := strings.IndexByte(s[i:], ']') + i
			b.WriteString("[" + regexp.QuoteMeta(s[i+1:end]) + "]")
			i = end
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

func TestPatternAgainstRegexp(t *testing.T) {
	for _, s := range []string{"_9[135-7]X.", "_+[0-2]!", "_[*#]N", "*43"} {
		re := toRegexp(s)
		p := MustCompile(s)
		for _, n := range []string{"9501", "95", "9199", "+1", "+", "*2", "#1", "*43", "+23"} {
			if p.Match(n) != re.MatchString(n) {
				t.Errorf("%q.Match(%q) = %v, regexp %v", s, n, p.Match(n), re)
			}
		}
	}
}

func TestMatchAllocs(t *testing.T) {
	p := MustCompile("_NXXNXXXXXX")
	if a := testing.AllocsPerRun(100, func() { p.Match("2125551234"); p.Partial("212") }); a != 0 {
		t.Errorf("Match and Partial allocate %v times", a)
	}
}
