package appliance_test

import (
	"context"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"deskline/appliance"
	"deskline/webui"
	"deskline/webui/webuitest"
	"deskline/webui/webuitest/browsertest"

	"github.com/chromedp/chromedp"
)

// screenshot saves the page as PNG in $DESKLINE_SCREENSHOTS (for people to
// look at) or the test's temp dir.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	browsertest.SavePNG(t, name, png)
}

var setupCodeRE = regexp.MustCompile(`setup_code=([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})`)

// TestFirstBootInBrowser: an installer opens a new box in Chromium, is sent
// to the setup page, enters the one-time code from the console (a wrong one
// first), chooses the admin password and lands on the status page, which
// lists the extensions; logging out leads to the login page.
func TestFirstBootInBrowser(t *testing.T) {
	ctx := browsertest.Start(t)
	b := startBoxWith(t, "", "", func(c *appliance.Config) { c.AdminPassword = "" })
	m := setupCodeRE.FindStringSubmatch(b.logs.String())
	if m == nil {
		t.Fatalf("no setup code in the log:\n%s", b.logs)
	}
	base := "http://" + b.a.HTTPAddr()
	step, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	// The first Run starts the browser and must not have a deadline.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/")); err != nil {
		t.Fatal(err)
	}
	loc, err := chromedp.Run(step, chromedp.Location())
	if err != nil || !strings.HasSuffix(loc, "/setup") {
		t.Fatalf("a new box showed %q (%v), want the setup page", loc, err)
	}
	const pw = "installer-secret-1"
	fill := func(code string) error {
		return chromedp.Do(step,
			chromedp.WaitVisible(`input[name="code"]`),
			chromedp.Clear(`input[name="code"]`),
			chromedp.Clear(`input[name="password"]`),
			chromedp.Clear(`input[name="confirm"]`),
			chromedp.SendKeys(`input[name="code"]`, code),
			chromedp.SendKeys(`input[name="password"]`, pw),
			chromedp.SendKeys(`input[name="confirm"]`, pw),
			chromedp.Submit(`input[name="code"]`),
		)
	}
	if err := fill("AAAA-BBBB-CCCC"); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(step, chromedp.WaitVisible(`p.error`)); err != nil {
		t.Fatalf("a wrong setup code showed no error: %v", err)
	}
	if msg, _ := chromedp.Run(step, chromedp.Text(`p.error`)); !strings.Contains(msg, "Wrong setup code") {
		t.Errorf("a wrong setup code says %q", msg)
	}
	screenshot(t, step, "setup-wrong-code")
	if err := fill(m[1]); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(step, chromedp.WaitVisible(`//h1[normalize-space()="Status"]`)); err != nil {
		body, _ := chromedp.Run(ctx, chromedp.Text(`body`))
		t.Fatalf("after setup no Status page (%v):\n%s", err, body)
	}
	// The new password works for tools too; an extension appears on the page.
	req := map[string]string{"number": "1001", "name": "Alice", "password": pwAlice}
	if code, body := apiAs(t, b, "admin", pw, "POST", "/extensions", req); code != 201 {
		t.Fatalf("POST /extensions with the new password = %d %s", code, body)
	}
	if err := chromedp.Do(step, chromedp.Reload(), chromedp.WaitVisible(`table`)); err != nil {
		t.Fatal(err)
	}
	table, _ := chromedp.Run(step, chromedp.Text(`table`))
	if !strings.Contains(table, "1001") || !strings.Contains(table, "Alice") || !strings.Contains(table, "offline") {
		t.Errorf("extensions table = %q, want 1001 Alice offline", table)
	}
	screenshot(t, step, "status")
	if err := chromedp.Do(step, chromedp.Submit(`form[action="/logout"] button`), chromedp.WaitVisible(`input[name="username"]`)); err != nil {
		t.Fatalf("logout: %v", err)
	}
	if loc, _ := chromedp.Run(step, chromedp.Location()); !strings.Contains(loc, "/login") {
		t.Errorf("after logout the browser is at %q, want the login page", loc)
	}
}

