package provision

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// get sends a request from addr through the handler.
func get(s *Service, addr, path, user, pass, ua string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, "http://box"+path, nil)
	r.RemoteAddr = addr + ":40000"
	if user != "" || pass != "" {
		r.SetBasicAuth(user, pass)
	}
	if ua != "" {
		r.Header.Set("User-Agent", ua)
	}
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, r)
	return w
}

func phoneOf(t *testing.T, s *Service, mac string) Phone {
	t.Helper()
	p, err := s.opts.Store.Get(mustMAC(mac))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestServeOwnFile(t *testing.T) {
	s, clk := newTestService(t, Options{})
	for _, c := range []struct{ mac, file, ctype string }{
		{macYealink, "805ec0123456.cfg", "text/plain; charset=utf-8"},
		{macGrandstream, "cfg000b82abcdef.xml", "application/xml; charset=utf-8"},
		{macGrandstream, "CFG000B82ABCDEF.XML", "application/xml; charset=utf-8"},
		{macPolycom, "0004f2a1b2c3.cfg", "application/xml; charset=utf-8"},
		{macPolycom, "0004f2a1b2c3-deskline.cfg", "application/xml; charset=utf-8"},
	} {
		p := phoneOf(t, s, c.mac)
		clk.Advance(time.Second)
		w := get(s, "10.0.0.5", "/provision/"+c.file, p.Username, p.Password, "Yealink SIP-T54W 96.86.0.70")
		if w.Code != http.StatusOK {
			t.Fatalf("GET %s = %d %s, want 200", c.file, w.Code, w.Body)
		}
		if got := w.Header().Get("Content-Type"); got != c.ctype {
			t.Errorf("GET %s: Content-Type %q, want %q", c.file, got, c.ctype)
		}
		if got := w.Header().Get("Cache-Control"); got != "no-store" {
			t.Errorf("GET %s: Cache-Control %q, want no-store", c.file, got)
		}
		want, _ := s.Render(c.mac, strings.ToLower(c.file))
		if w.Body.String() != string(want) {
			t.Errorf("GET %s served something else than Render", c.file)
		}
		p = phoneOf(t, s, c.mac)
		if !p.Enrolled || !p.LastSeen.Equal(clk.Now()) || p.LastAddr != "10.0.0.5" || !strings.HasPrefix(p.UserAgent, "Yealink") {
			t.Errorf("after a fetch: enrolled %v, last seen %v from %q by %q", p.Enrolled, p.LastSeen, p.LastAddr, p.UserAgent)
		}
	}
	// A Polycom asks for files of its MAC this package does not write.
	p := phoneOf(t, s, macPolycom)
	if w := get(s, "10.0.0.5", "/provision/0004f2a1b2c3-directory.xml", p.Username, p.Password, ""); w.Code != http.StatusNotFound {
		t.Errorf("GET directory = %d, want 404", w.Code)
	}
}

func TestUnknownMACIsSeen(t *testing.T) {
	s, clk := newTestService(t, Options{})
	for _, c := range []struct {
		file, ua string
		vendor   Vendor
	}{
		{"001565aabbcc.cfg", "", Yealink},                             // by MAC block
		{"0a1b2c3d4e5f.cfg", "Yealink SIP-T46U 108.86.0.45", Yealink}, // by User-Agent
		{"0a1b2c3d4e60.cfg", "FileTransport PolycomVVX-VVX_450-UA/6.4.0", Polycom},
		{"cfg0a1b2c3d4e61.xml", "", Grandstream}, // by file name
		{"0a1b2c3d4e62.cfg", "curl/8", ""},
	} {
		clk.Advance(time.Minute)
		w := get(s, "10.0.0.9", "/provision/"+c.file, "", "", c.ua)
		if w.Code != http.StatusNotFound || w.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("GET %s = %d (Cache-Control %q), want 404 no-store", c.file, w.Code, w.Header().Get("Cache-Control"))
		}
		seen, _ := s.Seen()
		if len(seen) == 0 || seen[0].File != c.file || seen[0].Vendor != c.vendor || seen[0].Addr != "10.0.0.9" || !seen[0].Last.Equal(clk.Now()) {
			t.Errorf("after GET %s: seen[0] = %+v, want it listed first as %q", c.file, seen, c.vendor)
		}
	}
	// Asking again counts; assigning removes it from the list.
	get(s, "10.0.0.9", "/provision/001565aabbcc.cfg", "", "", "")
	seen, _ := s.Seen()
	if seen[0].MAC.String() != "001565aabbcc" || seen[0].Count != 2 {
		t.Errorf("seen[0] = %+v, want 001565aabbcc asked twice", seen[0])
	}
	if _, err := s.Assign(seen[0].MAC.Colon(), Yealink, "T46U", "204", nil); err != nil {
		t.Fatal(err)
	}
	seen, _ = s.Seen()
	for _, e := range seen {
		if e.MAC.String() == "001565aabbcc" {
			t.Errorf("assigned phone still listed as seen")
		}
	}
	// Files without a MAC are not phones.
	for _, f := range []string{"y000000000028.cfg", "000000000000.cfg", "cfg.xml", "sip.ld", "ffffffffffff.cfg"} {
		if w := get(s, "10.0.0.8", "/provision/"+f, "", "", ""); w.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", f, w.Code)
		}
	}
	if n, _ := s.Seen(); len(n) != 4 {
		t.Errorf("%d phones seen, want 4", len(n))
	}
}

