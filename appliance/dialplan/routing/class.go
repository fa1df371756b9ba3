package routing

import (
	"slices"
	"strings"
)

// Class is a permission class: what kind of outside number an extension may
// dial, and what kind a dialled number is. Classes are ordered: an
// extension of class national may dial internal, local and national
// numbers. The empty Class means DefaultClass.
type Class string

const (
	ClassInternal      Class = "internal"      // no outside calls (emergency calls always pass)
	ClassLocal         Class = "local"         // local numbers, free and local-rate services
	ClassNational      Class = "national"      // the country's fixed and mobile numbers
	ClassInternational Class = "international" // other countries
	ClassPremium       Class = "premium"       // premium-rate and other surcharged numbers
)

// DefaultClass is the class of an extension that has none set:
// international and premium numbers stay barred until an admin allows them.
const DefaultClass = ClassNational

// rank orders classes; 0 means not a class.
func (c Class) rank() int {
	switch c {
	case ClassInternal:
		return 1
	case ClassLocal:
		return 2
	case "", ClassNational:
		return 3
	case ClassInternational:
		return 4
	case ClassPremium:
		return 5
	}
	return 0
}

// Valid reports whether c is one of the classes (or empty).
func (c Class) Valid() bool { return c.rank() != 0 }

// Allows reports whether an extension of class c may dial a number of class
// n. An unknown c allows nothing beyond internal calls.
func (c Class) Allows(n Class) bool {
	r := c.rank()
	if r == 0 {
		r = 1
	}
	return n.rank() != 0 && n.rank() <= r
}

// maxClass returns the higher-ranked of two classes.
func maxClass(a, b Class) Class {
	if b.rank() > a.rank() {
		return b
	}
	return a
}

// numbering is what Deskline knows of one country's numbering plan, as
// numbers are dialled from inside that country.
type numbering struct {
	cc        string   // country calling code, "33"
	intl      []string // international call prefixes, "00"
	trunk     string   // national (trunk) prefix, "0"; "" where there is none
	emergency []string
	// rules classify numbers in national form, first match wins; a rule
	// with lens applies only to numbers of one of those lengths.
	rules []rule
	// other is the class of numbers no rule covers.
	other Class
}

type rule struct {
	prefix string
	lens   []int
	class  Class
}

func r(prefix string, c Class, lens ...int) rule { return rule{prefix, lens, c} }

// nanpForeign are NANP area codes outside the United States and Canada:
// reached with 1 like a national call, charged like an international one,
// and a classic toll-fraud target.
var nanpForeign = []string{
	"242", "246", "264", "268", "284", "345", "441", "473", "649", "658", "664", "721",
	"758", "767", "784", "809", "829", "849", "868", "869", "876",
}

func usRules() []rule {
	rs := []rule{
		r("1900", ClassPremium), r("900", ClassPremium), r("1976", ClassPremium), r("976", ClassPremium),
	}
	for _, tf := range []string{"800", "833", "844", "855", "866", "877", "888"} {
		rs = append(rs, r("1"+tf, ClassLocal), r(tf, ClassLocal, 10))
	}
	for _, f := range nanpForeign {
		rs = append(rs, r("1"+f, ClassInternational), r(f, ClassInternational, 10))
	}
	return append(rs,
		r("1", ClassNational, 11),
		r("", ClassNational, 10),
		r("", ClassLocal, 7),
		r("211", ClassLocal, 3), r("311", ClassLocal, 3), r("511", ClassLocal, 3),
		r("611", ClassLocal, 3), r("711", ClassLocal, 3), r("811", ClassLocal, 3),
	)
}

