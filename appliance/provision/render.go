package provision

import (
	"bytes"
	"embed"
	"encoding/xml"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"text/template"
	"unicode"
	"unicode/utf8"
)

// Account is what the box knows of an extension that a phone's file needs.
type Account struct {
	DisplayName string // shown on the phone and sent as caller name
	AuthUser    string // SIP digest user; "" means the extension number
	Password    string // SIP digest password
}

// AccountFunc returns the account of an extension, or an error when the
// extension does not exist. It is called on Assign (to check the extension
// and each BLF colleague) and on every render, possibly concurrently.
type AccountFunc func(extension string) (Account, error)

//go:embed templates/*.tmpl
var templateFS embed.FS

var templates = template.Must(template.New("").
	Option("missingkey=error").
	Funcs(template.FuncMap{
		"add": func(a, b int) int { return a + b },
		// gsKey is Grandstream's P-value of field f (0 mode, 1 account,
		// 2 description, 3 value) of multi-purpose key i (1-7).
		"gsKey": func(i, f int) int {
			if f == 0 {
				return 322 + i
			}
			return 300 + 3*(i-1) + f
		},
	}).
	ParseFS(templateFS, "templates/*.tmpl"))

// fileKind is one kind of file a phone asks for.
type fileKind int

const (
	fileNone           fileKind = iota
	fileMACCfg                  // <mac>.cfg: Yealink's per-phone file, or Polycom's master file
	filePolycomPhone            // <mac>-deskline.cfg: our Polycom per-phone settings
	filePolycomOther            // <mac>-*: Polycom's other per-phone files (directory, overrides, logs)
	fileGrandstreamXML          // cfg<mac>.xml
	fileGrandstreamBin          // cfg<mac>: Grandstream's legacy binary format, not served
)

// polycomPhoneSuffix names our Polycom settings file. Not "-phone.cfg":
// UC Software uploads the user's local changes under <mac>-phone.cfg
// (the overrides file), and the two must not collide.
const polycomPhoneSuffix = "-deskline.cfg"

// parseFileName finds the MAC and kind of a requested file name.
func parseFileName(name string) (MAC, fileKind) {
	if len(name) > 64 {
		return MAC{}, fileNone
	}
	lower := strings.ToLower(name)
	var digits string
	kind := fileNone
	switch {
	case strings.HasPrefix(lower, "cfg") && strings.HasSuffix(lower, ".xml") && len(lower) == 3+12+4:
		digits, kind = lower[3:15], fileGrandstreamXML
	case strings.HasPrefix(lower, "cfg") && len(lower) == 3+12:
		digits, kind = lower[3:], fileGrandstreamBin
	case strings.HasSuffix(lower, ".cfg") && len(lower) == 12+4:
		digits, kind = lower[:12], fileMACCfg
	case strings.HasSuffix(lower, polycomPhoneSuffix) && len(lower) == 12+len(polycomPhoneSuffix):
		digits, kind = lower[:12], filePolycomPhone
	case len(lower) > 13 && lower[12] == '-':
		digits, kind = lower[:12], filePolycomOther
	default:
		return MAC{}, fileNone
	}
	mac, err := ParseMAC(digits)
	if err != nil {
		return MAC{}, fileNone
	}
	return mac, kind
}

// fileNames lists the files served to a phone of this vendor.
func fileNames(v Vendor, mac MAC) []string {
	switch v {
	case Yealink:
		return []string{mac.String() + ".cfg"}
	case Grandstream:
		return []string{"cfg" + mac.String() + ".xml"}
	case Polycom:
		return []string{mac.String() + ".cfg", mac.String() + polycomPhoneSuffix}
	}
	return nil
}

