// Package acd is the automatic call distributor: queues, agents and routing as
// a deterministic engine with an injected clock — strategies, skills and
// penalties, wrap-up, pauses, profiles, timings, teams, callbacks, statistics,
// queue log events and supervisor actions.
//
// Imports: nothing of Deskline's. Importers: appliance (which executes its
// decisions), ivr (agent actions) and webui (read-only types).
//
// # What is built
//
// This first slice is the engine: agents (number, name, PIN, skills, a
// wrap-up override) with a status state machine (see the transition table in
// agent.go), queues with settings and members (penalty, configured order),
// admin-defined pause reasons, eight routing strategies behind Strategy, the
// queue log in Asterisk's queue_log format, and live statistics. Profiles,
// teams, callbacks, announcements and supervisor actions beyond pause, end of
// wrap-up and membership come later.
//
// # Driving the engine
//
// New validates a Config and returns an Engine with every agent logged out.
// appliance then reports what happens, one method per event:
//
//	CallerEntered, CallerAbandoned, CallerExitWithKey     a caller
//	AgentAnswered, AgentNoAnswer                          an offer
//	CallEnded, CallTransferred                            a connected call
//	Login, Logout, Pause, Unpause, EndWrapUp              an agent (or a supervisor for them)
//	AgentBusy, AgentIdle                                  the agent's phone
//	AddMember, RemoveMember                               membership at run time
//	Reconfigure                                           a new Config, calls carrying on
//	Tick                                                  time passed (at NextDeadline)
//
// and reads it back for the panel: Agent, Agents, Callers, QueueStats,
// Queues.
//
// Each method reads the Clock, first handles whatever fell due (ring
// timeouts, retry delays, tier widening, maximum waits, wrap-up ends) at the
// instant it fell due, then its event, and returns an Output: Actions for
// appliance to carry out in order (Ring, StopRinging, Bridge,
// CallerTimeout, ExitEmpty, Reject), QueueLogEvents to append,
// PauseIntervals that closed, and the agents whose state changed. A refused
// event returns an error (see errors.go) and changes nothing of that event,
// though due timers still fire.
//
// The engine has no goroutines and no timers; it is not safe for concurrent
// use. appliance owns it from one goroutine (or behind one mutex) and arms a
// single timer at NextDeadline.
//
// # Rules worth knowing
//
// Status is per agent, not per queue: an agent ringing, talking or in
// wrap-up for one queue is not offered by any other. Wrap-up is a visible
// status with a countdown (AgentState.WrapUpLeft) that EndWrapUp cuts short.
// A pause asked during a call is pending and begins when wrap-up ends. Pauses
// are timed intervals: changing the reason closes one interval and opens the
// next. An agent whose phone is busy with another call (AgentBusy) is not
// offered callers unless the queue rings in use.
//
// When an agent becomes free, its queues with waiting callers are served
// heaviest first, then (FairAcrossQueues) the one whose caller waited
// longest, else in configuration order. A caller entering a queue is offered
// at once to a free member even if a heavier queue of that member has a
// caller in its retry delay.
//
// A queue is empty when no member is logged in and unpaused: without
// JoinWhenEmpty callers are then rejected, with LeaveWhenEmpty waiting
// callers are sent out.
//
// Cost: a status change touches the counters of the agent's own queues; a
// routing decision looks at the members and waiting callers of the queues
// concerned, never at every queue × member (BenchmarkRoute1000Agents).
//
// # Beside the engine
//
// ErlangC, ErlangServiceLevel and ErlangASA predict a queue for staffing;
// cmd/acdsim runs the engine through simulated hours of calls and compares.
// acdtest holds the fake clock and the strategy conformance suite.
package acd
