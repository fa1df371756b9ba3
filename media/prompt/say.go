package prompt

import (
	"strconv"
	"time"
)

// Sayer spells values as lists of prompt names, for a Player to play from a
// Set of the same language. Each language is one implementation; its
// prompt names must exist in that language's Set.
type Sayer interface {
	// Number spells an integer ("minus", "2", "thousand", "40", "5").
	Number(n int64) []string
	// Digits spells each digit, "*" and "#" of s; other characters are
	// skipped.
	Digits(s string) []string
	// Time spells the time of day of t, without "the time is".
	Time(t time.Time) []string
	// Date spells the weekday, month and day of the month of t.
	Date(t time.Time) []string
	// Duration spells a waiting time rounded to minutes.
	Duration(d time.Duration) []string
}

// Lookup returns the Sayer of a language by its tag ("en").
func Lookup(lang string) (Sayer, bool) {
	switch lang {
	case "en":
		return English{}, true
	}
	return nil, false
}

// English spells values in American English with the default prompt set.
type English struct{}

// SayNumber spells n in English; see English.Number.
func SayNumber(n int64) []string { return English{}.Number(n) }

// SayDigits spells s digit by digit in English; see English.Digits.
func SayDigits(s string) []string { return English{}.Digits(s) }

// SayTime spells the time of day in English; see English.Time.
func SayTime(t time.Time) []string { return English{}.Time(t) }

// SayDate spells a date in English; see English.Date.
func SayDate(t time.Time) []string { return English{}.Date(t) }

// SayDuration spells a hold time in English; see English.Duration.
func SayDuration(d time.Duration) []string { return English{}.Duration(d) }

// Number spells n the American way, without "and": 115 is "1", "hundred",
// "15"; 2,040 is "2", "thousand", "40". Beyond 999,999,999 millions are
// counted in thousands ("5", "thousand", "million").
func (English) Number(n int64) []string {
	if n == 0 {
		return []string{"0"}
	}
	var out []string
	u := uint64(n)
	if n < 0 {
		out = append(out, "minus")
		u = -u // two's complement: also right for math.MinInt64
	}
	return enNumber(out, u)
}

func enNumber(out []string, u uint64) []string {
	if u >= 1_000_000 {
		out = enNumber(out, u/1_000_000)
		out = append(out, "million")
		u %= 1_000_000
	}
	if u >= 1000 {
		out = enNumber(out, u/1000)
		out = append(out, "thousand")
		u %= 1000
	}
	if u >= 100 {
		out = append(out, strconv.FormatUint(u/100, 10), "hundred")
		u %= 100
	}
	switch {
	case u == 0:
	case u < 20:
		out = append(out, strconv.FormatUint(u, 10))
	default:
		out = append(out, strconv.FormatUint(u/10*10, 10))
		if u%10 != 0 {
			out = append(out, strconv.FormatUint(u%10, 10))
		}
	}
	return out
}

// Digits spells s one digit at a time: "0"–"9", "star", "pound".
func (English) Digits(s string) []string {
	var out []string
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			out = append(out, string(r))
		case r == '*':
			out = append(out, "star")
		case r == '#':
			out = append(out, "pound")
		}
	}
	return out
}

// Time spells t on the 12-hour clock: 9:00 is "9", "a-m"; 9:05 is "9",
// "oh", "5", "a-m"; 21:45 is "9", "40", "5", "p-m"; 12:00 is "12",
// "noon" and 0:00 is "12", "midnight".
func (English) Time(t time.Time) []string {
	h, m := t.Hour(), t.Minute()
	h12 := h % 12
	if h12 == 0 {
		h12 = 12
	}
	out := []string{strconv.Itoa(h12)}
	switch {
	case m == 0 && h == 12:
		return append(out, "noon")
	case m == 0 && h == 0:
		return append(out, "midnight")
	case m == 0:
	case m < 10:
		out = append(out, "oh", strconv.Itoa(m))
	default:
		out = enNumber(out, uint64(m))
	}
	if h < 12 {
		return append(out, "a-m")
	}
	return append(out, "p-m")
}

var enWeekdays = [7]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

var enMonths = [12]string{"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december"}

// Date spells t as weekday, month and ordinal day: "monday", "march",
// "3rd".
func (English) Date(t time.Time) []string {
	return []string{enWeekdays[t.Weekday()], enMonths[t.Month()-1], enOrdinal(t.Day())}
}

// enOrdinal names the ordinal prompt of day d (1–31): "1st", "22nd".
func enOrdinal(d int) string {
	suffix := "th"
	if d%100 < 11 || d%100 > 13 {
		switch d % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return strconv.Itoa(d) + suffix
}

// Duration spells d: under a minute it is "less-than-a-minute", otherwise
// the nearest whole number of minutes, "1", "minute" or N, "minutes".
func (English) Duration(d time.Duration) []string {
	if d < time.Minute {
		return []string{"less-than-a-minute"}
	}
	mins := int64(d / time.Minute)
	if d%time.Minute >= 30*time.Second {
		mins++
	}
	if mins == 1 {
		return []string{"1", "minute"}
	}
	return append(enNumber(nil, uint64(mins)), "minutes")
}
