package webui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"deskline/webui"
)

// memPhones is a PhoneBackend in memory: extensions 1001 and 1002 exist,
// and a MAC is twelve hex digits.
type memPhones struct {
	mu     sync.Mutex
	phones map[string]webui.Phone
	seen   []webui.PhoneSeen
	n      int
}

func (m *memPhones) ListPhones(ctx context.Context) ([]webui.Phone, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []webui.Phone
	for _, p := range m.phones {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b webui.Phone) int { return strings.Compare(a.MAC, b.MAC) })
	return out, nil
}

func (m *memPhones) GetPhone(ctx context.Context, mac string) (webui.Phone, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.phones[mac]
	if !ok {
		return p, fmt.Errorf("%w: no phone %s", webui.ErrNotFound, mac)
	}
	return p, nil
}

func (m *memPhones) AssignPhone(ctx context.Context, in webui.PhoneInput) (webui.Phone, error) {
	mac := strings.ToLower(strings.NewReplacer(":", "", "-", "").Replace(in.MAC))
	switch {
	case len(mac) != 12 || strings.Trim(mac, "0123456789abcdef") != "":
		return webui.Phone{}, &webui.FieldError{Field: "mac", Problem: "want 12 hex digits"}
	case in.Extension != "1001" && in.Extension != "1002":
		return webui.Phone{}, &webui.FieldError{Field: "extension", Problem: "no such extension"}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.n++
	p := webui.Phone{MAC: mac, Vendor: in.Vendor, Model: in.Model, Extension: in.Extension, BLF: in.BLF,
		Username: fmt.Sprintf("user%d", m.n), Password: fmt.Sprintf("secret%d", m.n), Files: []string{"http://box/provision/" + mac + ".cfg"}}
	m.phones[mac] = p
	m.seen = slices.DeleteFunc(m.seen, func(s webui.PhoneSeen) bool { return s.MAC == mac })
	return p, nil
}

func (m *memPhones) UpdatePhone(ctx context.Context, mac string, in webui.PhoneInput) (webui.Phone, error) {
	if _, err := m.GetPhone(ctx, mac); err != nil {
		return webui.Phone{}, err
	}
	in.MAC = mac
	return m.AssignPhone(ctx, in)
}

func (m *memPhones) DeletePhone(ctx context.Context, mac string) error {
	if _, err := m.GetPhone(ctx, mac); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.phones, mac)
	return nil
}

func (m *memPhones) ResetPhoneCredentials(ctx context.Context, mac string) (webui.Phone, error) {
	p, err := m.GetPhone(ctx, mac)
	if err != nil {
		return p, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	p.Password += "-new"
	m.phones[mac] = p
	return p, nil
}

func (m *memPhones) PhonesSeen(ctx context.Context) ([]webui.PhoneSeen, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.seen), nil
}

func (m *memPhones) Provisioning(ctx context.Context) (webui.Provisioning, error) {
	return webui.Provisioning{Server: "192.0.2.10", Port: 5060, Transport: "udp", TimeZone: "Europe/Berlin",
		HTTPURL: "http://192.0.2.10:8080/provision/", EnrolURL: "http://site:enrolpass@192.0.2.10:8080/provision/",
		EnrolUser: "site", EnrolPassword: "enrolpass", Vendors: []string{"yealink", "grandstream", "polycom"}}, nil
}

func newPhonesEnv(t *testing.T) (*env, *memPhones) {
	t.Helper()
	m := &memPhones{phones: map[string]webui.Phone{}, seen: []webui.PhoneSeen{{MAC: "000b82aabbcc", Vendor: "grandstream", File: "cfg000b82aabbcc.xml", Addr: "192.0.2.55", Last: t0, Count: 3}}}
	e := newEnvWith(t, webui.Options{Phones: m})
	for _, x := range []webui.ExtensionInput{{Number: "1001", Name: "Alice", Password: "alices-password-1"}, {Number: "1002", Name: "Bob", Password: "bobs-password-12"}} {
		if _, err := e.backend.CreateExtension(context.Background(), x); err != nil {
			t.Fatal(err)
		}
	}
	return e, m
}

