package routing

import (
	"errors"
	"fmt"
	"math/bits"
	"strings"
)

// ErrBadPattern is wrapped by every error Compile returns.
var ErrBadPattern = errors.New("bad dial pattern")

// PatternError says which character of a pattern is wrong and why.
type PatternError struct {
	Pattern string // the pattern as given
	Pos     int    // 1-based position of the offending character (len+1: at the end)
	Char    string // the offending character ("" at the end of the pattern)
	Reason  string
}

func (e *PatternError) Error() string {
	if e.Char == "" {
		return fmt.Sprintf("routing: bad dial pattern %q: at the end (position %d): %s", e.Pattern, e.Pos, e.Reason)
	}
	return fmt.Sprintf("routing: bad dial pattern %q: %q at position %d: %s", e.Pattern, e.Char, e.Pos, e.Reason)
}

func (e *PatternError) Unwrap() error { return ErrBadPattern }

// patternError blames the character at index pos of s (the end if pos is
// len(s)).
func patternError(s string, pos int, reason string) *PatternError {
	ch := ""
	if pos < len(s) {
		ch = s[pos : pos+1]
	}
	return &PatternError{Pattern: s, Pos: pos + 1, Char: ch, Reason: reason}
}

// MaxPatternLen is the longest pattern Compile accepts, in bytes.
const MaxPatternLen = 64

// symbols are the characters a dialled number or DID may contain, as bit
// positions of a set: 0-9 are the digits, then '*', '#' and '+'.
const (
	symStar = 10
	symHash = 11
	symPlus = 12
	allSyms = uint16(1)<<13 - 1
	digits  = uint16(1)<<10 - 1
)

func symbol(c byte) (int, bool) {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0'), true
	case c == '*':
		return symStar, true
	case c == '#':
		return symHash, true
	case c == '+':
		return symPlus, true
	}
	return 0, false
}

// trailer is what a pattern allows after its fixed part.
type trailer uint8

const (
	exact   trailer = iota // nothing more
	oneMore                // '.': one or more of anything
	anyMore                // '!': zero or more of anything
)

// Pattern is a compiled dial pattern. The zero Pattern matches nothing.
// A Pattern is immutable and safe for concurrent use.
type Pattern struct {
	src   string
	sets  []uint16 // one set of allowed symbols per fixed position
	trail trailer
}

// Compile parses a dial pattern in the style of Asterisk:
//
//   - without a leading '_', the pattern is a literal number ("112",
//     "+33142685300"): digits, '*', '#' and '+' only;
//   - with a leading '_', each character stands for one dialled character:
//     a digit, '*', '#' or '+' for itself; X for 0-9; Z for 1-9; N for
//     2-9 (X, Z and N in either case); a set in brackets such as [1-5] or
//     [135-7] for one of its members;
//   - a final '.' matches one or more further characters, a final '!' zero
//     or more. '!' also means "dial as soon as this matches" (see Partial).
//
// Spaces, dashes and parentheses are not allowed: a pattern is what the
// phone sends. The error, when there is one, is a *PatternError naming the
// character and its position.
func Compile(s string) (Pattern, error) {
	bad := func(pos int, reason string) (Pattern, error) {
		return Pattern{}, patternError(s, pos, reason)
	}
	if s == "" {
		return bad(0, "a pattern cannot be empty")
	}
	if len(s) > MaxPatternLen {
		return bad(MaxPatternLen, fmt.Sprintf("a pattern has at most %d characters", MaxPatternLen))
	}
	p := Pattern{src: s}
	if s[0] != '_' {
		p.sets = make([]uint16, len(s))
		for i := 0; i < len(s); i++ {
			sym, ok := symbol(s[i])
			if !ok {
				if strings.IndexByte("XxZzNn[.!", s[i]) >= 0 {
					return bad(i, "a pattern with wildcards starts with '_'")
				}
				return bad(i, "a number has only digits, '*', '#' and '+'")
			}
			p.sets[i] = 1 << sym
		}
		return p, nil
	}
	if len(s) == 1 {
		return bad(1, "'_' must be followed by the pattern")
	}
	p.sets = make([]uint16, 0, len(s)-1)
	for i := 1; i < len(s); i++ {
		c := s[i]
		if sym, ok := symbol(c); ok {
			p.sets = append(p.sets, 1<<sym)
			continue
		}
		switch c {
		case 'X', 'x':
			p.sets = append(p.sets, digits)
		case 'Z', 'z':
			p.sets = append(p.sets, digits&^1)
		case 'N', 'n':
			p.sets = append(p.sets, digits&^3)
		case '.', '!':
			if i != len(s)-1 {
				return bad(i, fmt.Sprintf("%q may only be the last character", c))
			}
			if len(p.sets) == 0 {
				return bad(i, fmt.Sprintf("%q needs at least one character before it", c))
			}
			p.trail = oneMore
			if c == '!' {
				p.trail = anyMore
			}
		case '[':
			set, end, err := parseSet(s, i)
			if err != nil {
				return Pattern{}, err
			}
			p.sets = append(p.sets, set)
			i = end
		case ']':
			return bad(i, "']' without '['")
		default:
			return bad(i, "not a digit, '*', '#', '+', X, Z, N, a [set], '.' or '!'")
		}
	}
	return p, nil
}

