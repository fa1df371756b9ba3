package acd

import (
	"fmt"
	"time"
)

// Status is an agent's status, the same in every queue the agent serves.
type Status uint8

const (
	LoggedOut Status = iota
	Available        // logged in, waiting for a call
	Ringing          // offered a caller
	OnCall           // talking to a queue caller
	WrapUp           // after a call; counts down, may be ended early
	Paused           // with a reason
	numStatus
)

var statusNames = [numStatus]string{"logged-out", "available", "ringing", "on-call", "wrap-up", "paused"}

func (s Status) String() string {
	if s < numStatus {
		return statusNames[s]
	}
	return fmt.Sprintf("Status(%d)", s)
}

// agentEvent is an input of the agent state machine.
type agentEvent uint8

const (
	evLogin agentEvent = iota
	evLogout
	evPause
	evUnpause
	evOffer     // the engine rings the agent
	evNoAnswer  // the offer ended without answer (timeout, declined, caller left, another agent won)
	evAnswer    // the agent answered
	evHangup    // the queue call ended or was transferred
	evEndWrapUp // the countdown ran out or the agent/supervisor ended it
	numEvents
)

var eventNames = [numEvents]string{"login", "logout", "pause", "unpause", "offer", "no-answer", "answer", "hangup", "end-wrap-up"}

func (e agentEvent) String() string { return eventNames[e] }

// refuse marks a transition that is not allowed.
const refuse Status = 255

// transitions is the agent state machine: transitions[from][event] is the
// status after the event, or refuse. Two transitions have side effects the
// engine carries out: pause while on a call keeps the agent on the call and
// records a pending pause, applied when wrap-up ends; unpause while on a
// call cancels it.
var transitions = [numStatus][numEvents]Status{
	//           login     logout     pause   unpause    offer    no-answer  answer  hangup  end-wrap-up
	LoggedOut: {Available, refuse, refuse, refuse, refuse, refuse, refuse, refuse, refuse},
	Available: {refuse, LoggedOut, Paused, refuse, Ringing, refuse, refuse, refuse, refuse},
	Ringing:   {refuse, LoggedOut, Paused, refuse, refuse, Available, OnCall, refuse, refuse},
	OnCall:    {refuse, refuse, OnCall, OnCall, refuse, refuse, refuse, WrapUp, refuse},
	WrapUp:    {refuse, LoggedOut, Paused, refuse, refuse, refuse, refuse, refuse, Available},
	Paused:    {refuse, LoggedOut, Paused, Available, refuse, refuse, refuse, refuse, refuse},
}

// transition returns the status after ev, or an error wrapping ErrRefused.
func transition(from Status, ev agentEvent) (Status, error) {
	if from >= numStatus || ev >= numEvents {
		return from, fmt.Errorf("%w: %v in status %v", ErrRefused, ev, from)
	}
	to := transitions[from][ev]
	if to == refuse {
		return from, fmt.Errorf("%w: %v in status %v", ErrRefused, ev, from)
	}
	return to, nil
}

// AgentState is a snapshot of one agent, for the panel and for tests.
type AgentState struct {
	ID       AgentID
	Name     string
	Status   Status
	Since    time.Time     // when Status began
	InStatus time.Duration // now − Since
	// Reason of the current pause (Paused), or of the pause pending
	// after the current call (PendingPause).
	Reason       string
	PendingPause bool
	// WrapUpLeft is the countdown of WrapUp.
	WrapUpLeft time.Duration
	Busy       bool   // the phone is on a call appliance reported
	Device     string // where the agent logged in
	Call       CallID // ringing or connected call, if any
	Queues     []string
}

// PauseInterval is one closed stretch of pause with one reason. Changing
// the reason while paused closes one interval and opens the next.
type PauseInterval struct {
	Agent      AgentID
	Reason     string
	Start, End time.Time
}
