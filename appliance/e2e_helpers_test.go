package appliance_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"deskline/appliance"
	"deskline/appliance/internal/sipfake"
)

const adminPassword = "test-admin-password-1"

// box is a running appliance for a test, on loopback with ports of its own.
type box struct {
	a    *appliance.Appliance
	cfg  appliance.Config
	logs *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startBox starts an appliance on dataDir (a new temp dir when empty) and
// sipAddr ("127.0.0.1:0" when empty). It is closed when the test ends; its
// log is printed if the test failed.
func startBox(t *testing.T, dataDir, sipAddr string) *box {
	t.Helper()
	return startBoxWith(t, dataDir, sipAddr, nil)
}

// startBoxWith is startBox with a chance to adjust the configuration.
func startBoxWith(t *testing.T, dataDir, sipAddr string, adjust func(*appliance.Config)) *box {
	t.Helper()
	if dataDir == "" {
		dataDir = t.TempDir()
	}
	if sipAddr == "" {
		sipAddr = "127.0.0.1:0"
	}
	cfg := appliance.DefaultConfig()
	cfg.DataDir, cfg.SIPAddr, cfg.HTTPAddr = dataDir, sipAddr, "127.0.0.1:0"
	cfg.HTTPSAddr, cfg.SIPSAddr = "127.0.0.1:0", "127.0.0.1:0"
	cfg.RTPMin, cfg.RTPMax = 40000, 44998
	cfg.AdminPassword = adminPassword
	// Phones here all come from loopback, and some use wrong passwords on
	// purpose: like `make run`, allow-list it (bans are tested in appliance/sip).
	cfg.SIPAllow = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	cfg.LogLevel = slog.LevelDebug
	if adjust != nil {
		adjust(&cfg)
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, err := appliance.New(cfg, log, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(context.Background()); err != nil {
		a.Close()
		t.Fatal(err)
	}
	b := &box{a: a, cfg: cfg, logs: logs}
	t.Cleanup(func() {
		b.a.Close()
		if t.Failed() {
			t.Logf("appliance log:\n%s", logs.String())
		}
	})
	return b
}

// stop closes the box before the test ends (for restart tests).
func (b *box) stop(t *testing.T) {
	t.Helper()
	if err := b.a.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

func (b *box) sip() string { return b.a.SIPAddr() }

func (b *box) dataDir() string { return b.cfg.DataDir }

// api calls /api/v1 as admin with HTTP Basic, like an installer's script.
func (b *box) api(t *testing.T, method, path string, body any) (int, []byte) {
	t.Helper()
	return apiAs(t, b, "admin", adminPassword, method, path, body)
}

// apiAs calls /api/v1 with HTTP Basic as user.
func apiAs(t *testing.T, b *box, user, password, method, path string, body any) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		switch v := body.(type) {
		case string:
			r = strings.NewReader(v)
		default:
			j, _ := json.Marshal(v)
			r = bytes.NewReader(j)
		}
	}
	req, err := http.NewRequest(method, "http://"+b.a.HTTPAddr()+"/api/v1"+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(user, password)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, out
}

// addExtension creates an extension through the API.
func (b *box) addExtension(t *testing.T, number, name, password string) {
	t.Helper()
	code, body := b.api(t, "POST", "/extensions", map[string]string{"number": number, "name": name, "password": password})
	if code != http.StatusCreated {
		t.Fatalf("POST /extensions %s = %d %s", number, code, body)
	}
}

// noVoicemail turns an extension's voicemail off, so that unanswered
// callers hear why (busy, unavailable) instead.
func (b *box) noVoicemail(t *testing.T, number string) {
	t.Helper()
	code, body := b.api(t, "GET", "/extensions/"+number, nil)
	var e map[string]any
	if code != http.StatusOK || json.Unmarshal(body, &e) != nil {
		t.Fatalf("GET /extensions/%s = %d %s", number, code, body)
	}
	if code, body = b.api(t, "PUT", "/extensions/"+number, map[string]any{"name": e["name"], "voicemail": false}); code != http.StatusOK {
		t.Fatalf("PUT /extensions/%s = %d %s", number, code, body)
	}
}

type cdrJSON struct {
	Caller      string     `json:"caller"`
	Callee      string     `json:"callee"`
	Dialled     string     `json:"dialled"`
	Start       time.Time  `json:"start"`
	Answer      *time.Time `json:"answer"`
	End         time.Time  `json:"end"`
	Duration    float64    `json:"duration"`
	Disposition string     `json:"disposition"`
	Trunk       string     `json:"trunk"`
}

// waitCDR polls the API until a CDR for caller→callee shows up.
func (b *box) waitCDR(t *testing.T, caller, callee string) cdrJSON {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		code, body := b.api(t, "GET", "/cdr", nil)
		if code != 200 {
			t.Fatalf("GET /cdr = %d %s", code, body)
		}
		var list []cdrJSON
		if err := json.Unmarshal(body, &list); err != nil {
			t.Fatalf("GET /cdr: %v: %s", err, body)
		}
		for _, c := range list {
			if c.Caller == caller && c.Callee == callee {
				return c
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no CDR for %s -> %s", caller, callee)
	return cdrJSON{}
}

// freeSIPAddr is a loopback address free on UDP and TCP.
func freeSIPAddr(t *testing.T) string { return sipfake.FreeAddr(t) }
