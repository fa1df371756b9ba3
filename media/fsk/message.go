package fsk

import (
	"errors"
	"fmt"
	"time"
)

// Message types (the first octet of a caller-ID message).
const (
	TypeSDMF = 0x04 // single data message format: date, time and number
	TypeMDMF = 0x80 // multiple data message format (ETSI "call set-up")
)

// MDMF parameter types (Telcordia GR-30 and ETSI EN 300 659-3 agree).
const (
	ParamDateTime      = 0x01 // MMDDHHMM, 8 ASCII digits
	ParamNumber        = 0x02 // calling line identity
	ParamNumberAbsence = 0x04 // reason the number is absent: 'O' or 'P'
	ParamName          = 0x07 // calling party name
	ParamNameAbsence   = 0x08 // reason the name is absent: 'O' or 'P'
)

// Reasons for absence, in the NumberAbsence and NameAbsence fields and in
// an SDMF message's number field.
const (
	Unavailable = 'O' // out of area or otherwise unavailable
	Private     = 'P' // withheld by the caller
)

// Errors returned (wrapped) by SDMF, MDMF and ParseMessage.
var (
	// ErrChecksum: the message's checksum octet does not match.
	ErrChecksum = errors.New("fsk: bad checksum")
	// ErrLength: the message or a parameter is shorter or longer than
	// its length octet says, or a field too long to encode.
	ErrLength = errors.New("fsk: bad length")
	// ErrType: a message type other than SDMF (0x04) or MDMF (0x80).
	ErrType = errors.New("fsk: unknown message type")
	// ErrField: a field holds characters the format does not allow (or
	// a date/time that is not 8 digits).
	ErrField = errors.New("fsk: bad field")
)

// CallerID is the content of a caller-ID message.
type CallerID struct {
	// Time is the date and time of the call. Only month, day, hour and
	// minute travel in a message: ParseMessage returns them in year 0,
	// UTC. Zero means absent (MDMF only).
	Time time.Time
	// Number is the calling number and Name the calling name, printable
	// ASCII.
	Number, Name string
	// NumberAbsence and NameAbsence give the reason a field is absent:
	// Unavailable ('O'), Private ('P') or 0.
	NumberAbsence, NameAbsence byte
}

// maxField is the longest number or name accepted (GR-30 allows 15
// characters of name and 10 of SDMF number; ETSI up to 20 and 50: the
// message length octet is the only hard limit).
const maxField = 64

func checkText(s string) error {
	if len(s) > maxField {
		return fmt.Errorf("%w: %d characters", ErrLength, len(s))
	}
	for i := range len(s) {
		if s[i] < 0x20 || s[i] > 0x7e {
			return fmt.Errorf("%w: %q", ErrField, s)
		}
	}
	return nil
}

func appendDate(b []byte, t time.Time) []byte {
	return fmt.Appendf(b, "%02d%02d%02d%02d", int(t.Month()), t.Day(), t.Hour(), t.Minute())
}

// finish fills in the length octet b[1] and appends the checksum: the two's
// complement of the sum of all octets, so that everything sums to zero.
func finish(b []byte) ([]byte, error) {
	if len(b)-2 > 255 {
		return nil, fmt.Errorf("%w: message body of %d octets", ErrLength, len(b)-2)
	}
	b[1] = byte(len(b) - 2)
	var sum byte
	for _, c := range b {
		sum += c
	}
	return append(b, -sum), nil
}

// SDMF returns a single data message format message (type 0x04) with the
// time t (month, day, hour and minute) and number, or, when number is the
// one-character string "O" or "P", the reason it is absent. The number is
// printable ASCII, normally digits.
func SDMF(t time.Time, number string) ([]byte, error) {
	if t.IsZero() {
		return nil, fmt.Errorf("%w: SDMF needs a time", ErrField)
	}
	if err := checkText(number); err != nil {
		return nil, err
	}
	b := []byte{TypeSDMF, 0}
	b = appendDate(b, t)
	b = append(b, number...)
	return finish(b)
}

