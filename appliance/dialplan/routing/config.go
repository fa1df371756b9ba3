package routing

import (
	"encoding/json"
	"fmt"
	"io"
)

// Config is the whole routing configuration of a box. The integrator keeps
// its parts in storage and serves them as /api/v1/routes/outbound
// (Outbound), /api/v1/routes/inbound (Inbound and DefaultInbound) and
// /api/v1/blacklist (Blacklist and OutboundBlock).
type Config struct {
	// Country is where the box is (ISO 3166-1 alpha-2, "FR"): it decides
	// the emergency numbers and how dialled numbers are classified. ""
	// means the generic plan (112 and 911; 00 and + lead abroad).
	Country string `json:"country,omitempty"`
	// Trunks are the names of the trunks that exist; routes may only use
	// these. The integrator fills it from its trunk list.
	Trunks []string `json:"trunks,omitempty"`
	// Outbound routes, tried in order: the first whose pattern matches
	// (and whose time condition holds) carries the call.
	Outbound []OutboundRoute `json:"outbound,omitempty"`
	// Inbound routes: the most specific match wins.
	Inbound []InboundRoute `json:"inbound,omitempty"`
	// DefaultInbound is where calls to DIDs no route knows go (Kind ""
	// hangs them up).
	DefaultInbound Destination `json:"default_inbound"`
	// Blacklist rules for inbound callers, first match wins.
	Blacklist []BlockRule `json:"blacklist,omitempty"`
	// OutboundBlock are patterns of numbers no extension may call.
	OutboundBlock []string `json:"outbound_block,omitempty"`
	Limits        Limits   `json:"limits"`
}

// OutboundRoute sends matching dialled numbers out through trunks.
type OutboundRoute struct {
	Name     string        `json:"name"`
	Patterns []PatternRule `json:"patterns"`
	// Trunks are tried in order when one fails (congestion, 503, timeout).
	Trunks []string `json:"trunks"`
	// CallerID presented on this route when the caller has none of its own.
	CallerID string `json:"caller_id,omitempty"`
	// Class is the least permission class a caller needs for this route;
	// the number's own class (Classify) applies too, whichever is higher.
	Class Class `json:"class,omitempty"`
	// Emergency marks the route that carries emergency calls; they pass
	// whatever the caller's class, limits and suspensions.
	Emergency bool `json:"emergency,omitempty"`
	// TimeCondition, when set, is when the route may be used; outside
	// it, the next matching route is tried.
	TimeCondition *TimeCondition `json:"time_condition,omitempty"`
}

// PatternRule is one dial pattern of an outbound route and how a matching
// number is rewritten for the trunk.
type PatternRule struct {
	// Prefix is what the user dials first to get an outside line ("9");
	// the number must start with it, and it is removed before Pattern is
	// matched.
	Prefix string `json:"prefix,omitempty"`
	// Pattern matches the rest of the number (see Compile).
	Pattern string `json:"pattern"`
	// Strip removes that many leading characters after the prefix, then
	// Prepend is put in front: the number the trunk receives.
	Strip   int    `json:"strip,omitempty"`
	Prepend string `json:"prepend,omitempty"`
}

// DestKind is where an inbound call goes.
type DestKind string

const (
	DestHangup    DestKind = "hangup"
	DestExtension DestKind = "extension"
	DestQueue     DestKind = "queue"
	DestIVR       DestKind = "ivr"
	DestRingGroup DestKind = "ringgroup"
	DestVoicemail DestKind = "voicemail"
)

// Destination is where an inbound call goes; Target names the extension,
// queue, IVR flow, ring group or mailbox (unused for hangup).
type Destination struct {
	Kind   DestKind `json:"kind"`
	Target string   `json:"target,omitempty"`
}

// InboundRoute sends calls to a DID (and optionally from some callers, at
// some times) to a destination.
type InboundRoute struct {
	Name string `json:"name,omitempty"`
	// DID is the called number (Request-URI or To user part) as the
	// provider sends it: exact ("+33142685300") or a pattern ("_0142XXXXXX").
	DID string `json:"did"`
	// CallerID, when set, restricts the route to callers matching it.
	CallerID      string         `json:"caller_id,omitempty"`
	TimeCondition *TimeCondition `json:"time_condition,omitempty"`
	Destination   Destination    `json:"destination"`
}

// BlockAction is what happens to a blacklisted caller.
type BlockAction string

const (
	BlockReject   BlockAction = "reject"   // refuse the call with Code
	BlockRedirect BlockAction = "redirect" // send it to Destination
)

// BlockRule is one blacklist entry.
type BlockRule struct {
	// Number is the caller's number, exact or a pattern; "anonymous"
	// matches callers who withhold their number.
	Number string      `json:"number"`
	Action BlockAction `json:"action"`
	// Code is the SIP response for reject (default 603 Decline).
	Code        int         `json:"code,omitempty"`
	Destination Destination `json:"destination,omitzero"`
	Comment     string      `json:"comment,omitempty"`
}

// Anonymous is the BlockRule number that matches withheld caller IDs.
const Anonymous = "anonymous"

// DecodeConfig reads a Config from JSON, rejecting unknown fields and
// trailing data. It does not validate: call Validate.
func DecodeConfig(r io.Reader) (Config, error) {
	var c Config
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("routing: decoding configuration: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Config{}, fmt.Errorf("routing: decoding configuration: data after the object")
	}
	return c, nil
}
