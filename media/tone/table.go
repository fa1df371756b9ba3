package tone

import (
	"sort"
	"strconv"
	"time"
)

// Kind is a call-progress tone's purpose.
type Kind uint8

// The call-progress tones every country table has.
const (
	Dial        Kind = iota // the exchange is ready for digits
	Ringback                // the called party is being alerted
	Busy                    // the called party is busy
	Congestion              // no route or resources (reorder, "equipment engaged")
	CallWaiting             // played to a party in a call when a second call arrives
	numKinds
)

// Kinds returns every Kind, in declaration order.
func Kinds() []Kind { return []Kind{Dial, Ringback, Busy, Congestion, CallWaiting} }

// String returns the kind's lower-case name.
func (k Kind) String() string {
	switch k {
	case Dial:
		return "dial"
	case Ringback:
		return "ringback"
	case Busy:
		return "busy"
	case Congestion:
		return "congestion"
	case CallWaiting:
		return "call waiting"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Segment is one step of a tone's cadence: Freqs sound for On, then
// silence for Off. A zero in Freqs[1] means a single frequency. When Mod is
// non-zero, the sum of the frequencies is amplitude-modulated at Mod Hz with
// 100 % depth, written "f*Mod" in E.180 (for example 425*25 has components
// at 400, 425 and 450 Hz).
type Segment struct {
	Freqs [2]float64    // Hz
	Mod   float64       // Hz, 0 for none
	Gain  float64       // dB relative to Tone.Level, <= 0; usually 0
	On    time.Duration // > 0; resolved to whole 8 kHz samples
	Off   time.Duration // >= 0; a tone of one segment with Off == 0 is continuous
}

// Tone is one call-progress tone of one country. Its Segments repeat for as
// long as the tone is played.
type Tone struct {
	Country  string  // ISO 3166-1 alpha-2, upper case
	Kind     Kind    // purpose
	Level    float64 // dBm0 of each frequency component (before modulation)
	Segments []Segment
}

// Continuous reports whether t never falls silent.
func (t Tone) Continuous() bool {
	for _, s := range t.Segments {
		if s.Off > 0 {
			return false
		}
	}
	return len(t.Segments) > 0
}

// Period returns the length of one repetition of t's cadence.
func (t Tone) Period() time.Duration {
	var p time.Duration
	for _, s := range t.Segments {
		p += s.On + s.Off
	}
	return p
}

const ms = time.Millisecond

// seg builds a segment of one or two frequencies.
func seg(f1, f2 float64, on, off time.Duration) Segment {
	return Segment{Freqs: [2]float64{f1, f2}, On: on, Off: off}
}

// cont is a continuous tone of one or two frequencies.
func cont(f1, f2 float64) []Segment { return []Segment{seg(f1, f2, time.Second, 0)} }

// cad builds a cadence of one or two frequencies from alternating on/off
// durations in milliseconds.
func cad(f1, f2 float64, onOff ...int) []Segment {
	if len(onOff)%2 != 0 {
		panic("tone: odd cadence")
	}
	out := make([]Segment, 0, len(onOff)/2)
	for i := 0; i < len(onOff); i += 2 {
		out = append(out, seg(f1, f2, time.Duration(onOff[i])*ms, time.Duration(onOff[i+1])*ms))
	}
	return out
}

// Default levels in dBm0 per component: single-frequency tones sit near
// -10 dBm0 and dual-frequency ones a little lower so that their sum is
// comparable (E.180 recommends -10 ± 5 dBm0 for the total).
const (
	levelSingle = -10
	levelDual   = -13
)

// countries holds the tables. Figures are the national entries of ITU-T
// E.180 (and its Operational Bulletin annex), cross-checked with the
// operators' interface specifications where the author knew them; see
// table_test.go for the validation rules.
var countries = map[string][numKinds][]Segment{
	// North American precise tone plan (ANSI T1.401 / Telcordia).
	"US": {
		Dial:        cont(350, 440),
		Ringback:    cad(440, 480, 2000, 4000),
		Busy:        cad(480, 620, 500, 500),
		Congestion:  cad(480, 620, 250, 250),
		CallWaiting: cad(440, 0, 300, 9700),
	},
	// BT SIN 350.
	"GB": {
		Dial:        cont(350, 440),
		Ringback:    cad(400, 450, 400, 200, 400, 2000),
		Busy:        cad(400, 0, 375, 375),
		Congestion:  cad(400, 0, 400, 350, 225, 525),
		CallWaiting: cad(400, 0, 100, 2000),
	},
	"FR": {
		Dial:        cont(440, 0),
		Ringback:    cad(440, 0, 1500, 3500),
		Busy:        cad(440, 0, 500, 500),
		Congestion:  cad(440, 0, 250, 250),
		CallWaiting: cad(440, 0, 300, 10000),
	},
	// 1TR110 / Deutsche Telekom.
	"DE": {
		Dial:        cont(425, 0),
		Ringback:    cad(425, 0, 1000, 4000),
		Busy:        cad(425, 0, 480, 480),
		Congestion:  cad(425, 0, 240, 240),
		CallWaiting: cad(425, 0, 200, 200, 200, 5000),
	},
	"IT": {
		Dial:        cad(425, 0, 200, 200, 600, 1000),
		Ringback:    cad(425, 0, 1000, 4000),
		Busy:        cad(425, 0, 500, 500),
		Congestion:  cad(425, 0, 200, 200),
		CallWaiting: cad(425, 0, 400, 100, 250, 100, 150, 14000),
	},
	"ES": {
		Dial:        cont(425, 0),
		Ringback:    cad(425, 0, 1500, 3000),
		Busy:        cad(425, 0, 200, 200),
		Congestion:  cad(425, 0, 200, 200, 200, 200, 200, 600),
		CallWaiting: cad(425, 0, 175, 175, 175, 3500),
	},
	"NL": {
		Dial:        cont(425, 0),
		Ringback:    cad(425, 0, 1000, 4000),
		Busy:        cad(425, 0, 500, 500),
		Congestion:  cad(425, 0, 250, 250),
		CallWaiting: cad(425, 0, 500, 9500),
	},
	// ACIF S002 / Telstra. Ringback is E.180's "425*25": a 425 Hz carrier
	// modulated at 25 Hz, heard like the older 400+450 Hz pair.
	"AU": {
		Dial: cont(413, 438),
		Ringback: {
			{Freqs: [2]float64{425}, Mod: 25, On: 400 * ms, Off: 200 * ms},
			{Freqs: [2]float64{425}, Mod: 25, On: 400 * ms, Off: 2000 * ms},
		},
		Busy: cad(425, 0, 375, 375),
		// Busy's cadence with every other burst 10 dB down.
		Congestion: {
			{Freqs: [2]float64{425}, On: 375 * ms, Off: 375 * ms},
			{Freqs: [2]float64{425}, On: 375 * ms, Off: 375 * ms, Gain: -10},
		},
		CallWaiting: cad(425, 0, 200, 200, 200, 4400),
	},
	"CH": {
		Dial:        cont(425, 0),
		Ringback:    cad(425, 0, 1000, 4000),
		Busy:        cad(425, 0, 500, 500),
		Congestion:  cad(425, 0, 200, 200),
		CallWaiting: cad(425, 0, 200, 200, 200, 4000),
	},
	// Belgacom/Proximus. Call waiting is E.180's 1400 Hz exception.
	"BE": {
		Dial:        cont(425, 0),
		Ringback:    cad(425, 0, 1000, 3000),
		Busy:        cad(425, 0, 500, 500),
		Congestion:  cad(425, 0, 167, 167),
		CallWaiting: cad(1400, 0, 175, 175, 175, 3500),
	},
}

// aliases maps other spellings accepted by Lookup to table keys.
var aliases = map[string]string{"UK": "GB", "CA": "US"}

// Countries returns the country codes that have tables, sorted.
func Countries() []string {
	out := make([]string, 0, len(countries))
	for c := range countries {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// Lookup returns the tone of kind k for country (ISO 3166-1 alpha-2, upper
// case; "UK" is accepted for GB and "CA" for US), and false when there is no
// table for it. The returned Tone's Segments are a fresh copy the caller may
// modify.
func Lookup(country string, k Kind) (Tone, bool) {
	if a, ok := aliases[country]; ok {
		country = a
	}
	tab, ok := countries[country]
	if !ok || k >= numKinds || len(tab[k]) == 0 {
		return Tone{}, false
	}
	level := float64(levelSingle)
	for _, s := range tab[k] {
		if s.Freqs[1] != 0 || s.Mod != 0 {
			level = levelDual
		}
	}
	return Tone{
		Country:  country,
		Kind:     k,
		Level:    level,
		Segments: append([]Segment(nil), tab[k]...),
	}, true
}
