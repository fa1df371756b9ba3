package webui_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"deskline/webui"
	"deskline/webui/webuitest"
)

// liveEnv is a server with a contact centre, served over a real listener
// as event streams need.
type liveEnv struct {
	*env
	acd *webuitest.MemoryACD
	hs  *httptest.Server
}

func newLiveEnv(t *testing.T) *liveEnv {
	t.Helper()
	acd := webuitest.NewMemoryACD()
	contactCentre(t, acd, time.Now())
	e := &liveEnv{env: newACDEnv(t, acd), acd: acd}
	e.hs = httptest.NewServer(e.srv.Handler())
	t.Cleanup(func() {
		e.hs.CloseClientConnections()
		e.hs.Close()
		waitNoLiveGoroutines(t)
	})
	return e
}

// sse is one event of a stream, or a comment line.
type sse struct {
	event, data string
	comment     bool
}

// stream is an open GET /api/v1/events.
type stream struct {
	res    *http.Response
	events chan sse
	cancel context.CancelFunc
}

// open requests the event stream with opts; the stream is closed at the
// end of the test.
func (e *liveEnv) open(t *testing.T, opts ...reqOpt) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.hs.URL+"/api/v1/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range opts {
		o(req)
	}
	res, err := e.hs.Client().Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	s := &stream{res: res, events: make(chan sse, 16), cancel: cancel}
	t.Cleanup(s.close)
	if res.StatusCode != http.StatusOK {
		close(s.events)
		return s
	}
	go func() {
		defer close(s.events)
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		var ev sse
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev != (sse{}) {
					s.events <- ev
				}
				ev = sse{}
			case strings.HasPrefix(line, ":"):
				s.events <- sse{comment: true, data: line}
			case strings.HasPrefix(line, "event: "):
				ev.event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.data += strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return s
}

func (s *stream) close() {
	s.cancel()
	s.res.Body.Close()
}

// snapshot waits up to d for the next snapshot event.
func (s *stream) snapshot(t *testing.T, d time.Duration) webui.LiveSnapshot {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case ev, ok := <-s.events:
			if !ok {
				t.Fatal("stream ended before a snapshot")
			}
			if ev.event != "snapshot" {
				continue
			}
			var snap webui.LiveSnapshot
			if err := json.Unmarshal([]byte(ev.data), &snap); err != nil {
				t.Fatalf("snapshot %s: %v", ev.data, err)
			}
			return snap
		case <-timeout:
			t.Fatalf("no snapshot within %v", d)
		}
	}
}

func agentIn(snap webui.LiveSnapshot, id string) webui.AgentState {
	for _, a := range snap.Agents {
		if a.ID == id {
			return a
		}
	}
	return webui.AgentState{}
}

// liveGoroutines counts the goroutines of event streams and their poller.
func liveGoroutines() int {
	buf := make([]byte, 4<<20)
	buf = buf[:runtime.Stack(buf, true)]
	return strings.Count(string(buf), "webui.(*liveHub).run(") + strings.Count(string(buf), "webui.(*Server).apiEvents(")
}

// waitNoLiveGoroutines fails unless every stream's goroutine and the
// poller have ended within two seconds.
func waitNoLiveGoroutines(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); liveGoroutines() > 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d live-event goroutines still running:\n%s", liveGoroutines(), buf[:runtime.Stack(buf, true)])
		}
	}
}