// TestAdminPagesInBrowser: an administrator logs in, creates an extension
// through the form (a password the box refuses first, then a generated
// one), makes it a supervisor, finds it in the list, and reads the audit
// log on the security page, which names them as the author of both
// changes.
func TestAdminPagesInBrowser(t *testing.T) {
	ctx := browsertest.Start(t)
	b := startBoxWith(t, "", "", nil)
	base := "http://" + b.a.HTTPAddr()
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/login")); err != nil {
		t.Fatal(err)
	}
	step, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(step, chromedp.Text(sel))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(step, steps...); err != nil {
			body, _ := chromedp.Run(ctx, chromedp.Text(`body`))
			t.Fatalf("%s: %v\npage:\n%s", what, err, body)
		}
	}
	do("log in",
		chromedp.SendKeys(`input[name="username"]`, "admin"),
		chromedp.SendKeys(`input[name="password"]`, adminPassword),
		chromedp.Submit(`input[name="username"]`),
		chromedp.WaitVisible(`//h1[normalize-space()="Status"]`))

	do("open the extensions", chromedp.Click(`//nav//a[normalize-space()="Extensions"]`), chromedp.WaitVisible(`//h1[normalize-space()="Extensions"]`))
	do("open the form", chromedp.Click(`//a[normalize-space()="New extension"]`), chromedp.WaitVisible(`input[name="number"]`))
	// Long enough for the browser's own check, but the box refuses a
	// password holding the extension's number.
	do("submit a bad password",
		chromedp.SendKeys(`input[name="number"]`, "2001"),
		chromedp.SendKeys(`input[name="name"]`, "Reception desk"),
		chromedp.SendKeys(`input[name="password"]`, "desk-2001-pass"),
		chromedp.Submit(`input[name="number"]`),
		chromedp.WaitVisible(`#password-error`))
	if msg := text(`#password-error`); msg != "Must not contain the extension number." {
		t.Errorf("the error next to the password says %q", msg)
	}
	if v, _ := chromedp.Run(step, chromedp.Value(`input[name="name"]`)); v != "Reception desk" {
		t.Errorf("after the error the name field holds %q, want what was typed", v)
	}
	browsertest.ScreenshotWidths(t, step, "extension-error")

	do("generate a password", chromedp.Click(`button[data-generate="password"]`))
	pw, _ := chromedp.Run(step, chromedp.Value(`#password`))
	typ, _ := chromedp.Run(step, chromedp.AttributeValue(`#password`, "type"))
	if len(pw) < 16 || strings.Contains(pw, "2001") || typ.Value != "text" {
		t.Errorf("generated password %q (input type %q), want 16 or more characters shown once", pw, typ.Value)
	}
	browsertest.ScreenshotWidths(t, step, "extension-new")
	do("create it", chromedp.Submit(`#password`), chromedp.WaitVisible(`p.notice`))
	if msg := text(`p.notice`); msg != "Extension 2001 created." {
		t.Errorf("after creating: %q", msg)
	}

	do("edit it", chromedp.Click(`//td/a[normalize-space()="2001"]`), chromedp.WaitVisible(`//h1[normalize-space()="Extension 2001"]`))
	do("make it a supervisor", chromedp.Click(`input[name="supervisor"]`), chromedp.Submit(`input[name="supervisor"]`), chromedp.WaitVisible(`p.notice`))
	row := text(`//tr[td/a[normalize-space()="2001"]]`)
	for _, want := range []string{"2001", "Reception desk", "offline", "optional", "supervisor"} {
		if !strings.Contains(row, want) {
			t.Errorf("the list's row %q lacks %q", row, want)
		}
	}
	browsertest.ScreenshotWidths(t, step, "extensions")

	// The generated password is the extension's SIP password.
	if code, body := apiAs(t, b, "admin", adminPassword, "GET", "/extensions/2001", nil); code != 200 || !strings.Contains(string(body), `"supervisor":true`) {
		t.Errorf("GET /extensions/2001 = %d %s", code, body)
	}

	do("open security", chromedp.Click(`//nav//a[normalize-space()="Security"]`), chromedp.WaitVisible(`//h2[normalize-space()="Audit log"]`))
	log := text(`//section[.//h2[normalize-space()="Audit log"]]//tbody`)
	for _, want := range []string{"extension-created", "extension-updated", "extension 2001", "supervisor true", "127.0.0.1"} {
		if !strings.Contains(log, want) {
			t.Errorf("the audit log lacks %q:\n%s", want, log)
		}
	}
	if strings.Index(log, "extension-updated") > strings.Index(log, "extension-created") {
		t.Error("the audit log is not newest first")
	}
	browsertest.ScreenshotWidths(t, step, "security")

	do("open calls", chromedp.Click(`//nav//a[normalize-space()="Calls"]`), chromedp.WaitVisible(`#calls`))
	// The list refreshes itself from the API.
	if _, err := chromedp.Run(step, chromedp.Poll[bool](`performance.getEntriesByType("resource").some(e => e.name.endsWith("/api/v1/calls")) &&
		document.getElementById("calls-updated").textContent.startsWith("Updated")`)); err != nil {
		t.Errorf("the calls list did not refresh from the API: %v", err)
	}
	browsertest.ScreenshotWidths(t, step, "calls")
	do("open call records", chromedp.Click(`//nav//a[normalize-space()="Call records"]`), chromedp.WaitVisible(`input[name="from"]`))
	browsertest.ScreenshotWidths(t, step, "cdr")

	// Outside lines through the box's own backends: a trunk, then a route
	// whose bad pattern the box itself refuses next to the field.
	step, cancel = context.WithTimeout(ctx, 30*time.Second) // the closures above use the new one
	defer cancel()
	do("open trunks", chromedp.Click(`nav a[href="/trunks"]`), chromedp.WaitVisible(`//h1[normalize-space()="Trunks"]`))
	do("new trunk", chromedp.Click(`a[href="/trunks/new"]`), chromedp.WaitVisible(`input[name="host"]`))
	do("create the trunk", chromedp.SendKeys(`input[name="name"]`, "voip"),
		chromedp.SendKeys(`input[name="host"]`, "192.0.2.10"),
		chromedp.SendKeys(`textarea[name="sources"]`, "192.0.2.10"),
		chromedp.Click(`input[name="register"]`), // known by its address: no registration
		chromedp.SendKeys(`input[name="keepalive"]`, "-1"),
		chromedp.Click(`//button[normalize-space()="Create trunk"]`),
		chromedp.WaitVisible(`#trunks tr[data-trunk="voip"]`))
	browsertest.ScreenshotWidths(t, step, "trunks")
	do("open routes", chromedp.Click(`nav a[href="/routes"]`), chromedp.WaitVisible(`#out0 textarea[name="patterns"]`))
	do("a bad pattern", chromedp.SendKeys(`#out0 input[name="name"]`, "national"),
		chromedp.SendKeys(`#out0 textarea[name="patterns"]`, "_0ZXXXXXXXX\n_08?"),
		chromedp.SetValue(`#out0 select[name="trunk"]`, "voip"),
		chromedp.Click(`#out0 button[value="save"]`),
		chromedp.WaitVisible(`#out0-patterns-error`))
	if msg := text(`#out0-patterns-error`); !strings.Contains(msg, "Line 2") {
		t.Errorf("the box's refusal of the pattern says %q, want it on line 2", msg)
	}
	do("fix it", chromedp.SetValue(`#out0 textarea[name="patterns"]`, "_0ZXXXXXXXX"),
		chromedp.Click(`#out0 button[value="save"]`),
		chromedp.WaitVisible(`.notice`))
	if code, body := b.api(t, "GET", "/routes/outbound", nil); code != 200 || !strings.Contains(string(body), `"pattern":"_0ZXXXXXXXX"`) || !strings.Contains(string(body), `"voip"`) {
		t.Errorf("the route saved in the panel: %d %s", code, body)
	}
	browsertest.ScreenshotWidths(t, step, "routes")
}

