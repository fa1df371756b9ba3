package provision

import (
	"errors"
	"strings"
	"testing"
)

// TestRenderedSettings reads back, from each vendor's file as the phone
// would parse it, the values a user would check on the phone's screen.
func TestRenderedSettings(t *testing.T) {
	s, _ := newTestService(t, Options{})
	set := testSettings()
	set.Transport, set.Port = TCP, 5080
	if err := s.SetSettings(set); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		mac, file string
		want      map[string]string
	}{
		{macYealink, "805ec0123456.cfg", map[string]string{
			"account.1.user_name": "201", "account.1.password": "s3cret-201",
			"account.1.display_name": "Ada Lovelace", "account.1.sip_server.1.address": "pbx.example.test",
			"account.1.sip_server.1.port": "5080", "account.1.sip_server.1.transport_type": "1",
			"local_time.time_zone": "+1", "linekey.2.value": "*40", "linekey.3.value": "*41",
			"linekey.4.value": "*45", "linekey.7.value": "*48", "linekey.8.type": "16", "linekey.8.value": "202",
		}},
		{macGrandstream, "cfg000b82abcdef.xml", map[string]string{
			"P35": "202", "P34": "s3cret-202", "P3": "Bob", "P47": "pbx.example.test:5080", "P130": "1",
			"P57": "0", "P58": "8", "P303": "*40", "P329": "1", "P321": "201",
		}},
		{macPolycom, "0004f2a1b2c3-deskline.cfg", map[string]string{
			"reg.1.address": "203", "reg.1.auth.password": "s3cret-203", "reg.1.displayName": "Carol",
			"reg.1.server.1.port": "5080", "reg.1.server.1.transport": "TCPOnly",
			"efk.efklist.1.action.string": "*40$Tinvite$", "efk.efklist.5.action.string": "*47$Tinvite$",
			"attendant.resourceList.3.address": "204", "attendant.resourceList.3.label": "204",
			"tcpIpApp.sntp.gmtOffset": "3600",
		}},
	}
	for _, c := range cases {
		b, err := s.Render(c.mac, c.file)
		if err != nil {
			t.Fatalf("Render(%s): %v", c.file, err)
		}
		m, _ := ParseMAC(c.mac)
		p, _ := s.opts.Store.Get(m)
		kv := checkWellFormed(t, p.Vendor, c.file, b)
		for k, want := range c.want {
			if kv[k] != want {
				t.Errorf("%s: %s = %q, want %q", c.file, k, kv[k], want)
			}
		}
	}
}

func TestRenderOtherFiles(t *testing.T) {
	s, _ := newTestService(t, Options{})
	for _, c := range []struct{ mac, file string }{
		{macYealink, "cfg805ec0123456.xml"},        // another vendor's name for the same phone
		{macYealink, "0004f2a1b2c3.cfg"},           // another phone's file
		{macPolycom, "0004f2a1b2c3-phone.cfg"},     // Polycom's overrides file
		{macGrandstream, "cfg000b82abcdef"},        // Grandstream's binary format
		{macYealink, "y000000000028.cfg"},          // a common file
		{macGrandstream, "../cfg000b82abcdef.xml"}, // not a bare name
	} {
		if _, err := s.Render(c.mac, c.file); !errors.Is(err, ErrUnknownFile) {
			t.Errorf("Render(%s, %s) = %v, want ErrUnknownFile", c.mac, c.file, err)
		}
	}
	if _, err := s.Render("02:00:00:00:00:01", "020000000001.cfg"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Render(unassigned) = %v, want ErrNotFound", err)
	}
}

