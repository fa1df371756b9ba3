package ivr_test

import (
	"encoding/json"
	"testing"
	"time"

	"deskline/ivr"
)

// attendant is a small auto-attendant: open hours in Paris, a greeting, a
// menu with dial-through, queues, an operator, voicemail and a holiday.
const attendant = `{"id":"main","name":"Main line","entry":"hours","blocks":{
 "hours":{"kind":"time_condition","time_condition":{"time_zone":"Europe/Paris",
   "weekly":[{"days":["mon","tue","wed","thu","fri"],"from":"09:00","to":"18:00"}],
   "holidays":["2026-12-25"],"match":"welcome","no_match":"closed","holiday":"holiday"}},
 "welcome":{"kind":"play","play":{"prompts":["welcome"],"interruptible":true,"next":"menu"}},
 "menu":{"kind":"menu","menu":{"prompts":["press-1-sales","press-2-support"],
   "options":{"1":"sales","2":"support","0":"operator"},
   "invalid":{"prompts":["invalid-entry"]},"timeout":{"prompts":["please-try-again"]},
   "retries":2,"failure":"bye","dial_extensions":true}},
 "sales":{"kind":"goto","goto":{"target":"queue","to":"sales","failure":"vm"}},
 "support":{"kind":"set","set":{"what":"priority","value":"5","next":"skill"}},
 "skill":{"kind":"set","set":{"what":"skill","name":"french","value":"50","next":"support-q"}},
 "support-q":{"kind":"goto","goto":{"target":"queue","to":"support"}},
 "operator":{"kind":"goto","goto":{"target":"extension","to":"100","ring_for_ms":20000,"failure":"vm"}},
 "vm":{"kind":"goto","goto":{"target":"voicemail","to":"100"}},
 "closed":{"kind":"play","play":{"prompts":["office-closed"],"next":"bye"}},
 "holiday":{"kind":"play","play":{"prompts":["holiday-closed"],"next":"bye"}},
 "bye":{"kind":"hangup","hangup":{"prompts":["goodbye"]}}
}}`

func mustFlow(t testing.TB, js string) ivr.Flow {
	t.Helper()
	var f ivr.Flow
	if err := json.Unmarshal([]byte(js), &f); err != nil {
		t.Fatal(err)
	}
	return f
}

func mustPublish(t testing.TB, f ivr.Flow) *ivr.Published {
	t.Helper()
	p, err := ivr.Publish(f, nil, ivr.ValidateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// at returns a clock stopped at the RFC 3339 instant s.
func at(t testing.TB, s string) func() time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return func() time.Time { return tm }
}

// open is a weekday morning when the attendant is open.
const open = "2026-11-23T10:00:00+01:00"