// TestLivePanelPagesInBrowser drives the pages that show live traffic over
// the panel's in-memory backend, which can make calls and bans appear at
// will: a call shows up in the open calls list without a reload, is
// recorded and stopped with its buttons, and its recording is listed with
// a player; a SIP ban is lifted. Screenshots show the pages with data.
func TestLivePanelPagesInBrowser(t *testing.T) {
	ctx := browsertest.Start(t)
	now := time.Now()
	mem := webuitest.NewMemoryBackend()
	recs := webuitest.NewMemoryRecordings(mem)
	hash, err := webui.HashPassword(adminPassword)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := webui.New(webui.Options{Backend: mem, Recordings: recs, Version: "v-test",
		Users: webuitest.NewMemoryUserStore(webui.User{Name: "admin", Role: webui.RoleAdmin, PasswordHash: hash})})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	bg := context.Background()
	mem.CreateExtension(bg, webui.ExtensionInput{Number: "201", Name: "Reception", Password: "sip-secret-201", Supervisor: true})
	mem.CreateExtension(bg, webui.ExtensionInput{Number: "202", Name: "Kitchen", Password: "sip-secret-202", SRTP: "required"})
	mem.SetRegistrations(webui.Registration{Extension: "201", Source: "192.168.1.40:5062", Transport: "tls", UserAgent: "Yealink SIP-T46U", Expires: now.Add(time.Hour)})
	for i := range 6 {
		st := now.Add(-time.Duration(i) * 47 * time.Minute)
		a := st.Add(3 * time.Second)
		mem.AddCDR(webui.CDR{ID: "x", Caller: "201", Dialled: "202", Callee: "202", Start: st, Answer: &a, End: a.Add(95 * time.Second),
			Duration: 95, Disposition: webui.DispositionAnswered, Cause: 200, HangupBy: "callee"})
	}
	mem.SetBans(webui.Ban{Addr: "203.0.113.77", Since: now.Add(-10 * time.Minute), Until: now.Add(50 * time.Minute), Reason: "10 failed registrations", Offences: 2})

	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/login")); err != nil {
		t.Fatal(err)
	}
	step, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(step, steps...); err != nil {
			body, _ := chromedp.Run(ctx, chromedp.Text(`body`))
			t.Fatalf("%s: %v\npage:\n%s", what, err, body)
		}
	}
	notice := func(want string) {
		t.Helper()
		do("wait for the notice "+want, chromedp.WaitVisible(`//p[@class="notice" and normalize-space()="`+want+`"]`))
	}
	do("log in",
		chromedp.SendKeys(`input[name="username"]`, "admin"),
		chromedp.SendKeys(`input[name="password"]`, adminPassword),
		chromedp.Submit(`input[name="username"]`),
		chromedp.WaitVisible(`//h1[normalize-space()="Status"]`))

	do("open calls", chromedp.Navigate(ts.URL+"/calls"), chromedp.WaitVisible(`//td[normalize-space()="No calls right now."]`))
	mem.SetCalls(webui.Call{ID: "c1", Caller: "201", Callee: "0049301234567", State: "answered", Start: now.Add(-83 * time.Second)})
	do("see the new call without reloading", chromedp.WaitVisible(`//td[normalize-space()="0049301234567"]`))
	do("record it", chromedp.Click(`//tr[td[normalize-space()="0049301234567"]]//button[@value="start"]`))
	notice("Recording call c1.")
	browsertest.ScreenshotWidths(t, step, "live-calls")
	do("stop recording", chromedp.Click(`//tr[td[normalize-space()="0049301234567"]]//button[@value="stop"]`))
	notice("Recording of call c1 stopped; it is listed under Recordings.")

	do("open recordings", chromedp.Click(`//nav//a[normalize-space()="Recordings"]`), chromedp.WaitVisible(`audio[src="/api/v1/recordings/c1.wav"]`))
	browsertest.ScreenshotWidths(t, step, "live-recordings")
	do("open call records", chromedp.Click(`//nav//a[normalize-space()="Call records"]`), chromedp.WaitVisible(`//td[normalize-space()="callee"]`))
	browsertest.ScreenshotWidths(t, step, "live-cdr")
	do("open extensions", chromedp.Click(`//nav//a[normalize-space()="Extensions"]`), chromedp.WaitVisible(`//span[contains(., "Yealink SIP-T46U")]`))
	browsertest.ScreenshotWidths(t, step, "live-extensions")

	do("open security", chromedp.Click(`//nav//a[normalize-space()="Security"]`), chromedp.WaitVisible(`//td[normalize-space()="203.0.113.77"]`))
	browsertest.ScreenshotWidths(t, step, "live-security")
	do("lift the ban", chromedp.Click(`//tr[td[normalize-space()="203.0.113.77"]]//button`))
	notice("The ban on 203.0.113.77 is lifted.")
	if bans, _ := mem.Bans(bg); len(bans) != 0 {
		t.Errorf("bans after lifting: %+v", bans)
	}
}
