package webui_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"deskline/webui"
	"deskline/webui/webuitest"
	"deskline/webui/webuitest/browsertest"

	"github.com/chromedp/chromedp"
)

// contactCentre fills acd with two queues, four agents in different
// states and a morning's counters.
func contactCentre(t *testing.T, acd *webuitest.MemoryACD, now time.Time) {
	t.Helper()
	ctx := context.Background()
	for _, r := range []string{"Lunch", "Meeting", "Training"} {
		if _, err := acd.CreatePauseReason(ctx, webui.PauseReason{Name: r}); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range []webui.AgentInput{
		{ID: "201", Name: "Alice Martin", Extension: "101", PIN: "4321"},
		{ID: "202", Name: "Bob Keller", Extension: "102"},
		{ID: "203", Name: "Carol Nguyen", Extension: "103", PIN: "1234"},
		{ID: "204", Name: "Dave Okafor", Type: "external", External: "0049301234567"},
	} {
		if _, err := acd.CreateAgent(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []webui.Queue{
		{Name: "sales", Number: "600", Strategy: "longest-idle", Members: []webui.QueueMember{{Agent: "201"}, {Agent: "202"}, {Agent: "203", Penalty: 1}}, ServiceLevel: 20},
		{Name: "support", Number: "601", Strategy: "ring-all", Members: []webui.QueueMember{{Agent: "202"}, {Agent: "204"}}, MaxWait: 300},
	} {
		if _, err := acd.CreateQueue(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	acd.SetAgentState(webui.AgentState{ID: "201", Status: "available", Since: now.Add(-4 * time.Minute), Device: "101", Queues: []string{"sales"}})
	acd.SetAgentState(webui.AgentState{ID: "202", Status: "on-call", Since: now.Add(-2*time.Minute - 13*time.Second), Device: "102", Call: "+49 30 555 0142", Queues: []string{"sales", "support"}})
	acd.SetAgentState(webui.AgentState{ID: "203", Status: "paused", Reason: "Lunch", Forced: true, Since: now.Add(-17 * time.Minute), Device: "103", Queues: []string{"sales"}})
	acd.SetQueueStats(webui.QueueStats{Queue: "sales", Waiting: 2, LongestWait: 47, Offered: 58, Handled: 51, Abandoned: 4, TimedOut: 1, AvgHandle: 184, ServiceLevel: 86.2})
	acd.SetQueueStats(webui.QueueStats{Queue: "support", Waiting: 0, Offered: 23, Handled: 19, Abandoned: 3, TimedOut: 1, AvgHandle: 312, ServiceLevel: 73.9})
}

// browserHelpers returns step, which runs actions within 10 s and fails
// the test with the page's text when they fail, and text, which returns
// an element's text.
func browserHelpers(t *testing.T, ctx context.Context) (step func(what string, steps ...chromedp.Action[chromedp.Void]), text func(sel string) string) {
	step = func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, steps...); err != nil {
			body, _ := chromedp.Run(ctx, chromedp.Text(`body`))
			t.Fatalf("%s: %v\npage:\n%s", what, err, body)
		}
	}
	text = func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(sel))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	return step, text
}

// TestDashboardInBrowser: a supervisor logs in and opens the dashboard;
// when an agent's call ends on the box, the agents table shows it within
// two seconds without a reload; the supervisor pauses another agent with a
// reason from the page, and the box records the forced pause; when the
// connection breaks, the page says it is reconnecting and then live again.
// The queue view switch is remembered across a reload.
func TestDashboardInBrowser(t *testing.T) {
	ctx := browsertest.Start(t)
	backend := webuitest.NewMemoryBackend()
	users := webuitest.NewMemoryUserStore(webui.User{Name: "admin", Role: webui.RoleAdmin, PasswordHash: adminHash()})
	acd := webuitest.NewMemoryACD()
	contactCentre(t, acd, time.Now())
	srv, err := webui.New(webui.Options{Backend: backend, Users: users, ACD: acd, Version: testVersion})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	t.Cleanup(hs.CloseClientConnections)

	step, text := browserHelpers(t, ctx)
	// within waits up to d for the JavaScript condition cond.
	within := func(what string, d time.Duration, cond string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(d))); err != nil {
			body, _ := chromedp.Run(ctx, chromedp.Text(`body`))
			t.Fatalf("%s within %v: %v\npage:\n%s", what, d, err, body)
		}
	}
	row := func(id string) string {
		return `document.querySelector('#agents tr[data-agent="` + id + `"]').textContent`
	}

	step("log in", chromedp.Navigate(hs.URL+"/login"),
		chromedp.SendKeys(`input[name="username"]`, "admin"),
		chromedp.SendKeys(`input[name="password"]`, adminPassword),
		chromedp.Submit(`input[name="password"]`),
		chromedp.WaitVisible(`//h1[normalize-space()="Status"]`))
	if got := text(`nav a[href="/dashboard"]`); got != "Dashboard" {
		t.Errorf("navigation link to /dashboard = %q, want Dashboard", got)
	}
	step("open the dashboard", chromedp.Navigate(hs.URL+"/dashboard"), chromedp.WaitVisible(`#agents`))
	within("live badge", 2*time.Second, `document.getElementById("live-badge").classList.contains("live") && document.getElementById("live-badge").textContent.startsWith("Live")`)
	if got := text(`#overview`); !strings.Contains(got, "Callers waiting\n2") && !strings.Contains(got, "2") {
		t.Errorf("overview = %q, want 2 callers waiting", got)
	}
	if got := text(`#agents tr[data-agent="202"]`); !strings.Contains(got, "On a call") || !strings.Contains(got, "+49 30 555 0142") {
		t.Errorf("agent 202's row = %q, want on a call with +49 30 555 0142", got)
	}
	browsertest.ScreenshotWidths(t, ctx, "dashboard")

	// The caller hangs up: agent 202 goes to wrap-up on the box.
	acd.SetAgentState(webui.AgentState{ID: "202", Status: "wrap-up", WrapUpLeft: 10, Device: "102", Queues: []string{"sales", "support"}})
	within("agent 202 in wrap-up", 2*time.Second, row("202")+`.includes("Wrap-up") && !`+row("202")+`.includes("555 0142")`)

	// The supervisor pauses Alice for a meeting.
	step("pause agent 201", chromedp.SetValue(`tr[data-agent="201"] select`, "Meeting"),
		chromedp.Click(`tr[data-agent="201"] button[data-act="pause"]`))
	within("agent 201 paused on the page", 2*time.Second, row("201")+`.includes("Paused") && `+row("201")+`.includes("Meeting") && `+row("201")+`.includes("forced")`)
	st, err := acd.AgentState(context.Background(), "201")
	if err != nil || st.Status != "paused" || st.Reason != "Meeting" || !st.Forced {
		t.Errorf("agent 201 on the box: %+v, %v; want paused for Meeting, forced", st, err)
	}
	within("paused count", 2*time.Second, `document.querySelector('[data-ov="paused"]').textContent === "2"`)

	// End Bob's wrap-up from the page.
	step("end wrap-up of 202", chromedp.Click(`tr[data-agent="202"] button[data-act="end-wrap-up"]`))
	within("agent 202 available", 2*time.Second, row("202")+`.includes("Available")`)

	// The connection breaks; the browser reconnects by itself.
	hs.CloseClientConnections()
	within("reconnecting badge", 2*time.Second, `document.getElementById("live-badge").textContent.includes("Reconnecting")`)
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	browsertest.SavePNG(t, "dashboard-reconnecting", png)
	within("live again", 5*time.Second, `document.getElementById("live-badge").classList.contains("live")`)

	// The queue table view sticks across a reload.
	step("switch to the table", chromedp.Click(`.switch button[data-view="table"]`), chromedp.WaitVisible(`#queue-table`))
	step("reload", chromedp.Reload(), chromedp.WaitVisible(`#agents`))
	within("table view remembered", 2*time.Second, `getComputedStyle(document.getElementById("queue-table")).display !== "none" && getComputedStyle(document.getElementById("queue-cards")).display === "none" && document.querySelectorAll("#queue-table tbody tr").length === 2`)
	browsertest.ScreenshotWidths(t, ctx, "dashboard-table")

	// The admin pages of the contact centre.
	for _, p := range []struct{ path, name, wait string }{
		{"/agents", "agents", `//h1[normalize-space()="Agents"]`},
		{"/agents/201", "agent", `input[name="name"]`},
		{"/queues", "queues", `//h1[normalize-space()="Queues"]`},
		{"/queues/sales", "queue", `select[name="strategy"]`},
		{"/pause-reasons", "pause-reasons", `//h1[normalize-space()="Pause reasons"]`},
	} {
		step("open "+p.path, chromedp.Navigate(hs.URL+p.path), chromedp.WaitVisible(p.wait))
		browsertest.ScreenshotWidths(t, ctx, p.name)
	}
}
