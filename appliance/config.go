package appliance

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"deskline/appliance/provision"
	"deskline/media/tone"
)

// Config is everything the daemon is started with. Each field has a flag
// and an environment variable; a flag given on the command line wins over
// the environment, which wins over the default.
type Config struct {
	DataDir  string     // -data, DESKLINE_DATA: where the store and files live
	SIPAddr  string     // -sip, DESKLINE_SIP: UDP and TCP listen address
	HTTPAddr string     // -http, DESKLINE_HTTP: web panel and /api/v1
	RTPMin   int        // -rtp MIN-MAX, DESKLINE_RTP: even port range for media
	RTPMax   int        //
	LogLevel slog.Level // -log-level, DESKLINE_LOG_LEVEL: debug, info, warn, error
	Demo     bool       // -demo, DESKLINE_DEMO: on an empty store, create demo extensions
	// Console (-console, DESKLINE_CONSOLE) is a terminal that also gets the
	// start-up instructions (setup code): /dev/console on the box, where
	// gokrazy does not copy a program's output to the screen.
	Console string
	// SIPAllow (-sip-allow, DESKLINE_SIP_ALLOW) lists networks never banned
	// for failed logins: the office LAN, the provider. Comma-separated CIDRs.
	SIPAllow []netip.Prefix
	// MaxCalls (-max-calls, DESKLINE_MAX_CALLS) bounds the calls carried at
	// once (toll-fraud and overload guard); 0 = as many as the RTP range allows.
	MaxCalls int
	// NoAnswer is how long a callee rings before the caller hears 480.
	NoAnswer time.Duration
	// SIPDigest (-sip-digest, DESKLINE_SIP_DIGEST) lists the digest
	// algorithms challenged, in order: "md5" (default), "sha256,md5", "sha256".
	SIPDigest []string

	// AdminPassword (DESKLINE_ADMIN_PASSWORD only, never a flag: flags show
	// in process lists) creates user "admin" when the store has no admin.
	AdminPassword string

	// HTTPSAddr (-https, DESKLINE_HTTPS) serves the panel and API over
	// TLS; SIPSAddr (-sips, DESKLINE_SIPS) serves SIP over TLS. Both use
	// the certificate in <data>/tls. "" (or "off") turns one off.
	HTTPSAddr string
	SIPSAddr  string

	// Country (-country, DESKLINE_COUNTRY) picks the call-progress tones
	// callers hear (ringback), as a two-letter code: US, GB, FR, DE…
	Country string
	// TimeZone (-timezone, DESKLINE_TIMEZONE) is the box's IANA time zone
	// ("Europe/Berlin"), written into provisioned phones' files.
	TimeZone string
	// UpdatePasswordFile (-update-password-file,
	// DESKLINE_UPDATE_PASSWORD_FILE), when set, is where the box keeps
	// its own firmware-update password, made on first start: the image
	// sets /perm/gokr-pw.txt, which gokrazy prefers to the password baked
	// into the image from the next boot on.
	UpdatePasswordFile string
	// MetricsToken (-metrics-token, DESKLINE_METRICS_TOKEN), when set
	// (16 characters or more), serves /metrics to a monitoring server that
	// presents it as a bearer token.
	MetricsToken string
	// SimPorts (-sim-ports, DESKLINE_SIM_PORTS) adds simulated analog
	// ports: two FXS extensions and one FXO line, driven through
	// /api/v1/sim (simports.go).
	SimPorts bool
}

// DefaultConfig is what a box runs with when nothing is set.
func DefaultConfig() Config {
	return Config{
		DataDir:   "/perm/deskline",
		SIPAddr:   ":5060",
		HTTPAddr:  ":8080",
		RTPMin:    10000,
		RTPMax:    20000,
		LogLevel:  slog.LevelInfo,
		SIPDigest: []string{"md5"},
		NoAnswer:  30 * time.Second,
		HTTPSAddr: ":8443",
		SIPSAddr:  ":5061",
		Country:   "US",
		TimeZone:  "UTC",
	}
}

