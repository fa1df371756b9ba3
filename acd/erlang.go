package acd

import (
	"math"
	"time"
)

// ErlangC is the probability that a caller has to wait, for agents
// serving traffic erlangs (arrival rate × average handle time) with
// patient callers. It is 1 when agents ≤ traffic (the queue grows without
// bound) and 0 for no traffic.
func ErlangC(agents int, traffic float64) float64 {
	if traffic <= 0 {
		return 0
	}
	n := float64(agents)
	if n <= traffic {
		return 1
	}
	// Erlang B by its recurrence, stable for large agent counts.
	b := 1.0
	for k := 1; k <= agents; k++ {
		b = traffic * b / (float64(k) + traffic*b)
	}
	return n * b / (n - traffic*(1-b))
}

// ErlangServiceLevel is the predicted fraction of callers answered within
// target by agents for traffic erlangs of average handle time aht.
func ErlangServiceLevel(agents int, traffic float64, aht, target time.Duration) float64 {
	c := ErlangC(agents, traffic)
	if c >= 1 {
		return 0
	}
	return 1 - c*math.Exp(-(float64(agents)-traffic)*target.Seconds()/aht.Seconds())
}

// ErlangASA is the predicted average speed of answer (average wait of all
// callers); -1 when the queue grows without bound.
func ErlangASA(agents int, traffic float64, aht time.Duration) time.Duration {
	c := ErlangC(agents, traffic)
	if traffic > 0 && float64(agents) <= traffic {
		return -1
	}
	return time.Duration(c * aht.Seconds() / (float64(agents) - traffic) * float64(time.Second))
}
