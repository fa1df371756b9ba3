package ivr_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"deskline/ivr"
	"deskline/ivr/ivrtest"
)

// run runs the attendant at instant now with the caller pressing keys.
func run(t *testing.T, f ivr.Flow, keys, now string, o ivr.RunOptions) (*ivrtest.Fake, ivr.Result, error) {
	t.Helper()
	ch := &ivrtest.Fake{Keys: keys}
	o.Now = at(t, now)
	res, err := ivr.Run(context.Background(), mustPublish(t, f), ch, o)
	return ch, res, err
}

func TestMenu(t *testing.T) {
	noAnswer := errors.New("no answer")
	cases := []struct {
		name      string
		keys      string
		transfer  map[string]error
		exts      func(string) bool
		heard     []string
		end       ivr.End
		target    ivr.TargetKind
		to        string
		transfers int
	}{
		{name: "option", keys: "1", heard: []string{"welcome", "press-1-sales", "press-2-support"},
			end: ivr.EndTransferred, target: ivr.TargetQueue, to: "sales", transfers: 1},
		{name: "invalid then option", keys: "92",
			heard: []string{"welcome", "press-1-sales", "press-2-support", "invalid-entry", "press-1-sales", "press-2-support"},
			end:   ivr.EndTransferred, target: ivr.TargetQueue, to: "support", transfers: 1},
		{name: "timeouts then failure", keys: "...",
			heard: []string{"welcome", "press-1-sales", "press-2-support", "please-try-again", "press-1-sales", "press-2-support",
				"please-try-again", "press-1-sales", "press-2-support", "please-try-again", "goodbye"},
			end: ivr.EndHangup},
		{name: "invalid, timeout, invalid: retries are shared", keys: "*.#",
			heard: []string{"welcome", "press-1-sales", "press-2-support", "invalid-entry", "press-1-sales", "press-2-support",
				"please-try-again", "press-1-sales", "press-2-support", "invalid-entry", "goodbye"},
			end: ivr.EndHangup},
		{name: "operator busy goes to voicemail", keys: "0", transfer: map[string]error{"extension:100": noAnswer},
			heard: []string{"welcome", "press-1-sales", "press-2-support"},
			end:   ivr.EndTransferred, target: ivr.TargetVoicemail, to: "100", transfers: 2},
		{name: "dial-through", keys: "123.", exts: func(n string) bool { return n == "123" },
			heard: []string{"welcome", "press-1-sales", "press-2-support"},
			end:   ivr.EndTransferred, target: ivr.TargetExtension, to: "123", transfers: 1},
		{name: "dial-through ended by #", keys: "123#", exts: func(n string) bool { return n == "123" },
			heard: []string{"welcome", "press-1-sales", "press-2-support"},
			end:   ivr.EndTransferred, target: ivr.TargetExtension, to: "123", transfers: 1},
		{name: "dial-through: one digit is still an option", keys: "1.", exts: func(n string) bool { return n == "123" },
			heard: []string{"welcome", "press-1-sales", "press-2-support"},
			end:   ivr.EndTransferred, target: ivr.TargetQueue, to: "sales", transfers: 1},
		{name: "dial-through: no such extension", keys: "45.2.", exts: func(n string) bool { return n == "123" },
			heard: []string{"welcome", "press-1-sales", "press-2-support", "invalid-entry", "press-1-sales", "press-2-support"},
			end:   ivr.EndTransferred, target: ivr.TargetQueue, to: "support", transfers: 1},
		{name: "dial-through: extension busy", keys: "123.0.", exts: func(n string) bool { return n == "123" },
			transfer: map[string]error{"extension:123": noAnswer},
			heard:    []string{"welcome", "press-1-sales", "press-2-support", "invalid-entry", "press-1-sales", "press-2-support"},
			end:      ivr.EndTransferred, target: ivr.TargetExtension, to: "100", transfers: 2},
		{name: "dial-through off without the hook", keys: "45",
			heard: []string{"welcome", "press-1-sales", "press-2-support", "invalid-entry", "press-1-sales", "press-2-support",
				"invalid-entry", "press-1-sales", "press-2-support"},
			end: ivr.EndError},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ch := &ivrtest.Fake{Keys: c.keys, TransferErr: c.transfer}
			res, err := ivr.Run(context.Background(), mustPublish(t, mustFlow(t, attendant)), ch,
				ivr.RunOptions{Now: at(t, open), ExtensionExists: c.exts})
			if c.end == ivr.EndError {
				if !errors.Is(err, ivrtest.ErrHungUp) {
					t.Fatalf("Run() error = %v, want the hang-up", err)
				}
			} else if err != nil {
				t.Fatalf("Run() error = %v", err)
			}
			if got := ch.Heard(); !slices.Equal(got, c.heard) {
				t.Errorf("heard %q, want %q", got, c.heard)
			}
			if res.End != c.end || res.Target != c.target || res.To != c.to {
				t.Errorf("Run() ended %s %s %q, want %s %s %q", res.End, res.Target, res.To, c.end, c.target, c.to)
			}
			if len(ch.Transfers) != c.transfers {
				t.Errorf("%d transfers, want %d: %+v", len(ch.Transfers), c.transfers, ch.Transfers)
			}
		})
	}
}

