package appliance

import (
	"errors"
	"strings"
	"sync"
	"time"

	"deskline/acd"
	"deskline/appliance/sip"
	"deskline/media"
	"deskline/media/prompt"
)

// queueEvents is what the call side reports to the contact centre (the
// engine's host): one method per event of a caller in a queue.
type queueEvents interface {
	callerState(queue string, id acd.CallID) (acd.CallerState, bool)
	queueStats(name string) (acd.QueueStats, bool)
	callerEntered(in acd.Caller) error
	callerAbandoned(id acd.CallID) error
	agentAnswered(id acd.CallID, agent acd.AgentID) error
	agentNoAnswer(id acd.CallID, agent acd.AgentID) error
	callEnded(id acd.CallID, by acd.Hangup) error
}

// queueCalls carries out the contact centre's decisions on calls: it is the
// engine's executor. Each caller in a queue is a service channel of the box;
// agents are rung with SIP offers and the first to answer is put through.
type queueCalls struct {
	a      *Appliance
	events queueEvents

	mu    sync.Mutex
	calls map[acd.CallID]*queueCall

	// When waiting callers hear their position: first soon after they
	// enter, then at this interval.
	announceFirst, announceEvery time.Duration
}

// queueCall is one caller waiting in (or put through from) a queue.
type queueCall struct {
	ch    *sip.Channel
	id    acd.CallID
	music *media.Feed

	mu        sync.Mutex
	offers    map[acd.AgentID]*sip.Offer
	bridged   bool
	agent     acd.AgentID
	announce  *media.Feed    // the position announcement playing over the music, if any
	out       chan queueExit // the engine sent the caller away
	connected chan struct{}  // closed when put through to an agent
}

// queueExit is why and where a caller leaves a queue without an agent.
type queueExit struct {
	kind acd.ActionKind
	dest string
}

func newQueueCalls(a *Appliance, events queueEvents) *queueCalls {
	return &queueCalls{a: a, events: events, calls: map[acd.CallID]*queueCall{},
		announceFirst: 5 * time.Second, announceEvery: 30 * time.Second}
}

// offerSlack lets the engine's own ring timeout (which sends StopRinging
// and logs RINGNOANSWER) fire before the offer gives up by itself.
const offerSlack = 5 * time.Second

// execute carries out the engine's actions, in order.
func (q *queueCalls) execute(actions []acd.Action) {
	for _, act := range actions {
		q.mu.Lock()
		qc := q.calls[act.Call]
		q.mu.Unlock()
		if qc == nil {
			q.a.log.Debug("acd action for a call no longer here", "action", act.Kind, "call", act.Call)
			continue
		}
		switch act.Kind {
		case acd.Ring:
			q.ring(qc, act)
		case acd.StopRinging:
			qc.withdraw(act.Agent)
		case acd.Bridge:
			q.bridge(qc, act.Agent)
		case acd.CallerTimeout, acd.ExitEmpty, acd.Reject:
			select {
			case qc.out <- queueExit{kind: act.Kind, dest: act.Dest}:
			default:
			}
		}
	}
}

// announce tells a waiting caller its position and, once the queue has a
// history to go by, the expected wait, over the music (which carries on
// underneath and is heard again when the announcement ends).
func (q *queueCalls) announce(qc *queueCall, queue string) {
	st, ok := q.events.callerState(queue, qc.id)
	if !ok || len(st.Ringing) > 0 {
		return // put through, or an agent's phone rings for it right now
	}
	names := append([]string{"you-are-caller-number"}, prompt.SayNumber(int64(st.Position))...)
	if qs, ok := q.events.queueStats(queue); ok && qs.AvgHandle > 0 {
		agents := max(qs.LoggedIn-qs.Paused, 1)
		ewt := qs.AvgHandle * time.Duration(st.Position) / time.Duration(agents)
		names = append(append(names, "estimated-hold-time"), prompt.SayDuration(ewt)...)
	}
	names = append(names, "thank-you-for-holding")
	p, err := q.a.prompts.Player(names...)
	if err != nil {
		q.a.log.Warn("queue announcement unusable", "err", err)
		return
	}
	qc.mu.Lock()
	defer qc.mu.Unlock()
	if qc.bridged {
		return
	}
	if qc.announce != nil {
		qc.announce.Stop()
	}
	qc.announce = qc.ch.PlayBackground(playback(p))
}

// ring offers the caller to an agent's phone.
func (q *queueCalls) ring(qc *queueCall, act acd.Action) {
	agent := act.Agent
	o, err := qc.ch.Offer(act.Device, act.Timeout+offerSlack, func(o *sip.Offer, err error) {
		if err == nil {
			q.report(q.events.agentAnswered(qc.id, agent), "agent answered", qc.id)
			return
		}
		qc.mu.Lock()
		delete(qc.offers, agent)
		qc.mu.Unlock()
		if errors.Is(err, sip.ErrCancelled) || errors.Is(err, sip.ErrHungUp) {
			return // the engine or the caller ended it: nothing to report
		}
		q.report(q.events.agentNoAnswer(qc.id, agent), "agent did not answer", qc.id)
	})
	if err != nil {
		// Not registered, or busy with another call: the agent did not
		// take the offer. Reported off this goroutine: the engine's
		// lock may be held by whoever is executing these actions.
		go func() { q.report(q.events.agentNoAnswer(qc.id, agent), "agent unreachable", qc.id) }()
		return
	}
	qc.mu.Lock()
	qc.offers[agent] = o
	qc.mu.Unlock()
}

