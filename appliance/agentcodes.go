package appliance

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"deskline/acd"
	"deskline/appliance/sip"
	"deskline/webui"
)

// Agents run their day from any phone with feature codes (issue 5):
//
//	*45 log in: agent number and PIN, asked for or dialled inline (*45*201*4321#);
//	    the phone dialled from rings for the agent from now on
//	*46 log out of every queue
//	*47 pause, optionally with the number of a pause reason (*47*2)
//	*48 unpause
//
// Each answers with a short confirmation.

// collectDigits reads keys until # (not kept), max keys, or a pause of
// timeout between keys.
func collectDigits(ch *sip.Channel, max int, timeout time.Duration) (string, error) {
	var b strings.Builder
	for b.Len() < max {
		d, err := ch.ReadDigit(timeout)
		if err != nil {
			return "", err
		}
		if d == 0 || d == '#' {
			break
		}
		b.WriteByte(d)
	}
	return b.String(), nil
}

// agentLogin logs an agent in on the phone the code is dialled from.
func (a *Appliance) agentLogin(ch *sip.Channel) error {
	id, pin, _ := strings.Cut(ch.Args(), "*")
	var err error
	if id == "" {
		if _, err = a.sayNoWait(ch, "agent-enter-number", "followed-by-pound"); err != nil {
			return err
		}
		if id, err = collectDigits(ch, 12, 10*time.Second); err != nil {
			return err
		}
	}
	if pin == "" && !strings.Contains(ch.Args(), "*") {
		if _, err = a.sayNoWait(ch, "agent-enter-pin", "followed-by-pound"); err != nil {
			return err
		}
		if pin, err = collectDigits(ch, 12, 10*time.Second); err != nil {
			return err
		}
	}
	agent := acd.AgentID(id)
	audit := func(action, detail string) {
		a.recordAudit(webui.AuditRecord{Actor: "extension " + ch.Caller(), Action: action, Object: "agent " + id, Detail: detail})
	}
	if id == "" || !a.acd.checkAgentPIN(agent, pin) {
		if _, _, lockedUntil, ok := a.acd.agentState(agent); ok && !lockedUntil.IsZero() {
			audit("agent-login-refused", "locked until "+lockedUntil.Format(time.RFC3339))
			return a.say(ch, "agent-locked", "goodbye")
		}
		audit("agent-login-refused", "wrong agent number or PIN")
		return a.say(ch, "agent-login-incorrect", "goodbye")
	}
	if err := a.acd.login(agent, nil, ch.Caller(), false, "", false); err != nil {
		a.log.Warn("agent login by phone failed", "agent", id, "extension", ch.Caller(), "err", err)
		return a.say(ch, "please-try-again", "goodbye")
	}
	audit("agent-login", "at extension "+ch.Caller())
	return a.say(ch, "agent-logged-in")
}

// phoneAgent is the agent at the phone a code is dialled from.
func (a *Appliance) phoneAgent(ch *sip.Channel) (acd.AgentID, bool) {
	return a.acd.agentOf(ch.Caller())
}

func (a *Appliance) agentLogout(ch *sip.Channel) error {
	id, ok := a.phoneAgent(ch)
	if !ok {
		return a.say(ch, "agent-login-incorrect", "goodbye")
	}
	if err := a.acd.logout(id, nil); err != nil {
		a.log.Info("agent logout by phone", "agent", id, "err", err)
	}
	a.recordAudit(webui.AuditRecord{Actor: "extension " + ch.Caller(), Action: "agent-logout", Object: "agent " + string(id)})
	return a.say(ch, "agent-logged-out")
}

func (a *Appliance) agentPause(ch *sip.Channel) error {
	id, ok := a.phoneAgent(ch)
	if !ok {
		return a.say(ch, "agent-login-incorrect", "goodbye")
	}
	reason := ""
	if code := ch.Args(); code != "" {
		names := a.acd.pauseReasonNames()
		var n int
		if _, err := fmt.Sscan(code, &n); err != nil || n < 1 || n > len(names) {
			return a.say(ch, "invalid-entry", "goodbye")
		}
		reason = names[n-1]
	}
	if err := a.acd.pause(id, reason, false); err != nil {
		a.log.Info("agent pause by phone refused", "agent", id, "err", err)
		return a.say(ch, "please-try-again", "goodbye")
	}
	a.recordAudit(webui.AuditRecord{Actor: "extension " + ch.Caller(), Action: "agent-pause", Object: "agent " + string(id), Detail: reason})
	return a.say(ch, "agent-paused")
}

func (a *Appliance) agentUnpause(ch *sip.Channel) error {
	id, ok := a.phoneAgent(ch)
	if !ok {
		return a.say(ch, "agent-login-incorrect", "goodbye")
	}
	if err := a.acd.unpause(id); err != nil {
		a.log.Info("agent unpause by phone refused", "agent", id, "err", err)
		return a.say(ch, "please-try-again", "goodbye")
	}
	a.recordAudit(webui.AuditRecord{Actor: "extension " + ch.Caller(), Action: "agent-unpause", Object: "agent " + string(id)})
	return a.say(ch, "agent-unpaused")
}

// pauseReasonNames lists the pause reasons in the order agents dial them
// (*47*1 is the first), alphabetical.
func (cc *contactCentre) pauseReasonNames() []string {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	var out []string
	for _, r := range cc.model.reasons {
		out = append(out, r.Name)
	}
	slices.SortFunc(out, func(x, y string) int { return strings.Compare(strings.ToLower(x), strings.ToLower(y)) })
	return out
}
