package acd_test

import (
	"math"
	"testing"
	"time"

	"deskline/acd"
)

func TestErlangC(t *testing.T) {
	tests := []struct {
		agents  int
		traffic float64
		want    float64
	}{
		{2, 1, 1.0 / 3},    // exact: B(2,1) = 1/5
		{3, 2, 4.0 / 9},    // exact: B(3,2) = 4/19
		{11, 10, 0.682118}, // the classic 10-erlang table
		{12, 10, 0.449388},
		{13, 10, 0.285270},
		{14, 10, 0.174132},
		{15, 10, 0.102042},
		{100, 90, 0.216940},
		{10, 10, 1}, // agents ≤ traffic: everyone waits
		{5, 0, 0},
	}
	for _, tt := range tests {
		if got := acd.ErlangC(tt.agents, tt.traffic); math.Abs(got-tt.want) > 1e-6 {
			t.Errorf("ErlangC(%d, %v) = %.6f, want %.6f", tt.agents, tt.traffic, got, tt.want)
		}
	}
}

func TestErlangServiceLevelAndASA(t *testing.T) {
	aht := 180 * time.Second
	tests := []struct {
		agents int
		sl     float64
		asa    time.Duration
	}{
		{11, 0.389614, 122781 * time.Millisecond},
		{12, 0.640158, 40445 * time.Millisecond},
		{13, 0.795595, 17116 * time.Millisecond},
		{14, 0.888350, 7836 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := acd.ErlangServiceLevel(tt.agents, 10, aht, 20*time.Second); math.Abs(got-tt.sl) > 1e-6 {
			t.Errorf("ErlangServiceLevel(%d, 10, 180s, 20s) = %.6f, want %.6f", tt.agents, got, tt.sl)
		}
		if got := acd.ErlangASA(tt.agents, 10, aht); (got - tt.asa).Abs() > time.Millisecond {
			t.Errorf("ErlangASA(%d, 10, 180s) = %v, want %v", tt.agents, got, tt.asa)
		}
	}
	if got := acd.ErlangASA(10, 10, aht); got != -1 {
		t.Errorf("ErlangASA(10, 10) = %v, want -1", got)
	}
	if got := acd.ErlangServiceLevel(9, 10, aht, time.Minute); got != 0 {
		t.Errorf("ErlangServiceLevel(9, 10) = %v, want 0", got)
	}
}
