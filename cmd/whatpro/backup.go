package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/whatpro/hub/internal/app"
	"github.com/whatpro/hub/internal/backup"
	"github.com/whatpro/hub/internal/config"
	"github.com/whatpro/hub/internal/secret"
)

// cmdBackup implements `whatpro backup --to FILE`: an online copy of a
// running SQLite hub with its key ring, encrypted with a passphrase.
func cmdBackup(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string, stdin io.Reader, w io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(w)
	fs.Usage = func() {
		fmt.Fprintln(w, "usage: whatpro backup --to FILE   (passphrase: WHATPRO_BACKUP_PASSPHRASE, or the first line of stdin)")
		fmt.Fprintln(w, "Copies the SQLite database of WHATPRO_DATA_DIR while the hub runs, with its key ring, into one encrypted file.")
		fs.PrintDefaults()
	}
	to := fs.String("to", "", "the backup file to create (never overwritten)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *to == "" || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("backup: --to FILE is required")
	}
	if cfg.DatabaseURL != "" {
		return backup.ErrPostgres
	}
	if _, err := os.Stat(cfg.SQLitePath()); err != nil {
		return fmt.Errorf("backup: no hub database at %s (WHATPRO_DATA_DIR=%s): %w", cfg.SQLitePath(), cfg.DataDir, err)
	}
	if cfg.SecretKeys == "" {
		// Only the key file that exists: a new development key would open
		// nothing in this database.
		if _, err := os.Stat(filepath.Join(cfg.DataDir, secret.DevKeyFile)); err != nil {
			return fmt.Errorf("backup: no key ring: set WHATPRO_SECRET_KEYS to the one the hub runs with (%w)", err)
		}
	}
	pass, err := passphrase(cfg, stdin)
	if err != nil {
		return err
	}
	spec, err := app.KeySpec(cfg, log)
	if err != nil {
		return err
	}
	d, _, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.Close()
	m, err := backup.Create(ctx, d, spec, *to, pass)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(w, "backup written to %s: schema version %d, %d bytes of database, keys %s (encrypted with the passphrase)\n",
		*to, m.SchemaVersion, m.DatabaseBytes, strings.Join(m.KeyIDs, ", "))
	return nil
}

// cmdRestore implements `whatpro restore --from FILE` into an empty or
// absent WHATPRO_DATA_DIR, and --print-keys.
func cmdRestore(ctx context.Context, cfg *config.Config, args []string, stdin io.Reader, w io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(w)
	fs.Usage = func() {
		fmt.Fprintln(w, "usage: whatpro restore --from FILE [--print-keys]   (passphrase: WHATPRO_BACKUP_PASSPHRASE, or the first line of stdin)")
		fmt.Fprintln(w, "Restores a backup into WHATPRO_DATA_DIR, which must be empty or absent.")
		fs.PrintDefaults()
	}
	from := fs.String("from", "", "the backup file to restore")
	printKeys := fs.Bool("print-keys", false, "print the key ring stored in the backup (a WHATPRO_SECRET_KEYS value) and change nothing")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("restore: --from FILE is required")
	}
	pass, err := passphrase(cfg, stdin)
	if err != nil {
		return err
	}
	if *printKeys {
		spec, _, err := backup.ReadKeys(*from, pass)
		if err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		fmt.Fprintln(w, spec)
		return nil
	}
	if cfg.DatabaseURL != "" {
		return errors.New("restore: the backup is of a SQLite hub; unset WHATPRO_DATABASE_URL to restore it into WHATPRO_DATA_DIR " +
			"(PostgreSQL hubs are restored with pg_restore, see \"Backups\" in README.md)")
	}
	res, err := backup.Restore(ctx, backup.RestoreOptions{From: *from, Passphrase: pass, DataDir: cfg.DataDir,
		EnvKeys: cfg.SecretKeys, Production: cfg.Production()})
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	m := res.Manifest
	fmt.Fprintf(w, "restored the backup of %s (hub %s, schema version %d) into %s; %d stored secrets open with the key ring\n",
		m.CreatedAt.Format("2006-01-02T15:04:05Z"), m.HubVersion, m.SchemaVersion, cfg.DataDir, res.Secrets)
	if res.KeysFile != "" {
		fmt.Fprintf(w, "the key ring (%s) was written to %s; in production set WHATPRO_SECRET_KEYS instead\n", strings.Join(m.KeyIDs, ", "), res.KeysFile)
	} else {
		fmt.Fprintln(w, "the hub will use WHATPRO_SECRET_KEYS, which opens the restored data")
	}
	fmt.Fprintln(w, "next: whatpro audit verify, then whatpro serve (pending migrations run at start)")
	return nil
}

// passphrase is WHATPRO_BACKUP_PASSPHRASE, or the first line of stdin, so
// it never sits in shell history or a process list.
func passphrase(cfg *config.Config, stdin io.Reader) (string, error) {
	if cfg.BackupPassphrase != "" {
		return cfg.BackupPassphrase, nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, fs.ErrClosed) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no passphrase: set WHATPRO_BACKUP_PASSPHRASE or write it on stdin")
	}
	return line, nil
}
