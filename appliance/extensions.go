package appliance

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"deskline/appliance/dialplan"
	"deskline/appliance/sip/digest"
	"deskline/media/sdp"
	"deskline/storage"
)

// sipRealm is the digest realm of every extension. HA1 values depend on it,
// so it never changes.
const sipRealm = "deskline"

// extension is an extension as stored. The SIP password itself is never
// stored: only the digest HA1 for each algorithm we offer.
type extension struct {
	Number string            `json:"number"`
	Name   string            `json:"name"`
	HA1    map[string]string `json:"ha1"`
	// SRTP is "required" for a phone that must encrypt its audio (plain
	// RTP from it is refused); "" lets the phone choose.
	SRTP string `json:"srtp,omitempty"`
	// Supervisor lets the extension listen to, whisper into and barge in
	// on other extensions' calls (feature codes *30, *31, *32).
	Supervisor bool `json:"supervisor,omitempty"`
	// NoVoicemail sends unanswered callers away with a busy or
	// unavailable signal instead of to the extension's voicemail.
	NoVoicemail bool `json:"no_voicemail,omitempty"`
	// Class is how far outside calls from the extension may go: internal,
	// local, national (the default when empty), international or premium.
	Class string `json:"class,omitempty"`
	// CallerID is the number presented on outside calls; "" = the route's
	// or the trunk's.
	CallerID string `json:"caller_id,omitempty"`
	// ProvSecret is the SIP password itself, kept only for an extension a
	// phone is provisioned for (its file must carry it; phones.go). Never
	// shown by the API.
	ProvSecret string    `json:"prov_secret,omitempty"`
	Created    time.Time `json:"created"`
	Updated    time.Time `json:"updated"`
}

// errInvalid marks input a user must correct; its message says what.
var errInvalid = errors.New("invalid")

func invalidf(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errInvalid}, a...)...)
}

// commonPasswords are refused outright: scanners try them first.
var commonPasswords = map[string]bool{
	"1234567890": true, "0123456789": true, "password12": true, "password123": true, "qwertyuiop": true,
	"1111111111": true, "0000000000": true, "123456789a": true, "abcdefghij": true, "changeme123": true,
}

// checkSIPPassword enforces what a phone password must be: long enough to
// survive online guessing, free of the extension number, and typeable on a
// phone's web page (printable ASCII, no spaces).
func checkSIPPassword(number, pw string) error {
	switch {
	case len(pw) < 10:
		return invalidf("password: must be at least 10 characters")
	case len(pw) > 128:
		return invalidf("password: must be at most 128 characters")
	case strings.IndexFunc(pw, func(r rune) bool { return r < 0x21 || r > 0x7e }) >= 0:
		return invalidf("password: use printable ASCII characters without spaces")
	case number != "" && strings.Contains(pw, number):
		return invalidf("password: must not contain the extension number")
	case commonPasswords[strings.ToLower(pw)]:
		return invalidf("password: too common, choose another")
	case strings.Count(pw, pw[:1]) == len(pw):
		return invalidf("password: must not repeat one character")
	}
	return nil
}

func checkName(name string) error {
	if len(name) > 64 {
		return invalidf("name: must be at most 64 characters")
	}
	if strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return invalidf("name: must not contain control characters")
	}
	return nil
}

// checkSRTP validates an extension's SRTP setting and returns its stored
// form.
func checkSRTP(v string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "optional":
		return "", nil
	case "required":
		return "required", nil
	}
	return "", invalidf("srtp: want \"optional\" (the phone chooses) or \"required\" (audio must be encrypted)")
}

// srtpName is how the API shows a stored SRTP setting.
func srtpName(v string) string {
	if v == "" {
		return "optional"
	}
	return v
}

func checkNumber(n string) error {
	if err := dialplan.ValidExtensionNumber(n); err != nil {
		return invalidf("number: %s", strings.TrimPrefix(err.Error(), dialplan.ErrInvalidNumber.Error()+": "))
	}
	return nil
}

func ha1s(number, pw string) map[string]string {
	return map[string]string{
		string(digest.MD5):    digest.HA1(digest.MD5, number, sipRealm, pw),
		string(digest.SHA256): digest.HA1(digest.SHA256, number, sipRealm, pw),
	}
}

// directory answers the SIP server's questions from the store.
type directory struct {
	exts *storage.Collection[extension]
}

func (d directory) Credentials(number string) (map[digest.Algorithm]string, bool) {
	e, err := d.exts.Get(number)
	if err != nil {
		return nil, false
	}
	out := make(map[digest.Algorithm]string, len(e.HA1))
	for alg, h := range e.HA1 {
		out[digest.Algorithm(alg)] = h
	}
	return out, true
}

func (d directory) DisplayName(number string) string {
	if e, err := d.exts.Get(number); err == nil && e.Name != "" {
		return e.Name
	}
	return number
}

// srtpPolicy tells the SIP server how an extension's phone uses SRTP.
func (d directory) srtpPolicy(number string) sdp.SRTPPolicy {
	if e, err := d.exts.Get(number); err == nil && e.SRTP == "required" {
		return sdp.SRTPRequired
	}
	return sdp.SRTPOptional
}

func (d directory) hasVoicemail(number string) bool {
	e, err := d.exts.Get(number)
	return err == nil && !e.NoVoicemail
}

func (d directory) isSupervisor(number string) bool {
	e, err := d.exts.Get(number)
	return err == nil && e.Supervisor
}

func (d directory) exists(number string) bool {
	_, err := d.exts.Get(number)
	return err == nil
}