// plans maps ISO 3166-1 country codes (and "UK") to numbering plans. What
// each covers is listed in doc.go.
var plans = map[string]*numbering{
	"US": {cc: "1", intl: []string{"011"}, trunk: "1", emergency: []string{"911"}, rules: usRules(), other: ClassNational},
	"GB": {cc: "44", intl: []string{"00"}, trunk: "0", emergency: []string{"999", "112"}, rules: []rule{
		r("0800", ClassLocal), r("0808", ClassLocal), r("0500", ClassLocal),
		r("09", ClassPremium), r("070", ClassPremium), r("118", ClassPremium),
		r("0", ClassNational),
	}, other: ClassLocal},
	"FR": {cc: "33", intl: []string{"00"}, trunk: "0", emergency: []string{"15", "17", "18", "112", "114", "115", "119", "191", "196", "116000"}, rules: []rule{
		r("0800", ClassLocal), r("0801", ClassLocal), r("0802", ClassLocal), r("0803", ClassLocal),
		r("0804", ClassLocal), r("0805", ClassLocal),
		r("082", ClassPremium), r("089", ClassPremium), r("118", ClassPremium), r("3", ClassPremium, 4),
		r("0", ClassNational),
	}, other: ClassNational},
	"DE": {cc: "49", intl: []string{"00"}, trunk: "0", emergency: []string{"110", "112"}, rules: []rule{
		r("0800", ClassLocal), r("116", ClassLocal, 6),
		r("0900", ClassPremium), r("0190", ClassPremium), r("0137", ClassPremium), r("0700", ClassPremium),
		r("0118", ClassPremium), r("118", ClassPremium),
		r("0", ClassNational),
	}, other: ClassLocal},
	"IT": {cc: "39", intl: []string{"00"}, emergency: []string{"112", "113", "115", "118", "1530"}, rules: []rule{
		r("800", ClassLocal), r("803", ClassLocal),
		r("89", ClassPremium), r("166", ClassPremium), r("144", ClassPremium), r("12", ClassPremium, 4),
		r("840", ClassNational), r("848", ClassNational), r("0", ClassNational), r("3", ClassNational),
	}, other: ClassNational},
	"ES": {cc: "34", intl: []string{"00"}, emergency: []string{"112", "091", "092", "061", "062", "080", "085", "088"}, rules: []rule{
		r("900", ClassLocal), r("800", ClassLocal),
		r("905", ClassPremium), r("803", ClassPremium), r("806", ClassPremium), r("807", ClassPremium),
		r("118", ClassPremium),
		r("901", ClassNational), r("902", ClassNational),
	}, other: ClassNational},
	"NL": {cc: "31", intl: []string{"00"}, trunk: "0", emergency: []string{"112"}, rules: []rule{
		r("0800", ClassLocal),
		r("0900", ClassPremium), r("0906", ClassPremium), r("0909", ClassPremium), r("18", ClassPremium, 4),
		r("0", ClassNational),
	}, other: ClassLocal},
	"AU": {cc: "61", intl: []string{"0011", "0014", "0015", "0018", "0019"}, trunk: "0", emergency: []string{"000", "112", "106"}, rules: []rule{
		r("1800", ClassLocal), r("13", ClassLocal, 6, 10),
		r("190", ClassPremium),
		r("0", ClassNational),
		r("", ClassLocal, 8),
	}, other: ClassNational},
	"CH": {cc: "41", intl: []string{"00"}, trunk: "0", emergency: []string{"112", "117", "118", "144", "145", "1414", "1415"}, rules: []rule{
		r("0800", ClassLocal),
		r("0900", ClassPremium), r("0901", ClassPremium), r("0906", ClassPremium), r("18", ClassPremium, 4),
		r("0", ClassNational),
	}, other: ClassNational},
	"BE": {cc: "32", intl: []string{"00"}, trunk: "0", emergency: []string{"112", "100", "101"}, rules: []rule{
		r("0800", ClassLocal),
		r("090", ClassPremium),
		r("0", ClassNational),
	}, other: ClassNational},
}

// generic is the plan for an unset country: "00" and "+" lead abroad,
// 112 and 911 are emergency numbers, everything else is national.
var generic = &numbering{intl: []string{"00"}, emergency: []string{"112", "911"}, other: ClassNational}

func init() { plans["UK"] = plans["GB"] }

// premiumAbroad are country calling codes of satellite, international
// network and international premium-rate services.
var premiumAbroad = []string{"870", "881", "882", "883", "979"}

// planFor returns the plan of a country code (case-insensitive), or nil.
func planFor(country string) *numbering {
	if country == "" {
		return generic
	}
	return plans[strings.ToUpper(country)]
}

// Countries lists the countries Classify and EmergencyNumbers know, as
// ISO 3166-1 alpha-2 codes ("UK" is accepted for "GB" too).
func Countries() []string {
	var cs []string
	for c := range plans {
		if c != "UK" {
			cs = append(cs, c)
		}
	}
	slices.Sort(cs)
	return cs
}

// EmergencyNumbers returns the emergency numbers of a country (ISO 3166-1
// alpha-2; "" for 112 and 911), or nil for a country Deskline does not know.
func EmergencyNumbers(country string) []string {
	p := planFor(country)
	if p == nil {
		return nil
	}
	return slices.Clone(p.emergency)
}

// IsEmergency reports whether number (as dialled, separators removed) is an
// emergency number of the country.
func IsEmergency(country, number string) bool {
	p := planFor(country)
	return p != nil && slices.Contains(p.emergency, number)
}

// Classify tells which class a number dialled from inside country belongs
// to. The number is as the user dials it to the outside, after the outside
// line prefix (the 9) is removed. Numbers the plan does not know fall in the
// country's most likely class; a number dialled abroad in international form
// (00 33 1..., +33 1...) to country's own code is classified as the national
// number it stands for. Emergency numbers are ClassLocal. An unknown country
// is treated as "" (the generic plan).
func Classify(country, number string) Class {
	p := planFor(country)
	if p == nil {
		p = generic
	}
	return p.classify(number)
}

func (p *numbering) classify(number string) Class {
	if slices.Contains(p.emergency, number) {
		return ClassLocal
	}
	if rest, ok := p.abroad(number); ok {
		if p.cc != "" && strings.HasPrefix(rest, p.cc) {
			return p.classifyNational(p.trunk + rest[len(p.cc):])
		}
		for _, cc := range premiumAbroad {
			if strings.HasPrefix(rest, cc) {
				return ClassPremium
			}
		}
		return ClassInternational
	}
	return p.classifyNational(number)
}

// abroad strips an international prefix (or '+') from number.
func (p *numbering) abroad(number string) (string, bool) {
	if strings.HasPrefix(number, "+") {
		return number[1:], true
	}
	for _, ip := range p.intl {
		if strings.HasPrefix(number, ip) {
			return number[len(ip):], true
		}
	}
	return "", false
}

func (p *numbering) classifyNational(number string) Class {
	for _, r := range p.rules {
		if strings.HasPrefix(number, r.prefix) && (len(r.lens) == 0 || slices.Contains(r.lens, len(number))) {
			return r.class
		}
	}
	return p.other
}
