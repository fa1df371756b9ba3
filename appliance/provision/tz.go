package provision

import "slices"

// dstRule names the daylight-saving rule of a zone, for vendors (Polycom)
// that take the rule as separate fields rather than a POSIX string.
type dstRule int

const (
	dstNone dstRule = iota
	dstEU           // last Sunday of March 01:00 UTC to last Sunday of October 01:00 UTC
	dstUS           // second Sunday of March 02:00 local to first Sunday of November 02:00 local
	dstAU           // first Sunday of October 02:00 local to first Sunday of April 03:00 local
)

// zone is one time zone the box can be set to, written in each vendor's
// terms.
type zone struct {
	// offset from UTC in standard time, seconds (Polycom
	// tcpIpApp.sntp.gmtOffset).
	offset int
	// yealinkOffset and yealinkName: local_time.time_zone and
	// local_time.time_zone_name, from the time zone table of the Yealink
	// SIP IP phones administrator guide. The name picks the phone's built-in
	// DST rule (local_time.summer_time = 2, automatic).
	yealinkOffset, yealinkName string
	// posix is the POSIX TZ rule (standard name, offset west of UTC, DST
	// name and offset, start and end), the form Grandstream's P64 takes.
	posix string
	dst   dstRule
}

// zones maps the IANA names the box's setting uses to vendor terms. It
// covers the zones Deskline's installers have asked for; a name not here is
// rejected by Settings validation rather than guessed.
var zones = map[string]zone{
	"UTC":                 {0, "0", "", "UTC0", dstNone},
	"Europe/London":       {0, "0", "United Kingdom(London)", "GMT0BST-1,M3.5.0/01:00:00,M10.5.0/02:00:00", dstEU},
	"Europe/Lisbon":       {0, "0", "Portugal(Lisbon)", "WET0WEST-1,M3.5.0/01:00:00,M10.5.0/02:00:00", dstEU},
	"Europe/Dublin":       {0, "0", "Ireland(Dublin)", "GMT0IST-1,M3.5.0/01:00:00,M10.5.0/02:00:00", dstEU},
	"Europe/Paris":        {3600, "+1", "France(Paris)", "CET-1CEST-2,M3.5.0/02:00:00,M10.5.0/03:00:00", dstEU},
	"Europe/Berlin":       {3600, "+1", "Germany(Berlin)", "CET-1CEST-2,M3.5.0/02:00:00,M10.5.0/03:00:00", dstEU},
	"Europe/Madrid":       {3600, "+1", "Spain(Madrid)", "CET-1CEST-2,M3.5.0/02:00:00,M10.5.0/03:00:00", dstEU},
	"Europe/Rome":         {3600, "+1", "Italy(Rome)", "CET-1CEST-2,M3.5.0/02:00:00,M10.5.0/03:00:00", dstEU},
	"Europe/Amsterdam":    {3600, "+1", "Netherlands(Amsterdam)", "CET-1CEST-2,M3.5.0/02:00:00,M10.5.0/03:00:00", dstEU},
	"Europe/Brussels":     {3600, "+1", "Belgium(Brussels)", "CET-1CEST-2,M3.5.0/02:00:00,M10.5.0/03:00:00", dstEU},
	"Europe/Vienna":       {3600, "+1", "Austria(Vienna)", "CET-1CEST-2,M3.5.0/02:00:00,M10.5.0/03:00:00", dstEU},
	"Europe/Stockholm":    {3600, "+1", "Sweden(Stockholm)", "CET-1CEST-2,M3.5.0/02:00:00,M10.5.0/03:00:00", dstEU},
	"Europe/Warsaw":       {3600, "+1", "Poland(Warsaw)", "CET-1CEST-2,M3.5.0/02:00:00,M10.5.0/03:00:00", dstEU},
	"Europe/Athens":       {7200, "+2", "Greece(Athens)", "EET-2EEST-3,M3.5.0/03:00:00,M10.5.0/04:00:00", dstEU},
	"Europe/Helsinki":     {7200, "+2", "Finland(Helsinki)", "EET-2EEST-3,M3.5.0/03:00:00,M10.5.0/04:00:00", dstEU},
	"America/New_York":    {-18000, "-5", "United States-Eastern Time", "EST5EDT4,M3.2.0/02:00:00,M11.1.0/02:00:00", dstUS},
	"America/Chicago":     {-21600, "-6", "United States-Central Time", "CST6CDT5,M3.2.0/02:00:00,M11.1.0/02:00:00", dstUS},
	"America/Denver":      {-25200, "-7", "United States-Mountain Time", "MST7MDT6,M3.2.0/02:00:00,M11.1.0/02:00:00", dstUS},
	"America/Phoenix":     {-25200, "-7", "United States-MST no DST", "MST7", dstNone},
	"America/Los_Angeles": {-28800, "-8", "United States-Pacific Time", "PST8PDT7,M3.2.0/02:00:00,M11.1.0/02:00:00", dstUS},
	"Asia/Kolkata":        {19800, "+5:30", "India(Calcutta)", "IST-5:30", dstNone},
	"Asia/Shanghai":       {28800, "+8", "China(Beijing)", "CST-8", dstNone},
	"Asia/Tokyo":          {32400, "+9", "Japan(Tokyo)", "JST-9", dstNone},
	"Australia/Sydney":    {36000, "+10", "Australia(Sydney,Melbourne,Canberra)", "AEST-10AEDT-11,M10.1.0/02:00:00,M4.1.0/03:00:00", dstAU},
}

// TimeZones lists the IANA zone names Settings.TimeZone accepts, sorted.
func TimeZones() []string {
	out := make([]string, 0, len(zones))
	for k := range zones {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
