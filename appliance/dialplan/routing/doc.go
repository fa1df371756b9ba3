// Package routing decides where calls to and from the outside go: which
// outbound route and trunks carry a dialled number and what number each
// trunk receives, whether the caller may dial it (permission classes,
// toll-fraud limits, time of day, block list), and where a call to one of
// the box's numbers (DIDs) goes. It is pure logic: it knows no SIP and no
// storage, takes the time as an argument or an injected clock, and imports
// the standard library only. Its importer is appliance, which wires it into
// calls and stores its configuration.
//
// # Dial patterns
//
// Compile reads patterns in the style of Asterisk: "_NXXNXXXXXX",
// "_00.", "_9011!", "_[1-5]XX", or a literal number. Match tests a whole
// number, Partial whether more digits could still make it match (overlap
// dialling: Plan.Progress combines both over all routes), Specificity ranks
// patterns that match the same number.
//
// # Outbound calls
//
// Plan.Outbound walks the outbound routes in order. A route's rule may
// require an outside-line prefix ("9"), which is removed; the rest is
// matched, stripped and prepended to give the number sent on each of the
// route's trunks, which the integrator tries in order. Before that, the
// call is checked:
//
//  1. emergency numbers of the configured country (also after the prefix:
//     "9911") pass at once, whatever the caller's class, limits,
//     suspension, the time or the block list;
//  2. the burst detector: more than Limits.BurstCalls attempts within
//     Limits.BurstSeconds suspend the extension (ErrSuspended, with an
//     Alert) until Limiter.Lift;
//  3. Limits.Hours and each route's time condition (ErrTimeOfDay);
//  4. the caller's permission class against the number's class
//     (Classify) and the route's class (ErrForbidden);
//  5. the outbound block list (ErrBlocked);
//  6. calls per hour of the extension (ErrLimit).
//
// For every trunk attempt the integrator calls Limiter.Start (or
// StartEmergency), which enforces concurrent calls per extension and per
// trunk and calls per hour per trunk, and calls the release function when
// the attempt ends. Response maps every refusal to a SIP code and the name
// of the prompt to play.
//
// # Permission classes and number classes
//
// Classes, lowest first: internal, local, national, international,
// premium. An extension may dial numbers of its class and below; the
// default is national, so international and premium numbers are refused
// until an admin allows them. Classify knows these numbering plans (numbers
// as dialled inside the country, after the outside-line prefix):
//
//	all   00 (011 US, 0011/0014/0015/0018/0019 AU) or + → international;
//	      to the country's own code → classified as the national number;
//	      to +870, +881, +882, +883, +979 (satellite, international
//	      networks, international premium rate) → premium
//	US    911 emergency; 1-900, 1-976 (and without the 1) premium; 1-8xx
//	      toll-free (800 833 844 855 866 877 888) local; 1 + the NANP
//	      area codes of Caribbean and Atlantic countries (242 246 264 268
//	      284 345 441 473 649 658 664 721 758 767 784 809 829 849 868
//	      869 876) international; 1 + 10 digits and 10 digits national;
//	      7 digits and N11 service codes local
//	GB/UK 999, 112 emergency; 0800, 0808, 0500 local; 09, 070 (personal
//	      numbers) and 118 (directory) premium; other 0 national; numbers
//	      without 0 (subscriber numbers, 1xx services) local
//	FR    15, 17, 18, 112, 114, 115, 119, 191, 196, 116000 emergency;
//	      0800-0805 local; 082, 089, 118 and 4-digit 3xxx premium; other
//	      0 national; anything else national
//	DE    110, 112 emergency; 0800 and 116xxx local; 0900, 0190, 0137,
//	      0700, 0118 and 118 premium; other 0 national; without 0 local
//	IT    112, 113, 115, 118, 1530 emergency; 800, 803 local; 89x, 166,
//	      144 and 4-digit 12xx premium; everything else national
//	ES    112, 091, 092, 061, 062, 080, 085, 088 emergency; 900, 800
//	      local; 905, 803, 806, 807, 118 premium; everything else national
//	NL    112 emergency; 0800 local; 0900, 0906, 0909 and 4-digit 18xx
//	      premium; other 0 national; without 0 local
//	AU    000, 112, 106 emergency; 1800, 13 and 1300 local; 190x premium;
//	      0 national; 8 digits local; anything else national
//	CH    112, 117, 118, 144, 145, 1414, 1415 emergency; 0800 local;
//	      0900, 0901, 0906 and 4-digit 18xx premium; other national
//	BE    112, 100, 101 emergency; 0800 local; 090x premium; other
//	      national
//	""    112, 911 emergency; everything else national
//
// Not covered: carrier-selection and call-by-call prefixes, mobile-rate
// differences, shared-cost ranges beyond those listed (they count as
// national), short codes other than those listed, Canada-specific rules
// (Canadian area codes count as US national), and numbers of overseas
// territories outside NANP. An admin who needs finer rules sets a route's
// Class, or blocks ranges with the outbound block list.
//
// # Inbound calls
//
// Plan.Inbound checks the blacklist first (reject with a code, or redirect
// to a destination; "anonymous" matches withheld numbers), then picks the
// most specific inbound route by DID, caller ID and time condition, else
// the default destination (InboundDecision.Default: the integrator logs the
// unknown DID). DIDs and caller numbers match in national and international
// form alike ("0142685300" and "+33142685300" in France).
//
// # Time conditions
//
// A TimeCondition is weekly intervals in an IANA time zone minus holiday
// dates. time.LoadLocation needs the zone database: this package does not
// embed it (its tests do, with time/tzdata); the box's main package must
// import time/tzdata if the image has no /usr/share/zoneinfo.
//
// # Configuration
//
// Config holds everything with snake_case JSON tags; DecodeConfig rejects
// unknown fields. Validate returns Problems with field paths such as
// "outbound[2].patterns[0].pattern"; NewPlan refuses a configuration with
// errors.
package routing