// TestOddNames gives every vendor display names built to break out of a
// value: XML markup, quotes, newlines that would start a new setting. The
// file must stay well-formed, hold no setting the name tried to add, and
// show the name (cleaned to one line) where it belongs.
func TestOddNames(t *testing.T) {
	names := []string{
		`A&B <Sales> "quoted" 'single'`,
		"Eve\naccount.1.password = pwned\nlinekey.1.type = 0",
		"Eve\r\n<P34>pwned</P34>\r\n",
		`Mallory" reg.1.auth.password="pwned`,
		"]]><!-- --><![CDATA[x",
		"tab\there\x00nul\x1bescape\u2028sep\u0085nel",
		"\xff\xfeinvalid utf-8",
		"Zoë Ünïcödé 日本",
		strings.Repeat("long ", 40),
	}
	for _, name := range names {
		dir := directory{
			"201": {DisplayName: name, Password: `p&ss  <"w'rd>ü#`},
			"202": {DisplayName: name, Password: "x"},
			"203": {DisplayName: name, Password: "y"},
			"204": {DisplayName: name, Password: "z"},
		}
		s, _ := newTestService(t, Options{Accounts: dir.lookup})
		want := cleanText(name, 64)
		for _, c := range []struct {
			mac, file, key, blfKey string
			v                      Vendor
		}{
			{macYealink, "805ec0123456.cfg", "account.1.display_name", "linekey.8.label", Yealink},
			{macGrandstream, "cfg000b82abcdef.xml", "P3", "P320", Grandstream},
			{macPolycom, "0004f2a1b2c3-deskline.cfg", "reg.1.displayName", "attendant.resourceList.1.label", Polycom},
		} {
			s.opts.Store.(*MemStore).phones[mustMAC(c.mac)] = withExt(s.opts.Store, c.mac, "201")
			b, err := s.Render(c.mac, c.file)
			if err != nil {
				t.Fatalf("Render(%q): %v", name, err)
			}
			kv := checkWellFormed(t, c.v, c.file, b)
			if kv[c.key] != want && !(want == "" && kv[c.key] == "201") {
				t.Errorf("%s: %s = %q, want %q", c.file, c.key, kv[c.key], want)
			}
			if kv[c.blfKey] != want && !(want == "" && kv[c.blfKey] == "202") {
				t.Errorf("%s: %s = %q, want %q", c.file, c.blfKey, kv[c.blfKey], want)
			}
			for k, v := range kv {
				if strings.Contains(v, "pwned") && k != c.key && k != c.blfKey && !strings.Contains(k, "label") && k != "P270" && k != "P302" {
					t.Errorf("%s: name %q leaked into %s = %q", c.file, name, k, v)
				}
				if k == "pwned" {
					t.Errorf("%s: name %q added a setting", c.file, name)
				}
			}
			pw := map[Vendor]string{Yealink: "account.1.password", Grandstream: "P34", Polycom: "reg.1.auth.password"}[c.v]
			if kv[pw] != `p&ss  <"w'rd>ü#` {
				t.Errorf("%s: %s = %q, want the password as it is", c.file, pw, kv[pw])
			}
		}
	}
}

// TestBadSecrets: a password that cannot be written into a file safely is
// refused, not mangled.
func TestBadSecrets(t *testing.T) {
	for _, pw := range []string{"", "two\nlines", " padded", strings.Repeat("x", 65)} {
		dir := directory{"201": {Password: pw}, "202": {Password: "x"}, "203": {Password: "x"}, "204": {Password: "x"}}
		s, _ := newTestService(t, Options{Accounts: dir.lookup})
		if _, err := s.Render(macYealink, "805ec0123456.cfg"); !errors.Is(err, ErrInvalid) {
			t.Errorf("Render with password %q = %v, want ErrInvalid", pw, err)
		}
	}
}

func mustMAC(s string) MAC {
	m, err := ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return m
}

// withExt returns the stored phone of mac moved to extension ext, with
// BLF keys for 202.
func withExt(st Store, mac, ext string) Phone {
	p, err := st.Get(mustMAC(mac))
	if err != nil {
		panic(err)
	}
	p.Extension, p.BLF = ext, []string{"202"}
	return p
}

func BenchmarkRender(b *testing.B) {
	s, _ := newTestService(b, Options{})
	for _, c := range []struct{ mac, file string }{
		{macYealink, "805ec0123456.cfg"},
		{macGrandstream, "cfg000b82abcdef.xml"},
		{macPolycom, "0004f2a1b2c3-deskline.cfg"},
	} {
		b.Run(c.file, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Render(c.mac, c.file); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
