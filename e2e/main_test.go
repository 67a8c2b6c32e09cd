package e2e

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Set by TestMain for every test.
var (
	repoRoot string
	binPath  string
	// missing explains why the tests cannot run here (no browser, no built
	// web app, the build failed); empty when they can.
	missing string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	root, err := filepath.Abs("..")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	repoRoot = root
	missing = prerequisites()
	if missing != "" {
		return m.Run() // each test skips, or fails under CI, with the reason
	}
	tmp, err := os.MkdirTemp("", "whatpro-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	binPath = filepath.Join(tmp, "whatpro")
	build := exec.Command("go", "build", "-o", binPath, "./cmd/whatpro")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go build ./cmd/whatpro: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// prerequisites names what is missing to run a browser test, or "".
func prerequisites() string {
	if _, err := os.Stat(filepath.Join(repoRoot, "web", "dist", "index.html")); err != nil {
		return "the web app is not built (web/dist/index.html is missing; run npm run build in web/)"
	}
	if _, err := chromiumPath(); err != nil {
		return err.Error()
	}
	return ""
}

// chromiumPath is $WHATPRO_CHROMIUM or /usr/bin/chromium, if it exists. The
// tests never download a browser.
func chromiumPath() (string, error) {
	path := os.Getenv("WHATPRO_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	st, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("no Chromium at %s (set WHATPRO_CHROMIUM)", path)
	}
	if st.IsDir() || st.Mode()&0o111 == 0 {
		return "", errors.New(path + " is not an executable")
	}
	return path, nil
}

// requireBrowser skips the test when it cannot run here, or fails it when
// CI=true: in CI a missing browser is a broken pipeline, not a reason to pass.
func requireBrowser(t *testing.T) {
	t.Helper()
	if missing == "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("browser tests cannot run: %s", missing)
	}
	t.Skipf("browser tests skipped: %s", missing)
}