// template and content type of a kind for a vendor; "" when not served.
func templateFor(v Vendor, k fileKind) (name, contentType string) {
	switch {
	case v == Yealink && k == fileMACCfg:
		return "yealink.cfg.tmpl", "text/plain; charset=utf-8"
	case v == Grandstream && k == fileGrandstreamXML:
		return "grandstream.xml.tmpl", "application/xml; charset=utf-8"
	case v == Polycom && k == fileMACCfg:
		return "polycom-master.cfg.tmpl", "application/xml; charset=utf-8"
	case v == Polycom && k == filePolycomPhone:
		return "polycom-phone.cfg.tmpl", "application/xml; charset=utf-8"
	}
	return "", ""
}

// view is what a template sees. Every string in it has been made safe for
// the target format already (see escaper), so templates print fields as
// they are and cannot forget to escape one.
type view struct {
	MAC, Model                        string
	Extension, AuthUser, Password     string
	DisplayName, Label                string
	Server                            string
	Port                              int
	Transport                         string // in the vendor's terms
	YealinkOffset, YealinkName, POSIX string
	GMTOffset                         int // seconds
	DST                               *polycomDST
	Keys                              []keyView
	ProvURL, ProvUser, ProvPass       string // "" when Settings.ProvisionURL is unset
	ProvScheme, ProvHostPath          string
	PolycomMaster                     string // the per-phone file the master file lists
}

// polycomDST is a daylight-saving rule in UC Software's fields: months
// 1-12, dayOfWeek 1 = Sunday, occurrence 1/8/15/22 = first..fourth week,
// or last in month; times are local hours.
type polycomDST struct {
	StartMonth, StartDate, StartTime, StartLast int
	StopMonth, StopDate, StopTime, StopLast     int
}

func dstFields(r dstRule) *polycomDST {
	switch r {
	case dstEU: // local times differ by zone; 2 and 3 are CET's, close enough for GMT/EET to within an hour
		return &polycomDST{3, 1, 2, 1, 10, 1, 3, 1}
	case dstUS:
		return &polycomDST{3, 8, 2, 0, 11, 1, 2, 0}
	case dstAU:
		return &polycomDST{10, 1, 2, 0, 4, 1, 3, 0}
	}
	return nil
}

// keyView is one programmable key: a speed dial of a feature code or a
// busy lamp field for a colleague.
type keyView struct {
	Index int // 1-based position among the programmable keys
	BLF   bool
	Value string // digits to dial or extension to watch
	Label string
}

// escaper makes outside text safe for one file format.
type escaper func(string) string

// cleanText turns outside text into one line of printable characters:
// invalid UTF-8 is dropped, control and line/paragraph separator
// characters become spaces, runs of spaces collapse, and the result is at
// most max runes. No file format this package writes lets such a value
// start a new setting.
func cleanText(s string, max int) string {
	s = strings.ToValidUTF8(s, "")
	var b strings.Builder
	space := false
	n := 0
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.IsSpace(r) {
			space = true
			continue
		}
		if n >= max {
			break
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
			n++
			if n >= max {
				break
			}
		}
		space = false
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// yealinkText: Yealink's "key = value" lines have no escapes; one clean
// line is all a value may be.
func yealinkText(s string) string { return cleanText(s, 64) }

// xmlText escapes for XML character data and attribute values alike.
func xmlText(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(cleanText(s, 64)))
	return b.String()
}

// xmlSecret escapes a checked secret for XML without changing it.
func xmlSecret(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// validSecret reports whether a password can be written into a file as
// it is: printable, no spaces at its ends, no longer than 64 bytes.
func validSecret(s string) bool {
	if s == "" || len(s) > 64 || !utf8.ValidString(s) || strings.TrimSpace(s) != s {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return false
		}
	}
	return true
}

