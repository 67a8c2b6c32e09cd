package secret

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

func TestLoadOrCreateDevKeys(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data", "nested")
	spec, created, err := LoadOrCreateDevKeys(dir)
	if err != nil || !created {
		t.Fatalf("first call: created=%v err=%v", created, err)
	}
	r := mustParse(t, spec)
	if !regexp.MustCompile(`^k\d{8}$`).MatchString(r.ActiveID()) {
		t.Fatalf("generated id %q, want k<yyyymmdd>", r.ActiveID())
	}
	path := filepath.Join(dir, DevKeyFile)
	if runtime.GOOS != "windows" {
		assertMode(t, path, 0o600)
		assertMode(t, dir, 0o700)
	}

	spec2, created, err := LoadOrCreateDevKeys(dir)
	if err != nil || created || spec2 != spec {
		t.Fatalf("second call: created=%v err=%v same=%v", created, err, spec2 == spec)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("data dir holds %d entries, want only %s (temp file left behind?)", len(entries), DevKeyFile)
	}
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != want {
		t.Fatalf("%s mode %04o, want %04o", path, got, want)
	}
}

func TestLoadDevKeysRefusesOpenFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes do not apply")
	}
	t.Parallel()
	for _, mode := range []os.FileMode{0o644, 0o604, 0o640, 0o620} {
		dir := t.TempDir()
		path := filepath.Join(dir, DevKeyFile)
		if err := os.WriteFile(path, []byte(entrySpec("k1", testKey(9))+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		_, _, err := LoadOrCreateDevKeys(dir)
		if err == nil || !strings.Contains(err.Error(), "chmod 600 "+path) {
			t.Fatalf("mode %04o: err = %v, want advice to chmod 600 %s", mode, err, path)
		}
		if data, _ := os.ReadFile(path); !strings.Contains(string(data), entrySpec("k1", testKey(9))) {
			t.Fatalf("mode %04o: existing key file was modified", mode)
		}
	}
}

func TestLoadDevKeysRejectsBadFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, DevKeyFile)
	if err := os.WriteFile(path, []byte("k1:notakey\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreateDevKeys(dir); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("err = %v, want a parse error naming %s", err, path)
	}
}

func TestGenerateSpec(t *testing.T) {
	t.Parallel()
	a, err := GenerateSpec()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := GenerateSpec()
	if a == b {
		t.Fatal("two generated specs are equal")
	}
	r := mustParse(t, a)
	if got := mustEncrypt(t, r, "x", ""); got == "" {
		t.Fatal("generated key does not encrypt")
	}
	msg := ProductionMissingKeysMessage()
	for _, want := range []string{"WHATPRO_SECRET_KEYS", "WHATPRO_ENV=production", "whatpro secrets generate"} {
		if !strings.Contains(msg, want) || strings.Contains(msg, "\n") {
			t.Fatalf("message %q lacks %q or is not one line", msg, want)
		}
	}
}
