package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"deskline/appliance"
	"deskline/storage"
)

// TestSIGTERM runs the real binary as gokrazy does, then stops it with
// SIGTERM: it must exit 0 within a few seconds, leaving a store that opens
// cleanly and passes a consistency check.
func TestSIGTERM(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "deskline")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	data := t.TempDir()
	httpAddr := freeTCP(t)
	cmd := exec.Command(bin, "-data", data, "-sip", "127.0.0.1:0", "-http", httpAddr, "-sips", "127.0.0.1:0", "-https", "127.0.0.1:0", "-rtp", "47000-47998")
	cmd.Env = append(os.Environ(), "DESKLINE_ADMIN_PASSWORD=sigterm-test-pass-1")
	stdout, _ := cmd.StdoutPipe()
	var logs strings.Builder
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })

	// Wait for the welcome text, then use the API once so the store has
	// something to lose.
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "Web panel:") {
				ready <- sc.Text()
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	select {
	case <-ready:
	case <-time.After(20 * time.Second):
		t.Fatalf("daemon did not start:\n%s", logs.String())
	}
	req, _ := http.NewRequest("POST", "http://"+httpAddr+"/api/v1/extensions", strings.NewReader(`{"number":"1001","name":"Alice","password":"alice-secret-xyz"}`))
	req.SetBasicAuth("admin", "sigterm-test-pass-1")
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 201 {
		t.Fatalf("create extension: %d", res.StatusCode)
	}

	start := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v\n%s", err, logs.String())
		}
		t.Logf("stopped %v after SIGTERM", time.Since(start).Round(time.Millisecond))
	case <-time.After(5 * time.Second):
		t.Fatalf("still running 5 s after SIGTERM:\n%s", logs.String())
	}
	if !regexp.MustCompile(`storage: closed`).MatchString(logs.String()) {
		t.Errorf("the log does not show the store closed:\n%s", logs.String())
	}
	db, err := appliance.OpenStore(data, nil)
	if err != nil {
		t.Fatalf("store after SIGTERM: %v", err)
	}
	defer db.Close()
	if err := db.Check(); err != nil {
		t.Errorf("store after SIGTERM: %v", err)
	}
	exts, err := storage.NewCollection[map[string]any](db, "extensions")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exts.Get("1001"); err != nil {
		t.Errorf("extension created before SIGTERM: %v", err)
	}
}

func TestBadFlags(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "deskline")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "-rtp", "5-3").CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), "-rtp") {
		t.Errorf("bad -rtp: %v, %s; want exit 2 naming -rtp", err, out)
	}
}

func freeTCP(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
