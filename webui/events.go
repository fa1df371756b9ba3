package webui

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// LiveSnapshot is the contact centre's live picture that GET
// /api/v1/events sends as the data of each "snapshot" event and that the
// dashboard shows. Durations are seconds as of Time; the in_status,
// wrap_up_left and longest_wait figures are not themselves a change: a
// snapshot is sent when anything else differs, and clients advance those
// clocks themselves.
type LiveSnapshot struct {
	Time time.Time `json:"time"`
	// CountsSince is when the queues' counters (offered, handled, ...)
	// start: local midnight when the backend implements ACDDailyStats,
	// zero when they run from the box's start.
	CountsSince  time.Time    `json:"counts_since,omitzero"`
	Agents       []AgentState `json:"agents"`
	Queues       []LiveQueue  `json:"queues"`
	PauseReasons []string     `json:"pause_reasons"`
}

// LiveQueue is one queue's live statistics with the settings a supervisor
// reads them against.
type LiveQueue struct {
	QueueStats
	Number string `json:"number,omitempty"`
	// Target is the service-level answer time, seconds.
	Target int `json:"target"`
}

// Limits of the live event stream.
const (
	livePoll      = 500 * time.Millisecond // how often the ACD is asked, at most
	liveHeartbeat = 15 * time.Second       // comment sent on an idle stream
	liveMaxSubs   = 50                     // event streams open at once
	liveTimeout   = 5 * time.Second        // for one poll of the backend
)

// errTooManySubs refuses an event stream beyond liveHub.max.
var errTooManySubs = errors.New("too many live event streams open")

// liveHub polls the ACD for a LiveSnapshot while anyone listens and hands
// each changed one to every subscriber. One poller serves all subscribers;
// it starts with the first and stops when the last leaves.
type liveHub struct {
	acd       ACDBackend
	now       func() time.Time
	log       *slog.Logger
	interval  time.Duration
	heartbeat time.Duration
	max       int

	mu      sync.Mutex
	subs    map[*liveSub]struct{}
	last    []byte             // the last snapshot sent, nil until this poller's first
	lastKey []byte             // last without its ticking figures
	lastErr string             // the last poll error logged
	cancel  context.CancelFunc // stops the running poller; nil while none runs
	gen     context.Context    // the running poller's context
}

// liveSub is one event stream: it receives the newest snapshot; an older
// one it has not taken yet is replaced.
type liveSub struct{ ch chan []byte }

func newLiveHub(acd ACDBackend, now func() time.Time, log *slog.Logger) *liveHub {
	return &liveHub{acd: acd, now: now, log: log, interval: livePoll, heartbeat: liveHeartbeat, max: liveMaxSubs,
		subs: make(map[*liveSub]struct{})}
}

// subscribe adds a subscriber, starting the poller if none runs, and
// hands it the last snapshot if there is one.
func (h *liveHub) subscribe() (*liveSub, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.subs) >= h.max {
		return nil, errTooManySubs
	}
	sub := &liveSub{ch: make(chan []byte, 1)}
	h.subs[sub] = struct{}{}
	if h.cancel == nil {
		h.last, h.lastKey = nil, nil
		h.gen, h.cancel = context.WithCancel(context.Background())
		go h.run(h.gen)
	} else if h.last != nil {
		sub.ch <- h.last
	}
	return sub, nil
}

// unsubscribe removes sub and stops the poller when it was the last.
func (h *liveHub) unsubscribe(sub *liveSub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs, sub)
	if len(h.subs) == 0 && h.cancel != nil {
		h.cancel()
		h.cancel, h.gen = nil, nil
	}
}

