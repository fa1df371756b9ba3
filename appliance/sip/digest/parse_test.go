package digest

import (
	"errors"
	"maps"
	"strings"
	"testing"
)

func TestParseAuthorization(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Params
	}{
		{`Digest username="1001", realm="deskline"`, Params{"username": "1001", "realm": "deskline"}},
		{`digest USERNAME="1001",Realm=deskline`, Params{"username": "1001", "realm": "deskline"}},
		{"  DiGeSt \t a = \"x\" \t,\tb=y  ", Params{"a": "x", "b": "y"}},
		{`Digest a="quoted \" value", b="back\\slash"`, Params{"a": `quoted " value`, "b": `back\slash`}},
		{`Digest a="", b="\x"`, Params{"a": "", "b": "x"}},
		{`Digest a="comma, inside", b="équipe"`, Params{"a": "comma, inside", "b": "équipe"}},
		{`Digest nc=00000001, qop=auth, algorithm=SHA-256`, Params{"nc": "00000001", "qop": "auth", "algorithm": "SHA-256"}},
		{"Digest a=\"tab\tinside\"", Params{"a": "tab\tinside"}},
	} {
		got, err := ParseAuthorization(tt.in)
		if err != nil {
			t.Errorf("ParseAuthorization(%q) error %v", tt.in, err)
			continue
		}
		if !maps.Equal(got, tt.want) {
			t.Errorf("ParseAuthorization(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseAuthorizationMalformed(t *testing.T) {
	many := "Digest " + strings.Repeat("k=v, ", 40)
	for i := range 40 {
		many = strings.Replace(many, "k=", "k"+string(rune('a'+i%26))+string(rune('a'+i/26))+"=", 1)
	}
	for name, in := range map[string]string{
		"empty":                "",
		"scheme only":          "Digest",
		"scheme and space":     "Digest ",
		"other scheme":         `Basic realm="x"`,
		"scheme prefix":        `Digestx a=b`,
		"no space after":       `Digest,a=b`,
		"unterminated quote":   `Digest a="abc`,
		"escape at end":        `Digest a="abc\`,
		"missing value":        `Digest a=`,
		"missing value comma":  `Digest a=, b=c`,
		"missing equals":       `Digest a b`,
		"missing name":         `Digest ="x"`,
		"duplicate":            `Digest a=1, a=2`,
		"duplicate other case": `Digest nonce=1, NONCE=2`,
		"empty element":        `Digest a=1,, b=2`,
		"leading comma":        `Digest , a=1`,
		"trailing comma":       `Digest a=1,`,
		"no comma":             `Digest a=1 b=2`,
		"junk after quote":     `Digest a="1"x, b=2`,
		"control in quote":     "Digest a=\"x\x00y\"",
		"newline in quote":     "Digest a=\"x\ny\"",
		"escaped newline":      "Digest a=\"x\\\ny\"",
		"CRLF folding":         "Digest a=1,\r\n b=2",
		"separator in token":   `Digest a=b/c`,
		"garbage":              "\xff\xfe\x00",
		"too long":             `Digest a="` + strings.Repeat("x", MaxHeaderBytes) + `"`,
		"too many params":      many,
	} {
		got, err := ParseAuthorization(in)
		if !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseAuthorization(%s: %.60q) = %q, %v; want ErrMalformed", name, in, got, err)
		}
	}
}
