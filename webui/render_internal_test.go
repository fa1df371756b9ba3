package webui

import (
	"html/template"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// usersStub stands in for a UserStore; the pages tested here never call it.
type usersStub struct{ UserStore }

// backendStub stands in for a Backend; the pages tested here never call it.
type backendStub struct{ Backend }

// TestRenderTemplateErrorIsClean500 breaks a template mid-page and checks
// that none of the half-rendered page reaches the client.
func TestRenderTemplateErrorIsClean500(t *testing.T) {
	s, err := New(Options{Backend: backendStub{}, Users: usersStub{}})
	if err != nil {
		t.Fatal(err)
	}
	s.pages["notfound"] = template.Must(template.New("x").Parse(
		`{{define "layout"}}<html>half a page {{.NoSuchField}}{{end}}`))
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/missing", nil))
	if w.Code != http.StatusInternalServerError {
		t.Errorf("status = %d, want 500", w.Code)
	}
	if body := w.Body.String(); strings.Contains(body, "half a page") {
		t.Errorf("body %q holds part of the failed page", body)
	}
}

func TestNewNeedsBackendAndUsers(t *testing.T) {
	if _, err := New(Options{Users: usersStub{}}); err == nil {
		t.Error("New without Backend: no error")
	}
	if _, err := New(Options{Backend: backendStub{}}); err == nil {
		t.Error("New without Users: no error")
	}
}
