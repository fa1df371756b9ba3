package appliance

import (
	"errors"
	"strings"
	"sync"
	"time"

	"deskline/acd"
	"deskline/appliance/sip"
	"deskline/media"
)

// queueEvents is what the call side reports to the contact centre (the
// engine's host): one method per event of a caller in a queue.
type queueEvents interface {
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
	out       chan queueExit // the engine sent the caller away
	connected chan struct{}  // closed when put through to an agent
}

// queueExit is why and where a caller leaves a queue without an agent.
type queueExit struct {
	kind acd.ActionKind
	dest string
}

func newQueueCalls(a *Appliance, events queueEvents) *queueCalls {
	return &queueCalls{a: a, events: events, calls: map[acd.CallID]*queueCall{}}
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
	if qc.music != nil {
		qc.music.Stop() // before the relay, or the music would cover the agent
	}
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
	select {
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
		if qc.music != nil {
			qc.music.Stop()
		}
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
		q.report(q.events.callerAbandoned(qc.id), "caller abandoned", qc.id)
		return sip.ErrHungUp
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
