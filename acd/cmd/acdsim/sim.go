package main

import (
	"container/heap"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"deskline/acd"
	"deskline/acd/acdtest"
)

type simOpts struct {
	Agents   int
	Rate     float64 // calls per hour
	AHT      time.Duration
	Patience time.Duration
	WrapUp   time.Duration
	Hours    float64
	Seed     uint64
	Strategy string
	SL       time.Duration
}

// Summary is acdsim's output.
type Summary struct {
	Agents       int     `json:"agents"`
	Strategy     string  `json:"strategy"`
	Seed         uint64  `json:"seed"`
	Hours        float64 `json:"hours"`
	Offered      int     `json:"offered"`
	Handled      int     `json:"handled"`
	Abandoned    int     `json:"abandoned"`
	ServiceLevel float64 `json:"service_level_pct"`
	AvgWait      float64 `json:"avg_wait_answered_s"`
	AvgHandle    float64 `json:"avg_handle_s"`
	Occupancy    float64 `json:"occupancy_pct"`
	Erlang       struct {
		Traffic      float64 `json:"traffic_erlangs"`
		ProbWait     float64 `json:"prob_wait"`
		ServiceLevel float64 `json:"service_level_pct"`
		ASA          float64 `json:"asa_s"`
	} `json:"erlang_c"`
}

type evKind uint8

const (
	arrive evKind = iota
	abandon
	hangup
)

type simEvent struct {
	at   time.Time
	seq  int
	kind evKind
	call acd.CallID
}

type events []simEvent

func (h events) Len() int { return len(h) }
func (h events) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].seq < h[j].seq
}
func (h events) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *events) Push(x any)   { *h = append(*h, x.(simEvent)) }
func (h *events) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func run(o simOpts) (*Summary, error) {
	switch {
	case o.Agents <= 0:
		return nil, errors.New("-agents: must be positive")
	case o.Rate <= 0:
		return nil, errors.New("-rate: must be positive")
	case o.AHT <= 0:
		return nil, errors.New("-aht: must be positive")
	case o.Hours <= 0:
		return nil, errors.New("-hours: must be positive")
	case o.Patience < 0:
		return nil, errors.New("-patience: must not be negative")
	}
	cfg := acd.Config{Queues: []acd.QueueConfig{{Name: "sim", Strategy: o.Strategy, WrapUp: o.WrapUp, ServiceLevel: o.SL, JoinWhenEmpty: true}}}
	for i := range o.Agents {
		id := acd.AgentID(strconv.Itoa(1000 + i))
		cfg.Agents = append(cfg.Agents, acd.AgentConfig{ID: id, Name: "agent " + string(id)})
		cfg.Queues[0].Members = append(cfg.Queues[0].Members, acd.Member{Agent: id})
	}
	clk := acdtest.NewClock(time.Time{})
	e, err := acd.New(cfg, acd.Opts{Clock: clk, Seed: o.Seed})
	if err != nil {
		return nil, err
	}
	rnd := rand.New(rand.NewPCG(o.Seed, 0x5eed))
	exp := func(mean time.Duration) time.Duration { return time.Duration(rnd.ExpFloat64() * float64(mean)) }
	start := clk.Now()
	end := start.Add(time.Duration(o.Hours * float64(time.Hour)))
	meanGap := time.Duration(float64(time.Hour) / o.Rate)

	var evs events
	seq := 0
	push := func(at time.Time, k evKind, c acd.CallID) {
		seq++
		heap.Push(&evs, simEvent{at, seq, k, c})
	}
	answered := map[acd.CallID]bool{}
	var talk time.Duration
	// apply carries out the engine's actions: agents answer at once.
	var apply func(out acd.Output, err error) error
	apply = func(out acd.Output, err error) error {
		if err != nil {
			return err
		}
		for _, a := range out.Actions {
			if a.Kind != acd.Ring || answered[a.Call] {
				continue
			}
			answered[a.Call] = true
			d := exp(o.AHT)
			talk += d
			push(clk.Now().Add(d), hangup, a.Call)
			if err := apply(e.AgentAnswered(a.Call, a.Agent)); err != nil {
				return err
			}
		}
		return nil
	}
	for _, a := range cfg.Agents {
		if err := apply(e.Login(a.ID, "sim")); err != nil {
			return nil, err
		}
	}
	push(start.Add(exp(meanGap)), arrive, "")
	n := 0
	for {
		next, ok := e.NextDeadline()
		if len(evs) > 0 && (!ok || !evs[0].at.After(next)) {
			ev := heap.Pop(&evs).(simEvent)
			clk.Set(ev.at)
			switch ev.kind {
			case arrive:
				if ev.at.After(end) {
					continue
				}
				n++
				id := acd.CallID(fmt.Sprint("c", n))
				if err := apply(e.CallerEntered(acd.Caller{Call: id, Queue: "sim"})); err != nil {
					return nil, err
				}
				if o.Patience > 0 && !answered[id] {
					push(ev.at.Add(exp(o.Patience)), abandon, id)
				}
				push(ev.at.Add(exp(meanGap)), arrive, "")
			case abandon:
				if !answered[ev.call] {
					if err := apply(e.CallerAbandoned(ev.call)); err != nil {
						return nil, err
					}
				}
			case hangup:
				if err := apply(e.CallEnded(ev.call, acd.ByCaller)); err != nil {
					return nil, err
				}
			}
			continue
		}
		if !ok {
			break
		}
		clk.Set(next)
		if err := apply(e.Tick(), nil); err != nil {
			return nil, err
		}
	}
	st, _ := e.QueueStats("sim")
	s := &Summary{Agents: o.Agents, Strategy: o.Strategy, Seed: o.Seed, Hours: o.Hours,
		Offered: st.Offered, Handled: st.Handled, Abandoned: st.Abandoned,
		ServiceLevel: round(st.ServiceLevel), AvgWait: round(st.AvgWait.Seconds()), AvgHandle: round(st.AvgHandle.Seconds())}
	if span := clk.Now().Sub(start); span > 0 {
		s.Occupancy = round(100 * (talk + time.Duration(st.Handled)*o.WrapUp).Seconds() / (span.Seconds() * float64(o.Agents)))
	}
	traffic := o.Rate * (o.AHT + o.WrapUp).Hours()
	s.Erlang.Traffic = round(traffic)
	s.Erlang.ProbWait = round(acd.ErlangC(o.Agents, traffic))
	s.Erlang.ServiceLevel = round(100 * acd.ErlangServiceLevel(o.Agents, traffic, o.AHT+o.WrapUp, o.SL))
	s.Erlang.ASA = round(acd.ErlangASA(o.Agents, traffic, o.AHT+o.WrapUp).Seconds())
	return s, nil
}

func round(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }
