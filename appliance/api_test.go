package appliance_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestExtensionsAPI exercises /api/v1/extensions against the real store, as
// an installer's script would: every bad input gets a 4xx saying what is
// wrong, nothing half-written stays behind, and what was saved survives a
// restart.
func TestExtensionsAPI(t *testing.T) {
	dir := t.TempDir()
	b := startBox(t, dir, "")
	if code, body := b.api(t, "POST", "/extensions", `{"number":"1001","name":"Alice","password":"alice-secret-9f3k"}`); code != 201 ||
		!strings.Contains(string(body), `"number":"1001"`) {
		t.Fatalf("create = %d %s", code, body)
	}
	bad := []struct {
		body     string
		code     int
		contains string
	}{
		{`{"number":"1001","name":"Again","password":"another-secret-1"}`, 409, "1001"},
		{`{"number":"1002","name":"Bob","password":"short"}`, 422, "password: must be at least 10 characters"},
		{`{"number":"1002","name":"Bob","password":"xx1002xxxxxx"}`, 422, "must not contain the extension number"},
		{`{"number":"1002","name":"Bob","password":"with space 1234"}`, 422, "printable ASCII"},
		{`{"number":"0123","name":"Bob","password":"bob-secret-27xq1"}`, 422, "number: "},
		{`{"number":"112","name":"Bob","password":"bob-secret-27xq1"}`, 422, "emergency"},
		{`{"number":"12a","name":"Bob","password":"bob-secret-27xq1"}`, 422, "number: "},
		{`{"number":"1002","name":"Bob","password":"bob-secret-27xq1","admin":true}`, 400, "admin"},
		{`{"number":"1002","name":"Bob",`, 400, ""},
		{`[]`, 400, ""},
		{`{"number":"1002","name":"` + strings.Repeat("x", 65) + `","password":"bob-secret-27xq1"}`, 422, "name: "},
	}
	for _, tt := range bad {
		code, body := b.api(t, "POST", "/extensions", tt.body)
		var e struct{ Error string }
		json.Unmarshal(body, &e)
		if code != tt.code || e.Error == "" || !strings.Contains(e.Error, tt.contains) {
			t.Errorf("POST %.60s = %d %s, want %d with an error containing %q", tt.body, code, body, tt.code, tt.contains)
		}
	}
	code, body := b.api(t, "GET", "/extensions", nil)
	var list []map[string]any
	if err := json.Unmarshal(body, &list); code != 200 || err != nil || len(list) != 1 {
		t.Fatalf("after bad input the list is %d %s, want only 1001", code, body)
	}
	for _, k := range []string{"password", "ha1", "HA1"} {
		if _, ok := list[0][k]; ok || strings.Contains(string(body), "alice-secret") {
			t.Errorf("extension JSON shows %q: %s", k, body)
		}
	}

	if code, body := b.api(t, "PUT", "/extensions/1001", `{"name":"Alice Smith"}`); code != 200 || !strings.Contains(string(body), "Alice Smith") {
		t.Errorf("rename = %d %s", code, body)
	}
	if code, _ := b.api(t, "PUT", "/extensions/1001", `{"number":"1009","name":"X"}`); code != 422 {
		t.Errorf("PUT changing the number = %d, want 422", code)
	}
	if code, _ := b.api(t, "PUT", "/extensions/1001", `{"name":"A","password":"short"}`); code != 422 {
		t.Errorf("PUT with a weak password = %d, want 422", code)
	}
	if code, _ := b.api(t, "PUT", "/extensions/1999", `{"name":"Nobody"}`); code != 404 {
		t.Errorf("PUT unknown = %d, want 404", code)
	}
	b.addExtension(t, "1002", "Bob", "bob-secret-27xq1")
	if code, _ := b.api(t, "DELETE", "/extensions/1002", nil); code != 204 {
		t.Errorf("DELETE = %d, want 204", code)
	}
	if code, _ := b.api(t, "GET", "/extensions/1002", nil); code != 404 {
		t.Errorf("GET deleted = %d, want 404", code)
	}

	// Tools without credentials, or with wrong ones, get nothing.
	for _, auth := range [][2]string{{"", ""}, {"admin", "wrong-password-1"}, {"nobody", adminPassword}} {
		req, _ := http.NewRequest("GET", "http://"+b.a.HTTPAddr()+"/api/v1/extensions", nil)
		if auth[0] != "" {
			req.SetBasicAuth(auth[0], auth[1])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 401 {
			t.Errorf("GET with %q = %d, want 401", auth[0], res.StatusCode)
		}
	}

	// Every change is in the audit log: who, what, from where.
	code, body = b.api(t, "GET", "/audit?limit=1000", nil)
	var audit []struct{ Actor, Source, Action, Object string }
	if err := json.Unmarshal(body, &audit); code != 200 || err != nil {
		t.Fatalf("GET /audit = %d %s", code, body)
	}
	var seen []string
	for _, r := range audit {
		seen = append(seen, r.Actor+" "+r.Action+" "+r.Object+" "+r.Source)
	}
	for _, want := range []string{
		"admin extension-created extension 1001 127.0.0.1", "admin extension-updated extension 1001 127.0.0.1",
		"admin extension-deleted extension 1002 127.0.0.1", "admin login-failed  127.0.0.1", "nobody login-failed  127.0.0.1",
	} {
		if !slices.Contains(seen, want) {
			t.Errorf("audit log lacks %q; it has %q", want, seen)
		}
	}

	// What was saved survives a restart; the admin too.
	b.stop(t)
	b2 := startBox(t, dir, "")
	code, body = b2.api(t, "GET", "/extensions/1001", nil)
	if code != 200 || !strings.Contains(string(body), "Alice Smith") {
		t.Errorf("after restart GET /extensions/1001 = %d %s", code, body)
	}
	if code, body := b2.api(t, "GET", "/status", nil); code != 200 || !strings.Contains(string(body), `"extensions":1`) {
		t.Errorf("GET /status = %d %s", code, body)
	}
}
