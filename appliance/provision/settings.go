package provision

import (
	"fmt"
	"net/url"
	"strings"
)

// Transport is the SIP transport phones use to reach the box.
type Transport string

// The transports.
const (
	UDP Transport = "udp"
	TCP Transport = "tcp"
	TLS Transport = "tls"
)

// FeatureCodes are the codes the phones' feature keys dial. An empty field
// takes the default shown.
type FeatureCodes struct {
	HotDeskIn    string // *40: sign in to this phone as yourself
	HotDeskOut   string // *41: sign out again
	AgentLogin   string // *45: log in to your queues
	AgentLogout  string // *46
	AgentPause   string // *47
	AgentUnpause string // *48
}

// Settings are the box-wide values every phone's file carries. The zero
// value is invalid only for Server.
type Settings struct {
	// Server is the host name or IP address phones register to.
	Server string
	// Port is the SIP port; 0 means 5060, or 5061 for TLS.
	Port int
	// Transport defaults to UDP.
	Transport Transport
	// TimeZone is the box's IANA time zone ("Europe/Berlin"); "" means UTC.
	// TimeZones lists those accepted.
	TimeZone string
	// Codes for the feature keys.
	Codes FeatureCodes
	// ProvisionURL, when set, is the base URL ("https://pbx.example:8443/provision/")
	// written into each phone's file as its provisioning server, together
	// with the phone's own credentials, so that after its first fetch a
	// phone asks with credentials nobody else has. Without userinfo.
	ProvisionURL string
}

// withDefaults fills the zero fields and checks the result; errors wrap
// ErrInvalid and name the field.
func (s Settings) withDefaults() (Settings, error) {
	if s.Transport == "" {
		s.Transport = UDP
	}
	switch s.Transport {
	case UDP, TCP, TLS:
	default:
		return s, fmt.Errorf("%w: transport %q: want udp, tcp or tls", ErrInvalid, s.Transport)
	}
	if s.Port == 0 {
		s.Port = 5060
		if s.Transport == TLS {
			s.Port = 5061
		}
	}
	if s.Port < 1 || s.Port > 65535 {
		return s, fmt.Errorf("%w: port %d: want 1 to 65535", ErrInvalid, s.Port)
	}
	if !validHost(s.Server) {
		return s, fmt.Errorf("%w: server %q: want a host name or IP address", ErrInvalid, s.Server)
	}
	if s.TimeZone == "" {
		s.TimeZone = "UTC"
	}
	if _, ok := zones[s.TimeZone]; !ok {
		return s, fmt.Errorf("%w: time zone %q: not one of provision.TimeZones()", ErrInvalid, s.TimeZone)
	}
	codes := []struct {
		p    *string
		def  string
		name string
	}{
		{&s.Codes.HotDeskIn, "*40", "hot desk in"},
		{&s.Codes.HotDeskOut, "*41", "hot desk out"},
		{&s.Codes.AgentLogin, "*45", "agent login"},
		{&s.Codes.AgentLogout, "*46", "agent logout"},
		{&s.Codes.AgentPause, "*47", "agent pause"},
		{&s.Codes.AgentUnpause, "*48", "agent unpause"},
	}
	for _, c := range codes {
		if *c.p == "" {
			*c.p = c.def
		}
		if len(*c.p) > 16 || strings.Trim(*c.p, "0123456789*#") != "" {
			return s, fmt.Errorf("%w: %s code %q: want up to 16 of 0-9 * #", ErrInvalid, c.name, *c.p)
		}
	}
	if s.ProvisionURL != "" {
		u, err := url.Parse(s.ProvisionURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil ||
			!validHost(u.Hostname()) || u.RawQuery != "" || u.Fragment != "" ||
			strings.ContainsAny(u.Path, " \"'<>&\\") {
			return s, fmt.Errorf("%w: provision URL %q: want http(s)://host[:port]/path without credentials", ErrInvalid, s.ProvisionURL)
		}
	}
	return s, nil
}

// validHost accepts a DNS name or an IPv4/IPv6 address written plainly: the
// characters are those, so the value is safe in every file format.
func validHost(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, c := range h {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '-', c == ':':
		default:
			return false
		}
	}
	return true
}
