package rtcp

import "time"

// IntervalParams are the inputs of the RTCP transmission interval
// (RFC 3550 §6.3.1). For a two-party call: Members 2, Senders 2 (or 1 when
// only one side talks), Bandwidth the session bandwidth.
type IntervalParams struct {
	// Members and Senders count the participants seen (including us) and
	// those that sent RTP recently.
	Members, Senders int
	// Bandwidth is the session bandwidth in octets per second (for G.711
	// at 20 ms over IPv4 about 10000); RTCP gets 5% of it. Zero means
	// 10000.
	Bandwidth float64
	// AvgSize is the average compound RTCP packet size in octets,
	// including UDP and IP headers. Zero means 100.
	AvgSize float64
	// WeSent is true if we sent RTP since our last two reports.
	WeSent bool
	// Initial is true before our first report: the minimum halves.
	Initial bool
}

// minInterval is RFC 3550's minimum deterministic interval, 5 s.
const minInterval = 5.0

// compensation divides the randomised interval so that timer
// reconsideration does not lower the average rate (RFC 3550 §6.3.1: e − 3/2).
const compensation = 2.71828 - 1.5

// Interval returns how long to wait before sending the next RTCP report,
// per RFC 3550 §6.3.1 and appendix A.7. rnd is a uniform random number in
// [0, 1) from the caller (inject it: tests pass fixed values), which
// spreads the interval over 0.5 to 1.5 times the deterministic one.
//
// With the 5 s minimum and a voice call's bandwidth, a two-party call
// always lands on the minimum: a report every 2.05 to 6.16 s, and the
// first one after 1.03 to 3.08 s (the minimum halves with Initial). Timer reconsideration and
// reverse reconsideration matter only when membership changes fast, which
// a two-party leg does not; callers simply schedule the next report after
// sending one.
func Interval(p IntervalParams, rnd float64) time.Duration {
	bw := p.Bandwidth
	if bw <= 0 {
		bw = 10000
	}
	bw *= 0.05
	size := p.AvgSize
	if size <= 0 {
		size = 100
	}
	tmin := minInterval
	if p.Initial {
		tmin /= 2
	}
	n := float64(max(p.Members, 1))
	senders := float64(max(p.Senders, 0))
	if senders <= n*0.25 {
		if p.WeSent {
			bw *= 0.25
			n = max(senders, 1)
		} else {
			bw *= 0.75
			n = max(n-senders, 1)
		}
	}
	t := max(size*n/bw, tmin)
	rnd = min(max(rnd, 0), 1)
	t = t * (rnd + 0.5) / compensation
	return time.Duration(t * float64(time.Second))
}