// withdraw stops ringing an agent for this caller.
func (qc *queueCall) withdraw(agent acd.AgentID) {
	qc.mu.Lock()
	o := qc.offers[agent]
	delete(qc.offers, agent)
	qc.mu.Unlock()
	if o != nil {
		o.Cancel()
	}
}

// bridge puts the caller through to the agent whose phone answered.
func (q *queueCalls) bridge(qc *queueCall, agent acd.AgentID) {
	qc.mu.Lock()
	o := qc.offers[agent]
	delete(qc.offers, agent)
	others := qc.offers
	qc.offers = map[acd.AgentID]*sip.Offer{}
	qc.mu.Unlock()
	for _, x := range others {
		x.Cancel()
	}
	if o == nil {
		return
	}
	qc.stopSounds() // before the relay, or they would cover the agent
	if err := o.Accept(); err != nil {
		q.a.log.Warn("queue caller not put through", "call", qc.id, "agent", agent, "err", err)
		return
	}
	qc.mu.Lock()
	qc.bridged, qc.agent = true, agent
	qc.mu.Unlock()
	close(qc.connected)
}

func (q *queueCalls) report(err error, what string, id acd.CallID) {
	if err != nil {
		q.a.log.Debug("acd event refused", "event", what, "call", id, "err", err)
	}
}

// run is the queue service: the caller enters queue name, hears music
// while the engine offers it to agents, and is put through, sent away, or
// leaves by hanging up.
func (q *queueCalls) run(ch *sip.Channel, queue string) error {
	qc := &queueCall{ch: ch, id: acd.CallID(ch.ID()), offers: map[acd.AgentID]*sip.Offer{},
		out: make(chan queueExit, 1), connected: make(chan struct{})}
	q.mu.Lock()
	q.calls[qc.id] = qc
	q.mu.Unlock()
	defer func() {
		q.mu.Lock()
		delete(q.calls, qc.id)
		q.mu.Unlock()
	}()
	qc.music = ch.PlayBackground(q.a.musicOnHold())
	if err := q.events.callerEntered(acd.Caller{Call: qc.id, Queue: queue, CallerID: ch.Caller()}); err != nil {
		if qc.music != nil {
			qc.music.Stop()
		}
		q.a.log.Warn("queue refused the caller", "queue", queue, "err", err)
		return q.a.say(ch, "all-agents-busy", "goodbye")
	}
	first := time.NewTimer(q.announceFirst)
	defer first.Stop()
	every := time.NewTicker(q.announceEvery)
	defer every.Stop()
	for {
		select {
		case <-first.C:
			q.announce(qc, queue)
		case <-every.C:
			q.announce(qc, queue)
		case <-qc.connected:
			// Put through: wait for the call to end, and tell the engine who
			// ended it (wrap-up starts then).
			<-ch.Context().Done()
			by := acd.ByCaller
			if ch.EndedBy() == "callee" {
				by = acd.ByAgent
			}
			q.report(q.events.callEnded(qc.id, by), "call ended", qc.id)
			return nil
		case ex := <-qc.out:
			qc.stopSounds()
			for _, o := range qc.takeOffers() {
				o.Cancel()
			}
			q.a.log.Info("caller left the queue", "queue", queue, "why", ex.kind, "to", ex.dest)
			if ex.dest != "" {
				if err := q.a.sendTo(ch, ex.dest); err == nil {
					return nil
				}
			}
			return q.a.say(ch, "all-agents-busy", "goodbye")
		case <-ch.Context().Done():
			for _, o := range qc.takeOffers() {
				o.Cancel()
			}
			if err := q.events.callerAbandoned(qc.id); err != nil {
				// An agent answered as the caller hung up: for the engine
				// the call was connected; it ends now, freeing the agent.
				q.report(q.events.callEnded(qc.id, acd.ByCaller), "call ended as it connected", qc.id)
			}
			return sip.ErrHungUp
		}
	}
}

// stopSounds ends the music and any announcement the caller hears.
func (qc *queueCall) stopSounds() {
	qc.mu.Lock()
	defer qc.mu.Unlock()
	if qc.music != nil {
		qc.music.Stop()
	}
	if qc.announce != nil {
		qc.announce.Stop()
	}
}

func (qc *queueCall) takeOffers() []*sip.Offer {
	qc.mu.Lock()
	defer qc.mu.Unlock()
	var out []*sip.Offer
	for _, o := range qc.offers {
		out = append(out, o)
	}
	qc.offers = map[acd.AgentID]*sip.Offer{}
	return out
}

// sendTo follows a queue's exit destination: an extension's number is
// rung, "voicemail:EXT" takes a message.
func (a *Appliance) sendTo(ch *sip.Channel, dest string) error {
	if box, ok := strings.CutPrefix(dest, "voicemail:"); ok {
		return a.leaveVoicemailFor(ch, box)
	}
	if (directory{exts: a.exts}).exists(dest) {
		return ch.Connect(dest, defaultRing, nil)
	}
	return errors.New("unknown destination " + dest)
}
