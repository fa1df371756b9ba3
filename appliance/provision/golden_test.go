package provision

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the templates")

// TestGolden renders every file of every vendor and compares it with the
// reviewed copy under testdata/golden. Run with -update after changing a
// template, and read the diff.
func TestGolden(t *testing.T) {
	s, _ := newTestService(t, Options{})
	cases := []struct {
		name string
		set  func(*Settings)
	}{
		{"berlin-udp", func(*Settings) {}},
		{"newyork-tls-noprov", func(st *Settings) {
			st.TimeZone, st.Transport, st.ProvisionURL = "America/New_York", TLS, ""
		}},
		{"utc-tcp", func(st *Settings) { st.TimeZone, st.Transport = "", TCP }},
	}
	for _, c := range cases {
		set := testSettings()
		c.set(&set)
		if err := s.SetSettings(set); err != nil {
			t.Fatal(err)
		}
		for _, mac := range []string{macYealink, macGrandstream, macPolycom} {
			m, _ := ParseMAC(mac)
			p, err := s.opts.Store.Get(m)
			if err != nil {
				t.Fatal(err)
			}
			for _, file := range Files(p.Vendor, m) {
				got, err := s.Render(mac, file)
				if err != nil {
					t.Fatalf("Render(%s, %s): %v", mac, file, err)
				}
				checkWellFormed(t, p.Vendor, file, got)
				path := filepath.Join("testdata", "golden", c.name+"-"+string(p.Vendor)+"-"+file)
				if *update {
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, got, 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test -update to create it)", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("Render(%s, %s) differs from %s:\n%s", mac, file, path, got)
				}
			}
		}
	}
}

// checkWellFormed parses a rendered file as its phone would: XML for
// Grandstream and Polycom, "key = value" lines after the version header
// for Yealink. It returns the settings found.
func checkWellFormed(t *testing.T, v Vendor, file string, b []byte) map[string]string {
	t.Helper()
	kv := map[string]string{}
	if v == Yealink {
		sc := bufio.NewScanner(bytes.NewReader(b))
		first := true
		for sc.Scan() {
			line := sc.Text()
			if first {
				if line != "#!version:1.0.0.1" {
					t.Fatalf("%s: first line %q, want the version header", file, line)
				}
				first = false
				continue
			}
			if strings.HasPrefix(line, "#") {
				continue
			}
			k, val, ok := strings.Cut(line, " = ")
			if !ok || strings.ContainsAny(k, " \t") {
				t.Fatalf("%s: line %q is not key = value", file, line)
			}
			if _, dup := kv[k]; dup {
				t.Fatalf("%s: key %s set twice", file, k)
			}
			kv[k] = val
		}
		return kv
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	var stack []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: not well-formed XML: %v\n%s", file, err, b)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			stack = append(stack, e.Name.Local)
			for _, a := range e.Attr {
				k := a.Name.Local // Polycom's parameter names are global
				if !strings.Contains(k, ".") {
					k = e.Name.Local + "@" + k
				}
				if _, dup := kv[k]; dup {
					t.Fatalf("%s: attribute %s set twice", file, k)
				}
				kv[k] = a.Value
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 && strings.TrimSpace(string(e)) != "" {
				k := stack[len(stack)-1]
				if _, dup := kv[k]; dup {
					t.Fatalf("%s: element %s set twice", file, k)
				}
				kv[k] = string(e)
			}
		}
	}
	return kv
}
