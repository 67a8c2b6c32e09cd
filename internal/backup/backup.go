// Package backup owns the hub's backup file: a consistent online copy of a
// SQLite hub's database together with the key ring its secrets and audit
// chain need, encrypted with a passphrase, and its restore into an empty
// data directory.
//
// The file is an age file (scrypt passphrase recipient) holding a tar of
// manifest.json, whatpro.db and secret-keys, so `age -d FILE | tar t` reads
// it without the hub. The key ring travels inside the encryption, never in
// clear beside the ciphertexts it opens.
package backup

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"filippo.io/age"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/secret"
	"github.com/whatpro/hub/internal/version"
)

// Format names this layout in the manifest; a future change gets a new one.
const Format = "whatpro-backup/1"

// MinPassphrase is the shortest passphrase accepted for a new backup.
const MinPassphrase = 12

// WorkFactor is the scrypt cost (log2 N) of new backups: age's default,
// about a second and 256 MiB to try one passphrase. Tests lower it; a
// restore reads the cost from the file.
var WorkFactor = 18

const (
	manifestName = "manifest.json"
	dbName       = "whatpro.db"
	keysName     = secret.DevKeyFile
)

// ErrPostgres is returned for a hub on PostgreSQL, whose backups are the
// database's own (pg_dump), not this file.
var ErrPostgres = errors.New("whatpro backup copies SQLite hubs; this hub runs on PostgreSQL (WHATPRO_DATABASE_URL): " +
	"back it up with `pg_dump -Fc` and keep WHATPRO_SECRET_KEYS in your secret store, see \"Backups\" in README.md")

// Manifest describes a backup; it is the first entry of the archive.
type Manifest struct {
	Format         string    `json:"format"`
	CreatedAt      time.Time `json:"created_at"`
	HubVersion     string    `json:"hub_version"`
	Dialect        string    `json:"dialect"`
	SchemaVersion  int       `json:"schema_version"`
	ActiveKey      string    `json:"active_key"`
	KeyIDs         []string  `json:"key_ids"`
	DatabaseBytes  int64     `json:"database_bytes"`
	DatabaseSHA256 string    `json:"database_sha256"`
}

// Create writes a backup of the SQLite hub d, whose key ring is keySpec, to
// the new file to. The copy is taken with VACUUM INTO, which reads one
// snapshot of the database while the hub goes on serving and writing. The
// file appears only complete: it is written beside to and linked into
// place, and an existing file is never replaced.
func Create(ctx context.Context, d *db.DB, keySpec, to, passphrase string) (*Manifest, error) {
	if d.Dialect != db.SQLite {
		return nil, ErrPostgres
	}
	if len(passphrase) < MinPassphrase {
		return nil, fmt.Errorf("the passphrase must have at least %d characters", MinPassphrase)
	}
	ring, err := secret.Parse(keySpec)
	if err != nil {
		return nil, err
	}
	if _, err := os.Lstat(to); err == nil {
		return nil, fmt.Errorf("%s exists; a backup never replaces a file", to)
	}
	dir := filepath.Dir(to)
	stage, err := os.MkdirTemp(dir, ".whatpro-backup-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(stage)

	snap := filepath.Join(stage, dbName)
	if _, err := d.W.ExecContext(ctx, `VACUUM INTO ?`, snap); err != nil {
		return nil, fmt.Errorf("snapshot the database: %w", err)
	}
	m := &Manifest{Format: Format, CreatedAt: time.Now().UTC().Truncate(time.Second), HubVersion: version.Get().Version,
		Dialect: string(db.SQLite), ActiveKey: ring.ActiveID(), KeyIDs: ring.IDs()}
	if m.SchemaVersion, err = checkSnapshot(ctx, snap); err != nil {
		return nil, err
	}
	// A backup whose keys do not open its data would fail only on restore.
	if _, err := checkKeys(ctx, snap, ring, "set WHATPRO_SECRET_KEYS to the ring the hub runs with"); err != nil {
		return nil, err
	}
	if m.DatabaseBytes, m.DatabaseSHA256, err = digest(snap); err != nil {
		return nil, err
	}

	tmp, err := os.CreateTemp(dir, ".whatpro-backup-*.tmp") // mode 0600
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp, m, snap, keySpec, passphrase); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Link(tmp.Name(), to); err != nil {
		return nil, fmt.Errorf("publish %s: %w", to, err)
	}
	return m, nil
}

func write(w io.Writer, m *Manifest, snap, keySpec, passphrase string) error {
	rcpt, err := age.NewScryptRecipient(passphrase)
	if err != nil {
		return err
	}
	rcpt.SetWorkFactor(WorkFactor)
	enc, err := age.Encrypt(w, rcpt)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(enc)
	raw, _ := json.MarshalIndent(m, "", "  ")
	if err := addBytes(tw, manifestName, raw, m.CreatedAt); err != nil {
		return err
	}
	f, err := os.Open(snap)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := tw.WriteHeader(&tar.Header{Name: dbName, Mode: 0o600, Size: m.DatabaseBytes, ModTime: m.CreatedAt, Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	if _, err := io.Copy(tw, f); err != nil {
		return err
	}
	if err := addBytes(tw, keysName, []byte(keySpec+"\n"), m.CreatedAt); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return enc.Close()
}

func addBytes(tw *tar.Writer, name string, b []byte, at time.Time) error {
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: int64(len(b)), ModTime: at, Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	_, err := tw.Write(b)
	return err
}

// checkSnapshot opens a database file read-only, checks its integrity and
// returns its schema version.
func checkSnapshot(ctx context.Context, path string) (int, error) {
	sdb, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return 0, err
	}
	defer sdb.Close()
	var check string
	if err := sdb.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&check); err != nil {
		return 0, fmt.Errorf("check the copy: %w", err)
	}
	if check != "ok" {
		return 0, fmt.Errorf("the database copy is damaged: %s", check)
	}
	var v sql.NullInt64
	if err := sdb.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("the database has no hub schema: %w", err)
	}
	return int(v.Int64), nil
}

func digest(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	return n, hex.EncodeToString(h.Sum(nil)), err
}
