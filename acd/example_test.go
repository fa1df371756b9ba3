package acd_test

import (
	"fmt"
	"time"

	"deskline/acd"
	"deskline/acd/acdtest"
)

func Example() {
	clk := acdtest.NewClock(time.Time{})
	e, err := acd.New(acd.Config{
		Agents: []acd.AgentConfig{{ID: "201", Name: "Ana"}, {ID: "202", Name: "Bo"}},
		Queues: []acd.QueueConfig{{Name: "sales", Number: "600", Strategy: acd.LongestIdle,
			WrapUp: 30 * time.Second, Members: []acd.Member{{Agent: "201"}, {Agent: "202"}}}},
	}, acd.Opts{Clock: clk})
	if err != nil {
		panic(err)
	}
	show := func(out acd.Output, err error) {
		if err != nil {
			panic(err)
		}
		for _, a := range out.Actions {
			fmt.Println("do:", a.Kind, a.Call, a.Agent)
		}
		for _, l := range out.Log {
			fmt.Println("log:", l.Line())
		}
	}
	show(e.Login("202", "SIP/phone-2"))
	clk.Advance(time.Minute)
	show(e.Login("201", "SIP/phone-1"))
	show(e.CallerEntered(acd.Caller{Call: "c1", Queue: "sales", CallerID: "5551234"}))
	clk.Advance(4 * time.Second)
	show(e.AgentAnswered("c1", "202"))
	clk.Advance(2 * time.Minute)
	show(e.CallEnded("c1", acd.ByCaller))
	st, _ := e.Agent("202")
	fmt.Println(st.Status, st.WrapUpLeft)
	// Output:
	// log: 1795420800|NONE|sales|202|AGENTLOGIN|SIP/phone-2
	// log: 1795420860|NONE|sales|201|AGENTLOGIN|SIP/phone-1
	// do: ring c1 202
	// log: 1795420860|c1|sales|NONE|ENTERQUEUE||5551234
	// do: bridge c1 202
	// log: 1795420864|c1|sales|202|CONNECT|4|c1|4
	// log: 1795420984|c1|sales|202|COMPLETECALLER|4|120|1
	// wrap-up 30s
}
