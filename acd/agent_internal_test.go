package acd

import (
	"errors"
	"testing"
)

// TestTransitionTable checks every (status, event) pair of the agent state
// machine against the allowed transitions written out here independently of
// the table in agent.go: each allowed one gives its status, every other pair
// is refused with ErrRefused.
func TestTransitionTable(t *testing.T) {
	allowed := map[Status]map[agentEvent]Status{
		LoggedOut: {evLogin: Available},
		Available: {evLogout: LoggedOut, evPause: Paused, evOffer: Ringing},
		Ringing:   {evLogout: LoggedOut, evPause: Paused, evNoAnswer: Available, evAnswer: OnCall},
		OnCall:    {evPause: OnCall, evUnpause: OnCall, evHangup: WrapUp},
		WrapUp:    {evLogout: LoggedOut, evPause: Paused, evEndWrapUp: Available},
		Paused:    {evLogout: LoggedOut, evPause: Paused, evUnpause: Available},
	}
	n := 0
	for from := range numStatus {
		for ev := range numEvents {
			got, err := transition(from, ev)
			want, ok := allowed[from][ev]
			switch {
			case ok && err != nil:
				t.Errorf("transition(%v, %v) = error %v, want %v", from, ev, err, want)
			case ok && got != want:
				t.Errorf("transition(%v, %v) = %v, want %v", from, ev, got, want)
			case !ok && !errors.Is(err, ErrRefused):
				t.Errorf("transition(%v, %v) = %v, %v; want ErrRefused", from, ev, got, err)
			case !ok && got != from:
				t.Errorf("refused transition(%v, %v) moved the agent to %v", from, ev, got)
			}
			n++
		}
	}
	if n != 6*9 {
		t.Errorf("checked %d pairs, want 54", n)
	}
	if _, err := transition(numStatus, evLogin); !errors.Is(err, ErrRefused) {
		t.Errorf("transition(out of range) = %v, want ErrRefused", err)
	}
}

func TestStatusString(t *testing.T) {
	for s, want := range map[Status]string{LoggedOut: "logged-out", Available: "available", Ringing: "ringing",
		OnCall: "on-call", WrapUp: "wrap-up", Paused: "paused", Status(99): "Status(99)"} {
		if got := s.String(); got != want {
			t.Errorf("Status(%d).String() = %q, want %q", s, got, want)
		}
	}
}
