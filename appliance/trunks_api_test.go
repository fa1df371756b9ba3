package appliance_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestTrunksAPI: an installer's script adds a provider trunk, sees it
// without its password but with its state, changes it without repeating
// the password, and is told which field is wrong when it is. The trunk
// survives a restart.
func TestTrunksAPI(t *testing.T) {
	dir := t.TempDir()
	b := startBox(t, dir, "")
	for _, tc := range []struct{ body, field string }{
		{`{"name":"voip","host":"sip.example.com","register":true,"username":"4420"}`, "password"},
		{`{"name":"voip","host":"bad host!","sources":["192.0.2.1"]}`, "host"},
		{`{"name":"voip","host":"sip.example.com","sources":["nowhere"]}`, "sources"},
		{`{"name":"voip","host":"sip.example.com","sources":["192.0.2.1"],"transport":"sctp"}`, "transport"},
		{`{"name":"voip","host":"sip.example.com","sources":["192.0.2.1"],"caller_id":"12ab"}`, "caller_id"},
		{`{"name":"voip","host":"sip.example.com","sources":["192.0.2.1"],"caller_id_mode":"x"}`, "caller_id_mode"},
	} {
		if code, body := b.api(t, "POST", "/trunks", tc.body); code != 422 || !strings.Contains(string(body), tc.field) {
			t.Errorf("POST %s = %d %s, want 422 naming %s", tc.body, code, body, tc.field)
		}
	}
	code, body := b.api(t, "POST", "/trunks", `{"name":"voip","host":"192.0.2.10","register":true,"username":"4420","password":"pw-provider-1","keepalive":-1,"max_channels":4}`)
	if code != 201 || strings.Contains(string(body), "pw-provider-1") || !strings.Contains(string(body), `"password_set":true`) {
		t.Fatalf("create = %d %s, want 201 without the password", code, body)
	}
	if code, _ := b.api(t, "POST", "/trunks", `{"name":"voip","host":"192.0.2.11","sources":["192.0.2.11"]}`); code != 409 {
		t.Errorf("second trunk with the same name = %d, want 409", code)
	}
	code, body = b.api(t, "PUT", "/trunks/voip", `{"host":"192.0.2.12","register":true,"username":"4420","keepalive":-1,"max_channels":2}`)
	if code != 200 || !strings.Contains(string(body), `"password_set":true`) || !strings.Contains(string(body), `"host":"192.0.2.12"`) {
		t.Fatalf("update without password = %d %s", code, body)
	}
	var tr struct {
		Name   string `json:"name"`
		Status *struct {
			Registered bool `json:"registered"`
		} `json:"status"`
	}
	code, body = b.api(t, "GET", "/trunks/voip", nil)
	if err := json.Unmarshal(body, &tr); code != 200 || err != nil || tr.Status == nil {
		t.Fatalf("GET = %d %s", code, body)
	}

	b.stop(t)
	b = startBox(t, dir, "")
	if code, body := b.api(t, "GET", "/trunks", nil); code != 200 || !strings.Contains(string(body), `"host":"192.0.2.12"`) || strings.Contains(string(body), "pw-provider-1") {
		t.Errorf("after restart: %d %s", code, body)
	}
	if code, _ := b.api(t, "DELETE", "/trunks/voip", nil); code != 204 {
		t.Errorf("DELETE = %d", code)
	}
	if code, _ := b.api(t, "GET", "/trunks/voip", nil); code != 404 {
		t.Errorf("GET after DELETE = %d, want 404", code)
	}
}