// TestPhonesPage: the phones page is in the navigation, lists the phones
// seen with a form to assign each, assigns, shows a refusal next to its
// field, lists assigned phones with their provisioning credentials, and
// resets and removes them.
func TestPhonesPage(t *testing.T) {
	e, m := newPhonesEnv(t)
	sess, csrf := e.login(t, nil)
	body := e.okPage(t, sess, "/phones")
	mustContain(t, "phones page", body,
		`<a href="/phones" aria-current="page">Phones</a>`,
		`http://site:enrolpass@192.0.2.10:8080/provision/`, "Europe/Berlin",
		`<td data-label="MAC" class="num">000b82aabbcc</td>`, `<input type="hidden" name="mac" value="000b82aabbcc">`,
		`<option value="grandstream" selected>grandstream</option>`, `<option value="1002">1002 Bob</option>`,
		"No phones assigned yet.")

	wantRedirect(t, e.submit(sess, "/phones", csrf, url.Values{"mac": {"000b82aabbcc"}, "vendor": {"grandstream"}, "extension": {"1002"}}),
		"/phones?done=phone-assigned&what=000b82aabbcc")
	body = e.okPage(t, sess, "/phones?done=phone-assigned&what=000b82aabbcc")
	mustContain(t, "after assigning", body, "Phone 000b82aabbcc assigned.", "<code>user1</code>", "<code>secret1</code>",
		"No unassigned phone has asked for its configuration.", `action="/phones/000b82aabbcc/reset"`)

	res := e.submit(sess, "/phones", csrf, url.Values{"mac": {"80:5e:c0:12:34:56"}, "vendor": {"yealink"}, "extension": {"1009"}, "blf": {"1001, 1002"}})
	body = readBody(t, res)
	if res.StatusCode != http.StatusUnprocessableEntity || fieldErr(body, "extension") != "No such extension." {
		t.Errorf("refused assignment: %d %q", res.StatusCode, fieldErr(body, "extension"))
	}
	mustContain(t, "refused assignment keeps the input", body, `value="80:5e:c0:12:34:56"`, `value="1001 1002"`)

	wantRedirect(t, e.submit(sess, "/phones/000b82aabbcc/reset", csrf, nil), "/phones?done=phone-reset&what=000b82aabbcc")
	if p, _ := m.GetPhone(context.Background(), "000b82aabbcc"); p.Password != "secret1-new" {
		t.Errorf("after reset the password is %q", p.Password)
	}
	if res := e.submit(sess, "/phones/000b82aabbcc/delete", "", nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("delete without CSRF token = %d, want 403", res.StatusCode)
	}
	wantRedirect(t, e.submit(sess, "/phones/000b82aabbcc/delete", csrf, nil), "/phones?done=phone-deleted&what=000b82aabbcc")
	if res := e.submit(sess, "/phones/000b82aabbcc/delete", csrf, nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("deleting a removed phone = %d, want 404", res.StatusCode)
	}
}

// TestPhonesAPI: the endpoints exist only with a backend and answer in
// the API's shapes.
func TestPhonesAPI(t *testing.T) {
	if res := newEnv(t, "").api("GET", "/api/v1/phones", ""); res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /api/v1/phones without a backend = %d, want 404", res.StatusCode)
	}
	e, _ := newPhonesEnv(t)
	res := e.api("POST", "/api/v1/phones", `{"mac":"80:5e:c0:12:34:56","vendor":"yealink","extension":"1001","blf":["1002"]}`)
	if body := readBody(t, res); res.StatusCode != http.StatusCreated || res.Header.Get("Location") != "/api/v1/phones/805ec0123456" ||
		!strings.Contains(body, `"password":"secret1"`) {
		t.Fatalf("POST = %d %s %s", res.StatusCode, res.Header.Get("Location"), body)
	}
	res = e.api("POST", "/api/v1/phones", `{"mac":"80:5e","vendor":"yealink","extension":"1001"}`)
	if body := readBody(t, res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `"mac: want 12 hex digits"`) {
		t.Errorf("POST bad mac = %d %s", res.StatusCode, body)
	}
	for _, c := range []struct{ method, path, want string }{
		{"PUT", "/api/v1/phones/805ec0123456", `"extension":"1002"`},
		{"POST", "/api/v1/phones/805ec0123456/reset-credentials", `"password":"secret2-new"`},
		{"GET", "/api/v1/phones-seen", `"mac":"000b82aabbcc"`},
		{"GET", "/api/v1/provisioning", `"enrol_url":"http://site:enrolpass@192.0.2.10:8080/provision/"`},
	} {
		res := e.api(c.method, c.path, `{"vendor":"yealink","extension":"1002"}`)
		if body := readBody(t, res); res.StatusCode != http.StatusOK || !strings.Contains(body, c.want) {
			t.Errorf("%s %s = %d %s, want %s", c.method, c.path, res.StatusCode, body, c.want)
		}
	}
	if res := e.api("DELETE", "/api/v1/phones/805ec0123456", ""); res.StatusCode != http.StatusNoContent {
		t.Errorf("DELETE = %d", res.StatusCode)
	}
}
