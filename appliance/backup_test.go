package appliance_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"deskline/storage"
)

// TestBackupRestoresOnAFreshBox: an admin downloads a backup; it validates,
// restores into an empty data directory, and a box started there has the
// same extensions and the same admin password.
func TestBackupRestoresOnAFreshBox(t *testing.T) {
	b := startBox(t, "", "")
	b.addExtension(t, "1001", "Alice", pwAlice)
	b.addExtension(t, "1002", "Bob", pwBob)
	req, _ := http.NewRequest("GET", "http://"+b.a.HTTPAddr()+"/api/v1/backup", nil)
	req.SetBasicAuth("admin", adminPassword)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	archive, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/gzip" ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "deskline-backup-") {
		t.Fatalf("GET /backup = %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
	}
	m, err := storage.InspectBackup(bytes.NewReader(archive))
	if err != nil {
		t.Fatalf("the downloaded backup does not validate: %v", err)
	}
	if m.Buckets["extensions"] != 2 {
		t.Errorf("manifest counts %d extensions, want 2 (%+v)", m.Buckets["extensions"], m.Buckets)
	}
	if left, _ := filepath.Glob(filepath.Join(b.cfg.DataDir, ".backup-*")); len(left) != 0 {
		t.Errorf("staging files left in the data dir: %v", left)
	}

	fresh := t.TempDir()
	if err := storage.RestoreBackup(bytes.NewReader(archive), fresh); err != nil {
		t.Fatal(err)
	}
	b2 := startBox(t, fresh, "")
	code, body := b2.api(t, "GET", "/extensions", nil)
	if code != 200 || !strings.Contains(string(body), `"1001"`) || !strings.Contains(string(body), `"1002"`) {
		t.Errorf("restored box lists %d %s", code, body)
	}
	// The audit log comes along; the download itself is recorded on the
	// box it was taken from (after the snapshot).
	if code, body := b2.api(t, "GET", "/audit", nil); code != 200 || !strings.Contains(string(body), `"extension-created","object":"extension 1002"`) {
		t.Errorf("restored audit log = %d %s", code, body)
	}
	if _, body := b.api(t, "GET", "/audit", nil); !strings.Contains(string(body), `"backup-downloaded"`) ||
		!strings.Contains(string(body), fmt.Sprintf(`%d bytes"`, len(archive))) {
		t.Errorf("the audit log does not record the whole download (%d bytes): %s", len(archive), body)
	}
}
