package appliance

import (
	"context"
	"strconv"
	"sync"
	"time"

	"deskline/acd"
	"deskline/webui"
)

// QueueStatsSince implements webui.ACDDailyStats: a queue's live picture
// with its counters taken from the queue log since a time (local midnight
// for the dashboard), so "today's" figures survive a restart. Each event
// counts on the day it happened (a caller who entered before midnight and
// was answered after counts as handled today, not as offered). AvgHandle
// here is talk time only (the queue log has no wrap-up).
func (b acdBackend) QueueStatsSince(ctx context.Context, name string, since time.Time) (webui.QueueStats, error) {
	st, ok := b.cc().queueStats(name)
	if !ok {
		return webui.QueueStats{}, notFound("queue", name)
	}
	q, ok := b.cc().snapshot().queues[name]
	if !ok {
		return webui.QueueStats{}, notFound("queue", name)
	}
	counts, err := b.a.daily.counts(b.cc(), since)
	if err != nil {
		return webui.QueueStats{}, err
	}
	c := counts[name]
	st.Offered, st.Handled, st.Abandoned, st.TimedOut = c.offered, c.handled, c.abandoned, c.timedOut
	st.ExitedEmpty, st.ExitedWithKey, st.Rejected = c.exitedEmpty, c.exitedKey, 0
	st.AvgWait, st.AvgHandle, st.ServiceLevel = 0, 0, 0
	if c.handled > 0 {
		st.AvgWait = time.Duration(c.waitSum/float64(c.handled)) * time.Second
	}
	if c.completed > 0 {
		st.AvgHandle = time.Duration(c.talkSum/float64(c.completed)) * time.Second
	}
	if left := c.handled + c.abandoned + c.timedOut + c.exitedEmpty + c.exitedKey; left > 0 {
		within := 0
		for _, w := range c.waits {
			if time.Duration(w*float64(time.Second)) <= q.ServiceLevel {
				within++
			}
		}
		st.ServiceLevel = 100 * float64(within) / float64(left)
	}
	return queueStatsView(st), nil
}

// dayCounts are one queue's counters read from the queue log.
type dayCounts struct {
	offered, handled, abandoned, timedOut, exitedEmpty, exitedKey, completed int
	waitSum, talkSum                                                         float64
	waits                                                                    []float64 // of answered callers, seconds
}

// dailyCounts caches the counters of every queue since a time for a
// second: the dashboard asks for each queue every 500 ms.
type dailyCounts struct {
	mu    sync.Mutex
	since time.Time
	at    time.Time
	m     map[string]*dayCounts
}

func (d *dailyCounts) counts(cc *contactCentre, since time.Time) (map[string]dayCounts, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := time.Now()
	if d.m == nil || !d.since.Equal(since) || now.Sub(d.at) > time.Second {
		evs, err := cc.queueLog(since, time.Time{})
		if err != nil {
			return nil, err
		}
		d.m, d.since, d.at = tally(evs), since, now
	}
	out := make(map[string]dayCounts, len(d.m))
	for k, v := range d.m {
		out[k] = *v
	}
	return out, nil
}

// tally counts queue log events per queue, as Asterisk reports read
// queue_log: a caller's fate is the event that ends its wait.
func tally(evs []acd.QueueLogEvent) map[string]*dayCounts {
	m := map[string]*dayCounts{}
	num := func(e acd.QueueLogEvent, i int) float64 {
		if i >= len(e.Data) {
			return 0
		}
		f, _ := strconv.ParseFloat(e.Data[i], 64)
		return f
	}
	for _, e := range evs {
		c := m[e.Queue]
		if c == nil {
			c = &dayCounts{}
			m[e.Queue] = c
		}
		switch e.Event {
		case acd.EvEnterQueue:
			c.offered++
		case acd.EvConnect:
			c.handled++
			w := num(e, 0)
			c.waitSum += w
			c.waits = append(c.waits, w)
		case acd.EvCompleteCaller, acd.EvCompleteAgent:
			c.completed++
			c.talkSum += num(e, 1)
		case acd.EvAbandon:
			c.abandoned++
		case acd.EvExitTimeout:
			c.timedOut++
		case acd.EvExitEmpty:
			c.exitedEmpty++
		case acd.EvExitKey:
			c.exitedKey++
		}
	}
	return m
}
