package appliance

import (
	"time"

	"deskline/appliance/sip"
)

// cdr is one finished call as stored in the CDR log.
type cdr struct {
	ID          string    `json:"id"`
	Caller      string    `json:"caller"`
	Callee      string    `json:"callee"`
	Dialled     string    `json:"dialled"`
	Start       time.Time `json:"start"`
	Answer      time.Time `json:"answer,omitzero"`
	End         time.Time `json:"end"`
	Disposition string    `json:"disposition"`
	Cause       int       `json:"cause"`
	HangupBy    string    `json:"hangup_by,omitempty"`
	Trunk       string    `json:"trunk,omitempty"` // the trunk it came in on or went out through
	// ClockUnset marks a record made before the box's clock was set (a
	// Raspberry Pi has no RTC): its times are since boot, not wall time.
	ClockUnset bool `json:"clock_unset,omitempty"`
}

// clockSet reports whether the wall clock looks set (not 1970).
func clockSet(t time.Time) bool { return t.After(time.Unix(60*60*24*365, 0)) }

func cdrFrom(r sip.CallRecord) cdr {
	return cdr{
		ID: r.ID, Caller: r.Caller, Callee: r.Callee, Dialled: r.Dialled,
		Start: r.Start, Answer: r.Answer, End: r.End,
		Disposition: string(r.Disposition), Cause: r.Cause, HangupBy: r.HangupBy, Trunk: r.Trunk,
		ClockUnset: !clockSet(r.End),
	}
}

// Duration is the talk time: answer to end, zero if never answered.
func (c cdr) duration() time.Duration {
	if c.Answer.IsZero() {
		return 0
	}
	return c.End.Sub(c.Answer)
}