// parseSet reads the set that starts with the '[' at s[open]; it returns the
// set and the index of the closing ']'.
func parseSet(s string, open int) (uint16, int, error) {
	bad := func(pos int, reason string) (uint16, int, error) {
		return 0, 0, patternError(s, pos, reason)
	}
	var set uint16
	for i := open + 1; i < len(s); i++ {
		c := s[i]
		if c == ']' {
			if set == 0 {
				return bad(i, "a set cannot be empty")
			}
			return set, i, nil
		}
		lo, ok := symbol(c)
		if !ok {
			return bad(i, "a set holds digits, '*', '#', '+' and ranges such as 1-5")
		}
		if i+2 < len(s) && s[i+1] == '-' && s[i+2] != ']' {
			hi, ok := symbol(s[i+2])
			switch {
			case !ok || hi > 9 || lo > 9:
				return bad(i+2, "a range goes from digit to digit")
			case hi < lo:
				return bad(i+2, "a range must not go downwards")
			}
			for d := lo; d <= hi; d++ {
				set |= 1 << d
			}
			i += 2
			continue
		}
		if i+1 < len(s) && s[i+1] == '-' {
			return bad(i+1, "a range needs an upper end")
		}
		set |= 1 << lo
	}
	return bad(len(s), "'[' without ']'")
}

// MustCompile is Compile for patterns written in code; it panics on error.
func MustCompile(s string) Pattern {
	p, err := Compile(s)
	if err != nil {
		panic(err)
	}
	return p
}

// String returns the pattern as it was written.
func (p Pattern) String() string { return p.src }

// fixed reports whether number's first len(number) characters fit the fixed
// part, as far as it goes, and whether number uses only known symbols.
func (p Pattern) prefixFits(number string) bool {
	for i := 0; i < len(number); i++ {
		sym, ok := symbol(number[i])
		if !ok {
			return false
		}
		if i < len(p.sets) && p.sets[i]&(1<<sym) == 0 {
			return false
		}
	}
	return true
}

// Match reports whether the whole of number matches the pattern. It does
// not allocate.
func (p Pattern) Match(number string) bool {
	if len(p.sets) == 0 || !p.prefixFits(number) {
		return false
	}
	switch p.trail {
	case oneMore:
		return len(number) > len(p.sets)
	case anyMore:
		return len(number) >= len(p.sets)
	}
	return len(number) == len(p.sets)
}

// Partial reports whether number, followed by more digits, could still
// match: it is a strict beginning of some number the pattern matches. A
// phone collecting digits waits while any pattern is Partial; it dials at
// once when a pattern matches and none is Partial, or when the matching
// pattern ends in '!' (Immediate). It does not allocate.
func (p Pattern) Partial(number string) bool {
	if len(p.sets) == 0 || !p.prefixFits(number) {
		return false
	}
	return len(number) < len(p.sets) || p.trail != exact
}

// Immediate reports whether the pattern ends in '!': a number that matches
// it is dialled without waiting for more digits.
func (p Pattern) Immediate() bool { return p.trail == anyMore }

// MinLen is the length of the shortest number the pattern matches (0 for
// the zero Pattern).
func (p Pattern) MinLen() int {
	if p.trail == oneMore {
		return len(p.sets) + 1
	}
	return len(p.sets)
}

// Specificity ranks patterns that match the same number: the higher, the
// more specific. Each fixed character counts 15 minus the number of
// characters it admits (a literal digit 14, N 7, X 5), a final '.' counts 1
// and a final '!' 0. So "5551234" beats "_555XXXX", which beats "_555.",
// and "_XX" beats "_X.". The zero Pattern has specificity -1.
func (p Pattern) Specificity() int {
	if len(p.sets) == 0 {
		return -1
	}
	n := 0
	for _, s := range p.sets {
		n += 15 - bits.OnesCount16(s)
	}
	if p.trail == oneMore {
		n++
	}
	return n
}

// covers reports whether every number q matches is also matched by p
// (p shadows q). It is exact except when q ends in '.' or '!' and p has
// more fixed characters than q, where it answers false.
func (p Pattern) covers(q Pattern) bool {
	if len(p.sets) == 0 || len(q.sets) == 0 || len(q.sets) < len(p.sets) {
		return false
	}
	for i, s := range p.sets {
		if q.sets[i]&^s != 0 {
			return false
		}
	}
	if len(q.sets) > len(p.sets) {
		return p.trail != exact
	}
	switch q.trail {
	case exact:
		return p.trail != oneMore
	case oneMore:
		return p.trail != exact
	}
	return p.trail == anyMore
}

// withPrefix returns the pattern for prefix followed by p; prefix holds
// only symbols (checked by the caller).
func (p Pattern) withPrefix(prefix string) Pattern {
	if prefix == "" || len(p.sets) == 0 {
		return p
	}
	q := Pattern{src: prefix + "|" + p.src, sets: make([]uint16, 0, len(prefix)+len(p.sets)), trail: p.trail}
	for i := 0; i < len(prefix); i++ {
		sym, _ := symbol(prefix[i])
		q.sets = append(q.sets, 1<<sym)
	}
	q.sets = append(q.sets, p.sets...)
	return q
}
