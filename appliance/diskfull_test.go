package appliance_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"deskline/appliance/internal/phonetest"
)

// smallDisk mounts a tmpfs of size bytes and returns its path. It needs
// root (as the box runs; CI runs as root): without it the test fails under
// CI=true and is skipped elsewhere.
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "small")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		msg := "cannot mount a small file system (needs root): " + strings.TrimSpace(string(out))
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// TestDiskFullRefusesRecordingCallsGoOn: on a data disk too full for a
// recording, starting one is refused with a clear reason (507) while the
// call goes on, and the call's record is still written.
func TestDiskFullRefusesRecordingCallsGoOn(t *testing.T) {
	phonetest.Require(t)
	data := smallDisk(t, "40m") // under the 50 MB a recording needs free
	b := startBox(t, data, "")
	b.addExtension(t, "1001", "Alice", pwAlice)
	b.addExtension(t, "1002", "Bob", pwBob)
	alice := phone(t, b, "1001", pwAlice, phonetest.Options{PlayWAV: tone(t, 1000)})
	bob := phone(t, b, "1002", pwBob, phonetest.Options{PlayWAV: tone(t, 600), AutoAnswer: true})
	ctx := ctxT(t, 40*time.Second)
	if err := alice.Dial(ctx, dialURI(b, "1002")); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.WaitEvent(ctx, phonetest.IsType(phonetest.EventCallEstablished)); err != nil {
		t.Fatal(err)
	}
	_, body := b.api(t, "GET", "/calls", nil)
	id := between(string(body), `"id":"`, `"`)
	code, body := b.api(t, "POST", "/calls/"+id+"/recording", nil)
	if code != 507 || !strings.Contains(string(body), "free") {
		t.Errorf("recording on a full disk: %d %s, want 507 saying how little is free", code, body)
	}
	time.Sleep(2 * time.Second)
	if f := lastSecond(t, bob); !within(f, 1000, 0.03) {
		t.Errorf("after the refusal Bob hears %.0f Hz, want Alice's 1000 Hz: the call goes on", f)
	}
	if err := alice.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	closedReason(t, bob, ctx)
	if c := b.waitCDR(t, "1001", "1002"); c.Disposition != "answered" {
		t.Errorf("CDR = %+v, want the answered call recorded", c)
	}
}

// between returns the text in s after the first from and before the next to.
func between(s, from, to string) string {
	_, rest, ok := strings.Cut(s, from)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, to)
	return v
}
