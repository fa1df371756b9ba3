package acd

import "errors"

// Errors returned by the Engine, wrapped with the agent, call or queue they
// concern; test with errors.Is.
var (
	// ErrInvalidConfig: New was given a configuration that fails
	// validation; the *ConfigError names the field.
	ErrInvalidConfig = errors.New("acd: invalid configuration")
	// ErrUnknownAgent, ErrUnknownQueue, ErrUnknownCall: an event names
	// something the engine does not know (or no longer knows: a call that
	// ended).
	ErrUnknownAgent = errors.New("acd: unknown agent")
	ErrUnknownQueue = errors.New("acd: unknown queue")
	ErrUnknownCall  = errors.New("acd: unknown call")
	// ErrDuplicateCall: CallerEntered with a CallID already in a queue.
	ErrDuplicateCall = errors.New("acd: call already queued")
	// ErrRefused: the agent's status does not allow the action (see
	// the transition table in agent.go), e.g. unpausing an agent who is
	// not paused, or logging out an agent on a call.
	ErrRefused = errors.New("acd: refused in this status")
	// ErrUnknownPauseReason: Pause with a reason that is not configured.
	ErrUnknownPauseReason = errors.New("acd: unknown pause reason")
	// ErrWrongCallState: the call is not in a state where the event makes
	// sense (answering a call that is not ringing that agent, ending a
	// call that was not answered).
	ErrWrongCallState = errors.New("acd: event does not fit the call's state")
)
