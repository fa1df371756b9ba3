package webui

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// handleCalls shows the calls in progress; static/panel.js refreshes the
// table from /api/v1/calls every two seconds.
func (s *Server) handleCalls(w http.ResponseWriter, r *http.Request, d pageData) {
	s.callsPage(w, r, d, http.StatusOK)
}

func (s *Server) callsPage(w http.ResponseWriter, r *http.Request, d pageData, status int) {
	calls, err := s.backend.Calls(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Title, d.Calls, d.Now = "Calls", calls, s.now()
	s.render(w, r, status, "calls", d)
}

// handleRecordCall starts (action "start") or stops (action "stop")
// recording the call named in the path, then leads back to the calls.
func (s *Server) handleRecordCall(w http.ResponseWriter, r *http.Request, d pageData) {
	if r.Method != http.MethodPost {
		seeOther(w, r, "/calls")
		return
	}
	id := r.PathValue("id")
	var err error
	done := "rec-started"
	switch r.PostFormValue("action") {
	case "start":
		err = s.recs.StartRecording(r.Context(), id)
	case "stop":
		_, err = s.recs.StopRecording(r.Context(), id)
		done = "rec-stopped"
	default:
		http.Error(w, `The form's action must be "start" or "stop".`, http.StatusBadRequest)
		return
	}
	if err != nil {
		s.refuse(w, r, d, err, s.callsPage)
		return
	}
	seeOther(w, r, doneURL("/calls", done, id))
}

func (s *Server) handleRecordings(w http.ResponseWriter, r *http.Request, d pageData) {
	recs, err := s.recs.Recordings(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Title, d.Recordings = "Recordings", recs
	s.render(w, r, http.StatusOK, "recordings", d)
}

// panelCDRLimit is how many finished calls the call records page lists.
const panelCDRLimit = 100

// dateLayout is how <input type="date"> sends a day.
const dateLayout = "2006-01-02"

// handleCDRs lists the newest finished calls, optionally those that started
// between two days (both included, in the box's time zone).
func (s *Server) handleCDRs(w http.ResponseWriter, r *http.Request, d pageData) {
	d.Title = "Call records"
	q := CDRQuery{Limit: panelCDRLimit}
	loc := s.now().Location()
	v := r.URL.Query()
	d.From, d.To = strings.TrimSpace(v.Get("from")), strings.TrimSpace(v.Get("to"))
	errs := map[string]string{}
	if d.From != "" {
		t, err := time.ParseInLocation(dateLayout, d.From, loc)
		if err != nil {
			errs["from"] = "Want a date such as 2025-01-31."
		}
		q.From = t
	}
	if d.To != "" {
		t, err := time.ParseInLocation(dateLayout, d.To, loc)
		if err != nil {
			errs["to"] = "Want a date such as 2025-01-31."
		} else {
			q.To = t.AddDate(0, 0, 1) // the whole day
		}
	}
	if len(errs) == 0 && !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		errs["to"] = "Must not be before the first day."
	}
	status := http.StatusOK
	if len(errs) > 0 {
		d.Error, d.Errs = "Please correct the dates marked below.", errs
		status = http.StatusBadRequest
		q = CDRQuery{Limit: panelCDRLimit}
	}
	var err error
	if d.CDRs, err = s.backend.CDRs(r.Context(), q); err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Filtered = !q.From.IsZero() || !q.To.IsZero()
	s.render(w, r, status, "cdr", d)
}

// byteSize says n bytes in kB or MB, with one decimal.
func byteSize(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f kB", float64(n)/1000)
	default:
		return fmt.Sprintf("%.1f MB", float64(n)/1000/1000)
	}
}
