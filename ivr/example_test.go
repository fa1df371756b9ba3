package ivr_test

import (
	"context"
	"fmt"
	"time"

	"deskline/ivr"
	"deskline/ivr/ivrtest"
)

// A small auto-attendant: during office hours a greeting and a menu (1 for
// sales, 0 for the operator, or dial an extension directly), else a
// closed message. The caller here dials extension 201 from the greeting.
func Example() {
	flow := ivr.Flow{
		ID: "reception", Name: "Reception", Entry: "hours",
		Blocks: map[string]ivr.Block{
			"hours": {Kind: ivr.KindTimeCondition, TimeCondition: &ivr.TimeCondition{
				TimeZone: "Europe/Berlin",
				Weekly:   []ivr.Weekly{{Days: []string{"mon", "tue", "wed", "thu", "fri"}, From: "08:00", To: "17:00"}},
				Match:    "menu", NoMatch: "closed",
			}},
			"menu": {Kind: ivr.KindMenu, Menu: &ivr.Menu{
				Prompts:        []string{"welcome", "press-1-sales"},
				Options:        map[string]string{"1": "sales", "0": "operator"},
				Invalid:        ivr.Branch{Prompts: []string{"invalid-entry"}},
				Retries:        2,
				Failure:        "operator",
				DialExtensions: true,
			}},
			"sales":    {Kind: ivr.KindGoto, Goto: &ivr.Goto{Target: ivr.TargetQueue, To: "sales"}},
			"operator": {Kind: ivr.KindGoto, Goto: &ivr.Goto{Target: ivr.TargetExtension, To: "200"}},
			"closed":   {Kind: ivr.KindHangup, Hangup: &ivr.Hangup{Prompts: []string{"office-closed", "goodbye"}}},
		},
	}
	var lib ivr.Library
	v1, err := lib.Publish(flow, ivr.ValidateOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}

	caller := &ivrtest.Fake{Keys: "201#"}
	res, err := ivr.Run(context.Background(), v1, caller, ivr.RunOptions{
		Now:             func() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) },
		ExtensionExists: func(n string) bool { return n == "200" || n == "201" },
		OnStep: func(s ivr.Step) {
			fmt.Printf("%s: %s %q\n", s.Block, s.Outcome, s.Input)
		},
	})
	fmt.Println(res.End, res.Target, res.To, err)
	fmt.Println("heard:", caller.Heard())
	// Output:
	// hours: match ""
	// menu: extension "201"
	// transferred extension 201 <nil>
	// heard: [welcome press-1-sales]
}
