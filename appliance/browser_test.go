package appliance_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"deskline/appliance"

	"github.com/chromedp/chromedp"
)

// browser starts headless Chromium (Debian's package) for a test. Without
// it the test fails under CI=true and is skipped otherwise.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed (.ci/install-test-deps installs it)")
		}
		t.Skip("chromium is not installed; run .ci/install-test-deps")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(1100, 800))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelA() })
	return ctx
}

// screenshot saves the page as PNG in $DESKLINE_SCREENSHOTS (for people to
// look at) or the test's temp dir.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	dir := os.Getenv("DESKLINE_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	os.MkdirAll(dir, 0o755)
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

var setupCodeRE = regexp.MustCompile(`setup_code=([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})`)

// TestFirstBootInBrowser: an installer opens a new box in Chromium, is sent
// to the setup page, enters the one-time code from the console (a wrong one
// first), chooses the admin password and lands on the status page, which
// lists the extensions; logging out leads to the login page.
func TestFirstBootInBrowser(t *testing.T) {
	ctx := browser(t)
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