// TestEventsSnapshotAndChanges: a stream starts with the whole picture,
// and a change on the box (an agent's call ends) reaches it within a
// second, while an unchanged picture sends nothing new.
func TestEventsSnapshotAndChanges(t *testing.T) {
	e := newLiveEnv(t)
	s := e.open(t, asAdmin())
	if ct := s.res.Header.Get("Content-Type"); s.res.StatusCode != http.StatusOK || ct != "text/event-stream" {
		t.Fatalf("GET /api/v1/events = %d %q, want 200 text/event-stream", s.res.StatusCode, ct)
	}
	first := s.snapshot(t, time.Second)
	if len(first.Agents) != 4 || len(first.Queues) != 2 || len(first.PauseReasons) != 3 {
		t.Fatalf("first snapshot has %d agents, %d queues, %d pause reasons; want 4, 2, 3", len(first.Agents), len(first.Queues), len(first.PauseReasons))
	}
	if a := agentIn(first, "202"); a.Status != "on-call" || a.Call != "+49 30 555 0142" || a.Name != "Bob Keller" {
		t.Errorf("agent 202 = %+v, want on a call with +49 30 555 0142", a)
	}
	if y, m, d := first.Time.Date(); !first.CountsSince.Equal(time.Date(y, m, d, 0, 0, 0, 0, first.Time.Location())) {
		t.Errorf("counts_since = %v at %v, want that day's midnight", first.CountsSince, first.Time)
	}
	if q := first.Queues[0]; q.Queue != "sales" || q.Waiting != 2 || q.LoggedIn != 3 || q.Target != 20 {
		t.Errorf("queue sales = %+v, want 2 waiting, 3 logged in, target 20 s", q)
	}

	start := time.Now()
	e.acd.SetAgentState(webui.AgentState{ID: "202", Status: "wrap-up", Queues: []string{"sales", "support"}})
	next := s.snapshot(t, time.Second)
	if a := agentIn(next, "202"); a.Status != "wrap-up" || a.Call != "" {
		t.Errorf("after the call, agent 202 = %+v, want wrap-up without a call", a)
	}
	t.Logf("change seen after %v", time.Since(start))

	// Nothing changes: the next polls send nothing (a second stream on
	// the same poller sees the last snapshot at once, and then nothing).
	s2 := e.open(t, asAdmin())
	if a := agentIn(s2.snapshot(t, time.Second), "202"); a.Status != "wrap-up" {
		t.Errorf("second stream's first snapshot: agent 202 = %+v, want wrap-up", a)
	}
	select {
	case ev := <-s.events:
		t.Errorf("unchanged picture sent %+v", ev)
	case <-time.After(3 * 500 * time.Millisecond):
	}
}

// TestEventsHeartbeat: an idle stream gets a comment line, so proxies and
// browsers keep it open.
func TestEventsHeartbeat(t *testing.T) {
	e := newLiveEnv(t)
	webui.SetLiveLimits(e.srv, 50, 100*time.Millisecond)
	s := e.open(t, asAdmin())
	s.snapshot(t, time.Second)
	select {
	case ev := <-s.events:
		if !ev.comment {
			t.Errorf("idle stream sent %+v, want a comment", ev)
		}
	case <-time.After(2 * time.Second):
		t.Error("no heartbeat on an idle stream")
	}
}

// TestEventsAuth: the stream needs credentials or a panel session, like
// the rest of the API; a session needs no CSRF token to read it.
func TestEventsAuth(t *testing.T) {
	e := newLiveEnv(t)
	s := e.open(t)
	if s.res.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /api/v1/events without credentials = %d, want 401", s.res.StatusCode)
	}
	if s := e.open(t, basic("admin", "wrong password")); s.res.StatusCode != http.StatusUnauthorized {
		t.Errorf("with a wrong password = %d, want 401", s.res.StatusCode)
	}
	sess, _ := e.login(t, nil)
	s = e.open(t, cookies(sess))
	if s.res.StatusCode != http.StatusOK {
		t.Fatalf("with a panel session = %d, want 200", s.res.StatusCode)
	}
	s.snapshot(t, time.Second)
}

// TestEventsStreamLimit: beyond the limit a stream is refused with 503 and
// Retry-After; once one closes, a new one is served.
func TestEventsStreamLimit(t *testing.T) {
	e := newLiveEnv(t)
	const limit = 3
	webui.SetLiveLimits(e.srv, limit, time.Minute)
	var open []*stream
	for range limit {
		s := e.open(t, asAdmin())
		s.snapshot(t, time.Second)
		open = append(open, s)
	}
	over := e.open(t, asAdmin())
	if over.res.StatusCode != http.StatusServiceUnavailable || over.res.Header.Get("Retry-After") == "" {
		t.Fatalf("stream %d = %d (Retry-After %q), want 503 with Retry-After", limit+1, over.res.StatusCode, over.res.Header.Get("Retry-After"))
	}
	wantError(t, over.res, http.StatusServiceUnavailable)
	open[0].close()
	var s *stream
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if s = e.open(t, asAdmin()); s.res.StatusCode == http.StatusOK || time.Now().After(deadline) {
			break
		}
	}
	if s.res.StatusCode != http.StatusOK {
		t.Fatalf("after one closed, a new stream = %d, want 200", s.res.StatusCode)
	}
	s.snapshot(t, time.Second)
}

