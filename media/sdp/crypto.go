package sdp

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
)

// SRTP crypto suites of SDES (RFC 4568, RFC 6188, RFC 7714) that Negotiate
// accepts, as written in a=crypto lines. media/srtp implements them.
const (
	AESCM128HMACSHA1_80 = "AES_CM_128_HMAC_SHA1_80"
	AESCM128HMACSHA1_32 = "AES_CM_128_HMAC_SHA1_32"
	AEADAES128GCM       = "AEAD_AES_128_GCM"
	AEADAES256GCM       = "AEAD_AES_256_GCM"
	AES256CMHMACSHA1_80 = "AES_256_CM_HMAC_SHA1_80"
)

// cryptoSuites lists the suites we know with the length of their master
// key||salt, in our default order of preference.
var cryptoSuites = [...]struct {
	name   string
	keyLen int
}{
	{AESCM128HMACSHA1_80, 30},
	{AESCM128HMACSHA1_32, 30},
	{AEADAES128GCM, 28},
	{AEADAES256GCM, 44},
	{AES256CMHMACSHA1_80, 46},
}

// suiteKeyLen returns the canonical name of suite and its key||salt
// length, or 0 when the suite is unknown. Names compare without case.
func suiteKeyLen(suite string) (string, int) {
	for _, s := range cryptoSuites {
		if strings.EqualFold(s.name, suite) {
			return s.name, s.keyLen
		}
	}
	return "", 0
}

// ErrCrypto is wrapped by the errors of ParseCrypto and Media.Crypto: an
// a=crypto line we cannot use. Such a line is skipped, never fatal to the
// body; Negotiate moves on to the next one.
var ErrCrypto = errors.New("sdp: unusable a=crypto")

// CryptoError says why an a=crypto line was skipped. It wraps ErrCrypto.
type CryptoError struct {
	Tag    string // the line's tag as written; "" when unreadable
	Reason string
}

func (e *CryptoError) Error() string {
	if e.Tag == "" {
		return ErrCrypto.Error() + ": " + e.Reason
	}
	return ErrCrypto.Error() + " " + e.Tag + ": " + e.Reason
}

// Unwrap returns ErrCrypto.
func (e *CryptoError) Unwrap() error { return ErrCrypto }

// Crypto is one SDES a=crypto attribute (RFC 4568) with a single inline
// key: "a=crypto:<Tag> <Suite> inline:<base64 Key>[|lifetime][|MKI:len]".
type Crypto struct {
	Tag   int    // 0 to 999999999; an answer repeats the tag of the offer's line it accepts
	Suite string // canonical name, e.g. AES_CM_128_HMAC_SHA1_80
	Key   []byte // master key||salt, exactly the suite's length
	// MKI is the master key identifier the sender puts in every packet
	// ("|1:1" is the one byte 0x01), big-endian in its declared length;
	// nil when absent. media/srtp.NewPairMKI takes it. Key lifetimes are
	// checked for syntax and otherwise ignored: legs are re-keyed by
	// re-INVITE long before any lifetime runs out.
	MKI []byte
}

// String returns the attribute value, without "crypto:": tag, suite,
// inline key in padded base64 and, when set, the MKI.
func (c Crypto) String() string {
	b := make([]byte, 0, 40+base64.StdEncoding.EncodedLen(len(c.Key)))
	b = strconv.AppendInt(b, int64(c.Tag), 10)
	b = append(b, ' ')
	b = appendToken(b, c.Suite)
	b = append(b, " inline:"...)
	b = base64.StdEncoding.AppendEncode(b, c.Key)
	if len(c.MKI) > 0 && len(c.MKI) <= 128 {
		var v uint64
		for _, x := range c.MKI {
			v = v<<8 | uint64(x)
		}
		b = append(b, '|')
		b = strconv.AppendUint(b, v, 10)
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(len(c.MKI)), 10)
	}
	return string(b)
}

// Attr returns c as the a=crypto attribute of a Media.
func (c Crypto) Attr() Attr { return Attr{Key: "crypto", Value: c.String()} }

