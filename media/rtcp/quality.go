package rtcp

import (
	"math"
	"time"
)

// Quality summarises one direction of a call for the API and the
// supervisor's dashboard.
type Quality struct {
	LossPct  float64 `json:"lossPct"`  // packets lost, percent
	JitterMs float64 `json:"jitterMs"` // interarrival jitter, milliseconds
	RTTMs    float64 `json:"rttMs"`    // round-trip time, milliseconds (0 if unknown)
	MOS      float64 `json:"mos"`      // estimated listening quality, 1 to 4.5
}

// NewQuality returns the Quality of a stream with loss fraction
// lossFraction (0 to 1), interarrival jitter and round-trip time rtt
// (0 when unknown), with its MOS estimate.
func NewQuality(lossFraction float64, jitter, rtt time.Duration) Quality {
	lossFraction = min(max(lossFraction, 0), 1)
	j := float64(jitter) / float64(time.Millisecond)
	r := float64(rtt) / float64(time.Millisecond)
	return Quality{
		LossPct:  lossFraction * 100,
		JitterMs: j,
		RTTMs:    r,
		MOS:      MOS(lossFraction, j, r),
	}
}

// Quality returns the quality of the stream a report block describes,
// given the clock rate of its RTP timestamps (0 means 8000) and the
// round-trip time (0 if unknown). The loss is the block's fraction lost in
// the last interval.
func (b ReportBlock) Quality(clockRate int, rtt time.Duration) Quality {
	jitter := time.Duration(int64(b.Jitter) * int64(time.Second) / rate(clockRate))
	return NewQuality(float64(b.FractionLost)/256, jitter, rtt)
}

// E-model constants for G.711 (ITU-T G.107, G.113 appendix I).
const (
	// r0 is the default basic signal-to-noise ratio less the simultaneous
	// impairments (Ro − Is) of G.107 with all default parameters.
	r0 = 93.2
	// bplG711 is G.711's packet-loss robustness factor with packet loss
	// concealment (G.113 appendix I); Ie (equipment impairment) is 0.
	bplG711 = 25.1
	// codecDelayMs is the delay a G.711 20 ms frame adds on the way:
	// one packet of packetisation (G.711 has no look-ahead).
	codecDelayMs = 20
	// jitterBufferFactor sizes the receiver's jitter buffer allowance as a
	// multiple of the measured interarrival jitter.
	jitterBufferFactor = 2
)

// RFactor returns the E-model transmission rating of a G.711 call with
// PLC, random loss lossFraction (0 to 1), interarrival jitter jitterMs and
// round-trip time rttMs, both in milliseconds:
//
//	R = 93.2 − Idd(Ta) − Ie,eff
//	Ta = RTT/2 + 2·jitter + 20 ms
//	Ie,eff = 95·Ppl / (Ppl + 25.1)   (Ie = 0, BurstR = 1)
//
// Ta is the mouth-to-ear delay: half the round trip, a jitter buffer of
// twice the jitter and one packet of packetisation. Idd is G.107's delay
// impairment, zero up to 100 ms; the echo terms (Idte, Idle) are left out,
// as an IP phone cancels its echo. Simplifications: random (not bursty)
// loss, no quantisation or noise terms beyond the defaults.
func RFactor(lossFraction, jitterMs, rttMs float64) float64 {
	ppl := 100 * min(max(lossFraction, 0), 1)
	ta := max(rttMs, 0)/2 + jitterBufferFactor*max(jitterMs, 0) + codecDelayMs
	idd := 0.0
	if ta > 100 {
		x := math.Log2(ta / 100)
		idd = 25 * (math.Pow(1+math.Pow(x, 6), 1.0/6) - 3*math.Pow(1+math.Pow(x/3, 6), 1.0/6) + 2)
	}
	ieEff := 95 * ppl / (ppl + bplG711)
	return r0 - idd - ieEff
}

// MOSFromR converts an E-model rating to the estimated mean opinion score
// (conversational quality) of ITU-T G.107 annex B, clamped to 1..4.5.
func MOSFromR(r float64) float64 {
	switch {
	case math.IsNaN(r) || r <= 0:
		return 1
	case r >= 100:
		return 4.5
	}
	return max(1, 1+0.035*r+r*(r-60)*(100-r)*7e-6)
}

// MOS estimates the mean opinion score of a G.711 call (see RFactor for
// the model and its inputs).
func MOS(lossFraction, jitterMs, rttMs float64) float64 {
	return MOSFromR(RFactor(lossFraction, jitterMs, rttMs))
}