// run polls until ctx ends.
func (h *liveHub) run(ctx context.Context) {
	t := time.NewTicker(h.interval)
	defer t.Stop()
	for {
		h.poll(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// poll takes a snapshot and sends it to every subscriber if it differs
// from the last one sent.
func (h *liveHub) poll(gen context.Context) {
	ctx, cancel := context.WithTimeout(gen, liveTimeout)
	defer cancel()
	snap, err := liveSnapshot(ctx, h.acd, h.now())
	if gen.Err() != nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.gen != gen { // stopped meanwhile, and perhaps started anew
		return
	}
	if err != nil {
		if err.Error() != h.lastErr {
			h.log.Error("webui: live snapshot", "err", err)
			h.lastErr = err.Error()
		}
		return
	}
	h.lastErr = ""
	full, key, err := snap.encode()
	if err != nil {
		h.log.Error("webui: live snapshot", "err", err)
		return
	}
	if bytes.Equal(key, h.lastKey) {
		return
	}
	h.last, h.lastKey = full, key
	for sub := range h.subs {
		select { // replace a snapshot the subscriber has not taken yet
		case <-sub.ch:
		default:
		}
		select {
		case sub.ch <- full:
		default:
		}
	}
}

// encode returns the snapshot's JSON and the JSON that decides whether it
// changed: without the time and the figures that tick by themselves.
func (s LiveSnapshot) encode() (full, key []byte, err error) {
	if full, err = json.Marshal(s); err != nil {
		return nil, nil, err
	}
	k := LiveSnapshot{CountsSince: s.CountsSince, Agents: make([]AgentState, len(s.Agents)), Queues: make([]LiveQueue, len(s.Queues)), PauseReasons: s.PauseReasons}
	for i, a := range s.Agents {
		a.InStatus, a.WrapUpLeft = 0, 0
		k.Agents[i] = a
	}
	for i, q := range s.Queues {
		if q.Waiting > 0 {
			q.LongestWait = 1 // someone waits: how long ticks by itself
		}
		k.Queues[i] = q
	}
	key, err = json.Marshal(k)
	return full, key, err
}

// ACDDailyStats is an optional interface of an ACDBackend whose queue
// counters can start at a given time. When the backend implements it, the
// dashboard shows today's counts (from local midnight) rather than those
// since the box started.
type ACDDailyStats interface {
	// QueueStatsSince is QueueStats with the counters (offered, handled,
	// abandoned, timed out, exits, rejected, the averages and the service
	// level) of callers who entered at or after since.
	QueueStatsSince(ctx context.Context, name string, since time.Time) (QueueStats, error)
}

// liveSnapshot asks acd for the live picture at now.
func liveSnapshot(ctx context.Context, acd ACDBackend, now time.Time) (LiveSnapshot, error) {
	snap := LiveSnapshot{Time: now, Agents: []AgentState{}, Queues: []LiveQueue{}, PauseReasons: []string{}}
	agents, err := acd.ListAgents(ctx)
	if err != nil {
		return snap, err
	}
	for _, a := range agents {
		st, err := acd.AgentState(ctx, a.ID)
		if errors.Is(err, ErrNotFound) { // deleted meanwhile
			continue
		}
		if err != nil {
			return snap, err
		}
		if st.Name == "" {
			st.Name = a.Name
		}
		if st.Since.IsZero() {
			st.Since = now.Add(-time.Duration(st.InStatus * float64(time.Second))).Truncate(time.Second)
		}
		if st.Queues == nil {
			st.Queues = []string{}
		}
		snap.Agents = append(snap.Agents, st)
	}
	queues, err := acd.ListQueues(ctx)
	if err != nil {
		return snap, err
	}
	stats := acd.QueueStats
	if daily, ok := acd.(ACDDailyStats); ok {
		y, m, d := now.Date()
		snap.CountsSince = time.Date(y, m, d, 0, 0, 0, 0, now.Location())
		stats = func(ctx context.Context, name string) (QueueStats, error) {
			return daily.QueueStatsSince(ctx, name, snap.CountsSince)
		}
	}
	for _, q := range queues {
		st, err := stats(ctx, q.Name)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return snap, err
		}
		snap.Queues = append(snap.Queues, LiveQueue{QueueStats: st, Number: q.Number, Target: cmp.Or(q.ServiceLevel, defaultServiceLevel)})
	}
	reasons, err := acd.ListPauseReasons(ctx)
	if err != nil {
		return snap, err
	}
	for _, r := range reasons {
		snap.PauseReasons = append(snap.PauseReasons, r.Name)
	}
	return snap, nil
}

// defaultServiceLevel is the service-level target of a queue that sets
// none, seconds.
const defaultServiceLevel = 20

// apiEvents serves GET /api/v1/events: a Server-Sent Events stream that
// sends a "snapshot" event (a LiveSnapshot) at once and whenever the
// picture changes, and a comment line when idle for the heartbeat time.
func (s *Server) apiEvents(w http.ResponseWriter, r *http.Request) {
	h := s.live
	sub, err := h.subscribe()
	if err != nil {
		w.Header().Set("Retry-After", "10")
		writeError(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	defer h.unsubscribe(sub)
	rc := http.NewResponseController(w)
	rc.SetWriteDeadline(time.Time{}) // a stream outlives the server's write timeout
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	// Browsers reconnect after retry milliseconds when the stream breaks.
	if _, err := w.Write([]byte("retry: 2000\n\n")); err != nil || rc.Flush() != nil {
		return
	}
	beat := time.NewTicker(h.heartbeat)
	defer beat.Stop()
	for {
		var msg []byte
		select {
		case <-r.Context().Done():
			return
		case b := <-sub.ch:
			msg = append(append([]byte("event: snapshot\ndata: "), b...), "\n\n"...)
			beat.Reset(h.heartbeat)
		case <-beat.C:
			msg = []byte(": " + strconv.FormatInt(s.now().Unix(), 10) + "\n\n")
		}
		if _, err := w.Write(msg); err != nil {
			return
		}
		if rc.Flush() != nil {
			return
		}
	}
}
