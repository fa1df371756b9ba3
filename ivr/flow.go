package ivr

import "encoding/json"

// Flow is an IVR flow as data: blocks keyed by id, joined by the block ids
// their edges name, and run from Entry. It is what the panel edits, the
// store keeps and Export writes; field names are part of the stored format
// and never change meaning.
type Flow struct {
	ID      string           `json:"id"`
	Name    string           `json:"name"`
	Version int              `json:"version"` // set by Publish; 0 for a draft
	Entry   string           `json:"entry"`
	Blocks  map[string]Block `json:"blocks"`
}

// Kind names what a block does.
type Kind string

// The built-in kinds. Other kinds (agent login, pause, ...) are registered
// by the appliance in a Kinds registry.
const (
	KindPlay          Kind = "play"
	KindMenu          Kind = "menu"
	KindCollect       Kind = "collect"
	KindSay           Kind = "say"
	KindTimeCondition Kind = "time_condition"
	KindGoto          Kind = "goto"
	KindSet           Kind = "set"
	KindRecord        Kind = "record"
	KindHangup        Kind = "hangup"
)

// builtin reports whether k is one of the kinds this package runs itself.
func builtin(k Kind) bool {
	switch k {
	case KindPlay, KindMenu, KindCollect, KindSay, KindTimeCondition, KindGoto, KindSet, KindRecord, KindHangup:
		return true
	}
	return false
}

// Block is one step of a flow. Kind says which of the kind-specific parts
// is set; exactly that one must be (a hangup block may have none). A block
// of a custom kind carries its settings in Params and its edges in Exits.
type Block struct {
	Kind          Kind           `json:"kind"`
	Play          *Play          `json:"play,omitempty"`
	Menu          *Menu          `json:"menu,omitempty"`
	Collect       *Collect       `json:"collect,omitempty"`
	Say           *Say           `json:"say,omitempty"`
	TimeCondition *TimeCondition `json:"time_condition,omitempty"`
	Goto          *Goto          `json:"goto,omitempty"`
	Set           *Set           `json:"set,omitempty"`
	Record        *Record        `json:"record,omitempty"`
	Hangup        *Hangup        `json:"hangup,omitempty"`

	// Params are a custom kind's settings, checked by its Check function.
	Params json.RawMessage `json:"params,omitempty"`
	// Exits map a custom kind's exit names to the next block.
	Exits map[string]string `json:"exits,omitempty"`
}

// Play plays prompts, then goes on to Next. With Interruptible set, a key
// the caller presses cuts the prompts short and is kept for the next block
// that reads digits (a menu after a greeting).
type Play struct {
	Prompts       []string `json:"prompts"`
	Interruptible bool     `json:"interruptible,omitempty"`
	Next          string   `json:"next"`
}

// Menu plays prompts and waits for one key. A key in Options goes to its
// block. An invalid key or no key within TimeoutMS plays the Invalid or
// Timeout prompts and then goes to their Next when set, or else asks again;
// after Retries further attempts the caller goes to Failure (hang up when
// empty).
//
// With DialExtensions set, a caller may dial an extension number instead of
// an option: digits keep being read until InterDigitTimeoutMS passes without
// one, # is pressed or MaxExtensionDigits are in, and a number the
// appliance knows as an extension transfers the call there. A single digit
// that is an option still selects the option.
type Menu struct {
	Prompts             []string          `json:"prompts"`
	Options             map[string]string `json:"options"` // "0"-"9", "*", "#" → block id
	Invalid             Branch            `json:"invalid"`
	Timeout             Branch            `json:"timeout"`
	Retries             int               `json:"retries"`              // further attempts, 0..9
	TimeoutMS           int               `json:"timeout_ms,omitempty"` // default 5000
	Failure             string            `json:"failure,omitempty"`
	DialExtensions      bool              `json:"dial_extensions,omitempty"`
	InterDigitTimeoutMS int               `json:"inter_digit_timeout_ms,omitempty"` // default 2000
	MaxExtensionDigits  int               `json:"max_extension_digits,omitempty"`   // default 6
}

// Branch is what a menu or collect block does on an invalid entry or a
// timeout: play Prompts, then go to Next, or try again when Next is empty.
type Branch struct {
	Prompts []string `json:"prompts,omitempty"`
	Next    string   `json:"next,omitempty"`
}

