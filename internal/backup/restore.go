package backup

import (
	"archive/tar"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"filippo.io/age"

	"github.com/whatpro/hub/internal/app"
	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/secret"
)

var (
	// ErrWrongPassphrase: the file is an age file the passphrase does not open.
	ErrWrongPassphrase = errors.New("wrong passphrase: this backup was encrypted with another one")
	// ErrNotBackup: the file is not a backup this binary can read.
	ErrNotBackup = errors.New("not a WhatPro backup file, or a damaged one")
)

// RestoreOptions say what to restore where.
type RestoreOptions struct {
	From, Passphrase string
	DataDir          string // must be empty or absent
	// EnvKeys is WHATPRO_SECRET_KEYS of the restored hub ("" when unset).
	// When set, the data must open with it; when unset, the backup's ring
	// is written to the data dir (development only: production refuses).
	EnvKeys    string
	Production bool
}

// Restored says what Restore did.
type Restored struct {
	Manifest *Manifest
	// KeysFile is the key file written into the data dir, "" when the
	// hub's WHATPRO_SECRET_KEYS opens the data.
	KeysFile string
	// Secrets is how many stored ciphertexts were opened to check the keys.
	Secrets int
}

// archive is the decrypted, not yet checked content of a backup file.
type archive struct {
	tr       *tar.Reader
	f        *os.File
	manifest *Manifest
}

func openArchive(from, passphrase string) (*archive, error) {
	f, err := os.Open(from)
	if err != nil {
		return nil, err
	}
	id, err := age.NewScryptIdentity(passphrase)
	if err != nil {
		f.Close()
		return nil, err
	}
	r, err := age.Decrypt(f, id)
	if err != nil {
		f.Close()
		var noMatch *age.NoIdentityMatchError
		if errors.As(err, &noMatch) {
			return nil, ErrWrongPassphrase
		}
		return nil, fmt.Errorf("%w (%v)", ErrNotBackup, err)
	}
	a := &archive{tr: tar.NewReader(r), f: f}
	hdr, err := a.tr.Next()
	if err != nil || hdr.Name != manifestName || hdr.Size > 64<<10 {
		f.Close()
		return nil, ErrNotBackup
	}
	var m Manifest
	if err := json.NewDecoder(io.LimitReader(a.tr, 64<<10)).Decode(&m); err != nil || m.Format != Format {
		f.Close()
		return nil, fmt.Errorf("%w: manifest format %q, this binary reads %q", ErrNotBackup, m.Format, Format)
	}
	a.manifest = &m
	return a, nil
}

// rest reads the entries after the manifest: the database is copied to
// dbPath (skipped when ""), the key ring returned.
func (a *archive) rest(dbPath string) (keySpec string, err error) {
	seenDB := false
	for {
		hdr, err := a.tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("%w: %v", ErrNotBackup, err)
		}
		switch hdr.Name {
		case dbName:
			if dbPath == "" {
				continue
			}
			if err := copyTo(dbPath, a.tr, hdr.Size); err != nil {
				return "", err
			}
			seenDB = true
		case keysName:
			raw, err := io.ReadAll(io.LimitReader(a.tr, 64<<10))
			if err != nil {
				return "", fmt.Errorf("%w: %v", ErrNotBackup, err)
			}
			keySpec = strings.TrimSpace(string(raw))
		}
	}
	if keySpec == "" || (dbPath != "" && !seenDB) {
		return "", fmt.Errorf("%w: the archive lacks the database or the key ring", ErrNotBackup)
	}
	return keySpec, nil
}

