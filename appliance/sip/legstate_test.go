package sip

import "testing"

func TestLegTransitions(t *testing.T) {
	all := []LegState{LegIdle, LegTrying, LegRinging, LegAnswered, LegEstablished, LegTerminating, LegTerminated}
	want := map[[2]LegState]bool{
		{LegIdle, LegTrying}: true, {LegIdle, LegTerminated}: true,
		{LegTrying, LegRinging}: true, {LegTrying, LegAnswered}: true, {LegTrying, LegTerminating}: true, {LegTrying, LegTerminated}: true,
		{LegRinging, LegAnswered}: true, {LegRinging, LegTerminating}: true, {LegRinging, LegTerminated}: true,
		{LegAnswered, LegEstablished}: true, {LegAnswered, LegTerminating}: true, {LegAnswered, LegTerminated}: true,
		{LegEstablished, LegTerminating}: true, {LegEstablished, LegTerminated}: true,
		{LegTerminating, LegTerminated}: true,
	}
	for _, from := range all {
		for _, to := range all {
			w := from == to || want[[2]LegState{from, to}]
			if got := canMove(from, to); got != w {
				t.Errorf("canMove(%v, %v) = %v, want %v", from, to, got, w)
			}
		}
	}
	// A terminated leg never comes back.
	for _, to := range all[:len(all)-1] {
		if canMove(LegTerminated, to) {
			t.Errorf("terminated leg may move to %v", to)
		}
	}
	if LegState(99).String() != "LegState(99)" {
		t.Errorf("unknown state name = %q", LegState(99).String())
	}
}