// Collect plays prompts and reads MinDigits to MaxDigits keys into the flow
// variable Variable. Entry ends at the Terminator key (if any), at
// MaxDigits, or InterDigitTimeoutMS after the last key. Too few digits, or
// none within TimeoutMS, count as a failed attempt (the Invalid prompts
// play); after Retries further attempts the caller goes to Failure.
type Collect struct {
	Prompts             []string `json:"prompts"`
	Variable            string   `json:"variable"`
	MinDigits           int      `json:"min_digits"`
	MaxDigits           int      `json:"max_digits"`
	Terminator          string   `json:"terminator,omitempty"` // "", "#" or "*"
	TimeoutMS           int      `json:"timeout_ms,omitempty"` // first key; default 5000
	InterDigitTimeoutMS int      `json:"inter_digit_timeout_ms,omitempty"`
	Retries             int      `json:"retries"`
	Invalid             []string `json:"invalid,omitempty"`
	Next                string   `json:"next"`
	Failure             string   `json:"failure,omitempty"`
}

// What a say block speaks.
const (
	SayNumber = "number"
	SayDigits = "digits"
	SayTime   = "time"
	SayDate   = "date"
)

// Say speaks a value with the appliance's Sayer between the Before and
// After prompts: the flow variable Variable when set, else Value. For time
// and date the value is RFC 3339, or empty for now, spoken in TimeZone
// (the box's local zone when empty). A value that does not parse is skipped.
type Say struct {
	What     string   `json:"what"` // number, digits, time, date
	Variable string   `json:"variable,omitempty"`
	Value    string   `json:"value,omitempty"`
	TimeZone string   `json:"time_zone,omitempty"`
	Before   []string `json:"before,omitempty"`
	After    []string `json:"after,omitempty"`
	Next     string   `json:"next"`
}

// TimeCondition goes to Match when the current time, in TimeZone (an IANA
// name), falls in one of the Weekly intervals and its date is not in
// Holidays; else to NoMatch. On a holiday it goes to Holiday when set.
type TimeCondition struct {
	TimeZone string   `json:"time_zone"`
	Weekly   []Weekly `json:"weekly"`
	Holidays []string `json:"holidays,omitempty"` // "2006-01-02"
	Match    string   `json:"match"`
	NoMatch  string   `json:"no_match"`
	Holiday  string   `json:"holiday,omitempty"`
}

// Weekly is a time range on some days of the week, in wall-clock time:
// From is included, To excluded ("24:00" ends at midnight). A range whose
// To is before its From runs past midnight into the next day.
type Weekly struct {
	Days []string `json:"days"` // "mon" ... "sun"
	From string   `json:"from"` // "09:00"
	To   string   `json:"to"`   // "17:30"
}

// TargetKind names where a goto block sends the call.
type TargetKind string

// The targets of a goto block.
const (
	TargetExtension TargetKind = "extension"
	TargetQueue     TargetKind = "queue"
	TargetVoicemail TargetKind = "voicemail"
	TargetFlow      TargetKind = "flow"
	TargetHangup    TargetKind = "hangup"
)

// Goto hands the call to an extension, a queue or a voicemail box (through
// Channel.Transfer), continues in another flow (the latest published
// version of flow To), or hangs up. When a transfer fails (busy, no
// answer, unknown target) the call goes to Failure; without one, the Run
// ends with the transfer's error.
type Goto struct {
	Target    TargetKind `json:"target"`
	To        string     `json:"to,omitempty"`
	RingForMS int        `json:"ring_for_ms,omitempty"` // extensions; 0: the appliance's default
	Failure   string     `json:"failure,omitempty"`
}

// What a set block sets.
const (
	SetPriority = "priority" // the caller's queue priority, 0..100
	SetSkill    = "skill"    // a skill Name the answering agent needs, at level Value 0..100
	SetVariable = "variable" // flow variable Name to Value
)

// Set changes the call's queue priority, a required queue skill or a flow
// variable, then goes to Next.
type Set struct {
	What  string `json:"what"`
	Name  string `json:"name,omitempty"`
	Value string `json:"value"`
	Next  string `json:"next"`
}

// Record plays prompts (and a beep when Beep is set) and records the caller
// for at most MaxSeconds or until the caller presses #, storing the
// recording's reference in Variable. A failed recording goes to Failure;
// without one, the Run ends with the recording's error.
type Record struct {
	Prompts    []string `json:"prompts,omitempty"`
	Variable   string   `json:"variable"`
	MaxSeconds int      `json:"max_seconds"`
	Beep       bool     `json:"beep,omitempty"`
	Next       string   `json:"next"`
	Failure    string   `json:"failure,omitempty"`
}

// Hangup plays prompts (a goodbye) and ends the call.
type Hangup struct {
	Prompts []string `json:"prompts,omitempty"`
}
