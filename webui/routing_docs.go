package webui

// The documents RoutingBackend stores, as the panel reads and writes them.
// Their JSON is the routing configuration's (see the README's API
// section); the panel decodes a part, changes what a form edits and puts
// the whole part back.

// OutboundRoutes is the "outbound" part: routes tried in order.
type OutboundRoutes struct {
	Routes []OutboundRoute `json:"routes"`
}

// OutboundRoute sends dialled numbers matching one of its patterns out
// through its trunks, tried in order.
type OutboundRoute struct {
	Name          string         `json:"name"`
	Patterns      []DialPattern  `json:"patterns"`
	Trunks        []string       `json:"trunks"`
	CallerID      string         `json:"caller_id,omitempty"`
	Class         string         `json:"class,omitempty"` // least class a caller needs; "" = the number's own
	Emergency     bool           `json:"emergency,omitempty"`
	TimeCondition *TimeCondition `json:"time_condition,omitempty"`
}

// DialPattern is one pattern of an outbound route: the number must start
// with Prefix (removed), the rest match Pattern; Strip leading characters
// are removed and Prepend put in front for the trunk.
type DialPattern struct {
	Prefix  string `json:"prefix,omitempty"`
	Pattern string `json:"pattern"`
	Strip   int    `json:"strip,omitempty"`
	Prepend string `json:"prepend,omitempty"`
}

// TimeCondition is when a route applies: during its weekly intervals
// (none = always) except on its holidays, in TimeZone ("" = UTC).
type TimeCondition struct {
	TimeZone string         `json:"time_zone,omitempty"`
	Weekly   []TimeInterval `json:"weekly,omitempty"`
	Holidays []string       `json:"holidays,omitempty"` // "2026-12-25"
}

// TimeInterval is a span of time ("08:00" to "18:00") on some days
// ("mon" … "sun").
type TimeInterval struct {
	Days []string `json:"days"`
	From string   `json:"from"`
	To   string   `json:"to"`
}

// InboundRoutes is the "inbound" part: the most specific route wins;
// calls no route takes go to Default.
type InboundRoutes struct {
	Routes  []InboundRoute `json:"routes"`
	Default Destination    `json:"default"`
}

// InboundRoute sends calls to a DID (from some callers, at some times) to
// a destination.
type InboundRoute struct {
	Name          string         `json:"name,omitempty"`
	DID           string         `json:"did"`
	CallerID      string         `json:"caller_id,omitempty"`
	TimeCondition *TimeCondition `json:"time_condition,omitempty"`
	Destination   Destination    `json:"destination"`
}

// Destination is where an inbound call goes: Kind is extension, queue,
// ivr, voicemail or hangup, Target names the extension, queue, flow or
// mailbox.
type Destination struct {
	Kind   string `json:"kind"`
	Target string `json:"target,omitempty"`
}

// Blacklist is the "blacklist" part: rules for inbound callers (first
// match wins) and patterns of numbers no extension may call.
type Blacklist struct {
	Blacklist     []BlockRule `json:"blacklist"`
	OutboundBlock []string    `json:"outbound_block"`
}

// BlockRule refuses a caller (Action "reject", with SIP Code, default 603)
// or sends it elsewhere ("redirect" to Destination). Number is exact, a
// pattern, or "anonymous".
type BlockRule struct {
	Number      string      `json:"number"`
	Action      string      `json:"action"`
	Code        int         `json:"code,omitempty"`
	Destination Destination `json:"destination,omitzero"`
	Comment     string      `json:"comment,omitempty"`
}

// RoutingLimits is the "limits" part, the toll-fraud limits: 0 means the
// default, -1 no limit.
type RoutingLimits struct {
	ExtensionConcurrent int            `json:"extension_concurrent,omitempty"`
	ExtensionPerHour    int            `json:"extension_per_hour,omitempty"`
	TrunkConcurrent     int            `json:"trunk_concurrent,omitempty"`
	TrunkChannels       map[string]int `json:"trunk_channels,omitempty"`
	TrunkPerHour        int            `json:"trunk_per_hour,omitempty"`
	BurstCalls          int            `json:"burst_calls,omitempty"`
	BurstSeconds        int            `json:"burst_seconds,omitempty"`
	Hours               *TimeCondition `json:"hours,omitempty"` // when outside calls are allowed at all
}
