// Package dialplan decides what a dialled string means: an extension today;
// feature codes, queues, IVR flows and outbound routes as they arrive. Every
// decision is a pure function of configuration (and, later, time), so it is
// tested with tables and never touches SIP.
package dialplan

import (
	"errors"
	"fmt"
	"strings"
)

// Kind is what a dialled string resolved to.
type Kind uint8

const (
	Unknown   Kind = iota // nothing matches: the caller hears "not found"
	Extension             // a local extension
	Feature               // a feature code, answered by the box itself
	Flow                  // an IVR flow (auto-attendant): Destination.Flow names it
	Queue                 // a contact-centre queue: Destination.Queue names it
)

// Destination is the result of resolving a dialled string.
type Destination struct {
	Kind      Kind
	Extension string // for Kind == Extension
	// For Kind == Feature: the feature's name, and the digits dialled
	// after its code ("*45*1234#" gives "1234"; "" when none).
	Feature string
	Args    string
	Flow    string // for Kind == Flow: the flow's id
	Queue   string // for Kind == Queue: the queue's name
}

// Names of the features the box answers itself.
const (
	FeatureEcho   = "echo"   // echo test: what the caller says comes back
	FeatureClock  = "clock"  // speaking clock: the box's time and date
	FeatureWhoAmI = "whoami" // says the caller's extension number
	// Supervision of another extension's call, the extension dialled
	// after the code: listen only, whisper to it, barge in. Only
	// extensions marked as supervisors may use them.
	FeatureListen  = "listen"
	FeatureWhisper = "whisper"
	FeatureBarge   = "barge"
	// FeatureConference joins a conference room, the digits after the
	// code naming it ("*881"); everyone in a room hears everyone else.
	FeatureConference = "conference"
	// FeatureMailbox plays the caller's own voicemail.
	FeatureMailbox = "mailbox"
	// Agents' codes: log in (agent number and PIN), log out, pause
	// (optionally with a reason's number), unpause.
	FeatureAgentLogin   = "agent-login"
	FeatureAgentLogout  = "agent-logout"
	FeatureAgentPause   = "agent-pause"
	FeatureAgentUnpause = "agent-unpause"
)

// DefaultFeatures maps the feature codes a new box answers to their
// features. The codes are those installers know from other PBXs.
func DefaultFeatures() map[string]string {
	return map[string]string{
		"*43": FeatureEcho, "*60": FeatureClock, "*65": FeatureWhoAmI,
		"*30": FeatureListen, "*31": FeatureWhisper, "*32": FeatureBarge,
		"*88": FeatureConference, "*97": FeatureMailbox,
		"*45": FeatureAgentLogin, "*46": FeatureAgentLogout, "*47": FeatureAgentPause, "*48": FeatureAgentUnpause,
	}
}

// Plan resolves dialled strings. The zero value resolves nothing.
type Plan struct {
	// HasExtension reports whether an extension with this number exists. It
	// is called on every Resolve and may be called concurrently.
	HasExtension func(number string) bool
	// Features maps feature codes ("*43") to feature names. A dialled
	// string that starts with a code and goes on with digits, "*" or a
	// final "#" is that feature with arguments.
	Features map[string]string
	// Flow reports which IVR flow a number reaches, if any.
	Flow func(number string) (id string, ok bool)
	// Queue reports which queue a number reaches, if any.
	Queue func(number string) (name string, ok bool)
}

// Resolve tells where a call from caller to dialled should go. Visual
// separators phones sometimes send (spaces, dashes, dots) are ignored.
func (p Plan) Resolve(caller, dialled string) Destination {
	d := normalize(dialled)
	if strings.HasPrefix(d, "*") {
		return p.feature(d)
	}
	if p.Flow != nil {
		if id, ok := p.Flow(d); ok {
			return Destination{Kind: Flow, Flow: id}
		}
	}
	if p.Queue != nil {
		if name, ok := p.Queue(d); ok {
			return Destination{Kind: Queue, Queue: name}
		}
	}
	if p.HasExtension != nil && ValidExtensionNumber(d) == nil && p.HasExtension(d) {
		return Destination{Kind: Extension, Extension: d}
	}
	return Destination{Kind: Unknown}
}

// feature resolves a dialled string that starts with a star: the longest
// feature code it begins with, and what follows as arguments.
func (p Plan) feature(d string) Destination {
	code := ""
	for c := range p.Features {
		if strings.HasPrefix(d, c) && len(c) > len(code) {
			code = c
		}
	}
	if code == "" {
		return Destination{Kind: Unknown}
	}
	args := strings.TrimSuffix(strings.TrimPrefix(d[len(code):], "*"), "#")
	if strings.Trim(args, "0123456789*") != "" {
		return Destination{Kind: Unknown}
	}
	return Destination{Kind: Feature, Feature: p.Features[code], Args: args}
}

func normalize(s string) string {
	// A "#" in a SIP URI's user part comes escaped.
	s = strings.ReplaceAll(s, "%23", "#")
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '.', '(', ')':
			return -1
		}
		return r
	}, s)
}

// ErrInvalidNumber is wrapped by ValidExtensionNumber's errors.
var ErrInvalidNumber = errors.New("invalid number")

// reserved numbers can never be extensions: emergency numbers must always
// reach the outside world.
var reserved = map[string]bool{"112": true, "911": true, "999": true, "000": true, "110": true, "117": true, "118": true, "144": true, "15": true, "17": true, "18": true}

// ValidExtensionNumber checks that a string can be an extension number:
// 2 to 6 digits, not starting with 0 (kept for outside lines) and not an
// emergency number.
func ValidExtensionNumber(n string) error {
	switch {
	case len(n) < 2 || len(n) > 6:
		return fmt.Errorf("%w: an extension number has 2 to 6 digits", ErrInvalidNumber)
	case strings.Trim(n, "0123456789") != "":
		return fmt.Errorf("%w: an extension number has only digits", ErrInvalidNumber)
	case n[0] == '0':
		return fmt.Errorf("%w: an extension number cannot start with 0 (kept for outside lines)", ErrInvalidNumber)
	case reserved[n]:
		return fmt.Errorf("%w: %s is an emergency number", ErrInvalidNumber, n)
	}
	return nil
}