func TestMenuReadsWithTheBlockTimeouts(t *testing.T) {
	f := mustFlow(t, attendant)
	f.Blocks["menu"].Menu.TimeoutMS = 7000
	f.Blocks["menu"].Menu.InterDigitTimeoutMS = 1500
	ch, _, _ := run(t, f, ".12", open, ivr.RunOptions{ExtensionExists: func(string) bool { return false }})
	want := []time.Duration{7 * time.Second, 7 * time.Second, 1500 * time.Millisecond, 1500 * time.Millisecond}
	if !slices.Equal(ch.Reads, want) {
		t.Errorf("reads waited %v, want %v", ch.Reads, want)
	}
}

func TestMenuBranchNext(t *testing.T) {
	f := mustFlow(t, attendant)
	f.Blocks["menu"].Menu.Invalid.Next = "closed"
	ch, res, err := run(t, f, "7", open, ivr.RunOptions{})
	if err != nil || res.End != ivr.EndHangup {
		t.Fatalf("Run() = %+v, %v", res, err)
	}
	want := []string{"welcome", "press-1-sales", "press-2-support", "invalid-entry", "office-closed", "goodbye"}
	if got := ch.Heard(); !slices.Equal(got, want) {
		t.Errorf("heard %q, want %q", got, want)
	}
}