// ParseCrypto reads the value of an a=crypto attribute (what follows
// "crypto:"). It accepts the suites listed above (names without regard to
// case), one inline key whose base64 may lack its padding, a lifetime
// written 2^n or in decimal, an MKI "value:length" (length 1 to 128 bytes),
// and the WSH session parameter (a hint). Anything else makes the line
// unusable: a key of the wrong length, several keys, other key methods, and
// the session parameters KDR, UNENCRYPTED_SRTP, UNENCRYPTED_SRTCP,
// UNAUTHENTICATED_SRTP, FEC_ORDER, FEC_KEY and unknown ones. The error is a
// *CryptoError wrapping ErrCrypto.
func ParseCrypto(value string) (Crypto, error) {
	f := fields(value)
	if len(f) < 3 {
		return Crypto{}, &CryptoError{Reason: "needs tag, suite and key parameters"}
	}
	tagStr := f[0]
	bad := func(reason string) (Crypto, error) {
		if len(tagStr) > 12 {
			tagStr = tagStr[:12]
		}
		return Crypto{}, &CryptoError{Tag: tagStr, Reason: reason}
	}
	if len(tagStr) > 9 || !allDigits(tagStr) {
		return bad("tag " + quote(tagStr) + " is not 1 to 9 digits")
	}
	tag, _ := strconv.Atoi(tagStr)
	suite, keyLen := suiteKeyLen(f[1])
	if keyLen == 0 {
		return bad("unsupported suite " + quote(f[1]))
	}
	if strings.Contains(f[2], ";") {
		return bad("several keys (MKI rotation) are not supported")
	}
	method, info, ok := strings.Cut(f[2], ":")
	if !ok || !strings.EqualFold(method, "inline") {
		return bad("key method " + quote(method) + " is not inline")
	}
	parts := strings.Split(info, "|")
	if len(parts) > 3 {
		return bad("key has more than lifetime and MKI after it")
	}
	key, err := decodeKey(parts[0])
	if err != nil {
		return bad("key is not base64")
	}
	if len(key) != keyLen {
		return bad(suite + " needs a key||salt of " + itoa(keyLen) + " bytes, has " + itoa(len(key)))
	}
	c := Crypto{Tag: tag, Suite: suite, Key: key}
	seenLifetime := false
	for _, p := range parts[1:] {
		if v, l, isMKI := strings.Cut(p, ":"); isMKI {
			if c.MKI != nil {
				return bad("two MKIs")
			}
			if c.MKI, ok = parseMKI(v, l); !ok {
				return bad("MKI " + quote(p) + " is not value:length with a length of 1 to 128")
			}
			continue
		}
		if seenLifetime || c.MKI != nil {
			return bad("lifetime " + quote(p) + " repeated or after the MKI")
		}
		if !validLifetime(p) {
			return bad("lifetime " + quote(p) + " is not 2^n or a number")
		}
		seenLifetime = true
	}
	for _, sp := range f[3:] {
		name, _, _ := strings.Cut(sp, "=")
		if strings.EqualFold(name, "WSH") {
			continue // window size hint: our replay window is large enough
		}
		return bad("session parameter " + quote(sp) + " is not supported")
	}
	return c, nil
}

// decodeKey reads base64 with or without its padding.
func decodeKey(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if len(s) > 128 {
		return nil, errors.New("too long")
	}
	return base64.RawStdEncoding.DecodeString(s)
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// validLifetime accepts "2^n" (n up to 48, the SRTP index) or a decimal
// count below 2^48.
func validLifetime(s string) bool {
	if exp, ok := strings.CutPrefix(s, "2^"); ok {
		n, err := strconv.Atoi(exp)
		return allDigits(exp) && err == nil && n >= 1 && n <= 48
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return allDigits(s) && err == nil && n > 0 && n < 1<<48
}

// parseMKI reads the MKI "value:length" into its length of big-endian bytes.
func parseMKI(value, length string) ([]byte, bool) {
	n, err1 := strconv.Atoi(length)
	v, err2 := strconv.ParseUint(value, 10, 64)
	if !allDigits(length) || !allDigits(value) || err1 != nil || err2 != nil || n < 1 || n > 128 {
		return nil, false
	}
	if n < 8 && v>>(8*n) != 0 {
		return nil, false // does not fit
	}
	b := make([]byte, n)
	for i := n - 1; i >= 0 && v != 0; i-- {
		b[i] = byte(v)
		v >>= 8
	}
	return b, true
}

// Crypto returns the usable a=crypto lines of the stream in their order,
// and for each skipped one the reason (a *CryptoError).
func (m Media) Crypto() (usable []Crypto, skipped []error) {
	for _, a := range m.Attrs {
		if !strings.EqualFold(a.Key, "crypto") {
			continue
		}
		c, err := ParseCrypto(a.Value)
		if err != nil {
			skipped = append(skipped, err)
			continue
		}
		usable = append(usable, c)
	}
	return usable, skipped
}
