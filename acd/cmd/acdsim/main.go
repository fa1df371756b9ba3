// Command acdsim runs one queue of the acd engine through simulated hours of
// calls — Poisson arrivals, exponential handle times and patience — and
// prints a JSON summary: what the engine measured beside what Erlang C
// predicts for patient callers. The same flags and seed give the same
// summary.
//
//	go run ./acd/cmd/acdsim -agents 13 -rate 200 -aht 3m -hours 8 -seed 1
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	var o simOpts
	flag.IntVar(&o.Agents, "agents", 13, "agents logged in")
	flag.Float64Var(&o.Rate, "rate", 200, "calls per hour")
	flag.DurationVar(&o.AHT, "aht", 3*time.Minute, "average talk time")
	flag.DurationVar(&o.Patience, "patience", 2*time.Minute, "average patience before abandoning; 0 means callers never abandon")
	flag.DurationVar(&o.WrapUp, "wrapup", 0, "wrap-up after each call")
	flag.Float64Var(&o.Hours, "hours", 8, "simulated hours of arrivals")
	flag.Uint64Var(&o.Seed, "seed", 1, "seed of arrivals, durations and the random strategy")
	flag.StringVar(&o.Strategy, "strategy", "longest-idle", "routing strategy")
	flag.DurationVar(&o.SL, "sl", 20*time.Second, "service-level threshold")
	flag.Parse()
	sum, err := run(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "acdsim:", err)
		os.Exit(2)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(sum); err != nil {
		fmt.Fprintln(os.Stderr, "acdsim:", err)
		os.Exit(1)
	}
}
