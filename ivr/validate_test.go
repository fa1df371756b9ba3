package ivr_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"deskline/ivr"
)

func TestValidateAcceptsAttendant(t *testing.T) {
	f := mustFlow(t, attendant)
	if err := f.Validate(); err != nil {
		t.Fatalf("Validate() = %v, want nil", err)
	}
}

func TestValidate(t *testing.T) {
	type want struct{ block, field string }
	cases := []struct {
		name   string
		change func(f *ivr.Flow)
		opts   ivr.ValidateOptions
		want   []want
	}{
		{"dangling option", func(f *ivr.Flow) { f.Blocks["menu"].Menu.Options["2"] = "nowhere" }, ivr.ValidateOptions{},
			[]want{{"menu", "menu.options.2"}, {"support", "id"}, {"skill", "id"}, {"support-q", "id"}}},
		{"missing entry", func(f *ivr.Flow) { f.Entry = "start" }, ivr.ValidateOptions{}, []want{{"", "entry"}}},
		{"no entry", func(f *ivr.Flow) { f.Entry = "" }, ivr.ValidateOptions{}, []want{{"", "entry"}}},
		{"bad flow id", func(f *ivr.Flow) { f.ID = "a b" }, ivr.ValidateOptions{}, []want{{"", "id"}}},
		{"unreachable", func(f *ivr.Flow) {
			f.Blocks["orphan"] = ivr.Block{Kind: ivr.KindPlay, Play: &ivr.Play{Prompts: []string{"x"}, Next: "bye"}}
		}, ivr.ValidateOptions{}, []want{{"orphan", "id"}}},
		{"loop without a wait", func(f *ivr.Flow) { f.Blocks["closed"].Play.Next = "hours" }, ivr.ValidateOptions{},
			[]want{{"hours", "time_condition.no_match"}}},
		{"self loop", func(f *ivr.Flow) { f.Blocks["holiday"].Play.Next = "holiday" }, ivr.ValidateOptions{},
			[]want{{"holiday", "play.next"}}},
		{"bad key", func(f *ivr.Flow) { f.Blocks["menu"].Menu.Options["x"] = "sales" }, ivr.ValidateOptions{},
			[]want{{"menu", "menu.options.x"}}},
		{"two keys", func(f *ivr.Flow) { f.Blocks["menu"].Menu.Options["12"] = "sales" }, ivr.ValidateOptions{},
			[]want{{"menu", "menu.options.12"}}},
		{"short timeout", func(f *ivr.Flow) { f.Blocks["menu"].Menu.TimeoutMS = 100 }, ivr.ValidateOptions{},
			[]want{{"menu", "menu.timeout_ms"}}},
		{"long timeout", func(f *ivr.Flow) { f.Blocks["menu"].Menu.InterDigitTimeoutMS = 3600000 }, ivr.ValidateOptions{},
			[]want{{"menu", "menu.inter_digit_timeout_ms"}}},
		{"retries", func(f *ivr.Flow) { f.Blocks["menu"].Menu.Retries = 20 }, ivr.ValidateOptions{}, []want{{"menu", "menu.retries"}}},
		{"negative retries", func(f *ivr.Flow) { f.Blocks["menu"].Menu.Retries = -1 }, ivr.ValidateOptions{}, []want{{"menu", "menu.retries"}}},
		{"time zone", func(f *ivr.Flow) { f.Blocks["hours"].TimeCondition.TimeZone = "Mars/Olympus" }, ivr.ValidateOptions{},
			[]want{{"hours", "time_condition.time_zone"}}},
		{"holiday date", func(f *ivr.Flow) { f.Blocks["hours"].TimeCondition.Holidays = []string{"2026-12-25", "2026-13-01"} }, ivr.ValidateOptions{},
			[]want{{"hours", "time_condition.holidays.1"}}},
		{"from time", func(f *ivr.Flow) { f.Blocks["hours"].TimeCondition.Weekly[0].From = "9h" }, ivr.ValidateOptions{},
			[]want{{"hours", "time_condition.weekly.0.from"}}},
		{"day", func(f *ivr.Flow) { f.Blocks["hours"].TimeCondition.Weekly[0].Days = []string{"funday"} }, ivr.ValidateOptions{},
			[]want{{"hours", "time_condition.weekly.0.days"}}},
		{"empty prompt", func(f *ivr.Flow) { f.Blocks["welcome"].Play.Prompts[0] = " " }, ivr.ValidateOptions{},
			[]want{{"welcome", "play.prompts.0"}}},
		{"no prompts", func(f *ivr.Flow) { f.Blocks["welcome"].Play.Prompts = nil }, ivr.ValidateOptions{},
			[]want{{"welcome", "play.prompts"}}},
		{"unknown prompt", func(*ivr.Flow) {}, ivr.ValidateOptions{PromptExists: func(n string) bool { return n != "office-closed" }},
			[]want{{"closed", "play.prompts.0"}}},
		{"unknown queue", func(*ivr.Flow) {}, ivr.ValidateOptions{TargetExists: func(k ivr.TargetKind, to string) bool { return k != ivr.TargetQueue || to != "sales" }},
			[]want{{"sales", "goto.to"}}},
		{"goto target", func(f *ivr.Flow) { f.Blocks["vm"].Goto.Target = "fax" }, ivr.ValidateOptions{}, []want{{"vm", "goto.target"}}},
		{"unknown kind", func(f *ivr.Flow) { b := f.Blocks["closed"]; b.Kind = "agent_login"; f.Blocks["closed"] = b }, ivr.ValidateOptions{},
			[]want{{"closed", "kind"}}},
		{"part of another kind", func(f *ivr.Flow) { b := f.Blocks["closed"]; b.Kind = ivr.KindSay; f.Blocks["closed"] = b }, ivr.ValidateOptions{},
			[]want{{"closed", "say"}}},
		{"priority", func(f *ivr.Flow) { f.Blocks["support"].Set.Value = "1000" }, ivr.ValidateOptions{}, []want{{"support", "set.value"}}},
		{"skill name", func(f *ivr.Flow) { f.Blocks["skill"].Set.Name = "" }, ivr.ValidateOptions{}, []want{{"skill", "set.name"}}},
		{"collect", func(f *ivr.Flow) {
			f.Blocks["menu"].Menu.Options["9"] = "pin"
			f.Blocks["pin"] = ivr.Block{Kind: ivr.KindCollect, Collect: &ivr.Collect{Variable: "1pin", MinDigits: 5, MaxDigits: 4, Terminator: "5", Next: "bye"}}
		}, ivr.ValidateOptions{}, []want{{"pin", "collect.variable"}, {"pin", "collect.min_digits"}, {"pin", "collect.terminator"}}},
		{"record", func(f *ivr.Flow) {
			f.Blocks["menu"].Menu.Options["9"] = "rec"
			f.Blocks["rec"] = ivr.Block{Kind: ivr.KindRecord, Record: &ivr.Record{Variable: "msg", MaxSeconds: 0, Next: "bye"}}
		}, ivr.ValidateOptions{}, []want{{"rec", "record.max_seconds"}}},
		{"say", func(f *ivr.Flow) {
			f.Blocks["closed"].Play.Next = "say"
			f.Blocks["say"] = ivr.Block{Kind: ivr.KindSay, Say: &ivr.Say{What: ivr.SayNumber, Value: "twelve", Next: "bye"}}
		}, ivr.ValidateOptions{}, []want{{"say", "say.value"}}},
		{"too many blocks", func(f *ivr.Flow) {
			for i := range ivr.MaxBlocks {
				f.Blocks[fmt.Sprint("p", i)] = ivr.Block{Kind: ivr.KindHangup}
			}
		}, ivr.ValidateOptions{}, []want{{"", "blocks"}}},
		{"too large", func(f *ivr.Flow) {
			long := strings.Repeat("x", 60)
			for i := range 1100 {
				f.Blocks["closed"].Play.Prompts = append(f.Blocks["closed"].Play.Prompts, long+fmt.Sprint(i))
			}
		}, ivr.ValidateOptions{}, []want{{"", "blocks"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := mustFlow(t, attendant)
			c.change(&f)
			err := f.ValidateWith(c.opts)
			var ve *ivr.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, ivr.ErrInvalid) {
				t.Fatalf("ValidateWith() = %v, want a *ValidationError", err)
			}
			for _, w := range c.want {
				found := false
				for _, p := range ve.Problems {
					found = found || p.Block == w.block && p.Field == w.field
				}
				if !found {
					t.Errorf("no problem at block %q field %q; got %v", w.block, w.field, err)
				}
			}
			if len(ve.Problems) != len(c.want) {
				t.Errorf("got %d problems, want %d: %v", len(ve.Problems), len(c.want), err)
			}
		})
	}
}

