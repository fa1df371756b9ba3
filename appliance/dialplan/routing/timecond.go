package routing

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrBadTime is wrapped by the errors of TimeCondition.Compile.
var ErrBadTime = errors.New("bad time condition")

// TimeCondition is a weekly schedule in a time zone, minus holidays: office
// hours, say. The zero TimeCondition is always active, in UTC.
type TimeCondition struct {
	// TimeZone is an IANA name ("Europe/Paris"); "" means UTC.
	TimeZone string `json:"time_zone,omitempty"`
	// Weekly are the intervals in which the condition is active; none
	// means every day, all day.
	Weekly []Interval `json:"weekly,omitempty"`
	// Holidays are dates ("2026-12-25", in TimeZone) on which the
	// condition is not active at all.
	Holidays []string `json:"holidays,omitempty"`
}

// Interval is a span of time on some days of the week. From and To are
// "15:04" times; To may be "24:00". When To is not after From, the interval
// runs past midnight into the next day ("22:00" to "06:00" on "fri" covers
// Friday night until Saturday 06:00); From equal to To means 24 hours from
// From ("00:00" to "00:00": the whole day).
type Interval struct {
	Days []string `json:"days"` // "mon", "tue", ... "sun"
	From string   `json:"from"`
	To   string   `json:"to"`
}

// Schedule is a compiled TimeCondition. It is immutable and safe for
// concurrent use.
type Schedule struct {
	loc      *time.Location
	spans    []span // minutes of the week, Monday 00:00 = 0
	holidays []civilDate
}

type span struct{ from, to int } // [from, to) in minutes of the week, to may exceed a week

type civilDate struct {
	y int
	m time.Month
	d int
}

const week = 7 * 24 * 60

var dayNames = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// Compile checks the condition and prepares it for Active. The error names
// the field at fault.
func (tc TimeCondition) Compile() (*Schedule, error) {
	s := &Schedule{loc: time.UTC}
	if tc.TimeZone != "" {
		loc, err := time.LoadLocation(tc.TimeZone)
		if err != nil || tc.TimeZone == "Local" {
			return nil, fmt.Errorf("%w: time_zone: unknown time zone %q", ErrBadTime, tc.TimeZone)
		}
		s.loc = loc
	}
	for i, iv := range tc.Weekly {
		from, err := clock(iv.From, false)
		if err != nil {
			return nil, fmt.Errorf("%w: weekly[%d].from: %v", ErrBadTime, i, err)
		}
		to, err := clock(iv.To, true)
		if err != nil {
			return nil, fmt.Errorf("%w: weekly[%d].to: %v", ErrBadTime, i, err)
		}
		if to <= from {
			to += 24 * 60
		}
		if len(iv.Days) == 0 {
			return nil, fmt.Errorf("%w: weekly[%d].days: no days given", ErrBadTime, i)
		}
		for j, d := range iv.Days {
			n := slices.Index(dayNames, strings.ToLower(d))
			if n < 0 {
				return nil, fmt.Errorf("%w: weekly[%d].days[%d]: %q is not one of mon, tue, wed, thu, fri, sat, sun", ErrBadTime, i, j, d)
			}
			s.spans = append(s.spans, span{n*24*60 + from, n*24*60 + to})
		}
	}
	for i, h := range tc.Holidays {
		t, err := time.Parse("2006-01-02", h)
		if err != nil {
			return nil, fmt.Errorf("%w: holidays[%d]: %q is not a date like 2026-12-25", ErrBadTime, i, h)
		}
		s.holidays = append(s.holidays, civilDate{t.Year(), t.Month(), t.Day()})
	}
	return s, nil
}

// schedule compiles an optional condition: nil gives a nil (always active)
// Schedule.
func (tc *TimeCondition) schedule() (*Schedule, error) {
	if tc == nil {
		return nil, nil
	}
	return tc.Compile()
}

// clock parses "15:04" into minutes after midnight; "24:00" only if end.
func clock(s string, end bool) (int, error) {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) != 2 || len(m) != 2 || strings.Trim(h+m, "0123456789") != "" {
		return 0, fmt.Errorf("%q is not a time like 09:30", s)
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	switch {
	case err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59:
		return 0, fmt.Errorf("%q is not a time like 09:30", s)
	case hh == 24 && mm == 0 && end:
		return 24 * 60, nil
	case hh > 23:
		return 0, fmt.Errorf("%q is not a time of day", s)
	}
	return hh*60 + mm, nil
}

// Active reports whether the condition holds at t. A condition that does
// not compile is never active.
func (tc TimeCondition) Active(t time.Time) bool {
	s, err := tc.Compile()
	return err == nil && s.Active(t)
}

// Active reports whether t falls in one of the weekly intervals and not on
// a holiday. A nil Schedule is always active. It does not allocate.
func (s *Schedule) Active(t time.Time) bool {
	if s == nil {
		return true
	}
	t = t.In(s.loc)
	y, m, d := t.Date()
	if slices.Contains(s.holidays, civilDate{y, m, d}) {
		return false
	}
	if len(s.spans) == 0 {
		return true
	}
	day := (int(t.Weekday()) + 6) % 7 // Monday = 0
	now := day*24*60 + t.Hour()*60 + t.Minute()
	for _, sp := range s.spans {
		if (now >= sp.from && now < sp.to) || (sp.to > week && now < sp.to-week) {
			return true
		}
	}
	return false
}