func TestSeenIsBounded(t *testing.T) {
	s, clk := newTestService(t, Options{MaxSeen: 3, MaxFailures: 100})
	for _, f := range []string{"020000000001.cfg", "020000000002.cfg", "020000000003.cfg", "020000000004.cfg", "020000000005.cfg"} {
		clk.Advance(time.Second)
		get(s, "10.0.0.9", "/provision/"+f, "", "", "")
	}
	seen, _ := s.Seen()
	var got []string
	for _, e := range seen {
		got = append(got, e.MAC.String())
	}
	if strings.Join(got, ",") != "020000000005,020000000004,020000000003" {
		t.Errorf("seen = %v, want the three most recent", got)
	}
}

func TestCredentials(t *testing.T) {
	s, _ := newTestService(t, Options{})
	y, g := phoneOf(t, s, macYealink), phoneOf(t, s, macGrandstream)
	for _, c := range []struct {
		name, file, user, pass string
		code                   int
	}{
		{"none", "805ec0123456.cfg", "", "", 401},
		{"wrong password", "805ec0123456.cfg", y.Username, g.Password, 401},
		{"wrong user", "805ec0123456.cfg", g.Username, y.Password, 401},
		{"another phone's", "805ec0123456.cfg", g.Username, g.Password, 401},
		{"own for another's file", "cfg000b82abcdef.xml", y.Username, y.Password, 401},
		{"the MAC as password", "805ec0123456.cfg", y.Username, "805ec0123456", 401},
		{"own", "805ec0123456.cfg", y.Username, y.Password, 200},
	} {
		w := get(s, "10.0.0.7", "/provision/"+c.file, c.user, c.pass, "")
		if w.Code != c.code {
			t.Errorf("%s: GET %s = %d, want %d", c.name, c.file, w.Code, c.code)
		}
		if c.code == 401 {
			if !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Basic ") {
				t.Errorf("%s: no Basic challenge", c.name)
			}
			if strings.Contains(w.Body.String(), "s3cret") {
				t.Errorf("%s: 401 body leaks the file", c.name)
			}
		}
	}
	// Credentials are random and distinct, never the MAC.
	ps, _ := s.List()
	seenCreds := map[string]bool{}
	for _, p := range ps {
		if len(p.Password) != 32 || seenCreds[p.Password] || seenCreds[p.Username] ||
			strings.Contains(p.Password, p.MAC.String()) || strings.Contains(p.Username, p.MAC.String()) {
			t.Errorf("phone %s: credentials %q/%q are not 128-bit, distinct and MAC-free", p.MAC, p.Username, p.Password)
		}
		seenCreds[p.Password], seenCreds[p.Username] = true, true
	}
}