func copyTo(path string, r io.Reader, size int64) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	n, err := io.Copy(f, r)
	if err == nil && n != size {
		err = fmt.Errorf("%w: the database is truncated", ErrNotBackup)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// ReadKeys decrypts a backup and returns its key ring (for
// `whatpro restore --print-keys`), touching nothing.
func ReadKeys(from, passphrase string) (string, *Manifest, error) {
	a, err := openArchive(from, passphrase)
	if err != nil {
		return "", nil, err
	}
	defer a.f.Close()
	spec, err := a.rest("")
	return spec, a.manifest, err
}

// Restore puts a backup into an empty or absent data directory, after
// checking that the database is whole, that this binary knows its schema,
// and that every stored secret and the audit chain open with the keys the
// restored hub will use. On any failure the directory is left as found.
func Restore(ctx context.Context, o RestoreOptions) (res *Restored, err error) {
	created, err := claimDataDir(o.DataDir)
	if err != nil {
		return nil, err
	}
	stage := filepath.Join(o.DataDir, ".restore-"+dbName)
	defer func() {
		os.Remove(stage)
		if err != nil && created {
			os.Remove(o.DataDir)
		}
	}()
	a, err := openArchive(o.From, o.Passphrase)
	if err != nil {
		return nil, err
	}
	defer a.f.Close()
	m := a.manifest
	backupKeys, err := a.rest(stage)
	if err != nil {
		return nil, err
	}
	if n, sum, err := digest(stage); err != nil || n != m.DatabaseBytes || sum != m.DatabaseSHA256 {
		return nil, fmt.Errorf("%w: the database does not match its checksum", ErrNotBackup)
	}
	schema, err := checkSnapshot(ctx, stage)
	if err != nil {
		return nil, err
	}
	known, err := db.SQLite.Migrations()
	if err != nil {
		return nil, err
	}
	if schema > len(known) {
		return nil, fmt.Errorf("the backup's schema (version %d) is newer than this binary's (%d): restore it with a newer whatpro", schema, len(known))
	}

	keySpec, keysFile := o.EnvKeys, ""
	if keySpec == "" {
		if o.Production {
			return nil, fmt.Errorf("WHATPRO_ENV=production needs WHATPRO_SECRET_KEYS: set it to the backup's key ring (%s; "+
				"`whatpro restore --from %s --print-keys` prints it) and run the restore again", strings.Join(m.KeyIDs, ", "), o.From)
		}
		keySpec, keysFile = backupKeys, filepath.Join(o.DataDir, keysName)
	}
	ring, err := secret.Parse(keySpec)
	if err != nil {
		return nil, fmt.Errorf("WHATPRO_SECRET_KEYS: %w", err)
	}
	opened, err := checkKeys(ctx, stage, ring, "WHATPRO_SECRET_KEYS must hold them; `whatpro restore --print-keys` prints the ring saved in the backup")
	if err != nil {
		return nil, err
	}
	if keysFile != "" {
		if err := os.WriteFile(keysFile, []byte(keySpec+"\n"), 0o600); err != nil {
			return nil, err
		}
	}
	if err := os.Rename(stage, filepath.Join(o.DataDir, dbName)); err != nil {
		if keysFile != "" {
			os.Remove(keysFile)
		}
		return nil, err
	}
	return &Restored{Manifest: m, KeysFile: keysFile, Secrets: opened}, nil
}

// claimDataDir accepts an absent directory (creating it) or an empty one.
func claimDataDir(dir string) (created bool, err error) {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return true, os.MkdirAll(dir, 0o700)
	case err != nil:
		return false, err
	case len(entries) > 0:
		names := make([]string, 0, 3)
		for _, e := range entries[:min(3, len(entries))] {
			names = append(names, e.Name())
		}
		return false, fmt.Errorf("the data dir %s is not empty (%s…): restore only into an empty or absent directory, "+
			"so nothing there is overwritten", dir, strings.Join(names, ", "))
	}
	return false, nil
}

// checkKeys opens every stored ciphertext with ring and checks that the
// ring holds every key the audit chain was signed with. It names the
// missing key ids rather than failing on the first row.
func checkKeys(ctx context.Context, path string, ring *secret.Ring, hint string) (int, error) {
	sdb, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return 0, err
	}
	defer sdb.Close()
	missing := map[string]bool{}
	opened, failed := 0, 0
	for _, c := range app.EncryptedColumns() {
		var n int
		if err := sdb.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info(?) WHERE name = ?`, c.Table, c.Column).Scan(&n); err != nil {
			return 0, err
		}
		if n == 0 {
			continue // an older schema without this column
		}
		rows, err := sdb.QueryContext(ctx, fmt.Sprintf(`SELECT %s, %s FROM %s WHERE %s IS NOT NULL AND %s <> ''`,
			c.IDColumn, c.Column, c.Table, c.Column, c.Column))
		if err != nil {
			return 0, err
		}
		for rows.Next() {
			var id, val string
			if err := rows.Scan(&id, &val); err != nil {
				rows.Close()
				return 0, err
			}
			_, err := ring.Decrypt(val, secret.AAD(c.Table, c.Column, id))
			switch {
			case err == nil:
				opened++
			case errors.Is(err, secret.ErrUnknownKey):
				missing[keyID(val)] = true
			default:
				failed++
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, err
		}
	}
	rows, err := sdb.QueryContext(ctx, `SELECT DISTINCT mac_key_id FROM audit_logs`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return 0, err
		}
		if !slices.Contains(ring.IDs(), id) {
			missing[id] = true
		}
	}
	if len(missing) > 0 {
		ids := make([]string, 0, len(missing))
		for id := range missing {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		return 0, fmt.Errorf("the data needs key(s) %s, which the key ring lacks: %s", strings.Join(ids, ", "), hint)
	}
	if failed > 0 {
		return 0, fmt.Errorf("%d stored secret(s) do not open with the key ring: a key id is present but its key is not the one "+
			"the data was encrypted with: %s", failed, hint)
	}
	return opened, rows.Err()
}

// keyID reads the key id of a "v1:<id>:…" ciphertext.
func keyID(s string) string {
	parts := strings.SplitN(s, ":", 3)
	if len(parts) < 3 {
		return "?"
	}
	return parts[1]
}
