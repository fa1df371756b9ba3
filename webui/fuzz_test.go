package webui_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"deskline/webui"
)

// FuzzCreateExtension posts arbitrary bodies to POST /api/v1/extensions: the
// API must never panic or answer 5xx, must always answer JSON, and must
// never echo a password. Seeds are in testdata/fuzz/FuzzCreateExtension.
func FuzzCreateExtension(f *testing.F) {
	f.Add([]byte(`{"number":"201","name":"Reception","password":"sip-secret-201"}`))
	f.Add([]byte(`{"number":"201","name":"x","password":"x","extra":1}`))
	e := newEnv(f, "")
	f.Fuzz(func(t *testing.T, body []byte) {
		res := e.api("POST", "/api/v1/extensions", string(body))
		raw := readBody(t, res)
		if res.StatusCode >= 500 {
			t.Fatalf("status %d for %q: %s", res.StatusCode, body, raw)
		}
		if ct := res.Header.Get("Content-Type"); ct != "application/json" {
			t.Fatalf("Content-Type %q for %q", ct, body)
		}
		if !json.Valid([]byte(raw)) {
			t.Fatalf("response is not JSON: %q", raw)
		}
		if strings.Contains(raw, `"password":`) {
			t.Fatalf("response names a password: %s", raw)
		}
		switch res.StatusCode {
		case http.StatusCreated:
			var x webui.Extension
			if err := json.Unmarshal([]byte(raw), &x); err != nil || x.Number == "" || res.Header.Get("Location") == "" {
				t.Fatalf("201 with %s, Location %q", raw, res.Header.Get("Location"))
			}
		case http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
			var msg struct{ Error string }
			if err := json.Unmarshal([]byte(raw), &msg); err != nil || msg.Error == "" {
				t.Fatalf("error response without a message: %s", raw)
			}
		default:
			t.Fatalf("unexpected status %d for %q: %s", res.StatusCode, body, raw)
		}
	})
}
