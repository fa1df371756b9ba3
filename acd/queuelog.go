package acd

import (
	"strconv"
	"strings"
	"time"
)

// Queue log event names, as Asterisk writes them in queue_log.
const (
	EvEnterQueue     = "ENTERQUEUE"      // data: url, caller id
	EvRingNoAnswer   = "RINGNOANSWER"    // data: ring time (ms)
	EvConnect        = "CONNECT"         // data: hold time (s), bridged call id, ring time (s)
	EvCompleteCaller = "COMPLETECALLER"  // data: hold time, call time, original position
	EvCompleteAgent  = "COMPLETEAGENT"   // data: hold time, call time, original position
	EvAbandon        = "ABANDON"         // data: position, original position, wait time
	EvExitTimeout    = "EXITWITHTIMEOUT" // data: position, original position, wait time
	EvExitEmpty      = "EXITEMPTY"       // data: position, original position, wait time
	EvExitKey        = "EXITWITHKEY"     // data: key, position, original position, wait time
	EvTransfer       = "TRANSFER"        // data: extension, context, hold time, call time, original position
	EvAgentLogin     = "AGENTLOGIN"      // data: channel
	EvAgentLogoff    = "AGENTLOGOFF"     // data: channel, login time (s)
	EvPause          = "PAUSE"           // data: reason
	EvUnpause        = "UNPAUSE"         // data: reason
	EvAddMember      = "ADDMEMBER"       // no data
	EvRemoveMember   = "REMOVEMEMBER"    // no data
)

// QueueLogEvent is one line of the queue log. CallID and Queue are "NONE"
// for events about no call or no queue, as Asterisk writes them; Agent is the
// agent's number, or "NONE".
type QueueLogEvent struct {
	Time   time.Time
	CallID string
	Queue  string
	Agent  string
	Event  string
	Data   []string
}

// Line formats e as a queue_log line without the newline:
// epoch|callid|queue|agent|event|data1|data2|...
// A '|' or line break inside a field is replaced by '_' so that one event
// stays one line of the right number of fields.
func (e QueueLogEvent) Line() string {
	var b strings.Builder
	b.WriteString(strconv.FormatInt(e.Time.Unix(), 10))
	for _, f := range [...]string{e.CallID, e.Queue, e.Agent, e.Event} {
		b.WriteByte('|')
		writeField(&b, f)
	}
	for _, f := range e.Data {
		b.WriteByte('|')
		writeField(&b, f)
	}
	return b.String()
}

func writeField(b *strings.Builder, s string) {
	if !strings.ContainsAny(s, "|\r\n") {
		b.WriteString(s)
		return
	}
	for _, r := range s {
		if r == '|' || r == '\r' || r == '\n' {
			r = '_'
		}
		b.WriteRune(r)
	}
}

func secs(d time.Duration) string { return strconv.FormatInt(int64(d/time.Second), 10) }
func itoa(i int) string           { return strconv.Itoa(i) }
