package ivr

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// compiledTime is a TimeCondition ready to test instants against.
type compiledTime struct {
	loc      *time.Location
	open     [7][]span // by time.Weekday: minutes after midnight, [from, to)
	holidays []date
}

type span struct{ from, to int }

type date struct {
	y int
	m time.Month
	d int
}

type timeErr struct{ field, msg string }

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// compileTime checks a time condition and prepares it; the error names the
// first field that is wrong.
func compileTime(t *TimeCondition) (*compiledTime, *timeErr) {
	if t.TimeZone == "" {
		return nil, &timeErr{"time_zone", "missing"}
	}
	loc, err := time.LoadLocation(t.TimeZone)
	if err != nil {
		return nil, &timeErr{"time_zone", fmt.Sprintf("unknown time zone %q", t.TimeZone)}
	}
	c := &compiledTime{loc: loc}
	if len(t.Weekly) == 0 {
		return nil, &timeErr{"weekly", "at least one interval"}
	}
	if len(t.Weekly) > 100 || len(t.Holidays) > 1000 {
		return nil, &timeErr{"weekly", "too many intervals or holidays"}
	}
	for i, w := range t.Weekly {
		field := "weekly." + strconv.Itoa(i)
		from, ok := clock(w.From, false)
		if !ok {
			return nil, &timeErr{field + ".from", fmt.Sprintf("%q is not a time HH:MM", w.From)}
		}
		to, ok := clock(w.To, true)
		if !ok {
			return nil, &timeErr{field + ".to", fmt.Sprintf("%q is not a time HH:MM (up to 24:00)", w.To)}
		}
		if from == to {
			return nil, &timeErr{field + ".to", "an empty range"}
		}
		if len(w.Days) == 0 {
			return nil, &timeErr{field + ".days", "at least one day"}
		}
		for _, d := range w.Days {
			wd, ok := weekdays[strings.ToLower(d)]
			if !ok {
				return nil, &timeErr{field + ".days", fmt.Sprintf("%q is not a day (mon ... sun)", d)}
			}
			if from < to {
				c.open[wd] = append(c.open[wd], span{from, to})
			} else { // past midnight
				c.open[wd] = append(c.open[wd], span{from, 24 * 60})
				c.open[(wd+1)%7] = append(c.open[(wd+1)%7], span{0, to})
			}
		}
	}
	for i, h := range t.Holidays {
		d, err := time.Parse(time.DateOnly, h)
		if err != nil {
			return nil, &timeErr{"holidays." + strconv.Itoa(i), fmt.Sprintf("%q is not a date YYYY-MM-DD", h)}
		}
		c.holidays = append(c.holidays, date{d.Year(), d.Month(), d.Day()})
	}
	return c, nil
}

// clock parses "HH:MM" into minutes after midnight; "24:00" only as an end.
func clock(s string, end bool) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || h < 0 || m < 0 || m > 59 || s[0] == '+' || s[3] == '+' {
		return 0, false
	}
	if h == 24 && m == 0 && end {
		return 24 * 60, true
	}
	if h > 23 {
		return 0, false
	}
	return h*60 + m, true
}

// at reports whether instant t is open (in a weekly range, not a holiday)
// and whether its date is a holiday, in the condition's time zone.
func (c *compiledTime) at(t time.Time) (open, holiday bool) {
	t = t.In(c.loc)
	y, m, d := t.Date()
	for _, h := range c.holidays {
		if h.y == y && h.m == m && h.d == d {
			return false, true
		}
	}
	min := t.Hour()*60 + t.Minute()
	for _, s := range c.open[t.Weekday()] {
		if min >= s.from && min < s.to {
			return true, false
		}
	}
	return false, false
}
