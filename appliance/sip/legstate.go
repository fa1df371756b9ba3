package sip

import "fmt"

// LegState is where one call leg is in its life. A leg only moves along the
// transitions in legTransitions; anything else is a bug in call control and is
// refused (and logged) rather than silently applied.
type LegState uint8

const (
	LegIdle        LegState = iota // created, nothing sent or answered yet
	LegTrying                      // INVITE received (caller) or sent (callee)
	LegRinging                     // the callee's phone rings (180/183 seen)
	LegAnswered                    // 200 OK sent or received, ACK pending
	LegEstablished                 // ACK seen: media flows
	LegTerminating                 // BYE or CANCEL under way
	LegTerminated                  // final: the leg is gone
)

var legStateNames = [...]string{"idle", "trying", "ringing", "answered", "established", "terminating", "terminated"}

func (s LegState) String() string {
	if int(s) < len(legStateNames) {
		return legStateNames[s]
	}
	return fmt.Sprintf("LegState(%d)", s)
}

// legTransitions is the whole state machine of a leg.
var legTransitions = map[LegState][]LegState{
	LegIdle:        {LegTrying, LegTerminated},
	LegTrying:      {LegRinging, LegAnswered, LegTerminating, LegTerminated},
	LegRinging:     {LegAnswered, LegTerminating, LegTerminated},
	LegAnswered:    {LegEstablished, LegTerminating, LegTerminated},
	LegEstablished: {LegTerminating, LegTerminated},
	LegTerminating: {LegTerminated},
	LegTerminated:  {},
}

// canMove reports whether a leg may go from one state to another. Staying in
// the same state (a retransmitted 180, say) is always allowed and is a no-op.
func canMove(from, to LegState) bool {
	if from == to {
		return true
	}
	for _, s := range legTransitions[from] {
		if s == to {
			return true
		}
	}
	return false
}
