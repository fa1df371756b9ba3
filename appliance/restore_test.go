package appliance_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"deskline/appliance"
)

// TestRestoreUpload: an admin downloads a backup, changes things, uploads
// the backup: the preview says what would change (without changing
// anything), a damaged archive is refused with the reason, and restoring
// brings the box back to the backup by itself, restarting in place.
func TestRestoreUpload(t *testing.T) {
	cfg := appliance.DefaultConfig()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	httpAddr := l.Addr().String()
	l.Close()
	cfg.DataDir, cfg.SIPAddr, cfg.HTTPAddr = t.TempDir(), "127.0.0.1:0", httpAddr
	cfg.HTTPSAddr, cfg.SIPSAddr = "", ""
	cfg.RTPMin, cfg.RTPMax = 40000, 44998
	cfg.AdminPassword = adminPassword
	cfg.SIPAllow = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- appliance.Run(ctx, cfg, slog.New(slog.DiscardHandler), io.Discard) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("Run did not return")
		}
	})
	call := func(method, path, ctype string, body []byte) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, "http://"+httpAddr+"/api/v1"+path, bytes.NewReader(body))
		req.SetBasicAuth("admin", adminPassword)
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, nil
		}
		defer res.Body.Close()
		out, _ := io.ReadAll(res.Body)
		return res.StatusCode, out
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if code, _ := call("GET", "/status", "", nil); code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the box did not start")
		}
	}
	ext := func(num string) []byte {
		b, _ := json.Marshal(map[string]string{"number": num, "name": "E" + num, "password": "secret-for-ext-" + strings.Repeat("q", len(num))})
		return b
	}
	if code, out := call("POST", "/extensions", "application/json", ext("1001")); code != 201 {
		t.Fatalf("create 1001: %d %s", code, out)
	}
	code, backup := call("GET", "/backup", "", nil)
	if code != 200 {
		t.Fatalf("backup: %d", code)
	}
	for _, n := range []string{"1002", "1003"} {
		if code, out := call("POST", "/extensions", "application/json", ext(n)); code != 201 {
			t.Fatalf("create %s: %d %s", n, code, out)
		}
	}

	code, out := call("POST", "/restore/preview", "application/gzip", backup)
	var p struct {
		Changes []struct {
			Collection      string
			Current, Backup int
		}
		Staged bool
	}
	if err := json.Unmarshal(out, &p); code != 200 || err != nil {
		t.Fatalf("preview: %d %s", code, out)
	}
	found := false
	for _, c := range p.Changes {
		if c.Collection == "extensions" {
			found = true
			if c.Current != 3 || c.Backup != 1 {
				t.Errorf("preview of extensions: %+v, want 3 now and 1 in the backup", c)
			}
		}
	}
	if !found || p.Staged {
		t.Errorf("preview = %s", out)
	}
	if code, out := call("GET", "/extensions", "", nil); code != 200 || !strings.Contains(string(out), "1003") {
		t.Errorf("the preview changed something: %d %s", code, out)
	}

	damaged := bytes.Clone(backup)
	damaged[len(damaged)/2] ^= 0xff
	for name, body := range map[string][]byte{"damaged": damaged, "not an archive": []byte("hello"), "empty": nil} {
		if code, out := call("POST", "/restore", "application/gzip", body); code != 422 || !strings.Contains(string(out), "archive") {
			t.Errorf("%s archive: %d %s, want 422 naming the archive", name, code, out)
		}
	}
	if code, out := call("GET", "/extensions", "", nil); code != 200 || !strings.Contains(string(out), "1003") {
		t.Errorf("a refused restore changed something: %d %s", code, out)
	}

	if code, out := call("POST", "/restore", "application/gzip", backup); code != 202 || !strings.Contains(string(out), `"staged":true`) {
		t.Fatalf("restore: %d %s", code, out)
	}
	var got string
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if code, out := call("GET", "/extensions", "", nil); code == 200 {
			if got = string(out); strings.Contains(got, "1001") && !strings.Contains(got, "1002") {
				break
			}
		}
	}
	if !strings.Contains(got, "1001") || strings.Contains(got, "1002") || strings.Contains(got, "1003") {
		t.Fatalf("after the restore the extensions are %s, want only 1001", got)
	}
	if code, out := call("GET", "/audit?limit=5", "", nil); code != 200 || !strings.Contains(string(out), "backup restored") {
		t.Errorf("the audit log does not say the backup was restored: %d %s", code, out)
	}
}