func TestValidateLoopThroughMenuIsFine(t *testing.T) {
	f := mustFlow(t, attendant)
	f.Blocks["menu"].Menu.Invalid.Next = "welcome" // welcome → menu → welcome: the menu waits
	f.Blocks["closed"].Play.Next = "menu"
	if err := f.Validate(); err != nil {
		t.Fatalf("Validate() = %v, want nil", err)
	}
}

func TestValidateCustomKind(t *testing.T) {
	var kinds ivr.Kinds
	err := kinds.Register("agent_login", ivr.Custom{
		Exits: []string{"ok", "failed"},
		Waits: true,
		Check: func(p json.RawMessage) error {
			var v struct{ Profile string }
			if err := json.Unmarshal(p, &v); err != nil || v.Profile == "" {
				return errors.New("profile missing")
			}
			return nil
		},
		Run: func(context.Context, *ivr.Call, json.RawMessage) (string, error) { return "ok", nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	f := mustFlow(t, `{"id":"login","name":"Login","entry":"l","blocks":{
	  "l":{"kind":"agent_login","params":{"profile":"day"},"exits":{"ok":"bye","failed":"l"}},
	  "bye":{"kind":"hangup"}}}`)
	if err := f.ValidateWith(ivr.ValidateOptions{Kinds: &kinds}); err != nil {
		t.Fatalf("ValidateWith(kinds) = %v, want nil", err)
	}
	f.Blocks["l"] = ivr.Block{Kind: "agent_login", Params: json.RawMessage(`{}`), Exits: map[string]string{"ok": "bye", "maybe": "bye"}}
	err = f.ValidateWith(ivr.ValidateOptions{Kinds: &kinds})
	for _, field := range []string{"params", "exits.maybe", "exits.failed"} {
		if err == nil || !strings.Contains(err.Error(), field+":") {
			t.Errorf("ValidateWith() = %v, want a problem at %s", err, field)
		}
	}
	for _, name := range []ivr.Kind{"menu", "Agent", ""} {
		if kinds.Register(name, ivr.Custom{Run: func(context.Context, *ivr.Call, json.RawMessage) (string, error) { return "", nil }}) == nil {
			t.Errorf("Register(%q) = nil, want an error", name)
		}
	}
}
