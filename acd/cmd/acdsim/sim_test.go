package main

import (
	"reflect"
	"testing"
	"time"

	"deskline/acd"
)

func TestRunIsStablePerSeed(t *testing.T) {
	o := simOpts{Agents: 13, Rate: 200, AHT: 3 * time.Minute, Patience: 0, Hours: 2, Seed: 7, Strategy: acd.Random, SL: 20 * time.Second}
	a, err := run(o)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := run(o)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("same seed, different summaries:\n%+v\n%+v", a, b)
	}
	if a.Offered < 300 || a.Offered > 500 || a.Handled != a.Offered || a.Abandoned != 0 {
		t.Errorf("2 h at 200/h with patient callers: %+v", a)
	}
	o.Seed = 8
	if c, _ := run(o); reflect.DeepEqual(a, c) {
		t.Errorf("seeds 7 and 8 gave the same summary")
	}
}

func TestRunWithAbandons(t *testing.T) {
	s, err := run(simOpts{Agents: 5, Rate: 200, AHT: 3 * time.Minute, Patience: time.Minute, WrapUp: 10 * time.Second, Hours: 1, Seed: 1, Strategy: acd.LongestIdle, SL: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if s.Abandoned == 0 || s.Handled+s.Abandoned != s.Offered {
		t.Errorf("overloaded queue: %+v; want abandons and handled+abandoned = offered", s)
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	if _, err := run(simOpts{Agents: 0, Rate: 1, AHT: time.Second, Hours: 1, Strategy: acd.Linear}); err == nil {
		t.Error("run accepted -agents 0")
	}
	if _, err := run(simOpts{Agents: 1, Rate: 1, AHT: time.Second, Hours: 1, Strategy: "nope"}); err == nil {
		t.Error("run accepted an unknown strategy")
	}
}
