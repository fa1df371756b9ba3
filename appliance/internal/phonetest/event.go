package phonetest

import (
	"encoding/json"
	"fmt"
	"slices"
)

// Event types that baresip 1.0.0 sends over ctrl_tcp (the "type" field).
const (
	EventRegistering     = "REGISTERING"      // REGISTER sent
	EventRegisterOK      = "REGISTER_OK"      // Param: status line, e.g. "200 OK"
	EventRegisterFail    = "REGISTER_FAIL"    // Param/Reason: why, e.g. "Connection refused"
	EventCallIncoming    = "CALL_INCOMING"    // only when the account does not auto-answer
	EventCallRinging     = "CALL_RINGING"     // caller side, on 180 without SDP
	EventCallProgress    = "CALL_PROGRESS"    // caller side, on 180/183 with SDP (early media)
	EventCallEstablished = "CALL_ESTABLISHED" // both sides
	EventCallClosed      = "CALL_CLOSED"      // Param/Reason: e.g. "Connection reset by peer"
	EventCallRTPEstab    = "CALL_RTPESTAB"    // first RTP received
	EventCallRTCP        = "CALL_RTCP"        // RTCP report; stats only in Raw
	EventCallLocalSDP    = "CALL_LOCAL_SDP"   // Param: "offer" or "answer"
	EventCallRemoteSDP   = "CALL_REMOTE_SDP"  // Param: "offer" or "answer"
	EventDTMFStart       = "CALL_DTMF_START"  // Param/Digit: the digit received
	EventDTMFEnd         = "CALL_DTMF_END"    // no digit
	EventAudioError      = "AUDIO_ERROR"      // Param e.g. "0,end of file": PlayWAV ran out, the call ends
	EventShutdown        = "SHUTDOWN"
	EventExit            = "EXIT"
)

// Event is one event baresip reported on its control connection.
type Event struct {
	Type       string // one of the Event* constants (or another baresip type)
	Class      string // "call", "register", "application" or "other"
	AccountAOR string // the account the event belongs to, e.g. "sip:1001@127.0.0.1"
	Direction  string // "incoming" or "outgoing" (call events)
	PeerURI    string // the other party (call events)
	CallID     string // baresip's call id ("id"); SIP Call-ID in 1.0.0
	Param      string // type specific, see the constants

	// Reason is Param for CALL_CLOSED and REGISTER_FAIL, else empty.
	Reason string
	// Digit is the received digit for CALL_DTMF_START, else empty.
	Digit string

	Raw json.RawMessage // the whole JSON object as received
}

func (e Event) String() string {
	s := e.Type
	if e.Param != "" {
		s += fmt.Sprintf(" %q", e.Param)
	}
	if e.PeerURI != "" {
		s += " peer=" + e.PeerURI
	}
	return s
}

// IsType returns a matcher for [Phone.WaitEvent] that accepts events of any
// of the given types.
func IsType(types ...string) func(Event) bool {
	return func(e Event) bool { return slices.Contains(types, e.Type) }
}

// message is the JSON baresip sends: an event or a command response.
type message struct {
	Event      bool   `json:"event"`
	Response   bool   `json:"response"`
	OK         bool   `json:"ok"`
	Data       string `json:"data"`
	Token      string `json:"token"`
	Type       string `json:"type"`
	Class      string `json:"class"`
	AccountAOR string `json:"accountaor"`
	Direction  string `json:"direction"`
	PeerURI    string `json:"peeruri"`
	ID         string `json:"id"`
	Param      string `json:"param"`
}

func (m *message) toEvent(raw []byte) Event {
	e := Event{
		Type: m.Type, Class: m.Class, AccountAOR: m.AccountAOR, Direction: m.Direction,
		PeerURI: m.PeerURI, CallID: m.ID, Param: m.Param,
		Raw: json.RawMessage(slices.Clone(raw)),
	}
	switch e.Type {
	case EventCallClosed, EventRegisterFail:
		e.Reason = e.Param
	case EventDTMFStart:
		e.Digit = e.Param
	}
	return e
}
