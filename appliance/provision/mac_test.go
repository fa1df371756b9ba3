package provision

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestParseMAC(t *testing.T) {
	for _, in := range []string{"80:5e:c0:12:34:56", "80-5E-C0-12-34-56", "805EC0123456", "805ec0123456", "80:5E:c0:12:34:56"} {
		m, err := ParseMAC(in)
		if err != nil || m.String() != "805ec0123456" || m.Colon() != "80:5e:c0:12:34:56" {
			t.Errorf("ParseMAC(%q) = %v, %v; want 805ec0123456", in, m, err)
		}
	}
	for _, in := range []string{
		"", "805ec012345", "805ec01234567", "80:5e:c0:12:34:5g", "80:5e-c0:12:34:56", "80.5e.c0.12.34.56",
		"805e.c012.3456", "80:5e:c0:12:34:56:", " 805ec0123456", "805ec012345 ", "8:05e:c0:12:34:56",
		"000000000000", "00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff", "01:00:5e:00:00:01", "0x5ec0123456",
		"80:5e:c0:12:34:5\x00", "８05ec0123456",
	} {
		if m, err := ParseMAC(in); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "mac") {
			t.Errorf("ParseMAC(%q) = %v, %v; want ErrInvalid naming mac", in, m, err)
		}
	}
}

func TestMACJSON(t *testing.T) {
	p := Phone{MAC: mustMAC(macYealink)}
	b, err := json.Marshal(p)
	if err != nil || !strings.Contains(string(b), `"mac":"805ec0123456"`) {
		t.Fatalf("json = %s, %v", b, err)
	}
	var q Phone
	if err := json.Unmarshal(b, &q); err != nil || q.MAC != p.MAC {
		t.Errorf("round trip = %v, %v", q.MAC, err)
	}
}

// FuzzParseMAC: no input panics; an accepted input names a unicast,
// non-zero address whose canonical forms parse back to it, and it was
// written in one of the three accepted shapes.
func FuzzParseMAC(f *testing.F) {
	for _, s := range []string{"80:5e:c0:12:34:56", "80-5E-C0-12-34-56", "805ec0123456", "000000000000", "01:00:5e:00:00:01", "80:5e-c0:12:34:56", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMAC(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseMAC(%q) error %v does not wrap ErrInvalid", s, err)
			}
			return
		}
		if m == (MAC{}) || m[0]&1 != 0 {
			t.Fatalf("ParseMAC(%q) accepted %s", s, m.Colon())
		}
		if len(s) != 12 && len(s) != 17 {
			t.Fatalf("ParseMAC(%q) accepted a string of length %d", s, len(s))
		}
		if !strings.EqualFold(strings.NewReplacer(":", "", "-", "").Replace(s), m.String()) {
			t.Fatalf("ParseMAC(%q) = %s", s, m)
		}
		for _, f := range []string{m.String(), m.Colon(), strings.ToUpper(strings.ReplaceAll(m.Colon(), ":", "-"))} {
			if m2, err := ParseMAC(f); err != nil || m2 != m {
				t.Fatalf("ParseMAC(%q) = %v, %v; want %s", f, m2, err, m)
			}
		}
	})
}

// FuzzParseFileName: any requested name either names no phone or yields a
// MAC whose digits appear in the name.
func FuzzParseFileName(f *testing.F) {
	for _, s := range []string{"805ec0123456.cfg", "cfg000b82abcdef.xml", "cfg000b82abcdef", "0004f2a1b2c3-deskline.cfg",
		"0004f2a1b2c3-directory.xml", "y000000000028.cfg", "000000000000.cfg", "sip.ld", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, k := parseFileName(s)
		if k == fileNone {
			if m != (MAC{}) {
				t.Fatalf("parseFileName(%q) = %s with no kind", s, m)
			}
			return
		}
		if !strings.Contains(strings.ToLower(s), m.String()) {
			t.Fatalf("parseFileName(%q) = %s, not in the name", s, m)
		}
	})
}

// FuzzDisplayName: any display name keeps every vendor's file well-formed,
// and is shown cleaned to one line.
func FuzzDisplayName(f *testing.F) {
	for _, s := range []string{"Ada", "A&B <x> \"q\" 'y'", "a\nb = c", "\x00\xff", "]]>"} {
		f.Add(s)
	}
	s, _ := newTestService(f, Options{})
	f.Fuzz(func(t *testing.T, name string) {
		dir := directory{"201": {DisplayName: name, Password: "x"}, "202": {DisplayName: name, Password: "x"},
			"203": {DisplayName: name, Password: "x"}, "204": {Password: "x"}}
		want := cleanText(name, 64)
		for _, c := range []struct {
			mac, file, key string
			v              Vendor
		}{
			{macYealink, "805ec0123456.cfg", "account.1.display_name", Yealink},
			{macGrandstream, "cfg000b82abcdef.xml", "P3", Grandstream},
			{macPolycom, "0004f2a1b2c3-deskline.cfg", "reg.1.displayName", Polycom},
		} {
			p, _ := s.opts.Store.Get(mustMAC(c.mac))
			b, _, err := render(p, mustKind(c.file), s.settings(), dir.lookup)
			if err != nil {
				t.Fatal(err)
			}
			kv := checkWellFormed(t, c.v, c.file, b)
			if want != "" && kv[c.key] != want {
				t.Fatalf("%s: %s = %q, want %q", c.file, c.key, kv[c.key], want)
			}
		}
	})
}

func mustKind(file string) fileKind {
	_, k := parseFileName(file)
	return k
}
