package backup

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// A restore reads a file an operator hands it: whatever the bytes, it
// answers with an error, never a panic or a key ring.
func FuzzReadKeys(f *testing.F) {
	f.Add([]byte(""))
	f.Add([]byte("age-encryption.org/v1\n-> scrypt c2FsdHNhbHRzYWx0c2FsdA 10\nAAAA\n--- AAAA\n"))
	f.Add([]byte("SQLite format 3\x00"))
	f.Add([]byte("-----BEGIN AGE ENCRYPTED FILE-----\n-----END AGE ENCRYPTED FILE-----\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "in")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		spec, _, err := ReadKeys(path, "a passphrase of some length")
		if err == nil || spec != "" {
			t.Fatalf("random bytes read as a backup: %q %v", spec, err)
		}
		if !errors.Is(err, ErrNotBackup) && !errors.Is(err, ErrWrongPassphrase) {
			t.Fatalf("unexpected error kind: %v", err)
		}
	})
}
