package appliance_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"deskline/appliance"
)

// TestUpdatePassword: a box makes its own firmware-update password on its
// first start (in the file gokrazy reads at boot), shows it to the admin,
// says it is active once the box has started with it, and renews it.
func TestUpdatePassword(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(t.TempDir(), "gokr-pw.txt")
	adjust := func(c *appliance.Config) { c.UpdatePasswordFile = file }
	b := startBoxWith(t, dir, "", adjust)
	var p struct {
		User, Password string
		Active         bool
	}
	get := func(method string) {
		t.Helper()
		code, out := b.api(t, method, "/system/update-password", nil)
		if err := json.Unmarshal(out, &p); code != 200 || err != nil {
			t.Fatalf("%s update password: %d %s", method, code, out)
		}
	}
	get("GET")
	onDisk, _ := os.ReadFile(file)
	if p.User != "gokrazy" || len(p.Password) < 20 || strings.TrimSpace(string(onDisk)) != p.Password || p.Active {
		t.Errorf("first start: %+v, file %q; want a new password of 20+ characters, in the file, not yet active", p, onDisk)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("password file mode: %v %v, want 0600", fi.Mode(), err)
	}
	first := p.Password

	b.stop(t)
	b = startBoxWith(t, dir, "", adjust)
	get("GET")
	if p.Password != first || !p.Active {
		t.Errorf("second start: %+v, want the same password, now active", p)
	}
	get("POST")
	onDisk, _ = os.ReadFile(file)
	if p.Password == first || strings.TrimSpace(string(onDisk)) != p.Password || p.Active {
		t.Errorf("renewed: %+v, file %q; want a new password in the file, active after the next reboot", p, onDisk)
	}
	if _, out := b.api(t, "GET", "/audit?limit=10", nil); !strings.Contains(string(out), "update-password.rotate") {
		t.Errorf("renewal not audited: %s", out)
	}

	other := startBox(t, "", "")
	if code, _ := other.api(t, "GET", "/system/update-password", nil); code != 404 {
		t.Errorf("a box without -update-password-file answers %d, want 404", code)
	}
}

// TestMetricsEndpoint: with -metrics-token the box serves /metrics to a
// Prometheus server presenting it, and to nobody else.
func TestMetricsEndpoint(t *testing.T) {
	const token = "scrape-me-please-123"
	b := startBoxWith(t, "", "", func(c *appliance.Config) { c.MetricsToken = token })
	b.addExtension(t, "1001", "Alice", pwAlice)
	get := func(auth string) (int, string) {
		req, _ := http.NewRequest("GET", "http://"+b.a.HTTPAddr()+"/metrics", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		out, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(out)
	}
	if code, _ := get(""); code != 401 {
		t.Errorf("without the token: %d, want 401", code)
	}
	code, body := get("Bearer " + token)
	if code != 200 || !strings.Contains(body, "deskline_extensions 1\n") || !strings.Contains(body, "deskline_goroutines ") {
		t.Errorf("with the token: %d\n%s", code, body)
	}
}
