package acd_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"deskline/acd"
)

func validConfig() acd.Config {
	return acd.Config{
		Agents: []acd.AgentConfig{{ID: "201", Name: "Ana", PIN: "1234"}, {ID: "202", Name: "Bo"}},
		Queues: []acd.QueueConfig{
			{Name: "sales", Number: "600", Strategy: acd.LongestIdle, Members: []acd.Member{{Agent: "201"}, {Agent: "202", Penalty: 1}}},
			{Name: "support", Number: "601", Strategy: acd.RingAll},
		},
		PauseReasons: []acd.PauseReason{{Name: "Lunch"}, {Name: "Training"}},
	}
}

func TestValidate(t *testing.T) {
	neg := -time.Second
	tests := []struct {
		name   string
		change func(c *acd.Config)
		want   string // the error message; "" for valid
	}{
		{"valid", func(c *acd.Config) {}, ""},
		{"zero value", func(c *acd.Config) { *c = acd.Config{} }, ""},
		{"unknown strategy", func(c *acd.Config) { c.Queues[0].Strategy = "leastrecent" }, `queue "sales": strategy: unknown strategy "leastrecent"`},
		{"empty strategy", func(c *acd.Config) { c.Queues[1].Strategy = "" }, `queue "support": strategy: unknown strategy ""`},
		{"negative ring timeout", func(c *acd.Config) { c.Queues[0].RingTimeout = neg }, `queue "sales": ring_timeout: must not be negative`},
		{"negative retry", func(c *acd.Config) { c.Queues[0].RetryDelay = neg }, `queue "sales": retry_delay: must not be negative`},
		{"negative max wait", func(c *acd.Config) { c.Queues[1].MaxWait = neg }, `queue "support": max_wait: must not be negative`},
		{"negative wrap-up", func(c *acd.Config) { c.Queues[1].WrapUp = neg }, `queue "support": wrap_up: must not be negative`},
		{"negative service level", func(c *acd.Config) { c.Queues[1].ServiceLevel = neg }, `queue "support": service_level: must not be negative`},
		{"negative max len", func(c *acd.Config) { c.Queues[1].MaxLen = -1 }, `queue "support": max_len: must not be negative`},
		{"negative weight", func(c *acd.Config) { c.Queues[1].Weight = -1 }, `queue "support": weight: must not be negative`},
		{"negative auto-pause", func(c *acd.Config) { c.Queues[1].AutoPauseAfter = -1 }, `queue "support": auto_pause_after: must not be negative`},
		{"duplicate pause reason", func(c *acd.Config) { c.PauseReasons = append(c.PauseReasons, acd.PauseReason{Name: "LUNCH"}) },
			`pause_reasons[2]: name: "LUNCH" duplicates pause_reasons[0]`},
		{"empty pause reason", func(c *acd.Config) { c.PauseReasons[1].Name = " " }, `pause_reasons[1]: name: must not be empty`},
		{"long pause reason", func(c *acd.Config) { c.PauseReasons[1].Name = strings.Repeat("é", 256) }, `pause_reasons[1]: name: longer than 255 characters`},
		{"255-char pause reason", func(c *acd.Config) { c.PauseReasons[1].Name = strings.Repeat("é", 255) }, ""},
		{"pipe in pause reason", func(c *acd.Config) { c.PauseReasons[1].Name = "a|b" }, `pause_reasons[1]: name: must not contain '|'`},
		{"bad auto-pause reason", func(c *acd.Config) { c.AutoPauseReason = strings.Repeat("x", 300) }, `auto_pause_reason: longer than 255`},
		{"duplicate queue", func(c *acd.Config) { c.Queues[1].Name = "sales" }, `queue "sales": name: duplicate`},
		{"duplicate queue number", func(c *acd.Config) { c.Queues[1].Number = "600" }, `queue "support": number: 600 is used by another queue`},
		{"queue number not digits", func(c *acd.Config) { c.Queues[1].Number = "6a" }, `queue "support": number: must be digits`},
		{"empty queue name", func(c *acd.Config) { c.Queues[1].Name = "" }, `queues[1]: name: must not be empty`},
		{"unknown member", func(c *acd.Config) { c.Queues[1].Members = []acd.Member{{Agent: "299"}} }, `queue "support": members[0].agent: unknown agent "299"`},
		{"member twice", func(c *acd.Config) { c.Queues[0].Members[1].Agent = "201" }, `queue "sales": members[1].agent: agent "201" listed twice`},
		{"negative penalty", func(c *acd.Config) { c.Queues[0].Members[1].Penalty = -1 }, `queue "sales": members[1].penalty: must not be negative`},
		{"tiers out of order", func(c *acd.Config) {
			c.Queues[0].Tiers = []acd.Tier{{After: time.Minute, MaxPenalty: 1}, {After: time.Second, MaxPenalty: 2}}
		}, `queue "sales": tiers[1].after: tiers must be in increasing order`},
		{"negative tier", func(c *acd.Config) { c.Queues[0].Tiers = []acd.Tier{{After: neg}} }, `queue "sales": tiers[0].after: must not be negative`},
		{"agent id not digits", func(c *acd.Config) { c.Agents[1].ID = "bo" }, `agent "bo": id: must be digits`},
		{"duplicate agent", func(c *acd.Config) { c.Agents[1].ID = "201" }, `agent "201": id: duplicate`},
		{"agent without name", func(c *acd.Config) { c.Agents[1].Name = "" }, `agent "202": name: must not be empty`},
		{"bad pin", func(c *acd.Config) { c.Agents[0].PIN = "12ab" }, `agent "201": pin: must be digits`},
		{"skill level", func(c *acd.Config) { c.Agents[0].Skills = map[string]int{"fr": 101} }, `agent "201": skills: fr: level 101 outside 0..100`},
		{"agent wrap-up", func(c *acd.Config) { c.Agents[0].WrapUp = &neg }, `agent "201": wrap_up: must not be negative`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig()
			tt.change(&c)
			err := c.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "acd: "+tt.want) {
				t.Fatalf("Validate() = %v, want %q", err, "acd: "+tt.want)
			}
			if !errors.Is(err, acd.ErrInvalidConfig) {
				t.Errorf("Validate() = %v, does not match ErrInvalidConfig", err)
			}
			if _, err := acd.New(c, acd.Opts{}); err == nil {
				t.Errorf("New accepted what Validate refused")
			}
		})
	}
}

func TestNewAcceptsCustomStrategy(t *testing.T) {
	c := validConfig()
	c.Queues[0].Strategy = "mine"
	if _, err := acd.New(c, acd.Opts{}); err == nil {
		t.Fatal("New accepted unknown strategy mine")
	}
	_, err := acd.New(c, acd.Opts{Strategies: map[string]acd.StrategyFactory{"mine": func() acd.Strategy { return acd.NewStrategy(acd.Linear) }}})
	if err != nil {
		t.Fatalf("New with Opts.Strategies[mine] = %v", err)
	}
}
