package webui_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"deskline/webui"
	"deskline/webui/webuitest"
	"deskline/webui/webuitest/browsertest"

	"github.com/chromedp/chromedp"
)

// TestOutsideLinesInBrowser: an administrator adds a provider's trunk
// through the form and sees it down, then up with its registration once
// the box reports it; creates an outbound route through the trunk, first
// with a bad pattern (the complaint appears next to the patterns of that
// route) and then a good one, which the box stores; and looks at the
// inbound, blacklist and limits pages and an extension's outside-call
// settings.
func TestOutsideLinesInBrowser(t *testing.T) {
	ctx := browsertest.Start(t)
	backend := webuitest.NewMemoryBackend()
	for _, x := range []webui.ExtensionInput{{Number: "101", Name: "Reception", Password: "reception-pass-1"}, {Number: "102", Name: "Sales desk", Password: "sales-password-1"}} {
		if _, err := backend.CreateExtension(context.Background(), x); err != nil {
			t.Fatal(err)
		}
	}
	trunks := webuitest.NewMemoryTrunks()
	routing := webuitest.NewMemoryRouting(trunks)
	routing.Suspend("102", "11 outside calls within 60 s")
	users := webuitest.NewMemoryUserStore(webui.User{Name: "admin", Role: webui.RoleAdmin, PasswordHash: adminHash()})
	srv, err := webui.New(webui.Options{Backend: backend, Users: users, Trunks: trunks, Routing: routing, Version: testVersion})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)

	step, text := browserHelpers(t, ctx)

	step("log in", chromedp.Navigate(hs.URL+"/login"),
		chromedp.SendKeys(`input[name="username"]`, "admin"),
		chromedp.SendKeys(`input[name="password"]`, adminPassword),
		chromedp.Submit(`input[name="password"]`),
		chromedp.WaitVisible(`//h1[normalize-space()="Status"]`))

	// A trunk, through the navigation and the form.
	step("open trunks", chromedp.Click(`nav a[href="/trunks"]`), chromedp.WaitVisible(`//h1[normalize-space()="Trunks"]`))
	step("new trunk", chromedp.Click(`a[href="/trunks/new"]`), chromedp.WaitVisible(`input[name="host"]`))
	browsertest.ScreenshotWidths(t, ctx, "trunk-new")
	step("a provider address with a space", chromedp.SendKeys(`input[name="name"]`, "voip"),
		chromedp.SendKeys(`input[name="host"]`, "sip provider"),
		chromedp.SendKeys(`input[name="password"]`, "provider-secret"),
		chromedp.Click(`//button[normalize-space()="Create trunk"]`),
		chromedp.WaitVisible(`#host-error`))
	if v, _ := chromedp.Run(ctx, chromedp.Value(`input[name="password"]`)); v != "" {
		t.Errorf("the refused form gives the password back: %q", v)
	}
	browsertest.ScreenshotWidths(t, ctx, "trunk-error")
	step("fill the trunk", chromedp.SetValue(`input[name="host"]`, "sip.provider.example"),
		chromedp.SendKeys(`textarea[name="sources"]`, "203.0.113.0/28"),
		chromedp.SendKeys(`input[name="username"]`, "4420"),
		chromedp.SendKeys(`input[name="password"]`, "provider-secret"),
		chromedp.SetValue(`select[name="codecs"]`, "PCMA PCMU"),
		chromedp.SendKeys(`input[name="caller_id"]`, "0140000000"),
		chromedp.SendKeys(`input[name="max_channels"]`, "4"),
		chromedp.Click(`//button[normalize-space()="Create trunk"]`),
		chromedp.WaitVisible(`#trunks tr[data-trunk="voip"]`))
	if got := text(`.notice`); got != "Trunk voip created." {
		t.Errorf("notice = %q", got)
	}
	if got := text(`#trunks tr[data-trunk="voip"]`); !strings.Contains(got, "down") || !strings.Contains(got, "not started") {
		t.Errorf("new trunk's row = %q, want down with its last error", got)
	}
	if pw := trunks.Password("voip"); pw != "provider-secret" {
		t.Errorf("stored password = %q", pw)
	}
	until := time.Now().Add(5 * time.Minute)
	trunks.SetStatus("voip", webui.TrunkStatus{Up: true, Registered: true, Until: &until, Address: "203.0.113.5:5060", Since: time.Now(), Calls: 2})
	// The list follows the box without a reload.
	step("trunk comes up", chromedp.WaitVisible(`#trunks tr[data-trunk="voip"] .st-available`))
	if got := text(`#trunks tr[data-trunk="voip"]`); !strings.Contains(got, "up") || !strings.Contains(got, until.Format("15:04:05")) || !strings.Contains(got, "2 of 4") {
		t.Errorf("registered trunk's row = %q, want up, registered until %s, 2 of 4 calls", got, until.Format("15:04:05"))
	}
	browsertest.ScreenshotWidths(t, ctx, "trunks")
	step("edit the trunk", chromedp.Click(`#trunks a[href="/trunks/voip"]`), chromedp.WaitVisible(`input[name="host"]`))
	if got := text(`#password-hint`); !strings.Contains(got, "Leave empty to keep it") {
		t.Errorf("password hint on edit = %q", got)
	}
	browsertest.ScreenshotWidths(t, ctx, "trunk")

	// An outbound route: a bad pattern first.
	step("open routes", chromedp.Click(`nav a[href="/routes"]`), chromedp.WaitVisible(`#out0 textarea[name="patterns"]`))
	step("fill a bad route", chromedp.SendKeys(`#out0 input[name="name"]`, "national"),
		chromedp.SendKeys(`#out0 textarea[name="patterns"]`, "_0ZXXXXXXXX strip=1 prepend=+33\n_08?"),
		chromedp.SetValue(`#out0 select[name="trunk"]`, "voip"),
		chromedp.Click(`#out0 button[value="save"]`),
		chromedp.WaitVisible(`#out0-patterns-error`))
	if got := text(`#out0-patterns-error`); !strings.Contains(got, "Line 2") {
		t.Errorf("pattern complaint = %q, want it about line 2", got)
	}
	browsertest.ScreenshotWidths(t, ctx, "routes-error")
	step("fix the route", chromedp.SetValue(`#out0 textarea[name="patterns"]`, "_0ZXXXXXXXX strip=1 prepend=+33"),
		chromedp.Click(`#out0 button[value="save"]`),
		chromedp.WaitVisible(`.notice`))
	raw, err := routing.Routing(context.Background(), "outbound")
	if err != nil {
		t.Fatal(err)
	}
	var doc webui.OutboundRoutes
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Routes) != 1 || doc.Routes[0].Name != "national" || len(doc.Routes[0].Trunks) != 1 || doc.Routes[0].Trunks[0] != "voip" ||
		len(doc.Routes[0].Patterns) != 1 || doc.Routes[0].Patterns[0] != (webui.DialPattern{Pattern: "_0ZXXXXXXXX", Strip: 1, Prepend: "+33"}) {
		t.Errorf("stored outbound routes = %s", raw)
	}
	step("add a second route", chromedp.SendKeys(`#out1 input[name="name"]`, "international"),
		chromedp.SendKeys(`#out1 textarea[name="patterns"]`, "_00."),
		chromedp.SetValue(`#out1 select[name="class"]`, "international"),
		chromedp.SetValue(`#out1 select[name="trunk"]`, "voip"),
		chromedp.Click(`#out1 input[name="tc"]`),
		chromedp.SendKeys(`#out1 textarea[name="tc_weekly"]`, "mon-fri 08:00-18:00"),
		chromedp.SendKeys(`#out1 input[name="tc_zone"]`, "Europe/Paris"),
		chromedp.Click(`#out1 button[value="save"]`),
		chromedp.WaitVisible(`#out2`))
	browsertest.ScreenshotWidths(t, ctx, "routes")
	step("add a shadowed route", chromedp.SendKeys(`#out2 input[name="name"]`, "fallback"),
		chromedp.SendKeys(`#out2 textarea[name="patterns"]`, "_0ZXXXXXXXX"),
		chromedp.SetValue(`#out2 select[name="trunk"]`, "voip"),
		chromedp.Click(`#out2 button[value="save"]`),
		chromedp.WaitVisible(`#out2-patterns-warning`))
	if got := text(`.warning`); !strings.Contains(got, "Saved, with 1 warning") || !strings.Contains(got, "never used") {
		t.Errorf("warning notice = %q", got)
	}
	browsertest.ScreenshotWidths(t, ctx, "routes-warning")

	step("add an inbound route", chromedp.Click(`.tabs a[href="/routes/inbound"]`), chromedp.WaitVisible(`#in0`),
		chromedp.SendKeys(`#in0 input[name="did"]`, "0140000000"),
		chromedp.SendKeys(`#in0 input[name="name"]`, "main number"),
		chromedp.SendKeys(`#in0 input[name="target"]`, "101"),
		chromedp.Click(`#in0 input[name="tc"]`),
		chromedp.SendKeys(`#in0 textarea[name="tc_weekly"]`, "mon-fri 08:00-18:00"),
		chromedp.Click(`#in0 button[value="save"]`),
		chromedp.WaitVisible(`#in1`))
	var in webui.InboundRoutes
	raw, _ = routing.Routing(context.Background(), "inbound")
	if err := json.Unmarshal(raw, &in); err != nil || len(in.Routes) != 1 || in.Routes[0].Destination != (webui.Destination{Kind: "extension", Target: "101"}) {
		t.Errorf("stored inbound routes = %s", raw)
	}
	browsertest.ScreenshotWidths(t, ctx, "routes-inbound")
	step("refuse a caller", chromedp.Click(`.tabs a[href="/routes/blacklist"]`), chromedp.WaitVisible(`input[name="number"]`),
		chromedp.SendKeys(`input[name="number"]`, "anonymous"),
		chromedp.SendKeys(`input[name="comment"]`, "no hidden numbers"),
		chromedp.Click(`button[value="add"]`),
		chromedp.WaitVisible(`#blacklist`))
	browsertest.ScreenshotWidths(t, ctx, "routes-blacklist")

	for _, p := range []struct{ path, name, wait string }{
		{"/routes/limits", "routes-limits", `#suspended`},
		{"/extensions/101", "extension-outside", `select[name="class"]`},
	} {
		step("open "+p.path, chromedp.Navigate(hs.URL+p.path), chromedp.WaitVisible(p.wait))
		browsertest.ScreenshotWidths(t, ctx, p.name)
	}
}