// TestEventsNoLeaks: when every client goes away, each stream's handler
// returns and the shared poller stops; a new client starts it again.
func TestEventsNoLeaks(t *testing.T) {
	e := newLiveEnv(t)
	var open []*stream
	for range 5 {
		s := e.open(t, asAdmin())
		s.snapshot(t, time.Second)
		open = append(open, s)
	}
	if n := liveGoroutines(); n != 6 {
		t.Errorf("%d live-event goroutines for 5 streams, want 6 (one poller)", n)
	}
	for _, s := range open {
		s.close()
	}
	waitNoLiveGoroutines(t)

	s := e.open(t, asAdmin())
	s.snapshot(t, time.Second)
	e.acd.SetAgentState(webui.AgentState{ID: "204", Status: "available", Queues: []string{"support"}})
	if a := agentIn(s.snapshot(t, time.Second), "204"); a.Status != "available" {
		t.Errorf("after restarting, agent 204 = %+v, want available", a)
	}
	s.close()
	waitNoLiveGoroutines(t)
}

// TestEventsAgentActionsNeedCSRF: the dashboard's actions are API calls
// that, made with the panel's cookie, need its CSRF token; a pause made
// with it reaches the stream as a forced pause.
func TestEventsAgentActionsNeedCSRF(t *testing.T) {
	e := newLiveEnv(t)
	sess, token := e.login(t, nil)
	s := e.open(t, cookies(sess))
	s.snapshot(t, time.Second)
	pause := func(opts ...reqOpt) *http.Response {
		return e.do(http.MethodPost, "/api/v1/agents/201/pause", `{"reason":"Meeting"}`, append([]reqOpt{cookies(sess), jsonBody()}, opts...)...)
	}
	wantError(t, pause(), http.StatusForbidden)
	wantError(t, pause(header("X-CSRF-Token", "wrong")), http.StatusForbidden)
	if st, _ := e.acd.AgentState(context.Background(), "201"); st.Status != "available" {
		t.Fatalf("refused pause changed agent 201 to %s", st.Status)
	}
	var st webui.AgentState
	wantJSON(t, pause(header("X-CSRF-Token", token)), http.StatusOK, &st)
	if st.Status != "paused" || st.Reason != "Meeting" || !st.Forced {
		t.Errorf("pause answered %+v, want paused for Meeting, forced", st)
	}
	if a := agentIn(s.snapshot(t, time.Second), "201"); a.Status != "paused" || a.Reason != "Meeting" || !a.Forced {
		t.Errorf("stream shows agent 201 as %+v, want paused for Meeting, forced", a)
	}
}

// BenchmarkLivePoll measures one poll of a large contact centre (200
// agents in 20 queues): the cost the poller pays every 500 ms while a
// dashboard is open, however many dashboards there are.
func BenchmarkLivePoll(b *testing.B) {
	ctx := context.Background()
	m := webuitest.NewMemoryACD()
	now := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
	m.Now = func() time.Time { return now }
	for i := range 200 {
		id := fmt.Sprint(2000 + i)
		if _, err := m.CreateAgent(ctx, webui.AgentInput{ID: id, Name: "Agent " + id, Extension: fmt.Sprint(100 + i)}); err != nil {
			b.Fatal(err)
		}
		m.SetAgentState(webui.AgentState{ID: id, Status: "available", Queues: []string{fmt.Sprint("q", i%20)}})
	}
	for q := range 20 {
		var members []webui.QueueMember
		for i := q; i < 200; i += 20 {
			members = append(members, webui.QueueMember{Agent: fmt.Sprint(2000 + i)})
		}
		if _, err := m.CreateQueue(ctx, webui.Queue{Name: fmt.Sprint("q", q), Strategy: "ring-all", Members: members}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := webui.PollLive(m, now); err != nil {
			b.Fatal(err)
		}
	}
}
