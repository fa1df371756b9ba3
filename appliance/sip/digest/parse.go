package digest

import (
	"fmt"
	"strings"
)

// MaxHeaderBytes bounds the header values ParseAuthorization and Verify
// accept; a digest header from a phone is a few hundred bytes.
const MaxHeaderBytes = 4096

// maxParams bounds the number of parameters in one header value.
const maxParams = 32

// Params holds the parameters of a Digest header value, keyed by lower-case
// name, with quoted strings unquoted. Values keep their case.
type Params map[string]string

// ParseAuthorization parses a Digest credentials or challenge value,
// `Digest name=value, name="quoted \" value", ...` (RFC 7235 auth-param
// syntax). The scheme and parameter names are case-insensitive; spaces and
// tabs around "=" and "," are allowed. It refuses, with an error wrapping
// ErrMalformed: another scheme, an empty parameter list, empty list
// elements, a repeated parameter, an unterminated quoted string, control
// characters, more than 32 parameters or more than MaxHeaderBytes bytes.
func ParseAuthorization(v string) (Params, error) {
	if len(v) > MaxHeaderBytes {
		return nil, fmt.Errorf("%w: header longer than %d bytes", ErrMalformed, MaxHeaderBytes)
	}
	p := parser{s: v}
	p.skipSpace()
	scheme := p.token()
	if !strings.EqualFold(scheme, "Digest") {
		return nil, fmt.Errorf("%w: scheme is not Digest", ErrMalformed)
	}
	if !p.skipSpace() {
		return nil, fmt.Errorf("%w: no parameters", ErrMalformed)
	}
	params := make(Params, 8)
	for {
		name := p.token()
		if name == "" {
			return nil, fmt.Errorf("%w: expected a parameter name at offset %d", ErrMalformed, p.i)
		}
		p.skipSpace()
		if !p.consume('=') {
			return nil, fmt.Errorf("%w: expected '=' after %q", ErrMalformed, name)
		}
		p.skipSpace()
		var val string
		if p.peek() == '"' {
			var err error
			if val, err = p.quoted(); err != nil {
				return nil, err
			}
		} else if val = p.token(); val == "" {
			return nil, fmt.Errorf("%w: parameter %q has no value", ErrMalformed, name)
		}
		key := strings.ToLower(name)
		if _, dup := params[key]; dup {
			return nil, fmt.Errorf("%w: parameter %q repeated", ErrMalformed, key)
		}
		if len(params) == maxParams {
			return nil, fmt.Errorf("%w: more than %d parameters", ErrMalformed, maxParams)
		}
		params[key] = val
		p.skipSpace()
		if p.done() {
			return params, nil
		}
		if !p.consume(',') {
			return nil, fmt.Errorf("%w: expected ',' at offset %d", ErrMalformed, p.i)
		}
		p.skipSpace()
	}
}

type parser struct {
	s string
	i int
}

func (p *parser) done() bool { return p.i >= len(p.s) }

func (p *parser) peek() byte {
	if p.done() {
		return 0
	}
	return p.s[p.i]
}

func (p *parser) consume(c byte) bool {
	if !p.done() && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// skipSpace skips spaces and tabs and reports whether there were any.
func (p *parser) skipSpace() bool {
	start := p.i
	for !p.done() && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
	return p.i > start
}

func (p *parser) token() string {
	start := p.i
	for !p.done() && isTokenChar(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

// quoted reads a quoted-string starting at the opening quote and returns it
// unescaped.
func (p *parser) quoted() (string, error) {
	p.i++ // opening quote
	start := p.i
	var b *strings.Builder // only allocated when the value has escapes
	for !p.done() {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			if b == nil {
				return p.s[start : p.i-1], nil
			}
			return b.String(), nil
		case c == '\\':
			if p.i+1 >= len(p.s) {
				return "", fmt.Errorf("%w: unterminated quoted string", ErrMalformed)
			}
			e := p.s[p.i+1]
			if isCtl(e) {
				return "", fmt.Errorf("%w: control character in quoted string", ErrMalformed)
			}
			if b == nil {
				b = new(strings.Builder)
				b.WriteString(p.s[start:p.i])
			}
			b.WriteByte(e)
			p.i += 2
		case isCtl(c):
			return "", fmt.Errorf("%w: control character in quoted string", ErrMalformed)
		default:
			if b != nil {
				b.WriteByte(c)
			}
			p.i++
		}
	}
	return "", fmt.Errorf("%w: unterminated quoted string", ErrMalformed)
}

// isCtl reports the control characters RFC 7230 forbids in quoted strings
// (all of them but horizontal tab).
func isCtl(c byte) bool { return (c < 0x20 && c != '\t') || c == 0x7f }

// isTokenChar reports the tchar set of RFC 7230 §3.2.6.
func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
