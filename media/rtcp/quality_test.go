package rtcp

import (
	"encoding/json"
	"math"
	"testing"
	"time"
)

func TestMOSFromR(t *testing.T) {
	// Reference points of the G.107 annex B curve.
	tests := []struct{ r, want float64 }{
		{93.2, 4.41},
		{90, 4.34},
		{80, 4.02},
		{70, 3.60},
		{60, 3.10},
		{50, 2.58},
		{100, 4.5},
		{120, 4.5},
		{0, 1},
		{-10, 1},
		{math.NaN(), 1},
	}
	for _, tt := range tests {
		if got := MOSFromR(tt.r); math.Abs(got-tt.want) > 0.006 {
			t.Errorf("MOSFromR(%v) = %.3f, want %.2f", tt.r, got, tt.want)
		}
	}
	for r := -5.0; r < 105; r += 0.25 {
		if MOSFromR(r+0.25) < MOSFromR(r) {
			t.Errorf("MOSFromR decreases between R=%v and %v", r, r+0.25)
		}
	}
}

func TestMOS(t *testing.T) {
	if got := RFactor(0, 0, 0); got != 93.2 {
		t.Errorf("RFactor of a perfect short call = %v, want 93.2", got)
	}
	if got := MOS(0, 0, 0); math.Abs(got-4.41) > 0.005 {
		t.Errorf("MOS of a perfect call = %.3f, want 4.41", got)
	}
	// Ie,eff at 1% loss with PLC: 95·1/(1+25.1) = 3.64.
	if got := RFactor(0.01, 0, 0); math.Abs(got-(93.2-3.64)) > 0.01 {
		t.Errorf("RFactor at 1%% loss = %.2f, want 89.56", got)
	}
	// A one-way delay of 400 ms costs 24.1 points of R (G.107 Idd with
	// X = log2(400/100) = 2).
	if got := RFactor(0, 0, 2*380); math.Abs(got-(93.2-24.08)) > 0.05 {
		t.Errorf("RFactor at 400 ms one way = %.2f, want 69.12", got)
	}
	tests := []struct {
		name           string
		loss, jit, rtt float64
		minMOS, maxMOS float64
	}{
		{"LAN", 0, 1, 2, 4.40, 4.42},
		{"good WAN", 0.005, 5, 60, 4.25, 4.40},
		{"5% loss", 0.05, 10, 80, 3.8, 4.0},
		{"satellite", 0, 5, 1200, 2.5, 3.5},
		{"broken", 0.3, 80, 600, 1, 2},
	}
	for _, tt := range tests {
		if got := MOS(tt.loss, tt.jit, tt.rtt); got < tt.minMOS || got > tt.maxMOS {
			t.Errorf("%s: MOS(%v, %v, %v) = %.2f, want %.2f..%.2f", tt.name, tt.loss, tt.jit, tt.rtt, got, tt.minMOS, tt.maxMOS)
		}
	}
	// Worse never scores better.
	for i := range 100 {
		x := float64(i)
		if MOS(x/100, 10, 100) > MOS((x-1)/100, 10, 100) {
			t.Errorf("MOS rises with loss at %v%%", x)
		}
		if MOS(0.01, 10, 20*x) > MOS(0.01, 10, 20*(x-1)) {
			t.Errorf("MOS rises with RTT at %v ms", 20*x)
		}
		if MOS(0.01, 2*x, 100) > MOS(0.01, 2*(x-1), 100) {
			t.Errorf("MOS rises with jitter at %v ms", 2*x)
		}
	}
}

func TestQualityJSON(t *testing.T) {
	b := ReportBlock{FractionLost: 128, Jitter: 160}
	q := b.Quality(8000, 100*time.Millisecond)
	if q.LossPct != 50 || q.JitterMs != 20 || q.RTTMs != 100 {
		t.Errorf("Quality = %+v, want 50%% loss, 20 ms jitter, 100 ms RTT", q)
	}
	if q.MOS < 1 || q.MOS > 2 {
		t.Errorf("MOS at 50%% loss = %v, want between 1 and 2", q.MOS)
	}
	out, err := json.Marshal(q)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]float64
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"lossPct", "jitterMs", "rttMs", "mos"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON %s lacks %q", out, k)
		}
	}
}
