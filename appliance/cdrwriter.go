package appliance

import (
	"log/slog"
	"sync"
	"time"

	"deskline/appliance/sip"
	"deskline/storage"
)

// cdrWriter appends finished calls to the CDR log. A record made while the
// wall clock is not yet set (a Raspberry Pi without RTC, before NTP) is held
// back and re-stamped from the monotonic clock once the time is known, so
// CDRs never say 1970. Records still held at shutdown are written as they
// are, marked clock_unset.
type cdrWriter struct {
	log  *storage.Log[cdr]
	l    *slog.Logger
	now  func() time.Time
	mu   sync.Mutex
	held []sip.CallRecord
}

func newCDRWriter(l *storage.Log[cdr], logger *slog.Logger) *cdrWriter {
	return &cdrWriter{log: l, l: logger, now: time.Now}
}

// write stores a record; it returns once the record is committed (or held).
func (w *cdrWriter) write(r sip.CallRecord) {
	now := w.now()
	w.mu.Lock()
	if !clockSet(now) {
		w.held = append(w.held, r)
		w.mu.Unlock()
		w.l.Warn("clock not set yet: CDR held until it is", "call", r.ID)
		return
	}
	held := w.held
	w.held = nil
	w.mu.Unlock()
	for _, h := range held {
		w.append(restamp(h, now))
	}
	w.append(r)
}

func (w *cdrWriter) append(r sip.CallRecord) {
	c := cdrFrom(r)
	if _, err := w.log.Append(c.End, c); err != nil {
		w.l.Error("CDR not saved", "call", r.ID, "err", err)
	}
}

// restamp turns times taken before the clock was set into wall time, using
// their monotonic readings.
func restamp(r sip.CallRecord, now time.Time) sip.CallRecord {
	fix := func(t time.Time) time.Time {
		if t.IsZero() || clockSet(t) {
			return t
		}
		return now.Add(-time.Since(t))
	}
	r.Start, r.Answer, r.End = fix(r.Start), fix(r.Answer), fix(r.End)
	return r
}

func (w *cdrWriter) close() {
	w.mu.Lock()
	held := w.held
	w.held = nil
	w.mu.Unlock()
	for _, h := range held {
		w.append(h)
	}
}
