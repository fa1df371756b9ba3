package line

import "time"

// debouncer turns raw samples of a two-level signal into a stable level: a
// new raw level must hold for rise (to true) or fall (to false) before the
// stable level follows it.
type debouncer struct {
	rise, fall time.Duration

	level    bool      // stable level
	raw      bool      // last raw sample
	rawSince time.Time // when raw last changed
}

// pending reports whether raw differs from the stable level, and since when.
func (d *debouncer) pending() (time.Time, bool) {
	return d.rawSince, d.raw != d.level
}

// sample takes a raw sample. When the stable level changes it returns the
// time of the raw edge and true.
func (d *debouncer) sample(raw bool, now time.Time) (edge time.Time, changed bool) {
	if raw != d.raw {
		d.raw = raw
		d.rawSince = now
	}
	if d.raw == d.level {
		return time.Time{}, false
	}
	hold := d.fall
	if d.raw {
		hold = d.rise
	}
	if now.Sub(d.rawSince) < hold {
		return time.Time{}, false
	}
	d.level = d.raw
	return d.rawSince, true
}

// deadline is when the pending raw level, if it holds, becomes stable.
func (d *debouncer) deadline() (time.Time, bool) {
	if d.raw == d.level {
		return time.Time{}, false
	}
	if d.raw {
		return d.rawSince.Add(d.rise), true
	}
	return d.rawSince.Add(d.fall), true
}
