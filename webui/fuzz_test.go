package webui_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"deskline/webui"
	"deskline/webui/webuitest"
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

// FuzzQueueForm posts arbitrary form bodies (with the session's CSRF
// token) to the new-queue page: the page must never panic or answer 5xx;
// it either creates the queue it names and redirects, or shows the form
// again with a message, having stored nothing. Seeds are in
// testdata/fuzz/FuzzQueueForm.
func FuzzQueueForm(f *testing.F) {
	f.Add("name=billing&strategy=ring-all&ring_timeout=15&member=201&penalty-201=1")
	f.Add("name=q&strategy=linear&max_wait=-1&member=999")
	f.Add("name=%00&strategy=&ring_timeout=1e9&service_level=99999999999999999999")
	m := webuitest.NewMemoryACD()
	m.CreateAgent(context.Background(), webui.AgentInput{ID: "201", Extension: "101"})
	e := newACDEnv(f, m)
	sess, csrf := e.login(f, nil)
	f.Fuzz(func(t *testing.T, form string) {
		before, _ := m.ListQueues(context.Background())
		res := e.do(http.MethodPost, "/queues/new", form+"&csrf="+url.QueryEscape(csrf),
			cookies(sess), header("Content-Type", "application/x-www-form-urlencoded"))
		body := readBody(t, res)
		after, _ := m.ListQueues(context.Background())
		switch res.StatusCode {
		case http.StatusSeeOther:
			if len(after) != len(before)+1 {
				t.Fatalf("redirect for %q but %d queues before, %d after", form, len(before), len(after))
			}
			m.DeleteQueue(context.Background(), strings.TrimPrefix(res.Header.Get("Location"), "/queues?done=queue-created&what="))
		case http.StatusBadRequest, http.StatusConflict, http.StatusUnprocessableEntity:
			if len(after) != len(before) {
				t.Fatalf("refused %q but stored a queue", form)
			}
			// A body that is no form at all gets a plain-text 400.
			if res.StatusCode != http.StatusBadRequest && !strings.Contains(body, `class="error"`) {
				t.Fatalf("refused %q without a message:\n%s", form, body)
			}
		default:
			t.Fatalf("status %d for %q:\n%s", res.StatusCode, form, body)
		}
	})
}
