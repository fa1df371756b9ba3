package webui

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// metricsHandler serves /metrics in the Prometheus text format for a
// monitoring server that presents Options.MetricsToken as a bearer token.
// Without a token set the endpoint does not exist (404); a wrong or missing
// token gets 401. Everything here is read at request time from the same
// backends the panel uses.
func (s *Server) metricsHandler(w http.ResponseWriter, r *http.Request) {
	if s.metricsToken == "" {
		http.NotFound(w, r)
		return
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(s.metricsToken)) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="deskline metrics"`)
		http.Error(w, "a bearer token is required", http.StatusUnauthorized)
		return
	}
	ctx := r.Context()
	var b strings.Builder
	metric := func(name, kind, help string) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, kind)
	}
	st, err := s.backend.Status(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	metric("deskline_uptime_seconds", "gauge", "Seconds since the daemon started.")
	fmt.Fprintf(&b, "deskline_uptime_seconds %d\n", int64(st.Uptime.Seconds()))
	metric("deskline_extensions", "gauge", "Extensions configured.")
	fmt.Fprintf(&b, "deskline_extensions %d\n", st.Extensions)
	metric("deskline_registrations", "gauge", "Live SIP registrations.")
	fmt.Fprintf(&b, "deskline_registrations %d\n", st.Registrations)
	metric("deskline_calls_active", "gauge", "Calls in progress.")
	fmt.Fprintf(&b, "deskline_calls_active %d\n", st.ActiveCalls)
	if rt := st.Runtime; rt != nil {
		metric("deskline_goroutines", "gauge", "Goroutines of the daemon.")
		fmt.Fprintf(&b, "deskline_goroutines %d\n", rt.Goroutines)
		metric("deskline_heap_live_bytes", "gauge", "Live heap at the last garbage collection.")
		fmt.Fprintf(&b, "deskline_heap_live_bytes %d\n", rt.HeapBytes)
		metric("deskline_open_files", "gauge", "Open file descriptors of the daemon.")
		fmt.Fprintf(&b, "deskline_open_files %d\n", rt.OpenFiles)
		metric("deskline_database_bytes", "gauge", "Size of the store's database file.")
		fmt.Fprintf(&b, "deskline_database_bytes %d\n", rt.DataBytes)
	}
	calls, err := s.backend.Calls(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	metric("deskline_media_loss_percent", "gauge", "Packet loss of the audio the box receives from each leg of the calls in progress.")
	metric("deskline_media_mos", "gauge", "Estimated MOS of the audio the box receives from each leg (1 to 4.5).")
	for _, c := range calls {
		for _, l := range c.Legs {
			labels := fmt.Sprintf(`{call=%q,side=%q,extension=%q}`, c.ID, l.Side, l.Extension)
			fmt.Fprintf(&b, "deskline_media_loss_percent%s %g\n", labels, l.Received.LossPct)
			fmt.Fprintf(&b, "deskline_media_mos%s %g\n", labels, l.Received.MOS)
		}
	}
	if s.acd != nil {
		queues, err := s.acd.ListQueues(ctx)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		sort.Slice(queues, func(i, j int) bool { return queues[i].Name < queues[j].Name })
		var stats []QueueStats
		for _, q := range queues {
			qs, err := s.acd.QueueStats(ctx, q.Name)
			if err != nil {
				continue // deleted meanwhile
			}
			stats = append(stats, qs)
		}
		metric("deskline_queue_waiting", "gauge", "Callers waiting in the queue.")
		for _, q := range stats {
			fmt.Fprintf(&b, "deskline_queue_waiting{queue=%q} %d\n", q.Queue, q.Waiting)
		}
		metric("deskline_queue_longest_wait_seconds", "gauge", "How long the earliest waiting caller has waited.")
		for _, q := range stats {
			fmt.Fprintf(&b, "deskline_queue_longest_wait_seconds{queue=%q} %g\n", q.Queue, q.LongestWait)
		}
		metric("deskline_queue_agents", "gauge", "The queue's logged-in agents by status.")
		for _, q := range stats {
			for _, v := range []struct {
				status string
				n      int
			}{{"available", q.Available}, {"ringing", q.Ringing}, {"on-call", q.OnCall}, {"wrap-up", q.WrapUp}, {"paused", q.Paused}} {
				fmt.Fprintf(&b, "deskline_queue_agents{queue=%q,status=%q} %d\n", q.Queue, v.status, v.n)
			}
		}
		metric("deskline_queue_callers_total", "counter", "Callers since the daemon started, by how their wait ended.")
		for _, q := range stats {
			for _, v := range []struct {
				outcome string
				n       int
			}{{"offered", q.Offered}, {"handled", q.Handled}, {"abandoned", q.Abandoned}, {"timed-out", q.TimedOut}, {"exited-empty", q.ExitedEmpty}, {"exited-with-key", q.ExitedWithKey}, {"rejected", q.Rejected}} {
				fmt.Fprintf(&b, "deskline_queue_callers_total{queue=%q,outcome=%q} %d\n", q.Queue, v.outcome, v.n)
			}
		}
		metric("deskline_queue_service_level_percent", "gauge", "Callers answered within the queue's target, of those whose wait ended.")
		for _, q := range stats {
			fmt.Fprintf(&b, "deskline_queue_service_level_percent{queue=%q} %g\n", q.Queue, q.ServiceLevel)
		}
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprint(w, b.String())
}
