// Package browsertest drives Debian's headless Chromium (with chromedp)
// for tests of the web panel, and saves screenshots for people to look
// at. Without chromium a test fails under CI=true and is skipped
// otherwise, so that CI cannot pass without having run it.
//
// Imports: github.com/chromedp/chromedp, nothing of Deskline's.
// Importers: tests of webui and appliance.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// Start starts headless Chromium with a 1280×800 window for t and returns
// its context; the browser ends with the test.
func Start(t *testing.T) context.Context {
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
		chromedp.WindowSize(1280, 800))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelA() })
	// Start the browser on ctx itself: one started on a step's shorter
	// context would end with that step.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

// SavePNG writes name.png into $DESKLINE_SCREENSHOTS or, when that is
// not set, the test's temporary directory, and logs the path.
func SavePNG(t *testing.T, name string, png []byte) {
	t.Helper()
	dir := os.Getenv("DESKLINE_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// Widths are the viewports ScreenshotWidths saves: a laptop and a phone.
var Widths = []struct {
	Suffix string
	W, H   int64
}{{"", 1280, 800}, {"-phone", 390, 844}}

// ScreenshotWidths saves the page as tall as it is at each of Widths
// (name.png, name-phone.png) and leaves the viewport at the laptop's.
func ScreenshotWidths(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	for _, v := range Widths {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(v.W, v.H)); err != nil {
			t.Fatal(err)
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		SavePNG(t, name+v.Suffix, png)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(Widths[0].W, Widths[0].H)); err != nil {
		t.Fatal(err)
	}
}