// TestFailuresAreLimited: wrong credentials are counted per address; at
// the limit the address is refused even with the right ones, until the
// window ends. Other addresses are not affected.
func TestFailuresAreLimited(t *testing.T) {
	s, clk := newTestService(t, Options{MaxFailures: 5, FailureWindow: 10 * time.Minute})
	y := phoneOf(t, s, macYealink)
	for i := range 5 {
		if w := get(s, "10.0.0.66", "/provision/805ec0123456.cfg", y.Username, "guess", ""); w.Code != 401 {
			t.Fatalf("guess %d = %d, want 401", i, w.Code)
		}
	}
	w := get(s, "10.0.0.66", "/provision/805ec0123456.cfg", y.Username, y.Password, "")
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
		t.Errorf("after 5 failures: %d (Retry-After %q), want 429 with Retry-After", w.Code, w.Header().Get("Retry-After"))
	}
	if w := get(s, "10.0.0.67", "/provision/805ec0123456.cfg", y.Username, y.Password, ""); w.Code != 200 {
		t.Errorf("another address: %d, want 200", w.Code)
	}
	clk.Advance(10 * time.Minute)
	if w := get(s, "10.0.0.66", "/provision/805ec0123456.cfg", y.Username, y.Password, ""); w.Code != 200 {
		t.Errorf("after the window: %d, want 200", w.Code)
	}
	// Scanning for unassigned MACs counts too.
	for i := range 5 {
		get(s, "10.0.0.68", "/provision/02000000000"+string(rune('1'+i))+".cfg", "", "", "")
	}
	if w := get(s, "10.0.0.68", "/provision/020000000009.cfg", "", "", ""); w.Code != http.StatusTooManyRequests {
		t.Errorf("after scanning 5 MACs: %d, want 429", w.Code)
	}
}

// TestEnrolment: the shared enrolment credentials (DHCP option 66
// user:pass@) fetch a new phone's file once it is assigned, until it has
// used its own credentials or the window has passed.
func TestEnrolment(t *testing.T) {
	s, clk := newTestService(t, Options{EnrolUser: enrolUser, EnrolPassword: enrolPass, EnrolWindow: time.Hour})

	// A real HTTP client with the credentials in the URL, as a phone given
	// http://user:pass@box/provision/ by DHCP sends them.
	mux := http.NewServeMux()
	mux.Handle("/provision/", s.Handler())
	srv := httptest.NewServer(mux)
	defer srv.Close()
	u, _ := url.Parse(srv.URL + "/provision/cfg000b82abcdef.xml")
	u.User = url.UserPassword(enrolUser, enrolPass)
	res, err := srv.Client().Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	g := phoneOf(t, s, macGrandstream)
	if res.StatusCode != 200 || !strings.Contains(string(body), "<P1361>"+g.Password+"</P1361>") {
		t.Fatalf("enrolment fetch = %d, want 200 with the phone's own credentials in it", res.StatusCode)
	}
	if g.Enrolled {
		t.Errorf("enrolled after an enrolment fetch; want only after its own credentials")
	}
	// The phone now uses its own credentials; enrolment closes for it.
	if w := get(s, "10.0.0.5", "/provision/cfg000b82abcdef.xml", g.Username, g.Password, ""); w.Code != 200 {
		t.Fatalf("own fetch = %d", w.Code)
	}
	if w := get(s, "10.0.0.5", "/provision/cfg000b82abcdef.xml", enrolUser, enrolPass, ""); w.Code != 401 {
		t.Errorf("enrolment after own credentials = %d, want 401", w.Code)
	}
	// Another phone's window closes after an hour.
	clk.Advance(time.Hour)
	if w := get(s, "10.0.0.5", "/provision/805ec0123456.cfg", enrolUser, enrolPass, ""); w.Code != 401 {
		t.Errorf("enrolment after the window = %d, want 401", w.Code)
	}
	// ResetCredentials opens it again, with new credentials.
	old := phoneOf(t, s, macYealink)
	p, err := s.ResetCredentials(macYealink)
	if err != nil {
		t.Fatal(err)
	}
	if p.Password == old.Password {
		t.Errorf("ResetCredentials kept the password")
	}
	if w := get(s, "10.0.0.5", "/provision/805ec0123456.cfg", enrolUser, enrolPass, ""); w.Code != 200 {
		t.Errorf("enrolment after reset = %d, want 200", w.Code)
	}
	if w := get(s, "10.0.0.5", "/provision/805ec0123456.cfg", old.Username, old.Password, ""); w.Code != 401 {
		t.Errorf("old credentials after reset = %d, want 401", w.Code)
	}
	// Without enrolment credentials configured, none work.
	s2, _ := newTestService(t, Options{})
	if w := get(s2, "10.0.0.5", "/provision/805ec0123456.cfg", enrolUser, enrolPass, ""); w.Code != 401 {
		t.Errorf("enrolment when not configured = %d, want 401", w.Code)
	}
}

