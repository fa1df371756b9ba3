package appliance_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"deskline/appliance/internal/phonetest"
)

type phoneJSON struct {
	MAC       string   `json:"mac"`
	Vendor    string   `json:"vendor"`
	Extension string   `json:"extension"`
	BLF       []string `json:"blf"`
	Username  string   `json:"username"`
	Password  string   `json:"password"`
	Files     []string `json:"files"`
}

type provisioningJSON struct {
	Server        string `json:"server"`
	Port          int    `json:"port"`
	TimeZone      string `json:"time_zone"`
	HTTPURL       string `json:"http_url"`
	HTTPSURL      string `json:"https_url"`
	EnrolURL      string `json:"enrol_url"`
	EnrolUser     string `json:"enrol_user"`
	EnrolPassword string `json:"enrol_password"`
}

// apiJSON calls the API as admin, checks the status and decodes the answer
// into out (unless nil).
func apiJSON(t *testing.T, b *box, method, path string, body any, want int, out any) {
	t.Helper()
	code, res := b.api(t, method, path, body)
	if code != want {
		t.Fatalf("%s %s = %d %s, want %d", method, path, code, res, want)
	}
	if out != nil {
		if err := json.Unmarshal(res, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, res)
		}
	}
}

// fetchFile GETs a phone's file as a phone would, with HTTP Basic when
// user is set.
func fetchFile(t *testing.T, client *http.Client, url, user, password string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", "Yealink SIP-T54W 96.86.0.100 80:5e:c0:12:34:56")
	if user != "" {
		req.SetBasicAuth(user, password)
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

// cfgValue is the value of key in a Yealink .cfg file ("key = value").
func cfgValue(t *testing.T, file, key string) string {
	t.Helper()
	for _, l := range strings.Split(file, "\n") {
		if k, v, ok := strings.Cut(l, "="); ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("no %s in the file:\n%s", key, file)
	return ""
}

// TestPhoneProvisioning: an admin assigns a phone by MAC; the phone fetches
// its Yealink file over HTTP (and HTTPS) with its own credentials, and a
// real phone registers with exactly the SIP credentials the file carries.
// Unknown MACs get 404 and are listed as seen, wrong credentials 401, a
// password set later follows into the file, and everything survives a
// restart.
func TestPhoneProvisioning(t *testing.T) {
	dir := t.TempDir()
	b := startBox(t, dir, "")
	const handSet = "hand-set-pass-1"
	b.addExtension(t, "1001", "Alice", handSet)
	b.addExtension(t, "1002", "Bob", "bobs-password-1")

	var prov provisioningJSON
	apiJSON(t, b, "GET", "/provisioning", nil, http.StatusOK, &prov)
	sipHost, sipPort, _ := strings.Cut(b.sip(), ":")
	if prov.Server != sipHost || strconv.Itoa(prov.Port) != sipPort || prov.TimeZone != "UTC" {
		t.Errorf("provisioning settings %+v, want server %s port %s time zone UTC", prov, sipHost, sipPort)
	}
	if prov.HTTPURL != "http://"+b.a.HTTPAddr()+"/provision/" || prov.HTTPSURL != "https://"+b.a.HTTPSAddr()+"/provision/" {
		t.Errorf("provisioning URLs %q %q", prov.HTTPURL, prov.HTTPSURL)
	}
	if prov.EnrolUser == "" || len(prov.EnrolPassword) < 16 || !strings.Contains(prov.EnrolURL, prov.EnrolUser+":"+prov.EnrolPassword+"@") {
		t.Errorf("enrolment credentials %q %q in %q", prov.EnrolUser, prov.EnrolPassword, prov.EnrolURL)
	}

	var ph phoneJSON
	apiJSON(t, b, "POST", "/phones", map[string]any{"mac": "80:5E:C0:12:34:56", "vendor": "yealink", "model": "T54W",
		"extension": "1001", "blf": []string{"1002"}}, http.StatusCreated, &ph)
	fileURL := prov.HTTPURL + "805ec0123456.cfg"
	if ph.MAC != "805ec0123456" || ph.Username == "" || ph.Password == "" || len(ph.Files) != 1 || ph.Files[0] != fileURL {
		t.Fatalf("assigned phone %+v, want its credentials and file %s", ph, fileURL)
	}

	// Without credentials the phone is challenged; with wrong ones refused.
	if code, _ := fetchFile(t, http.DefaultClient, fileURL, "", ""); code != http.StatusUnauthorized {
		t.Errorf("fetch without credentials = %d, want 401", code)
	}
	if code, _ := fetchFile(t, http.DefaultClient, fileURL, ph.Username, ph.Password+"x"); code != http.StatusUnauthorized {
		t.Errorf("fetch with a wrong password = %d, want 401", code)
	}
	code, file := fetchFile(t, http.DefaultClient, fileURL, ph.Username, ph.Password)
	if code != http.StatusOK {
		t.Fatalf("fetch = %d %s", code, file)
	}
	sipPassword := cfgValue(t, file, "account.1.password")
	if cfgValue(t, file, "account.1.user_name") != "1001" || cfgValue(t, file, "account.1.sip_server.1.address") != sipHost ||
		cfgValue(t, file, "account.1.sip_server.1.port") != sipPort {
		t.Errorf("file does not point phone 1001 at %s:\n%s", b.sip(), file)
	}
	if sipPassword == handSet || len(sipPassword) < 20 {
		t.Errorf("file's SIP password %q: want a generated one of 20 or more characters", sipPassword)
	}
	// The same file over HTTPS (phones that trust the box's certificate).
	insecure := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	defer insecure.CloseIdleConnections()
	if code, f := fetchFile(t, insecure, prov.HTTPSURL+"805ec0123456.cfg", ph.Username, ph.Password); code != http.StatusOK ||
		cfgValue(t, f, "account.1.password") != sipPassword {
		t.Errorf("fetch over HTTPS = %d %s", code, f)
	}

	// A real phone registers with exactly what the file says.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p := phonetest.Start(t, phonetest.Options{User: cfgValue(t, file, "account.1.auth_name"), Password: sipPassword,
		Registrar: b.sip(), Register: true})
	if err := p.WaitRegistered(ctx); err != nil {
		t.Fatalf("phone with the provisioned credentials: %v", err)
	}

	// An unknown MAC gets nothing and shows up as seen.
	if code, _ := fetchFile(t, http.DefaultClient, prov.HTTPURL+"001565aabbcc.cfg", ph.Username, ph.Password); code != http.StatusNotFound {
		t.Errorf("fetch for an unassigned MAC = %d, want 404", code)
	}
	var seen []struct {
		MAC  string `json:"mac"`
		File string `json:"file"`
	}
	apiJSON(t, b, "GET", "/phones-seen", nil, http.StatusOK, &seen)
	if len(seen) != 1 || seen[0].MAC != "001565aabbcc" || seen[0].File != "001565aabbcc.cfg" {
		t.Errorf("phones seen = %+v, want 001565aabbcc", seen)
	}

	// A password the admin sets later follows into the file.
	apiJSON(t, b, "PUT", "/extensions/1001", map[string]any{"name": "Alice", "password": "admins-new-pass-1"}, http.StatusOK, nil)
	if _, f := fetchFile(t, http.DefaultClient, fileURL, ph.Username, ph.Password); cfgValue(t, f, "account.1.password") != "admins-new-pass-1" {
		t.Errorf("after a password change the file has %q", cfgValue(t, f, "account.1.password"))
	}

	// Refusals name the field.
	for _, c := range []struct {
		field string
		in    map[string]any
	}{
		{"mac", map[string]any{"mac": "80:5e:c0:12:34", "vendor": "yealink", "extension": "1001"}},
		{"vendor", map[string]any{"mac": "805ec0123457", "vendor": "cisco", "extension": "1001"}},
		{"extension", map[string]any{"mac": "805ec0123457", "vendor": "yealink", "extension": "1009"}},
		{"blf", map[string]any{"mac": "805ec0123457", "vendor": "yealink", "extension": "1001", "blf": []string{"1009"}}},
	} {
		code, res := b.api(t, "POST", "/phones", c.in)
		if code != http.StatusUnprocessableEntity || !strings.Contains(string(res), `"`+c.field+`: `) {
			t.Errorf("POST /phones %v = %d %s, want 422 naming %s", c.in, code, res, c.field)
		}
	}

	// New credentials: the old ones stop working.
	var reset phoneJSON
	apiJSON(t, b, "POST", "/phones/80-5e-c0-12-34-56/reset-credentials", nil, http.StatusOK, &reset)
	if reset.Password == ph.Password {
		t.Error("reset-credentials kept the password")
	}
	if code, _ := fetchFile(t, http.DefaultClient, fileURL, ph.Username, ph.Password); code != http.StatusUnauthorized {
		t.Errorf("old credentials after a reset = %d, want 401", code)
	}
	// A reset phone may make its first fetch with the site's enrolment
	// credentials (DHCP option 66); its file hands it its own.
	if code, f := fetchFile(t, http.DefaultClient, fileURL, prov.EnrolUser, prov.EnrolPassword); code != http.StatusOK ||
		cfgValue(t, f, "static.auto_provision.server.password") != reset.Password {
		t.Errorf("fetch with the enrolment credentials = %d %s", code, f)
	}
	_, audit := b.api(t, "GET", "/audit", nil)
	for _, action := range []string{"phone-assigned", "phone-credentials-reset"} {
		if !strings.Contains(string(audit), `"`+action+`"`) {
			t.Errorf("audit log lacks %s", action)
		}
	}

	// The phone, its credentials and the site's enrolment credentials
	// survive a restart.
	b.stop(t)
	b = startBox(t, dir, "")
	var after []phoneJSON
	apiJSON(t, b, "GET", "/phones", nil, http.StatusOK, &after)
	if len(after) != 1 || after[0].Password != reset.Password || after[0].Extension != "1001" || len(after[0].BLF) != 1 {
		t.Fatalf("phones after restart = %+v", after)
	}
	var prov2 provisioningJSON
	apiJSON(t, b, "GET", "/provisioning", nil, http.StatusOK, &prov2)
	if prov2.EnrolUser != prov.EnrolUser || prov2.EnrolPassword != prov.EnrolPassword {
		t.Errorf("enrolment credentials changed on restart")
	}
	if code, f := fetchFile(t, http.DefaultClient, after[0].Files[0], reset.Username, reset.Password); code != http.StatusOK ||
		cfgValue(t, f, "account.1.password") != "admins-new-pass-1" {
		t.Errorf("fetch after restart = %d %s", code, f)
	}

	// Removed, the phone gets nothing.
	apiJSON(t, b, "DELETE", "/phones/805ec0123456", nil, http.StatusNoContent, nil)
	apiJSON(t, b, "GET", "/phones/805ec0123456", nil, http.StatusNotFound, nil)
	if code, _ := fetchFile(t, http.DefaultClient, after[0].Files[0], reset.Username, reset.Password); code != http.StatusNotFound {
		t.Errorf("fetch after removal = %d, want 404", code)
	}
}