// ParseConfig reads flags from args (without the program name) over the
// environment given by getenv, over DefaultConfig. Usage errors and -help
// write to out.
func ParseConfig(args []string, getenv func(string) string, out io.Writer) (Config, error) {
	c := DefaultConfig()
	fs := flag.NewFlagSet("deskline", flag.ContinueOnError)
	fs.SetOutput(out)
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	data := fs.String("data", env("DESKLINE_DATA", c.DataDir), "data directory (store, voicemail, recordings) [$DESKLINE_DATA]")
	sipAddr := fs.String("sip", env("DESKLINE_SIP", c.SIPAddr), "SIP listen address, UDP and TCP [$DESKLINE_SIP]")
	httpAddr := fs.String("http", env("DESKLINE_HTTP", c.HTTPAddr), "web panel and API listen address [$DESKLINE_HTTP]")
	rtp := fs.String("rtp", env("DESKLINE_RTP", fmt.Sprintf("%d-%d", c.RTPMin, c.RTPMax)), "RTP port range MIN-MAX, even ports [$DESKLINE_RTP]")
	level := fs.String("log-level", env("DESKLINE_LOG_LEVEL", "info"), "log level: debug, info, warn, error [$DESKLINE_LOG_LEVEL]")
	console := fs.String("console", env("DESKLINE_CONSOLE", ""), "also print start-up instructions (setup code) to this terminal, e.g. /dev/console [$DESKLINE_CONSOLE]")
	maxCallsDef, _ := strconv.Atoi(env("DESKLINE_MAX_CALLS", "0"))
	maxCalls := fs.Int("max-calls", maxCallsDef, "most calls carried at once; 0 = as many as the RTP range allows [$DESKLINE_MAX_CALLS]")
	allow := fs.String("sip-allow", env("DESKLINE_SIP_ALLOW", ""), "networks never banned for failed SIP logins, comma-separated CIDRs, e.g. 192.168.1.0/24 [$DESKLINE_SIP_ALLOW]")
	digestAlgs := fs.String("sip-digest", env("DESKLINE_SIP_DIGEST", "md5"), "SIP digest algorithms challenged, in order: md5, sha256,md5 or sha256 [$DESKLINE_SIP_DIGEST]")
	httpsAddr := fs.String("https", env("DESKLINE_HTTPS", c.HTTPSAddr), `web panel and API over TLS; "" or off = none [$DESKLINE_HTTPS]`)
	sipsAddr := fs.String("sips", env("DESKLINE_SIPS", c.SIPSAddr), `SIP over TLS listen address; "" or off = none [$DESKLINE_SIPS]`)
	demoDef, _ := strconv.ParseBool(env("DESKLINE_DEMO", "false"))
	country := fs.String("country", env("DESKLINE_COUNTRY", c.Country), "country whose call-progress tones callers hear: "+strings.Join(tone.Countries(), ", ")+" [$DESKLINE_COUNTRY]")
	metrics := fs.String("metrics-token", env("DESKLINE_METRICS_TOKEN", c.MetricsToken), "bearer token a Prometheus server presents to read /metrics; empty = no /metrics [$DESKLINE_METRICS_TOKEN]")
	updPw := fs.String("update-password-file", env("DESKLINE_UPDATE_PASSWORD_FILE", c.UpdatePasswordFile), "where this box's own firmware-update password is kept (made on first start), e.g. /perm/gokr-pw.txt on the image [$DESKLINE_UPDATE_PASSWORD_FILE]")
	timezone := fs.String("timezone", env("DESKLINE_TIMEZONE", c.TimeZone), "IANA time zone provisioned phones show, e.g. Europe/Berlin [$DESKLINE_TIMEZONE]")
	demo := fs.Bool("demo", demoDef, "on an empty store, create demo extensions 1001-1003 [$DESKLINE_DEMO]")
	simDef, _ := strconv.ParseBool(env("DESKLINE_SIM_PORTS", "false"))
	simPorts := fs.Bool("sim-ports", simDef, "add simulated analog ports (FXS extensions 2001, 2002 and an FXO line), driven through /api/v1/sim [$DESKLINE_SIM_PORTS]")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	c.DataDir, c.SIPAddr, c.HTTPAddr, c.Demo, c.Console, c.SimPorts = *data, *sipAddr, *httpAddr, *demo, *console, *simPorts
	c.AdminPassword = getenv("DESKLINE_ADMIN_PASSWORD")
	c.HTTPSAddr, c.SIPSAddr = offIsEmpty(*httpsAddr), offIsEmpty(*sipsAddr)
	var err error
	if c.RTPMin, c.RTPMax, err = parseRTPRange(*rtp); err != nil {
		return c, err
	}
	if err := c.LogLevel.UnmarshalText([]byte(*level)); err != nil {
		return c, fmt.Errorf("-log-level %q: want debug, info, warn or error", *level)
	}
	c.SIPDigest = nil
	for _, a := range strings.Split(*digestAlgs, ",") {
		a = strings.ToLower(strings.TrimSpace(a))
		if a != "md5" && a != "sha256" || slices.Contains(c.SIPDigest, a) {
			return c, fmt.Errorf("-sip-digest %q: want md5, sha256 or both, comma-separated", *digestAlgs)
		}
		c.SIPDigest = append(c.SIPDigest, a)
	}
	for _, p := range strings.Split(*allow, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		pfx, err := netip.ParsePrefix(p)
		if err != nil {
			if a, aerr := netip.ParseAddr(p); aerr == nil {
				pfx = netip.PrefixFrom(a, a.BitLen())
			} else {
				return c, fmt.Errorf("-sip-allow %q: %q is not a network like 192.168.1.0/24", *allow, p)
			}
		}
		c.SIPAllow = append(c.SIPAllow, pfx.Masked())
	}
	c.Country = strings.ToUpper(strings.TrimSpace(*country))
	c.UpdatePasswordFile = strings.TrimSpace(*updPw)
	if c.MetricsToken = strings.TrimSpace(*metrics); c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		return c, fmt.Errorf("-metrics-token: want 16 characters or more, got %d", len(c.MetricsToken))
	}
	if _, ok := tone.Lookup(c.Country, tone.Ringback); !ok {
		return c, fmt.Errorf("-country %q: want one of %s", *country, strings.Join(tone.Countries(), ", "))
	}
	if c.TimeZone = strings.TrimSpace(*timezone); !slices.Contains(provision.TimeZones(), c.TimeZone) {
		return c, fmt.Errorf("-timezone %q: want an IANA zone name such as Europe/Berlin or America/New_York (%d supported)", *timezone, len(provision.TimeZones()))
	}
	if c.MaxCalls = *maxCalls; c.MaxCalls < 0 {
		return c, fmt.Errorf("-max-calls %d: must not be negative", c.MaxCalls)
	}
	if c.DataDir == "" {
		return c, errors.New("-data must not be empty")
	}
	return c, nil
}

func parseRTPRange(s string) (lo, hi int, err error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return 0, 0, fmt.Errorf("-rtp %q: want MIN-MAX, e.g. 10000-20000", s)
	}
	lo, err1 := strconv.Atoi(strings.TrimSpace(a))
	hi, err2 := strconv.Atoi(strings.TrimSpace(b))
	switch {
	case err1 != nil || err2 != nil:
		return 0, 0, fmt.Errorf("-rtp %q: want MIN-MAX, e.g. 10000-20000", s)
	case lo < 1024 || hi > 65534 || lo > hi:
		return 0, 0, fmt.Errorf("-rtp %q: want 1024 <= MIN <= MAX <= 65534", s)
	case lo%2 != 0:
		return 0, 0, fmt.Errorf("-rtp %q: MIN must be even (RTP uses even ports)", s)
	case hi-lo < 2:
		return 0, 0, fmt.Errorf("-rtp %q: the range holds no call; give at least 4 ports", s)
	}
	return lo, hi, nil
}

// offIsEmpty lets an environment variable, where "" means unset, turn a
// listener off with "off".
func offIsEmpty(addr string) string {
	if strings.EqualFold(strings.TrimSpace(addr), "off") {
		return ""
	}
	return addr
}
