package acd_test

import (
	"testing"
	"time"

	"deskline/acd"
)

func TestQueueLogLine(t *testing.T) {
	at := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		ev   acd.QueueLogEvent
		want string
	}{
		{acd.QueueLogEvent{Time: at, CallID: "c1", Queue: "sales", Agent: "NONE", Event: acd.EvEnterQueue, Data: []string{"", "5551234"}},
			"1795420800|c1|sales|NONE|ENTERQUEUE||5551234"},
		{acd.QueueLogEvent{Time: at.Add(1500 * time.Millisecond), CallID: "NONE", Queue: "sales", Agent: "201", Event: acd.EvPause, Data: []string{"Lunch"}},
			"1795420801|NONE|sales|201|PAUSE|Lunch"},
		{acd.QueueLogEvent{Time: at, CallID: "NONE", Queue: "sales", Agent: "201", Event: acd.EvAddMember},
			"1795420800|NONE|sales|201|ADDMEMBER"},
		{acd.QueueLogEvent{Time: at, CallID: "c|2", Queue: "s", Agent: "1", Event: acd.EvTransfer, Data: []string{"2\n01", "ctx"}},
			"1795420800|c_2|s|1|TRANSFER|2_01|ctx"},
	}
	for _, tt := range tests {
		if got := tt.ev.Line(); got != tt.want {
			t.Errorf("Line() = %q, want %q", got, tt.want)
		}
	}
}
