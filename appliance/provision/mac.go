package provision

import (
	"fmt"
)

// MAC is a phone's Ethernet address, the key of its configuration. The zero
// MAC is not a phone's address.
type MAC [6]byte

// String returns the address as twelve lower-case hex digits, the form the
// phones put in the file names they request ("805ec0123456").
func (m MAC) String() string {
	const hex = "0123456789abcdef"
	var b [12]byte
	for i, c := range m {
		b[2*i] = hex[c>>4]
		b[2*i+1] = hex[c&0xf]
	}
	return string(b[:])
}

// Colon returns the address in the usual colon form ("80:5e:c0:12:34:56").
func (m MAC) Colon() string {
	s := m.String()
	return s[0:2] + ":" + s[2:4] + ":" + s[4:6] + ":" + s[6:8] + ":" + s[8:10] + ":" + s[10:12]
}

// ParseMAC reads a unicast Ethernet address written as twelve hex digits
// ("805EC0123456"), or as six pairs separated by colons or by hyphens
// ("80:5e:c0:12:34:56", "80-5E-C0-12-34-56"), in either case. Anything else
// is rejected with an error wrapping ErrInvalid: other separators, mixed
// separators, groups of other sizes, the all-zero address (which Polycom
// phones use to ask for a shared default file) and group (multicast or
// broadcast) addresses, which no phone has.
func ParseMAC(s string) (MAC, error) {
	var m MAC
	var digits [12]byte
	n := 0
	switch len(s) {
	case 12:
		copy(digits[:], s)
		n = 12
	case 17:
		sep := s[2]
		if sep != ':' && sep != '-' {
			return m, fmt.Errorf("%w: mac %q: separators must be ':' or '-'", ErrInvalid, s)
		}
		for i := 0; i < 17; i++ {
			if i%3 == 2 {
				if s[i] != sep {
					return m, fmt.Errorf("%w: mac %q: want six pairs of hex digits", ErrInvalid, s)
				}
				continue
			}
			digits[n] = s[i]
			n++
		}
	default:
		return m, fmt.Errorf("%w: mac %q: want 12 hex digits", ErrInvalid, s)
	}
	for i := 0; i < 6; i++ {
		hi, ok1 := unhex(digits[2*i])
		lo, ok2 := unhex(digits[2*i+1])
		if !ok1 || !ok2 {
			return MAC{}, fmt.Errorf("%w: mac %q: not hex", ErrInvalid, s)
		}
		m[i] = hi<<4 | lo
	}
	if m == (MAC{}) {
		return MAC{}, fmt.Errorf("%w: mac %q: the zero address is no phone's", ErrInvalid, s)
	}
	if m[0]&1 != 0 {
		return MAC{}, fmt.Errorf("%w: mac %q: a group address is no phone's", ErrInvalid, s)
	}
	return m, nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// MarshalText writes the twelve-digit form, so that a MAC is a JSON string
// and a map key.
func (m MAC) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText reads any form ParseMAC accepts.
func (m *MAC) UnmarshalText(b []byte) error {
	v, err := ParseMAC(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}