func TestUnassign(t *testing.T) {
	s, _ := newTestService(t, Options{})
	y := phoneOf(t, s, macYealink)
	if err := s.Unassign(macYealink); err != nil {
		t.Fatal(err)
	}
	if w := get(s, "10.0.0.5", "/provision/805ec0123456.cfg", y.Username, y.Password, ""); w.Code != 404 {
		t.Errorf("unassigned phone = %d, want 404", w.Code)
	}
	if err := s.Unassign(macYealink); err == nil {
		t.Errorf("Unassign twice succeeded")
	}
}

func TestMethods(t *testing.T) {
	s, _ := newTestService(t, Options{})
	y := phoneOf(t, s, macYealink)
	r := httptest.NewRequest(http.MethodPut, "/provision/805ec0123456.cfg", strings.NewReader("x"))
	r.SetBasicAuth(y.Username, y.Password)
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, r)
	if w.Code != http.StatusMethodNotAllowed {
		t.Errorf("PUT = %d, want 405", w.Code)
	}
	r = httptest.NewRequest(http.MethodHead, "/provision/805ec0123456.cfg", nil)
	r.SetBasicAuth(y.Username, y.Password)
	w = httptest.NewRecorder()
	s.Handler().ServeHTTP(w, r)
	if w.Code != 200 || w.Body.Len() != 0 || w.Header().Get("Content-Length") == "0" {
		t.Errorf("HEAD = %d with %d bytes, Content-Length %q", w.Code, w.Body.Len(), w.Header().Get("Content-Length"))
	}
}

func TestAssignValidation(t *testing.T) {
	s, _ := newTestService(t, Options{})
	for _, c := range []struct {
		mac   string
		v     Vendor
		model string
		ext   string
		blf   []string
		field string
	}{
		{"80:5e:c0:12:34", Yealink, "", "201", nil, "mac"},
		{macYealink, "cisco", "", "201", nil, "vendor"},
		{macYealink, Yealink, "T54W\n", "201", nil, "model"},
		{macYealink, Yealink, "", "299", nil, "extension"},
		{macYealink, Yealink, "", "20a", nil, "extension"},
		{macYealink, Yealink, "", "201", []string{"202", "202"}, "blf"},
		{macYealink, Yealink, "", "201", []string{"201"}, "blf"},
		{macYealink, Yealink, "", "201", []string{"999"}, "blf"},
	} {
		_, err := s.Assign(c.mac, c.v, c.model, c.ext, c.blf)
		if err == nil || !strings.Contains(err.Error(), c.field) {
			t.Errorf("Assign(%q, %q, %q, %q, %v) = %v, want an error naming %s", c.mac, c.v, c.model, c.ext, c.blf, err, c.field)
		}
	}
	// Re-assigning keeps the credentials.
	before := phoneOf(t, s, macYealink)
	after, err := s.Assign(macYealink, Yealink, "T58", "204", []string{"201"})
	if err != nil || after.Password != before.Password || after.Extension != "204" {
		t.Errorf("re-assign = %+v, %v; want new extension, same credentials", after, err)
	}
}

func TestSettingsValidation(t *testing.T) {
	for _, c := range []struct {
		set   Settings
		field string
	}{
		{Settings{}, "server"},
		{Settings{Server: "pbx local"}, "server"},
		{Settings{Server: "pbx", Port: 70000}, "port"},
		{Settings{Server: "pbx", Transport: "sctp"}, "transport"},
		{Settings{Server: "pbx", TimeZone: "Mars/Olympus"}, "time zone"},
		{Settings{Server: "pbx", Codes: FeatureCodes{AgentPause: "*4 7"}}, "agent pause"},
		{Settings{Server: "pbx", ProvisionURL: "https://u:p@pbx/provision/"}, "provision URL"},
		{Settings{Server: "pbx", ProvisionURL: "ftp://pbx/"}, "provision URL"},
	} {
		if _, err := c.set.withDefaults(); err == nil || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%+v: %v, want an error naming %s", c.set, err, c.field)
		}
	}
	set, err := Settings{Server: "pbx", Transport: TLS}.withDefaults()
	if err != nil || set.Port != 5061 || set.TimeZone != "UTC" || set.Codes.HotDeskIn != "*40" {
		t.Errorf("defaults = %+v, %v", set, err)
	}
}
