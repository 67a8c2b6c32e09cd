package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// cspRecorder runs before any script of every document the tab loads and
// records Content-Security-Policy violations into window.__cspViolations.
const cspRecorder = `window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push({
    directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample,
    source: e.sourceFile + ':' + e.lineNumber,
  });
}, true);`

// browser is one headless Chromium tab. Its helpers fail the test with the
// step that went wrong; a failing test saves a screenshot.
type browser struct {
	t    *testing.T
	ctx  context.Context
	name string // "" for the first tab

	mu         sync.Mutex
	exceptions []string
	consoleErr []string
}

// newBrowser starts a headless Chromium with its first tab; extra options (flags) are added to
// the launch options.
func newBrowser(t *testing.T, extra ...chromedp.ExecAllocatorOption) *browser {
	t.Helper()
	execPath, err := chromiumPath()
	if err != nil {
		t.Fatal(err)
	}
	// Chromium's helpers may still write into the profile for a moment after
	// the browser stops, so the directory is removed with retries rather
	// than by t.TempDir.
	profile, err := os.MkdirTemp("", "whatpro-e2e-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeAllRetrying(profile) })

	opts := append([]chromedp.ExecAllocatorOption{
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 860),
	}, extra...)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // waits for the browser process to end
	})
	// The first call starts the browser; it must not carry a timeout.
	return attachTab(t, ctx, "")
}

// newTab opens another tab of the same browser (same profile, same cookies).
func (b *browser) newTab(name string) *browser {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	b.t.Cleanup(cancel)
	return attachTab(b.t, ctx, name)
}

// attachTab installs the CSP recorder and the exception listener on a tab,
// and a screenshot of it when the test fails.
func attachTab(t *testing.T, ctx context.Context, name string) *browser {
	t.Helper()
	b := &browser{t: t, ctx: ctx, name: name}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: cspRecorder}); err != nil {
		t.Fatalf("open a Chromium tab: %v", err)
	}
	if err := chromedp.Listen(ctx, b.record); err != nil {
		t.Fatalf("listen to the tab: %v", err)
	}
	// Registered after the browser's cleanup, so it runs first: the page is still there.
	t.Cleanup(func() {
		if t.Failed() {
			b.screenshotTo(failureDir(t), "failure")
			b.mu.Lock()
			if len(b.consoleErr) > 0 {
				t.Logf("browser console errors%s:\n  %s", b.label(), strings.Join(b.consoleErr, "\n  "))
			}
			b.mu.Unlock()
		}
	})
	return b
}

func (b *browser) label() string {
	if b.name == "" {
		return ""
	}
	return " (" + b.name + ")"
}

// record keeps uncaught exceptions and console errors (it runs on the
// tab's reader goroutine, so it only appends under the lock).
func (b *browser) record(ev any) {
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		msg := ev.ExceptionDetails.Text
		if ev.ExceptionDetails.Exception != nil && ev.ExceptionDetails.Exception.Description != "" {
			msg += " " + ev.ExceptionDetails.Exception.Description
		}
		b.mu.Lock()
		b.exceptions = append(b.exceptions, msg)
		b.mu.Unlock()
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError {
			return
		}
		var parts []string
		for _, arg := range ev.Args {
			if len(arg.Value) > 0 {
				parts = append(parts, string(arg.Value))
			} else {
				parts = append(parts, arg.Description)
			}
		}
		b.mu.Lock()
		b.consoleErr = append(b.consoleErr, strings.Join(parts, " "))
		b.mu.Unlock()
	}
}

// step runs actions with the per-step timeout and fails the test naming the step.
func (b *browser) step(name string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, waitTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s%s: %v (at %s)", name, b.label(), err, b.location())
	}
}

