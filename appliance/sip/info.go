package sip

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
)

// handleInfo takes DTMF sent as SIP INFO (application/dtmf-relay, as many
// desk phones can be set to, or application/dtmf): a service gets the key
// as if pressed in the audio; in a bridged call the other phone gets it as
// RFC 4733 events, or as tones when it negotiated none.
func (s *Server) handleInfo(req *sip.Request, tx sip.ServerTransaction) {
	ref, ok := s.calls.match(req)
	if !ok {
		s.respond(tx, req, 481, "Call/Transaction Does Not Exist")
		return
	}
	ct := ""
	if h := req.ContentType(); h != nil {
		ct = strings.ToLower(strings.TrimSpace(h.Value()))
	}
	digit, dur, ok := parseDTMFInfo(ct, req.Body())
	if !ok {
		// Other INFO packages (and a malformed body) are not ours to take.
		s.respond(tx, req, 415, "Unsupported Media Type", sip.NewHeader("Accept", "application/dtmf-relay, application/dtmf"))
		return
	}
	s.respond(tx, req, 200, "OK")
	c := ref.c
	c.mu.Lock()
	from, to := &c.a, &c.b
	if ref.side == sideCallee {
		from, to = &c.b, &c.a
	}
	ch, bridged := c.channel, c.relay != nil || c.conf != nil
	target := to.media
	c.mu.Unlock()
	s.log.Debug("dtmf by info", "call", c.id, "leg", from.side, "digit", string(digit))
	switch {
	case bridged && target != nil:
		if err := target.SendDigit(s.sched, digit, dur); err != nil {
			s.log.Debug("dtmf not passed on", "call", c.id, "err", err)
		}
	case ch != nil && ref.side == sideCaller:
		ch.pushDigit(digit, true)
	}
}

// parseDTMFInfo reads the key and its duration from an INFO body:
// "Signal=5\r\nDuration=160\r\n" (application/dtmf-relay) or "5"
// (application/dtmf).
func parseDTMFInfo(contentType string, body []byte) (digit byte, dur time.Duration, ok bool) {
	dur = 100 * time.Millisecond
	switch contentType {
	case "application/dtmf":
		v := strings.TrimSpace(string(body))
		if len(v) != 1 {
			return 0, 0, false
		}
		digit = v[0]
	case "application/dtmf-relay":
		sc := bufio.NewScanner(bytes.NewReader(body))
		for sc.Scan() {
			k, v, found := strings.Cut(sc.Text(), "=")
			if !found {
				continue
			}
			v = strings.TrimSpace(v)
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "signal":
				if len(v) != 1 {
					return 0, 0, false
				}
				digit = v[0]
			case "duration":
				if ms, err := strconv.Atoi(v); err == nil && ms > 0 && ms <= 5000 {
					dur = time.Duration(ms) * time.Millisecond
				}
			}
		}
	default:
		return 0, 0, false
	}
	if digit >= 'a' && digit <= 'd' {
		digit -= 'a' - 'A'
	}
	if strings.IndexByte("0123456789*#ABCD", digit) < 0 {
		return 0, 0, false
	}
	return digit, dur, true
}
