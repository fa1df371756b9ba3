package webui_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"deskline/webui"
	"deskline/webui/webuitest"
)

// TestMetrics: a monitoring server with the token reads the box's gauges
// and counters in the Prometheus text format; without it, nothing.
func TestMetrics(t *testing.T) {
	backend := webuitest.NewMemoryBackend()
	acd := webuitest.NewMemoryACD()
	users := webuitest.NewMemoryUserStore()
	newServer := func(token string) http.Handler {
		srv, err := webui.New(webui.Options{Backend: backend, Users: users, SetupCode: "ABCD-EFGH-JKLM", ACD: acd, MetricsToken: token})
		if err != nil {
			t.Fatal(err)
		}
		return srv.Handler()
	}
	get := func(h http.Handler, auth string) (int, string) {
		r := httptest.NewRequest("GET", "/metrics", nil)
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		b, _ := io.ReadAll(w.Result().Body)
		return w.Code, string(b)
	}
	if code, _ := get(newServer(""), "Bearer anything"); code != 404 {
		t.Errorf("without a token setting /metrics answers %d, want 404", code)
	}
	const token = "scrape-token-0123456789"
	h := newServer(token)
	for _, auth := range []string{"", "Bearer wrong", "Basic " + token} {
		if code, _ := get(h, auth); code != 401 {
			t.Errorf("Authorization %q: %d, want 401", auth, code)
		}
	}
	if _, err := backend.CreateExtension(t.Context(), webui.ExtensionInput{Number: "201", Name: "Desk", Password: "desk-secret-2x1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := acd.CreateQueue(t.Context(), webui.Queue{Name: "sales", Number: "600", Strategy: "linear"}); err != nil {
		t.Fatal(err)
	}
	acd.SetQueueStats(webui.QueueStats{Queue: "sales", Waiting: 3, LongestWait: 42, Handled: 7, Abandoned: 1, ServiceLevel: 87.5})
	code, body := get(h, "Bearer "+token)
	if code != 200 {
		t.Fatalf("with the token: %d %s", code, body)
	}
	for _, want := range []string{
		"# TYPE deskline_calls_active gauge",
		"deskline_extensions 1\n",
		`deskline_queue_waiting{queue="sales"} 3` + "\n",
		`deskline_queue_longest_wait_seconds{queue="sales"} 42` + "\n",
		`deskline_queue_callers_total{queue="sales",outcome="handled"} 7` + "\n",
		`deskline_queue_callers_total{queue="sales",outcome="abandoned"} 1` + "\n",
		`deskline_queue_service_level_percent{queue="sales"} 87.5` + "\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, body)
		}
	}
}
