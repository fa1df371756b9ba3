package appliance

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"deskline/acd"
	"deskline/acd/acdtest"
	"deskline/webui"
)

// recordingExecutor is the executor of these tests: it keeps every action
// it is handed, in order.
type recordingExecutor struct {
	mu      sync.Mutex
	actions []acd.Action
	busy    bool // set while execute runs, to catch concurrent calls
	overlap bool
}

func (r *recordingExecutor) execute(a []acd.Action) {
	r.mu.Lock()
	if r.busy {
		r.overlap = true
	}
	r.busy = true
	r.actions = append(r.actions, a...)
	r.busy = false
	r.mu.Unlock()
}

func (r *recordingExecutor) kinds() []acd.ActionKind {
	r.mu.Lock()
	defer r.mu.Unlock()
	var k []acd.ActionKind
	for _, a := range r.actions {
		k = append(k, a.Kind)
	}
	return k
}

// acdFixture is a contact centre on a real store in a temp dir, with a fake
// clock, driven through the same backend the API uses.
type acdFixture struct {
	t     testing.TB
	dir   string
	clock *acdtest.Clock
	exec  *recordingExecutor
	a     *Appliance
	cc    *contactCentre
	b     acdBackend
	ctx   context.Context
}

func newACDFixture(t testing.TB, dir string, clock *acdtest.Clock) *acdFixture {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	if clock == nil {
		clock = acdtest.NewClock(acdtest.Epoch)
	}
	log := slog.New(slog.DiscardHandler)
	db, err := OpenStore(dir, log)
	if err != nil {
		t.Fatal(err)
	}
	a := &Appliance{log: log, now: clock.Now, db: db}
	if err := a.openCollections(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.exts.Get("1001"); err != nil {
		if err := a.exts.Create("1001", extension{Number: "1001", Name: "Desk 1"}); err != nil {
			t.Fatal(err)
		}
		a.exts.Create("1002", extension{Number: "1002", Name: "Desk 2"})
	}
	st, err := openACDStores(db)
	if err != nil {
		t.Fatal(err)
	}
	exec := &recordingExecutor{}
	a.acd, err = newContactCentre(st, contactCentreOpts{Clock: clock, Log: log, Audit: a.recordAudit,
		IsExtension: directory{exts: a.exts}.exists})
	if err != nil {
		t.Fatal(err)
	}
	a.acd.setExecutor(exec)
	f := &acdFixture{t: t, dir: dir, clock: clock, exec: exec, a: a, cc: a.acd, b: acdBackend{a}, ctx: context.Background()}
	t.Cleanup(f.close)
	return f
}

func (f *acdFixture) close() {
	if f.a.db == nil {
		return
	}
	f.cc.close()
	f.a.db.Close()
	f.a.db = nil
}

// restart closes the store and opens it again, like a reboot.
func (f *acdFixture) restart() *acdFixture {
	f.close()
	return newACDFixture(f.t, f.dir, f.clock)
}

func (f *acdFixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

// salesSetup: agents 201 (desk 1001) and 202 (desk 1002, PIN 4321), queue
// "sales" (number 600) with both, pause reasons Lunch and Training.
func (f *acdFixture) salesSetup() {
	f.t.Helper()
	_, err := f.b.CreateAgent(f.ctx, webui.AgentInput{ID: "201", Name: "Ann", Extension: "1001"})
	f.must(err)
	_, err = f.b.CreateAgent(f.ctx, webui.AgentInput{ID: "202", Name: "Ben", Extension: "1002", PIN: "4321"})
	f.must(err)
	_, err = f.b.CreateQueue(f.ctx, webui.Queue{Name: "sales", Number: "600", Strategy: acd.LongestIdle,
		Members: []webui.QueueMember{{Agent: "201"}, {Agent: "202", Penalty: 1}}, JoinWhenEmpty: true})
	f.must(err)
	for _, r := range []string{"Lunch", "Training"} {
		_, err = f.b.CreatePauseReason(f.ctx, webui.PauseReason{Name: r})
		f.must(err)
	}
}

func (f *acdFixture) state(id string) webui.AgentState {
	f.t.Helper()
	st, err := f.b.AgentState(f.ctx, id)
	f.must(err)
	return st
}

func (f *acdFixture) queueLog() []string {
	f.t.Helper()
	l, err := f.b.QueueLog(f.ctx, time.Time{}, time.Time{})
	f.must(err)
	return l
}

func TestACDValidationNamesTheField(t *testing.T) {
	f := newACDFixture(t, "", nil)
	f.salesSetup()
	neg := -5
	tests := []struct {
		name  string
		do    func() error
		field string
	}{
		{"agent id not digits", func() error { _, err := f.b.CreateAgent(f.ctx, webui.AgentInput{ID: "12a", Name: "X"}); return err }, "id"},
		{"agent without name", func() error { _, err := f.b.CreateAgent(f.ctx, webui.AgentInput{ID: "301"}); return err }, "name"},
		{"short PIN", func() error {
			_, err := f.b.CreateAgent(f.ctx, webui.AgentInput{ID: "301", Name: "X", PIN: "12"})
			return err
		}, "pin"},
		{"PIN with letters", func() error {
			_, err := f.b.CreateAgent(f.ctx, webui.AgentInput{ID: "301", Name: "X", PIN: "12ab"})
			return err
		}, "pin"},
		{"unknown type", func() error {
			_, err := f.b.CreateAgent(f.ctx, webui.AgentInput{ID: "301", Name: "X", Type: "robot"})
			return err
		}, "type"},
		{"extension that does not exist", func() error {
			_, err := f.b.CreateAgent(f.ctx, webui.AgentInput{ID: "301", Name: "X", Extension: "1999"})
			return err
		}, "extension"},
		{"external agent without number", func() error {
			_, err := f.b.CreateAgent(f.ctx, webui.AgentInput{ID: "301", Name: "X", Type: "external"})
			return err
		}, "external"},
		{"skill level out of range", func() error {
			_, err := f.b.CreateAgent(f.ctx, webui.AgentInput{ID: "301", Name: "X", Skills: map[string]int{"fr": 200}})
			return err
		}, "skills"},
		{"negative agent wrap-up", func() error {
			_, err := f.b.CreateAgent(f.ctx, webui.AgentInput{ID: "301", Name: "X", WrapUp: &neg})
			return err
		}, "wrap_up"},
		{"unknown strategy", func() error {
			_, err := f.b.CreateQueue(f.ctx, webui.Queue{Name: "q", Strategy: "best"})
			return err
		}, "strategy"},
		{"negative ring timeout", func() error {
			_, err := f.b.CreateQueue(f.ctx, webui.Queue{Name: "q", Strategy: acd.RingAll, RingTimeout: -1})
			return err
		}, "ring_timeout"},
		{"queue without name", func() error {
			_, err := f.b.CreateQueue(f.ctx, webui.Queue{Strategy: acd.RingAll})
			return err
		}, "name"},
		{"queue name with a slash", func() error {
			_, err := f.b.CreateQueue(f.ctx, webui.Queue{Name: "a/b", Strategy: acd.RingAll})
			return err
		}, "name"},
		{"queue number of an extension", func() error {
			_, err := f.b.CreateQueue(f.ctx, webui.Queue{Name: "q", Number: "1001", Strategy: acd.RingAll})
			return err
		}, "number"},
		{"queue number of another queue", func() error {
			_, err := f.b.CreateQueue(f.ctx, webui.Queue{Name: "q", Number: "600", Strategy: acd.RingAll})
			return err
		}, "number"},
		{"queue number not digits", func() error {
			_, err := f.b.CreateQueue(f.ctx, webui.Queue{Name: "q", Number: "6x", Strategy: acd.RingAll})
			return err
		}, "number"},
		{"queue number is an emergency number", func() error {
			_, err := f.b.CreateQueue(f.ctx, webui.Queue{Name: "q", Number: "112", Strategy: acd.RingAll})
			return err
		}, "number"},
		{"member unknown", func() error {
			_, err := f.b.CreateQueue(f.ctx, webui.Queue{Name: "q", Strategy: acd.RingAll, Members: []webui.QueueMember{{Agent: "999"}}})
			return err
		}, "members[0].agent"},
		{"tiers out of order", func() error {
			_, err := f.b.CreateQueue(f.ctx, webui.Queue{Name: "q", Strategy: acd.RingAll, Tiers: []webui.QueueTier{{After: 20}, {After: 10}}})
			return err
		}, "tiers[1].after"},
		{"empty pause reason", func() error { _, err := f.b.CreatePauseReason(f.ctx, webui.PauseReason{Name: " "}); return err }, "name"},
		{"pause reason too long", func() error {
			_, err := f.b.CreatePauseReason(f.ctx, webui.PauseReason{Name: strings.Repeat("x", 256)})
			return err
		}, "name"},
		{"auto-pause reason with a pipe", func() error {
			_, err := f.b.UpdateACDSettings(f.ctx, webui.ACDSettings{AutoPauseReason: "a|b"})
			return err
		}, "auto_pause_reason"},
		{"login to an unknown queue", func() error {
			_, err := f.b.LoginAgent(f.ctx, "201", webui.AgentLogin{Queues: []string{"nope"}})
			return err
		}, "queues"},
		{"login paused with an unknown reason", func() error {
			_, err := f.b.LoginAgent(f.ctx, "201", webui.AgentLogin{Paused: true, Reason: "nap"})
			return err
		}, "reason"},
	}
	for _, tt := range tests {
		err := tt.do()
		var fe *webui.FieldError
		if !errors.As(err, &fe) || fe.Field != tt.field || !errors.Is(err, webui.ErrInvalid) {
			t.Errorf("%s: error %v, want a FieldError on %q", tt.name, err, tt.field)
		}
	}
	if _, err := f.b.CreatePauseReason(f.ctx, webui.PauseReason{Name: "LUNCH"}); !errors.Is(err, webui.ErrConflict) {
		t.Errorf("pause reason differing only in case: %v, want a conflict", err)
	}
	if _, err := f.b.CreateAgent(f.ctx, webui.AgentInput{ID: "201", Name: "Again"}); !errors.Is(err, webui.ErrConflict) {
		t.Errorf("agent id twice: %v, want a conflict", err)
	}
	// Nothing refused was stored.
	f = f.restart()
	if l, _ := f.b.ListAgents(f.ctx); len(l) != 2 {
		t.Errorf("agents after refused changes and a restart: %+v, want 201 and 202", l)
	}
	if l, _ := f.b.ListQueues(f.ctx); len(l) != 1 {
		t.Errorf("queues after refused changes and a restart: %+v, want sales", l)
	}
	// An agent's extension deleted later blocks no other change.
	f.must(f.a.exts.Delete("1002"))
	if _, err := f.b.CreatePauseReason(f.ctx, webui.PauseReason{Name: "Meeting"}); err != nil {
		t.Errorf("a change after agent 202's extension went: %v", err)
	}
}

func TestAgentPINHashedAndLockedOut(t *testing.T) {
	f := newACDFixture(t, "", nil)
	f.salesSetup()
	stored, err := f.cc.st.agents.Get("202")
	f.must(err)
	raw, _ := json.Marshal(stored)
	if strings.Contains(string(raw), "4321") || !strings.HasPrefix(stored.PINHash, "$argon2id$") {
		t.Fatalf("stored agent %s: want an Argon2id hash and no plaintext PIN", raw)
	}
	if a, _ := f.b.GetAgent(f.ctx, "202"); !a.HasPIN {
		t.Errorf("agent 202 has_pin = false")
	}
	if !f.cc.checkAgentPIN("202", "4321") || f.cc.checkAgentPIN("202", "1234") || f.cc.checkAgentPIN("999", "4321") {
		t.Fatal("checkAgentPIN does not tell the right PIN from wrong ones")
	}
	f.cc.checkAgentPIN("202", "4321") // a success clears the count
	// Four failures, then the window passes: no lock.
	for range 4 {
		f.cc.checkAgentPIN("202", "0000")
	}
	f.clock.Advance(pinWindow)
	f.cc.checkAgentPIN("202", "0000")
	if !f.cc.checkAgentPIN("202", "4321") {
		t.Fatal("locked after failures spread over more than the window")
	}
	// A success clears the count; five failures within the window lock.
	for i := range pinMaxFailures {
		f.clock.Advance(time.Minute)
		if i < pinMaxFailures-1 && !f.cc.pinLockedUntil("202").IsZero() {
			t.Fatalf("locked after %d failures", i)
		}
		f.cc.checkAgentPIN("202", "9999")
	}
	until := f.cc.pinLockedUntil("202")
	if want := f.clock.Now().Add(pinLock); !until.Equal(want) {
		t.Fatalf("locked until %v, want %v", until, want)
	}
	if f.cc.checkAgentPIN("202", "4321") {
		t.Error("the right PIN works on a locked agent number")
	}
	if st := f.state("202"); st.PINLockedUntil == nil || !st.PINLockedUntil.Equal(until) {
		t.Errorf("agent state shows pin_locked_until %v, want %v", st.PINLockedUntil, until)
	}
	recs, _ := f.a.auditLog.Last(5)
	if len(recs) == 0 || recs[0].Value.Action != "agent-locked" || recs[0].Value.Object != "agent 202" {
		t.Errorf("audit log does not record the lock: %+v", recs)
	}
	if !f.cc.checkAgentPIN("201", "") || f.cc.checkAgentPIN("201", "1") {
		t.Error("an agent without a PIN must match only the empty PIN")
	}
	f.clock.Advance(pinLock)
	if !f.cc.checkAgentPIN("202", "4321") {
		t.Error("still locked after the lock time")
	}
	// Changing the PIN keeps it hashed; clearing removes it.
	_, err = f.b.UpdateAgent(f.ctx, "202", webui.AgentInput{Name: "Ben", Extension: "1002", PIN: "8765"})
	f.must(err)
	if f.cc.checkAgentPIN("202", "4321") || !f.cc.checkAgentPIN("202", "8765") {
		t.Error("the new PIN does not replace the old")
	}
	_, err = f.b.UpdateAgent(f.ctx, "202", webui.AgentInput{Name: "Ben", Extension: "1002"})
	f.must(err)
	if !f.cc.checkAgentPIN("202", "8765") {
		t.Error("an update without a PIN lost the PIN")
	}
}

func TestAgentStateSurvivesRestart(t *testing.T) {
	f := newACDFixture(t, "", nil)
	f.salesSetup()
	ctx := f.ctx // no user: a supervisor's action, so forced
	_, err := f.b.LoginAgent(ctx, "201", webui.AgentLogin{Paused: true, Reason: "lunch"})
	f.must(err)
	f.clock.Advance(time.Minute)
	_, err = f.b.LoginAgent(ctx, "202", webui.AgentLogin{Queues: []string{"sales"}, Device: "1001"})
	f.must(err)
	_, err = f.b.LogoutAgent(ctx, "202", webui.AgentLogout{})
	f.must(err)
	_, err = f.b.LoginAgent(ctx, "202", webui.AgentLogin{})
	f.must(err)
	before := f.queueLog()
	st := f.state("201")
	if st.Status != "paused" || st.Reason != "Lunch" || !st.Forced || st.Device != "1001" {
		t.Fatalf("before the restart 201 is %+v, want paused for Lunch (forced) on 1001", st)
	}

	f.clock.Advance(time.Hour)
	f = f.restart()
	st = f.state("201")
	if st.Status != "paused" || st.Reason != "Lunch" || !st.Forced || st.Device != "1001" || !slices.Equal(st.Queues, []string{"sales"}) {
		t.Errorf("after the restart 201 is %+v, want paused for Lunch (forced) on 1001 in sales", st)
	}
	if st := f.state("202"); st.Status != "available" || st.Device != "1002" {
		t.Errorf("after the restart 202 is %+v, want available on 1002", st)
	}
	if after := f.queueLog(); !slices.Equal(after, before) {
		t.Errorf("queue log changed across the restart:\nbefore %q\nafter  %q", before, after)
	}
	for _, want := range []string{"|NONE|sales|201|AGENTLOGIN|1001", "|NONE|sales|201|PAUSE|Lunch", "|NONE|sales|202|AGENTLOGOFF|1001|0"} {
		if !slices.ContainsFunc(before, func(l string) bool { return strings.HasSuffix(l, want) }) {
			t.Errorf("queue log %q lacks a line ending %q", before, want)
		}
	}

	// Unpausing after the restart closes a stored pause interval.
	f.clock.Advance(time.Minute)
	_, err = f.b.UnpauseAgent(ctx, "201")
	f.must(err)
	recs, err := f.cc.st.pauses.Last(1)
	f.must(err)
	if len(recs) != 1 || recs[0].Value.Agent != "201" || recs[0].Value.Reason != "Lunch" || !recs[0].Value.Forced ||
		recs[0].Value.End.Sub(recs[0].Value.Start) != time.Minute {
		t.Errorf("pause intervals %+v, want 201's forced Lunch pause of a minute", recs)
	}
	// A logout is remembered too.
	_, err = f.b.LogoutAgent(ctx, "201", webui.AgentLogout{})
	f.must(err)
	f = f.restart()
	if st := f.state("201"); st.Status != "logged-out" {
		t.Errorf("after logout and restart 201 is %s", st.Status)
	}
}

func TestReconfigureKeepsAgentsAndCallers(t *testing.T) {
	f := newACDFixture(t, "", nil)
	f.salesSetup()
	_, err := f.b.LoginAgent(f.ctx, "201", webui.AgentLogin{})
	f.must(err)
	f.must(f.cc.callerEntered(acd.Caller{Call: "c1", Queue: "sales", CallerID: "5551234"}))
	if k := f.exec.kinds(); !slices.Equal(k, []acd.ActionKind{acd.Ring}) || f.exec.actions[0].Device != "1001" || f.exec.actions[0].Agent != "201" {
		t.Fatalf("actions %+v, want agent 201 rung on 1001", f.exec.actions)
	}
	// Edit the queue and the agent while 201 is ringing.
	_, err = f.b.UpdateQueue(f.ctx, "sales", webui.Queue{Name: "sales", Number: "600", Strategy: acd.RingAll, RingTimeout: 30, WrapUp: 30,
		Members: []webui.QueueMember{{Agent: "201"}, {Agent: "202"}}, JoinWhenEmpty: true})
	f.must(err)
	_, err = f.b.UpdateAgent(f.ctx, "201", webui.AgentInput{Name: "Ann Smith", Extension: "1001"})
	f.must(err)
	if st := f.state("201"); st.Status != "ringing" || st.Call != "c1" || st.Name != "Ann Smith" {
		t.Fatalf("after reconfiguring, 201 is %+v, want still ringing for c1", st)
	}
	// Deleting a busy agent, or a queue with a caller, is refused.
	if err := f.b.DeleteAgent(f.ctx, "201"); !errors.Is(err, webui.ErrInvalid) {
		t.Errorf("deleting a ringing agent: %v, want refused", err)
	}
	if err := f.b.DeleteQueue(f.ctx, "sales"); !errors.Is(err, webui.ErrInvalid) {
		t.Errorf("deleting a queue with a caller: %v, want refused", err)
	}
	f.must(f.cc.agentAnswered("c1", "201"))
	if err := f.b.DeleteAgent(f.ctx, "201"); !errors.Is(err, webui.ErrInvalid) || !strings.Contains(err.Error(), "on-call") {
		t.Errorf("deleting an agent on a call: %v, want refused", err)
	}
	if qs, _ := f.b.QueueStats(f.ctx, "sales"); qs.OnCall != 1 || qs.Handled != 1 || qs.LoggedIn != 1 {
		t.Errorf("queue stats %+v, want one agent on one handled call", qs)
	}
	f.must(f.cc.callEnded("c1", acd.ByCaller))
	if st := f.state("201"); st.Status != "wrap-up" || st.WrapUpLeft != 30 {
		t.Errorf("after the call 201 is %+v, want 30 s of wrap-up", st)
	}
	st, err := f.b.EndWrapUp(f.ctx, "201")
	f.must(err)
	if st.Status != "available" {
		t.Errorf("after end-wrap-up 201 is %s", st.Status)
	}
	if k := f.exec.kinds(); !slices.Equal(k, []acd.ActionKind{acd.Ring, acd.Bridge}) || f.exec.overlap {
		t.Errorf("actions %v, want Ring then Bridge, never concurrently", k)
	}
	// Now free and logged in: deleting logs 201 out and takes it out of
	// the queue.
	f.must(f.b.DeleteAgent(f.ctx, "201"))
	if q, _ := f.b.GetQueue(f.ctx, "sales"); len(q.Members) != 1 || q.Members[0].Agent != "202" {
		t.Errorf("after deleting 201, sales members are %+v", q.Members)
	}
	if l := f.queueLog(); !strings.HasSuffix(l[len(l)-1], "|NONE|sales|201|AGENTLOGOFF|1001|0") {
		t.Errorf("last queue log line %q, want 201's logoff", l[len(l)-1])
	}
	f.must(f.b.DeleteQueue(f.ctx, "sales"))
}

// The engine's timer fires by itself: an unanswered offer times out.
func TestContactCentreTimerTicks(t *testing.T) {
	f := newACDFixture(t, "", nil)
	f.salesSetup()
	_, err := f.b.UpdateQueue(f.ctx, "sales", webui.Queue{Name: "sales", Strategy: acd.Linear, RingTimeout: 1,
		Members: []webui.QueueMember{{Agent: "201"}}, JoinWhenEmpty: true})
	f.must(err)
	_, err = f.b.LoginAgent(f.ctx, "201", webui.AgentLogin{})
	f.must(err)
	f.must(f.cc.callerEntered(acd.Caller{Call: "c1", Queue: "sales"}))
	f.clock.Advance(2 * time.Second) // the real timer is armed for 1 s
	deadline := time.Now().Add(5 * time.Second)
	for !slices.Contains(f.exec.kinds(), acd.StopRinging) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if k := f.exec.kinds(); !slices.Equal(k[:2], []acd.ActionKind{acd.Ring, acd.StopRinging}) {
		t.Fatalf("actions %v, want the ring to time out by itself", k)
	}
	if l := f.queueLog(); !slices.ContainsFunc(l, func(s string) bool { return strings.Contains(s, "|c1|sales|201|RINGNOANSWER|") }) {
		t.Errorf("queue log %q lacks the RINGNOANSWER", l)
	}
}

// The export is the engine's own formatting of the events it produced, in
// order, and from/to select by event time.
func TestQueueLogExportIsTheEnginesFormat(t *testing.T) {
	f := newACDFixture(t, "", nil)
	f.salesSetup()
	// A twin engine given the same configuration, clock and events.
	twin, err := acd.New(f.cc.effective(f.cc.snapshot()), acd.Opts{Clock: f.clock})
	f.must(err)
	var want []string
	add := func(out acd.Output, err error) {
		t.Helper()
		f.must(err)
		for _, e := range out.Log {
			want = append(want, e.Line())
		}
	}
	start := f.clock.Now()
	_, err = f.b.LoginAgent(f.ctx, "201", webui.AgentLogin{})
	f.must(err)
	add(twin.Login("201", "1001"))
	f.clock.Advance(3 * time.Second)
	f.must(f.cc.callerEntered(acd.Caller{Call: "c|1", Queue: "sales", CallerID: "Bob\nSmith"}))
	add(twin.CallerEntered(acd.Caller{Call: "c|1", Queue: "sales", CallerID: "Bob\nSmith"}))
	f.clock.Advance(4 * time.Second)
	mid := f.clock.Now()
	f.must(f.cc.agentAnswered("c|1", "201"))
	add(twin.AgentAnswered("c|1", "201"))
	f.clock.Advance(time.Minute)
	f.must(f.cc.callEnded("c|1", acd.ByAgent))
	add(twin.CallEnded("c|1", acd.ByAgent))

	got := f.queueLog()
	if !slices.Equal(got, want) {
		t.Fatalf("export:\n%s\nthe engine's lines:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, l := range got {
		if strings.Count(l, "\n") > 0 || !strings.Contains(l, "|") {
			t.Errorf("line %q is not one queue_log line", l)
		}
	}
	part, err := f.b.QueueLog(f.ctx, mid, time.Time{})
	f.must(err)
	if !slices.Equal(part, want[len(want)-len(part):]) || len(part) != 2 {
		t.Errorf("from %v: %q, want the CONNECT and COMPLETEAGENT lines", mid, part)
	}
	part, err = f.b.QueueLog(f.ctx, start, mid)
	f.must(err)
	if len(part) != len(want)-2 {
		t.Errorf("from %v to %v: %q", start, mid, part)
	}
}

// The methods the call side reports with reach the engine, and what they
// produce reaches the executor and the queue log.
func TestCallSideEvents(t *testing.T) {
	f := newACDFixture(t, "", nil)
	f.salesSetup()
	_, err := f.b.CreateAgent(f.ctx, webui.AgentInput{ID: "203", Name: "Cy", Type: "external", External: "+4930123"})
	f.must(err)
	if id, ok := f.cc.agentOf("1002"); !ok || id != "202" {
		t.Errorf("agentOf(1002) = %q %v, want 202 (its own extension)", id, ok)
	}
	if d := f.cc.deviceOf("201"); d != "1001" {
		t.Errorf("deviceOf(201) = %q, want 1001", d)
	}
	if d := f.cc.deviceOf("203"); d != "" {
		t.Errorf("deviceOf(203), an external agent = %q, want none yet", d)
	}
	_, err = f.b.LoginAgent(f.ctx, "202", webui.AgentLogin{Device: "1001"})
	f.must(err)
	if id, ok := f.cc.agentOf("1001"); !ok || id != "202" {
		t.Errorf("agentOf(1001) = %q %v, want 202 (logged in there)", id, ok)
	}
	if _, ok := f.cc.agentOf("1009"); ok {
		t.Error("agentOf(1009) found an agent")
	}

	f.must(f.cc.agentBusy("202"))
	f.must(f.cc.callerEntered(acd.Caller{Call: "c1", Queue: "sales"}))
	if len(f.exec.kinds()) != 0 {
		t.Fatalf("a busy agent was rung: %v", f.exec.kinds())
	}
	f.must(f.cc.agentIdle("202"))
	f.must(f.cc.agentNoAnswer("c1", "202"))
	f.must(f.cc.callerExitWithKey("c1", "5"))
	f.must(f.cc.callerEntered(acd.Caller{Call: "c2", Queue: "sales"}))
	f.must(f.cc.agentAnswered("c2", "202"))
	f.must(f.cc.callTransferred("c2", "1002", "internal"))
	f.must(f.cc.callerEntered(acd.Caller{Call: "c3", Queue: "sales"}))
	f.must(f.cc.callerAbandoned("c3"))
	if err := f.cc.callerAbandoned("c3"); !errors.Is(err, acd.ErrUnknownCall) {
		t.Errorf("abandoning a call twice: %v, want ErrUnknownCall", err)
	}
	// c1: rung once 202 is idle, rung again at once (no retry delay) after
	// no answer, stopped when the caller leaves; c2 answered; c3 rung and
	// stopped when the caller hangs up.
	want := []acd.ActionKind{acd.Ring, acd.Ring, acd.StopRinging, acd.Ring, acd.Bridge, acd.Ring, acd.StopRinging}
	if k := f.exec.kinds(); !slices.Equal(k, want) {
		t.Errorf("actions %v, want %v", k, want)
	}
	var events []string
	for _, l := range f.queueLog() {
		if p := strings.Split(l, "|"); p[1] != "NONE" {
			events = append(events, p[1]+" "+p[4])
		}
	}
	wantEv := []string{"c1 ENTERQUEUE", "c1 RINGNOANSWER", "c1 EXITWITHKEY", "c2 ENTERQUEUE", "c2 CONNECT", "c2 TRANSFER", "c3 ENTERQUEUE", "c3 ABANDON"}
	if !slices.Equal(events, wantEv) {
		t.Errorf("queue log call events %q, want %q", events, wantEv)
	}
}

// Logging in to chosen queues, including one the agent is no member of,
// joining and leaving queues while logged in, and all of it across a
// restart; the configured memberships come back at logout.
func TestLoginToChosenQueues(t *testing.T) {
	f := newACDFixture(t, "", nil)
	f.salesSetup()
	_, err := f.b.CreateQueue(f.ctx, webui.Queue{Name: "support", Number: "601", Strategy: acd.RingAll, JoinWhenEmpty: true})
	f.must(err)
	queues := func(id string) []string {
		t.Helper()
		q := f.state(id).Queues
		slices.Sort(q)
		return q
	}
	st, err := f.b.LoginAgent(f.ctx, "201", webui.AgentLogin{Queues: []string{"support"}})
	f.must(err)
	if st.Status != "available" || !slices.Equal(queues("201"), []string{"support"}) {
		t.Fatalf("login to support: %+v", st)
	}
	if q, _ := f.b.GetQueue(f.ctx, "support"); len(q.Members) != 0 {
		t.Errorf("logging in made 201 a configured member of support: %+v", q.Members)
	}
	_, err = f.b.LoginAgent(f.ctx, "201", webui.AgentLogin{Queues: []string{"sales"}})
	f.must(err)
	if q := queues("201"); !slices.Equal(q, []string{"sales", "support"}) {
		t.Errorf("after joining sales 201 serves %q", q)
	}
	f = f.restart()
	if q := queues("201"); !slices.Equal(q, []string{"sales", "support"}) {
		t.Errorf("after a restart 201 serves %q", q)
	}
	_, err = f.b.LogoutAgent(f.ctx, "201", webui.AgentLogout{Queues: []string{"sales"}})
	f.must(err)
	if st := f.state("201"); st.Status != "available" || !slices.Equal(st.Queues, []string{"support"}) {
		t.Errorf("after leaving sales 201 is %+v", st)
	}
	// Editing support while 201 serves it by choice keeps it there.
	_, err = f.b.UpdateQueue(f.ctx, "support", webui.Queue{Name: "support", Number: "601", Strategy: acd.Linear, JoinWhenEmpty: true})
	f.must(err)
	if q := queues("201"); !slices.Equal(q, []string{"support"}) {
		t.Errorf("after editing support 201 serves %q", q)
	}
	_, err = f.b.LogoutAgent(f.ctx, "201", webui.AgentLogout{Queues: []string{"support"}})
	f.must(err)
	if st := f.state("201"); st.Status != "logged-out" || !slices.Equal(st.Queues, []string{"sales"}) {
		t.Errorf("after leaving its last queue 201 is %+v, want logged out, a member of sales again", st)
	}
	var events []string
	for _, l := range f.queueLog() {
		p := strings.Split(l, "|")
		events = append(events, p[2]+" "+p[4])
	}
	want := []string{"support AGENTLOGIN", "sales ADDMEMBER", "sales REMOVEMEMBER", "support AGENTLOGOFF"}
	if !slices.Equal(events, want) {
		t.Errorf("queue log %q, want %q", events, want)
	}
}

// BenchmarkContactCentreCall is one queue call through the engine's home:
// entered, answered, ended — three engine steps, each committing its queue
// log events to the store before it returns.
func BenchmarkContactCentreCall(b *testing.B) {
	f := newACDFixture(b, "", nil)
	f.salesSetup()
	_, err := f.b.LoginAgent(f.ctx, "201", webui.AgentLogin{Queues: []string{"sales"}})
	f.must(err)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		id := acd.CallID("c" + strconv.Itoa(i))
		f.must(f.cc.callerEntered(acd.Caller{Call: id, Queue: "sales"}))
		f.must(f.cc.agentAnswered(id, "201"))
		f.must(f.cc.callEnded(id, acd.ByCaller))
	}
}

// TestQueueStatsSince: the dashboard's "today" counts come from the queue
// log from the time asked, so they survive a restart and leave out what
// happened before.
func TestQueueStatsSince(t *testing.T) {
	f := newACDFixture(t, "", nil)
	f.salesSetup()
	_, err := f.b.LoginAgent(f.ctx, "201", webui.AgentLogin{})
	f.must(err)
	call := func(id acd.CallID, wait, talk time.Duration) {
		f.must(f.cc.callerEntered(acd.Caller{Call: id, Queue: "sales"}))
		f.clock.Advance(wait)
		f.must(f.cc.agentAnswered(id, "201"))
		f.clock.Advance(talk)
		f.must(f.cc.callEnded(id, acd.ByCaller))
		f.clock.Advance(time.Minute) // past any wrap-up
	}
	call("c|1", 2*time.Second, time.Minute) // yesterday, say
	f.clock.Advance(time.Hour)
	midnight := f.clock.Now()
	call("c|2", 4*time.Second, 2*time.Minute)
	f.must(f.cc.callerEntered(acd.Caller{Call: "c|3", Queue: "sales"}))
	f.clock.Advance(3 * time.Second)
	f.must(f.cc.callerAbandoned("c|3"))

	f.a.daily = dailyCounts{} // no cache from an earlier read
	st, err := f.b.QueueStatsSince(f.ctx, "sales", midnight)
	f.must(err)
	if st.Offered != 2 || st.Handled != 1 || st.Abandoned != 1 || st.AvgWait != 4 || st.AvgHandle != 120 {
		t.Errorf("since midnight: %+v, want 2 offered, 1 handled (4 s wait, 120 s talk), 1 abandoned", st)
	}
	all, err := f.b.QueueStatsSince(f.ctx, "sales", time.Time{})
	f.must(err)
	if all.Offered != 3 || all.Handled != 2 {
		t.Errorf("since ever: %+v, want 3 offered, 2 handled", all)
	}
	if _, err := f.b.QueueStatsSince(f.ctx, "nope", midnight); err == nil {
		t.Error("an unknown queue gave no error")
	}
}