// eval evaluates a JavaScript expression through DevTools (not subject to
// the page's CSP) and decodes its value.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, waitTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor polls a JavaScript condition from Go until it is true. (chromedp's
// Poll builds its predicate with new Function in the page, which the CSP
// under test forbids.)
func (b *browser) waitFor(what, cond string) {
	b.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("Boolean("+cond+")"))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("waited %s for %s%s (last error: %v; at %s)", waitTimeout, what, b.label(), err, b.location())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitText waits until the element's trimmed text is want.
func (b *browser) waitText(selector, want string) {
	b.t.Helper()
	b.waitFor(fmt.Sprintf("%s to read %q (it reads %q)", selector, want, b.text(selector)),
		fmt.Sprintf(`document.querySelector(%s)?.textContent.trim() === %s`, jsString(selector), jsString(want)))
}

// waitPath waits until the app's router shows path.
func (b *browser) waitPath(path string) {
	b.t.Helper()
	b.waitFor("the path "+path, "location.pathname === "+jsString(path))
}

func (b *browser) text(selector string) string {
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
	defer cancel()
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](
		fmt.Sprintf(`document.querySelector(%s)?.textContent.trim() ?? ''`, jsString(selector))))
	return s
}

func (b *browser) location() string {
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "?"
	}
	return s
}

// chooseOption picks an option of a <select> and fires change, as a person's
// choice does (headless Chromium has no native dropdown to click).
func (b *browser) chooseOption(selector, value string) {
	b.t.Helper()
	eval[bool](b, fmt.Sprintf(`(() => {
  const el = document.querySelector(%s);
  el.value = %s;
  el.dispatchEvent(new Event('change', { bubbles: true }));
  return true;
})()`, jsString(selector), jsString(value)))
}

// assertClean fails the test on CSP violations or uncaught exceptions.
func (b *browser) assertClean() {
	b.t.Helper()
	violations := eval[[]map[string]any](b, `window.__cspViolations ?? []`)
	if len(violations) > 0 {
		b.t.Errorf("CSP violations: %v", violations)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.exceptions) > 0 {
		b.t.Errorf("uncaught exceptions in the page:\n  %s", strings.Join(b.exceptions, "\n  "))
	}
}

// screenshot saves the viewport as name.png when WHATPRO_E2E_SCREENSHOTS
// names a directory (for looking at the pages), and does nothing otherwise.
func (b *browser) screenshot(name string) {
	if dir := os.Getenv("WHATPRO_E2E_SCREENSHOTS"); dir != "" {
		b.screenshotTo(dir, name)
	}
}

func (b *browser) screenshotTo(dir, name string) {
	if b.name != "" {
		name = b.name + "-" + name
	}
	b.screenshotNamed(dir, fmt.Sprintf("%s-%s.png", sanitize(b.t.Name()), name))
}

// screenshotNamed saves the viewport as dir/file.
func (b *browser) screenshotNamed(dir, file string) {
	name := file
	ctx, cancel := context.WithTimeout(b.ctx, waitTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	path := filepath.Join(dir, file)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	b.t.Logf("screenshot: %s", path)
}

// failureDir is where a failing test's screenshot goes: the screenshot
// directory when one is set, else a new temporary directory that outlives
// the test (t.TempDir would delete it with the test).
func failureDir(t *testing.T) string {
	if dir := os.Getenv("WHATPRO_E2E_SCREENSHOTS"); dir != "" {
		return dir
	}
	dir, err := os.MkdirTemp("", "whatpro-e2e-failure-")
	if err != nil {
		t.Logf("screenshot dir: %v", err)
		return os.TempDir()
	}
	return dir
}

func sanitize(name string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == ' ' || r == ':' {
			return '_'
		}
		return r
	}, name)
}

// jsString is s as a JavaScript string literal.
func jsString(s string) string {
	raw, _ := json.Marshal(s)
	return string(raw)
}

// testID is the CSS selector of a data-testid.
func testID(id string) chromedp.CSS {
	return chromedp.CSS(fmt.Sprintf(`[data-testid=%s]`, jsString(id)))
}

func removeAllRetrying(dir string) {
	for range 50 {
		if err := os.RemoveAll(dir); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}