// render writes one file of phone p.
func render(p Phone, k fileKind, set Settings, accounts AccountFunc) ([]byte, string, error) {
	name, ctype := templateFor(p.Vendor, k)
	if name == "" {
		return nil, "", fmt.Errorf("%w: %s does not ask for this file", ErrUnknownFile, p.Vendor)
	}
	// esc is for names (cleaned to one line), escSecret for passwords,
	// which validSecret has checked and which must reach the phone as
	// they are.
	esc, escSecret := escaper(xmlText), escaper(xmlSecret)
	if p.Vendor == Yealink {
		esc, escSecret = yealinkText, func(s string) string { return s }
	}
	acc, err := accounts(p.Extension)
	if err != nil {
		return nil, "", fmt.Errorf("provision: extension %s: %w", p.Extension, err)
	}
	if acc.AuthUser == "" {
		acc.AuthUser = p.Extension
	}
	if !validSecret(acc.Password) {
		return nil, "", fmt.Errorf("%w: sip password of extension %s cannot be written into a phone's file", ErrInvalid, p.Extension)
	}
	if !validSecret(acc.AuthUser) {
		return nil, "", fmt.Errorf("%w: auth user of extension %s cannot be written into a phone's file", ErrInvalid, p.Extension)
	}
	z := zones[set.TimeZone]
	v := view{
		MAC:           p.MAC.String(),
		Model:         esc(p.Model),
		Extension:     p.Extension,
		AuthUser:      escSecret(acc.AuthUser),
		Password:      escSecret(acc.Password),
		DisplayName:   esc(acc.DisplayName),
		Label:         esc(labelOf(acc.DisplayName, p.Extension)),
		Server:        set.Server,
		Port:          set.Port,
		Transport:     vendorTransport(p.Vendor, set.Transport),
		YealinkOffset: z.yealinkOffset,
		YealinkName:   z.yealinkName,
		POSIX:         z.posix,
		GMTOffset:     z.offset,
		DST:           dstFields(z.dst),
		PolycomMaster: p.MAC.String() + polycomPhoneSuffix,
	}
	if v.DisplayName == "" {
		v.DisplayName = p.Extension
	}
	for i, f := range []struct{ code, label string }{
		{set.Codes.HotDeskIn, "Desk in"},
		{set.Codes.HotDeskOut, "Desk out"},
		{set.Codes.AgentLogin, "Agent in"},
		{set.Codes.AgentLogout, "Agent out"},
		{set.Codes.AgentPause, "Pause"},
		{set.Codes.AgentUnpause, "Unpause"},
	} {
		v.Keys = append(v.Keys, keyView{Index: i + 1, Value: f.code, Label: f.label})
	}
	for _, ext := range p.BLF {
		label := ext
		if a, err := accounts(ext); err == nil {
			label = labelOf(a.DisplayName, ext)
		}
		v.Keys = append(v.Keys, keyView{Index: len(v.Keys) + 1, BLF: true, Value: ext, Label: esc(label)})
	}
	if set.ProvisionURL != "" {
		u, _ := url.Parse(set.ProvisionURL) // checked by Settings.withDefaults
		v.ProvURL = esc(set.ProvisionURL)
		v.ProvUser = p.Username
		v.ProvPass = p.Password
		v.ProvScheme = u.Scheme
		v.ProvHostPath = esc(u.Host + u.Path)
	}
	var b bytes.Buffer
	if err := templates.ExecuteTemplate(&b, name, v); err != nil {
		return nil, "", fmt.Errorf("provision: render %s: %w", name, err)
	}
	return b.Bytes(), ctype, nil
}

// labelOf is a key's label: the name, or the number when there is none.
func labelOf(name, number string) string {
	name = cleanText(name, 64)
	if name == "" {
		return number
	}
	return name
}

// vendorTransport writes a transport in each vendor's terms.
func vendorTransport(v Vendor, t Transport) string {
	i := map[Transport]int{UDP: 0, TCP: 1, TLS: 2}[t]
	switch v {
	case Yealink, Grandstream: // account.1.sip_server.1.transport_type / P130: 0 UDP, 1 TCP, 2 TLS
		return strconv.Itoa(i)
	case Polycom: // reg.1.server.1.transport
		return [...]string{"UDPOnly", "TCPOnly", "TLS"}[i]
	}
	return ""
}
