package webui

import (
	"fmt"
	"net/http"
	"time"
)

// dashboard is what the supervisor dashboard shows: the live snapshot
// and the overview summed over all queues. static/panel.js computes the
// same from each snapshot the event stream sends.
type dashboard struct {
	LiveSnapshot
	Waiting          int
	LongestWaitSince time.Time // zero while nobody waits
	LongestCallSince time.Time // zero while no agent is on a call
	LoggedIn         int
	Available        int
	Paused           int
	Handled          int
	Abandoned        int
	TimedOut         int
	Ended            int     // callers whose wait ended: the base of the percentages
	ServiceLevel     float64 // percent, weighted by calls offered; -1 when none was
}

// waitEnded is how many callers' wait in q ended, answered or not.
func waitEnded(q QueueStats) int {
	return q.Handled + q.Abandoned + q.TimedOut + q.ExitedEmpty + q.ExitedWithKey
}

func newDashboard(snap LiveSnapshot) dashboard {
	d := dashboard{LiveSnapshot: snap, ServiceLevel: -1}
	var offered int
	var sl float64
	for _, q := range snap.Queues {
		d.Waiting += q.Waiting
		if q.Waiting > 0 {
			since := snap.Time.Add(-time.Duration(q.LongestWait * float64(time.Second)))
			if d.LongestWaitSince.IsZero() || since.Before(d.LongestWaitSince) {
				d.LongestWaitSince = since
			}
		}
		d.Handled += q.Handled
		d.Abandoned += q.Abandoned
		d.TimedOut += q.TimedOut
		d.Ended += waitEnded(q.QueueStats)
		offered += q.Offered
		sl += q.ServiceLevel * float64(q.Offered)
	}
	if offered > 0 {
		d.ServiceLevel = sl / float64(offered)
	}
	for _, a := range snap.Agents {
		switch a.Status {
		case "logged-out", "":
			continue
		case "available":
			d.Available++
		case "paused":
			d.Paused++
		case "on-call":
			if d.LongestCallSince.IsZero() || a.Since.Before(d.LongestCallSince) {
				d.LongestCallSince = a.Since
			}
		}
		d.LoggedIn++
	}
	return d
}

// percent is n of total in whole percent, or "–" when total is zero.
func percent(n, total int) string {
	if total <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f%%", float64(n)*100/float64(total))
}

func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request, d pageData) {
	d.Title = "Dashboard"
	snap, err := liveSnapshot(r.Context(), s.acd, s.now())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	dash := newDashboard(snap)
	d.Dash = &dash
	s.render(w, r, http.StatusOK, "dashboard", d)
}

// statusLabels name an agent's status for people.
var statusLabels = map[string]string{
	"logged-out": "Logged out", "available": "Available", "ringing": "Ringing",
	"on-call": "On a call", "wrap-up": "Wrap-up", "paused": "Paused",
}

func statusLabel(status string) string {
	if l, ok := statusLabels[status]; ok {
		return l
	}
	return status
}
