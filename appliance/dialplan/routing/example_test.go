package routing_test

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"deskline/appliance/dialplan/routing"
)

func Example() {
	cfg, err := routing.DecodeConfig(strings.NewReader(`{
		"country": "US",
		"trunks": ["carrier-a", "carrier-b"],
		"outbound": [
			{"name": "911", "emergency": true, "trunks": ["carrier-a", "carrier-b"],
			 "patterns": [{"pattern": "911"}, {"prefix": "9", "pattern": "911"}]},
			{"name": "domestic", "trunks": ["carrier-a", "carrier-b"], "caller_id": "+12125550100",
			 "patterns": [{"prefix": "9", "pattern": "_NXXXXXX", "prepend": "+1212"},
			              {"prefix": "9", "pattern": "_1NXXNXXXXXX", "prepend": "+"}]},
			{"name": "world", "trunks": ["carrier-b"],
			 "patterns": [{"prefix": "9", "pattern": "_011.", "strip": 3, "prepend": "+"}]}
		],
		"inbound": [
			{"did": "+12125550100", "destination": {"kind": "queue", "target": "sales"}}
		],
		"default_inbound": {"kind": "voicemail", "target": "100"}
	}`))
	if err != nil {
		panic(err)
	}
	for _, p := range cfg.Validate() {
		fmt.Println(p)
	}
	clock := func() time.Time { return time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC) }
	limiter := routing.NewLimiter(cfg.Limits, clock)
	plan, err := routing.NewPlan(cfg, limiter)
	if err != nil {
		panic(err)
	}

	alice := routing.Caller{Extension: "201"} // default class: national
	for _, dialled := range []string{"9 555-0199", "9011 44 20 7946 0000", "9911", "9"} {
		dec, err := plan.Outbound(dialled, alice, clock())
		if err != nil {
			code, prompt := routing.Response(err)
			fmt.Printf("%s: refused %d, play %q\n", dialled, code, prompt)
			continue
		}
		fmt.Printf("%s: route %s, emergency %v, first try %s with %s\n", dialled, dec.Route, dec.Emergency, dec.Attempts[0].Number, dec.Attempts[0].Trunk)
		// Per trunk attempt: admit it, and release it when the call ends.
		release, err := limiter.Start(alice.Extension, dec.Attempts[0].Trunk)
		if errors.Is(err, routing.ErrTrunkBusy) {
			continue // would try dec.Attempts[1]
		}
		release()
	}

	in, _ := plan.Inbound("+12125550100", "+13125550123", clock())
	fmt.Println("inbound:", in.Destination.Kind, in.Destination.Target)
	// Output:
	// 9 555-0199: route domestic, emergency false, first try +12125550199 with carrier-a
	// 9011 44 20 7946 0000: refused 403, play "outside-calls-barred"
	// 9911: route 911, emergency true, first try 911 with carrier-a
	// 9: refused 484, play "number-incomplete"
	// inbound: queue sales
}

func ExampleCompile() {
	p, err := routing.Compile("_9[2-9]XX.")
	fmt.Println(err, p.Match("92015551234"), p.Partial("920"), p.Match("91"))
	_, err = routing.Compile("_9[2-9XX")
	fmt.Println(err)
	// Output:
	// <nil> true true false
	// routing: bad dial pattern "_9[2-9XX": "X" at position 7: a set holds digits, '*', '#', '+' and ranges such as 1-5
}
