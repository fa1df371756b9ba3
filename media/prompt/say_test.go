package prompt

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSayNumber(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{
		{0, "0"}, {7, "7"}, {13, "13"}, {20, "20"}, {42, "40 2"}, {100, "1 hundred"},
		{115, "1 hundred 15"}, {999, "9 hundred 90 9"}, {1000, "1 thousand"}, {2040, "2 thousand 40"},
		{10_001, "10 thousand 1"}, {123_456, "1 hundred 20 3 thousand 4 hundred 50 6"},
		{1_000_000, "1 million"}, {3_000_017, "3 million 17"}, {-5, "minus 5"},
		{2_500_000_000, "2 thousand 5 hundred million"},
	} {
		if got := strings.Join(SayNumber(c.n), " "); got != c.want {
			t.Errorf("SayNumber(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestSayTime(t *testing.T) {
	day := time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		h, m int
		want string
	}{
		{0, 0, "12 midnight"}, {0, 5, "12 oh 5 a-m"}, {9, 0, "9 a-m"}, {9, 5, "9 oh 5 a-m"},
		{11, 59, "11 50 9 a-m"}, {12, 0, "12 noon"}, {12, 30, "12 30 p-m"}, {21, 45, "9 40 5 p-m"}, {13, 10, "1 10 p-m"},
	} {
		if got := strings.Join(SayTime(day.Add(time.Duration(c.h)*time.Hour+time.Duration(c.m)*time.Minute)), " "); got != c.want {
			t.Errorf("SayTime(%02d:%02d) = %q, want %q", c.h, c.m, got, c.want)
		}
	}
}

func TestSayDateAndDuration(t *testing.T) {
	if got := strings.Join(SayDate(time.Date(2024, 2, 29, 10, 0, 0, 0, time.UTC)), " "); got != "thursday february 29th" {
		t.Errorf("SayDate(2024-02-29) = %q", got)
	}
	for d, want := range map[int]string{1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 11: "11th", 12: "12th", 13: "13th", 21: "21st", 22: "22nd", 23: "23rd", 31: "31st"} {
		if got := enOrdinal(d); got != want {
			t.Errorf("enOrdinal(%d) = %q, want %q", d, got, want)
		}
	}
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{0, "less-than-a-minute"}, {59 * time.Second, "less-than-a-minute"}, {-time.Hour, "less-than-a-minute"},
		{time.Minute, "1 minute"}, {89 * time.Second, "1 minute"}, {90 * time.Second, "2 minutes"},
		{25 * time.Minute, "20 5 minutes"},
		{math.MaxInt64, "1 hundred 50 3 million 7 hundred 20 2 thousand 8 hundred 60 7 minutes"}, // 153,722,867.3 min
	} {
		if got := strings.Join(SayDuration(c.d), " "); got != c.want {
			t.Errorf("SayDuration(%v) = %q, want %q", c.d, got, c.want)
		}
	}
	if got := strings.Join(SayDigits("0-12*#9x"), " "); got != "0 1 2 star pound 9" {
		t.Errorf("SayDigits = %q", got)
	}
}

// TestSayNamesExist checks that every name the English Sayer can produce
// is in the default set: numbers sampled up to a million, every minute of
// the day, every day of a leap year, hold times up to three hours.
func TestSayNamesExist(t *testing.T) {
	s := Default()
	seen := make(map[string]bool)
	check := func(what string, names []string) {
		if len(names) == 0 {
			t.Fatalf("%s: nothing to say", what)
		}
		for _, n := range names {
			if seen[n] {
				continue
			}
			if _, ok := s.Get(n); !ok {
				t.Fatalf("%s says %q, which the default set lacks", what, n)
			}
			seen[n] = true
		}
	}
	en, ok := Lookup("en")
	if !ok {
		t.Fatal(`Lookup("en") failed`)
	}
	for n := int64(0); n <= 1_000_000; n++ {
		if n > 2000 && n%997 != 0 && n != 1_000_000 {
			continue
		}
		check("Number", en.Number(n))
		check("Number", en.Number(-n-1))
	}
	check("Number", en.Number(math.MaxInt64))
	check("Number", en.Number(math.MinInt64))
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for m := range 24 * 60 {
		check("Time", en.Time(day.Add(time.Duration(m)*time.Minute)))
	}
	for d := day; d.Year() == 2024; d = d.AddDate(0, 0, 1) {
		check("Date", en.Date(d))
	}
	for d := time.Duration(0); d < 3*time.Hour; d += 7 * time.Second {
		check("Duration", en.Duration(d))
	}
	check("Digits", en.Digits("0123456789*#"))
	if _, ok := Lookup("xx"); ok {
		t.Error(`Lookup("xx") succeeded`)
	}
	t.Logf("%d distinct prompts used", len(seen))
	if !slices.Contains(s.Names(), "a-m") {
		t.Error("Names lacks a-m")
	}
}