// MDMF returns a multiple data message format message (type 0x80) with a
// date/time parameter (unless c.Time is zero), the number or its absence
// reason, and the name or its absence reason. Empty fields are left out.
func MDMF(c CallerID) ([]byte, error) {
	if err := checkText(c.Number); err != nil {
		return nil, err
	}
	if err := checkText(c.Name); err != nil {
		return nil, err
	}
	for _, r := range []byte{c.NumberAbsence, c.NameAbsence} {
		if r != 0 && r != Unavailable && r != Private {
			return nil, fmt.Errorf("%w: absence reason %q", ErrField, r)
		}
	}
	b := []byte{TypeMDMF, 0}
	if !c.Time.IsZero() {
		b = append(b, ParamDateTime, 8)
		b = appendDate(b, c.Time)
	}
	if c.Number != "" {
		b = append(b, ParamNumber, byte(len(c.Number)))
		b = append(b, c.Number...)
	}
	if c.NumberAbsence != 0 {
		b = append(b, ParamNumberAbsence, 1, c.NumberAbsence)
	}
	if c.Name != "" {
		b = append(b, ParamName, byte(len(c.Name)))
		b = append(b, c.Name...)
	}
	if c.NameAbsence != 0 {
		b = append(b, ParamNameAbsence, 1, c.NameAbsence)
	}
	return finish(b)
}

// MessageLen returns the length of the whole message that starts with the
// two octets type and length: type, length, body and checksum.
func MessageLen(length byte) int { return int(length) + 3 }

// Checksum reports whether message b (type through checksum) sums to zero
// modulo 256.
func Checksum(b []byte) bool {
	var sum byte
	for _, c := range b {
		sum += c
	}
	return sum == 0
}

// ParseMessage decodes a complete caller-ID message b, from the type octet
// to the checksum, checking the checksum and every length. Unknown MDMF
// parameter types are skipped. Characters outside printable ASCII in the
// number and name are replaced by '?'.
func ParseMessage(b []byte) (CallerID, error) {
	var c CallerID
	if len(b) < 3 {
		return c, fmt.Errorf("%w: %d octets", ErrLength, len(b))
	}
	if len(b) != MessageLen(b[1]) {
		return c, fmt.Errorf("%w: length octet %d, message of %d octets", ErrLength, b[1], len(b))
	}
	if !Checksum(b) {
		return c, ErrChecksum
	}
	body := b[2 : len(b)-1]
	switch b[0] {
	case TypeSDMF:
		if len(body) < 8 {
			return c, fmt.Errorf("%w: SDMF of %d octets", ErrLength, len(body))
		}
		t, err := parseDate(body[:8])
		if err != nil {
			return c, err
		}
		c.Time = t
		num := body[8:]
		if len(num) == 1 && (num[0] == Unavailable || num[0] == Private) {
			c.NumberAbsence = num[0]
		} else {
			c.Number = text(num)
		}
		return c, nil
	case TypeMDMF:
		for len(body) > 0 {
			if len(body) < 2 || len(body) < 2+int(body[1]) {
				return c, fmt.Errorf("%w: parameter %#x", ErrLength, body[0])
			}
			v := body[2 : 2+int(body[1])]
			switch body[0] {
			case ParamDateTime:
				t, err := parseDate(v)
				if err != nil {
					return c, err
				}
				c.Time = t
			case ParamNumber:
				c.Number = text(v)
			case ParamName:
				c.Name = text(v)
			case ParamNumberAbsence, ParamNameAbsence:
				if len(v) != 1 {
					return c, fmt.Errorf("%w: absence reason of %d octets", ErrLength, len(v))
				}
				if body[0] == ParamNumberAbsence {
					c.NumberAbsence = v[0]
				} else {
					c.NameAbsence = v[0]
				}
			}
			body = body[2+len(v):]
		}
		return c, nil
	}
	return c, fmt.Errorf("%w: %#x", ErrType, b[0])
}

func parseDate(v []byte) (time.Time, error) {
	if len(v) != 8 {
		return time.Time{}, fmt.Errorf("%w: date/time of %d octets", ErrField, len(v))
	}
	var n [4]int
	for i := range n {
		a, b := v[2*i], v[2*i+1]
		if a < '0' || a > '9' || b < '0' || b > '9' {
			return time.Time{}, fmt.Errorf("%w: date/time %q", ErrField, v)
		}
		n[i] = int(a-'0')*10 + int(b-'0')
	}
	if n[0] < 1 || n[0] > 12 || n[1] < 1 || n[1] > 31 || n[2] > 23 || n[3] > 59 {
		return time.Time{}, fmt.Errorf("%w: date/time %q", ErrField, v)
	}
	return time.Date(0, time.Month(n[0]), n[1], n[2], n[3], 0, 0, time.UTC), nil
}

func text(b []byte) string {
	clean := true
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			clean = false
		}
	}
	if clean {
		return string(b)
	}
	out := make([]byte, len(b))
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			c = '?'
		}
		out[i] = c
	}
	return string(out)
}