func TestSetGoesWithTheTransfer(t *testing.T) {
	ch, _, err := run(t, mustFlow(t, attendant), "2", open, ivr.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tr := ch.Transfers[0]
	if tr.Opts.Priority != 5 || tr.Opts.Skills["french"] != 50 {
		t.Errorf("transfer options %+v, want priority 5 and skill french 50", tr.Opts)
	}
	ch, _, _ = run(t, mustFlow(t, attendant), "0", open, ivr.RunOptions{})
	if got := ch.Transfers[0].Opts.RingFor; got != 20*time.Second {
		t.Errorf("operator rings for %v, want 20s", got)
	}
}

func TestTimeCondition(t *testing.T) {
	cases := []struct{ now, first string }{
		{"2026-11-23T08:59:59+01:00", "office-closed"}, // Monday before opening
		{"2026-11-23T09:00:00+01:00", "welcome"},
		{"2026-11-23T17:59:00+01:00", "welcome"},
		{"2026-11-23T18:00:00+01:00", "office-closed"},
		{"2026-11-22T12:00:00+01:00", "office-closed"}, // Sunday
		// Europe/Paris moves to summer time on Sunday 2026-03-29: the same
		// UTC hour is an hour later on the wall clock after it.
		{"2026-03-27T08:30:00Z", "welcome"},       // 09:30 CET, Friday
		{"2026-03-30T07:30:00Z", "welcome"},       // 09:30 CEST, Monday (08:30 with the winter offset)
		{"2026-03-30T16:30:00Z", "office-closed"}, // 18:30 CEST (17:30 with the winter offset)
		{"2026-03-27T16:30:00Z", "welcome"},       // 17:30 CET
		// And back on 2026-10-25.
		{"2026-10-26T08:30:00Z", "welcome"},       // 09:30 CET
		{"2026-10-23T07:30:00Z", "welcome"},       // 09:30 CEST
		{"2026-10-26T07:30:00Z", "office-closed"}, // 08:30 CET
		// Christmas is a holiday, by the date in Paris.
		{"2026-12-25T10:00:00+01:00", "holiday-closed"},
		{"2026-12-24T23:30:00Z", "holiday-closed"}, // 00:30 on the 25th in Paris
		{"2026-12-24T16:00:00Z", "welcome"},        // 17:00 on the 24th
	}
	for _, c := range cases {
		ch, _, _ := run(t, mustFlow(t, attendant), "", c.now, ivr.RunOptions{})
		if got := ch.Heard(); len(got) == 0 || got[0] != c.first {
			t.Errorf("at %s heard %q first, want %q", c.now, got, c.first)
		}
	}
}

func TestTimeConditionOvernight(t *testing.T) {
	f := mustFlow(t, attendant)
	f.Blocks["hours"].TimeCondition.Weekly = []ivr.Weekly{{Days: []string{"fri"}, From: "22:00", To: "06:00"}}
	for now, first := range map[string]string{
		"2026-11-27T23:00:00+01:00": "welcome",       // Friday night
		"2026-11-28T05:59:00+01:00": "welcome",       // Saturday early
		"2026-11-28T06:00:00+01:00": "office-closed", // ends
		"2026-11-27T05:00:00+01:00": "office-closed", // Friday early: Thursday has no night
	} {
		ch, _, _ := run(t, f, "", now, ivr.RunOptions{})
		if got := ch.Heard(); got[0] != first {
			t.Errorf("at %s heard %q first, want %q", now, got[0], first)
		}
	}
}

// hook is a Fake that runs a function before its first ReadDigit.
type hook struct {
	*ivrtest.Fake
	before func()
}

func (h *hook) ReadDigit(d time.Duration) (byte, error) {
	if h.before != nil {
		h.before()
		h.before = nil
	}
	return h.Fake.ReadDigit(d)
}

func TestVersionPinning(t *testing.T) {
	var lib ivr.Library
	v1, err := lib.Publish(mustFlow(t, attendant), ivr.ValidateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	draft := v1.Flow()
	draft.Blocks["sales"].Goto.To = "sales-2027"
	ch := &hook{Fake: &ivrtest.Fake{Keys: "1"}, before: func() {
		// Published while the caller listens to the menu of v1.
		if _, err := lib.Publish(draft, ivr.ValidateOptions{}); err != nil {
			t.Fatal(err)
		}
	}}
	latest, _ := lib.Latest("main")
	res, err := ivr.Run(context.Background(), latest, ch, ivr.RunOptions{Now: at(t, open)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Version != 1 || res.To != "sales" {
		t.Errorf("the call started on v1 ended on v%d in queue %q, want v1 and sales", res.Version, res.To)
	}
	v2, _ := lib.Latest("main")
	if v2.Version() != 2 {
		t.Fatalf("latest version %d, want 2", v2.Version())
	}
	res, err = ivr.Run(context.Background(), v2, &ivrtest.Fake{Keys: "1"}, ivr.RunOptions{Now: at(t, open)})
	if err != nil || res.To != "sales-2027" || res.Version != 2 {
		t.Errorf("a new call: %+v, %v; want v2 and sales-2027", res, err)
	}
	if old, ok := lib.Get("main", 1); !ok || old.Flow().Blocks["sales"].Goto.To != "sales" {
		t.Error("version 1 changed after publishing version 2")
	}
	if _, err := ivr.Publish(mustFlow(t, attendant), v2, ivr.ValidateOptions{}); err != nil {
		t.Error(err)
	}
	other := mustFlow(t, attendant)
	other.ID = "other"
	if _, err := ivr.Publish(other, v2, ivr.ValidateOptions{}); err == nil {
		t.Error("Publish accepted a flow as the next version of another")
	}
	bad := mustFlow(t, attendant)
	bad.Entry = "x"
	if _, err := lib.Publish(bad, ivr.ValidateOptions{}); !errors.Is(err, ivr.ErrInvalid) {
		t.Errorf("publishing an invalid flow: %v, want ErrInvalid", err)
	}
	if v, _ := lib.Latest("main"); v.Version() != 2 {
		t.Errorf("a refused publish changed the latest version to %d", v.Version())
	}
}

// words is a Sayer that names each value plainly.
type words struct{}

func (words) Number(n int64) []string  { return []string{"n" + strconv.FormatInt(n, 10)} }
func (words) Digits(s string) []string { return []string{"d" + s} }
func (words) Time(t time.Time) []string {
	return []string{t.Format("15:04")}
}
func (words) Date(t time.Time) []string { return []string{t.Format("Mon 2")} }

const voicemail = `{"id":"vm","name":"Leave a message","entry":"box","blocks":{
 "box":{"kind":"collect","collect":{"prompts":["enter-box"],"variable":"box","min_digits":3,"max_digits":4,
   "terminator":"#","retries":1,"invalid":["invalid-entry"],"next":"confirm","failure":"bye"}},
 "confirm":{"kind":"say","say":{"what":"digits","variable":"box","before":["box"],"after":["after-the-tone"],"next":"rec"}},
 "rec":{"kind":"record","record":{"variable":"message","max_seconds":120,"beep":true,"next":"time","failure":"sorry"}},
 "time":{"kind":"say","say":{"what":"time","time_zone":"America/New_York","before":["received-at"],"next":"bye"}},
 "sorry":{"kind":"play","play":{"prompts":["not-recorded"],"next":"bye"}},
 "bye":{"kind":"hangup","hangup":{"prompts":["goodbye"]}}
}}`

func TestCollectSayRecord(t *testing.T) {
	ch, res, err := run(t, mustFlow(t, voicemail), "12#1234", "2026-11-23T15:04:00Z", ivr.RunOptions{Sayer: words{}})
	if err != nil || res.End != ivr.EndHangup {
		t.Fatalf("Run() = %+v, %v", res, err)
	}
	want := []string{"enter-box", "invalid-entry", "enter-box", "box", "d1234", "after-the-tone", "received-at", "10:04", "goodbye"}
	if got := ch.Heard(); !slices.Equal(got, want) {
		t.Errorf("heard %q, want %q", got, want)
	}
	if res.Vars["box"] != "1234" || res.Vars["message"] != "rec-x.wav" {
		t.Errorf("variables %v, want box 1234 and the recording", res.Vars)
	}
	if len(ch.Records) != 1 || ch.Records[0].Max != 2*time.Minute || !ch.Records[0].Beep {
		t.Errorf("records %+v, want one of 2 minutes with a beep", ch.Records)
	}
}

func TestCollectFailureAndRecordFailure(t *testing.T) {
	ch, _, err := run(t, mustFlow(t, voicemail), "..", open, ivr.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"enter-box", "invalid-entry", "enter-box", "invalid-entry", "goodbye"}
	if got := ch.Heard(); !slices.Equal(got, want) {
		t.Errorf("heard %q, want %q", got, want)
	}
	ch = &ivrtest.Fake{Keys: "123#", RecordErr: errors.New("disk full")}
	res, err := ivr.Run(context.Background(), mustPublish(t, mustFlow(t, voicemail)), ch, ivr.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := ch.Heard(); !slices.Contains(got, "not-recorded") || res.Vars["message"] != "" {
		t.Errorf("a failed recording: heard %q, vars %v", got, res.Vars)
	}
}

func TestSayFromVariablesAndClock(t *testing.T) {
	f := mustFlow(t, `{"id":"s","name":"Say","entry":"n","blocks":{
	 "n":{"kind":"say","say":{"what":"number","variable":"count","next":"d"}},
	 "d":{"kind":"say","say":{"what":"date","time_zone":"Asia/Tokyo","next":"bad"}},
	 "bad":{"kind":"say","say":{"what":"number","variable":"missing","before":["x"],"next":"end"}},
	 "end":{"kind":"hangup"}}}`)
	ch, _, err := run(t, f, "", "2026-11-23T20:00:00Z", ivr.RunOptions{Sayer: words{}, Vars: map[string]string{"count": "42"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"n42", "Tue 24", "x"}
	if got := ch.Heard(); !slices.Equal(got, want) {
		t.Errorf("heard %q, want %q", got, want)
	}
}

func TestGotoFlow(t *testing.T) {
	var lib ivr.Library
	if _, err := lib.Publish(mustFlow(t, voicemail), ivr.ValidateOptions{}); err != nil {
		t.Fatal(err)
	}
	f := mustFlow(t, attendant)
	f.Blocks["vm"] = ivr.Block{Kind: ivr.KindGoto, Goto: &ivr.Goto{Target: ivr.TargetFlow, To: "vm"}}
	ch := &ivrtest.Fake{Keys: "0123#", TransferErr: map[string]error{"extension:100": errors.New("busy")}}
	res, err := ivr.Run(context.Background(), mustPublish(t, f), ch, ivr.RunOptions{Now: at(t, open), Flows: &lib})
	if err != nil {
		t.Fatal(err)
	}
	if res.Flow != "vm" || res.Vars["box"] != "123" || res.End != ivr.EndHangup {
		t.Errorf("Run() = %+v, want the call to end in flow vm with box 123", res)
	}
	_, err = ivr.Run(context.Background(), mustPublish(t, f), &ivrtest.Fake{Keys: "0", TransferErr: ch.TransferErr}, ivr.RunOptions{Now: at(t, open)})
	if !errors.Is(err, ivr.ErrNoFlow) {
		t.Errorf("goto an unknown flow: %v, want ErrNoFlow", err)
	}
}

func TestStepLimit(t *testing.T) {
	// Two flows that send callers to each other with no wait between.
	var lib ivr.Library
	for _, pair := range [][2]string{{"a", "b"}, {"b", "a"}} {
		f := mustFlow(t, fmt.Sprintf(`{"id":%q,"name":"x","entry":"g","blocks":{
		  "g":{"kind":"goto","goto":{"target":"flow","to":%q}}}}`, pair[0], pair[1]))
		if _, err := lib.Publish(f, ivr.ValidateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	a, _ := lib.Latest("a")
	res, err := ivr.Run(context.Background(), a, &ivrtest.Fake{}, ivr.RunOptions{Flows: &lib, MaxSteps: 50})
	if !errors.Is(err, ivr.ErrStepLimit) || res.Steps != 50 || res.End != ivr.EndError {
		t.Errorf("Run() = %+v, %v; want ErrStepLimit after 50 steps", res, err)
	}
}

func TestHangUpAndCancel(t *testing.T) {
	_, res, err := run(t, mustFlow(t, attendant), "", open, ivr.RunOptions{})
	if !errors.Is(err, ivrtest.ErrHungUp) || res.End != ivr.EndError || res.Block != "menu" {
		t.Errorf("caller hung up in the menu: %+v, %v", res, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = ivr.Run(ctx, mustPublish(t, mustFlow(t, attendant)), &ivrtest.Fake{Keys: "1"}, ivr.RunOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run(cancelled) = %v", err)
	}
}

func TestTrace(t *testing.T) {
	var steps []ivr.Step
	_, _, err := run(t, mustFlow(t, attendant), "92", open, ivr.RunOptions{OnStep: func(s ivr.Step) { steps = append(steps, s) }})
	if err != nil {
		t.Fatal(err)
	}
	want := []ivr.Step{
		{N: 1, Flow: "main", Version: 1, Block: "hours", Kind: ivr.KindTimeCondition, Outcome: ivr.OutcomeMatch, Next: "welcome"},
		{N: 2, Flow: "main", Version: 1, Block: "welcome", Kind: ivr.KindPlay, Outcome: ivr.OutcomeNext, Next: "menu"},
		{N: 3, Flow: "main", Version: 1, Block: "menu", Kind: ivr.KindMenu, Outcome: ivr.OutcomeOption, Input: "2", Next: "support"},
		{N: 4, Flow: "main", Version: 1, Block: "support", Kind: ivr.KindSet, Outcome: ivr.OutcomeNext, Next: "skill"},
		{N: 5, Flow: "main", Version: 1, Block: "skill", Kind: ivr.KindSet, Outcome: ivr.OutcomeNext, Next: "support-q"},
		{N: 6, Flow: "main", Version: 1, Block: "support-q", Kind: ivr.KindGoto, Outcome: ivr.OutcomeTransferred},
	}
	if !slices.Equal(steps, want) {
		t.Errorf("trace\n%+v\nwant\n%+v", steps, want)
	}
}

func TestCustomKind(t *testing.T) {
	var kinds ivr.Kinds
	err := kinds.Register("agent_login", ivr.Custom{
		Exits: []string{"ok", "failed"},
		Waits: true,
		Run: func(_ context.Context, c *ivr.Call, params json.RawMessage) (string, error) {
			var p struct{ PIN string }
			if err := json.Unmarshal(params, &p); err != nil {
				return "", err
			}
			if c.Var("pin") != p.PIN {
				return "failed", nil
			}
			c.SetVar("agent", "1001")
			return "ok", nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	f := mustFlow(t, `{"id":"login","name":"Login","entry":"pin","blocks":{
	  "pin":{"kind":"collect","collect":{"prompts":["enter-pin"],"variable":"pin","min_digits":4,"max_digits":4,"retries":0,"next":"l"}},
	  "l":{"kind":"agent_login","params":{"pin":"4321"},"exits":{"ok":"done","failed":"pin"}},
	  "done":{"kind":"hangup","hangup":{"prompts":["agent-loginok"]}}}}`)
	p, err := ivr.Publish(f, nil, ivr.ValidateOptions{Kinds: &kinds})
	if err != nil {
		t.Fatal(err)
	}
	ch := &ivrtest.Fake{Keys: "12344321"}
	var outcomes []ivr.Outcome
	res, err := ivr.Run(context.Background(), p, ch, ivr.RunOptions{Kinds: &kinds, OnStep: func(s ivr.Step) { outcomes = append(outcomes, s.Outcome) }})
	if err != nil || res.Vars["agent"] != "1001" {
		t.Fatalf("Run() = %+v, %v", res, err)
	}
	want := []ivr.Outcome{ivr.OutcomeNext, "failed", ivr.OutcomeNext, "ok", ivr.OutcomeHangup}
	if !slices.Equal(outcomes, want) {
		t.Errorf("outcomes %v, want %v", outcomes, want)
	}
	if _, err := ivr.Run(context.Background(), p, &ivrtest.Fake{Keys: "4321"}, ivr.RunOptions{}); err == nil {
		t.Error("Run without the custom kind registered succeeded")
	}
}
