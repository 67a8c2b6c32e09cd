package iam

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/whatpro/hub/internal/audit"
)

// DevAdminEmail is the super admin made on a fresh development hub.
const DevAdminEmail = "admin@whatpro.local"

// BootstrapFile holds the generated development admin password.
const BootstrapFile = "bootstrap-admin-password"

// Bootstrap creates the first super admin when the user table is empty:
// from the configured email and password, or in development a generated
// password written to a 0600 file (never to the log).
func (s *Service) Bootstrap(ctx context.Context, log *slog.Logger, email, password, dataDir string) error {
	n, err := countUsers(ctx, s.DB.R)
	if err != nil || n > 0 {
		return err
	}
	file := ""
	switch {
	case email != "" && password != "":
		if err := CheckPolicy(password, email); err != nil {
			return fmt.Errorf("WHATPRO_BOOTSTRAP_ADMIN_PASSWORD: %s", PasswordRule)
		}
	case s.Production:
		log.Warn("no users yet: create the first super admin with `whatpro user create --email E --name N --super-admin` (password on stdin), or set WHATPRO_BOOTSTRAP_ADMIN_EMAIL and WHATPRO_BOOTSTRAP_ADMIN_PASSWORD")
		return nil
	default:
		b := make([]byte, 18)
		_, _ = rand.Read(b)
		email, password = DevAdminEmail, base64.RawURLEncoding.EncodeToString(b)
		file = filepath.Join(dataDir, BootstrapFile)
		if err := os.WriteFile(file, []byte(password+"\n"), 0o600); err != nil {
			return fmt.Errorf("write %s: %w", file, err)
		}
	}
	if _, err := s.CreateUser(ctx, email, "Administrator", password, true); err != nil {
		return err
	}
	if file != "" {
		log.Warn("created the development super admin; its password is in the file", "email", email, "password_file", file)
	} else {
		log.Info("created the bootstrap super admin", "email", email)
	}
	return nil
}

// CreateUser makes a user with a password (CLI and bootstrap).
func (s *Service) CreateUser(ctx context.Context, email, name, password string, superAdmin bool) (*User, error) {
	if err := CheckPolicy(password, email); err != nil {
		return nil, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	var u *User
	err = s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		if u, err = newUser(ctx, tx, email, name, hash, "", superAdmin, now); err != nil {
			return err
		}
		return s.Audit.RecordHub(ctx, tx, audit.Entry{ActorType: "system", Action: "user.created", ResourceType: "user", ResourceID: u.ID,
			After: map[string]any{"email": u.Email, "super_admin": superAdmin}}, nil)
	})
	return u, err
}

// SetPassword replaces a user's password and ends all their sessions (CLI
// recovery).
func (s *Service) SetPassword(ctx context.Context, email, password string) error {
	if err := CheckPolicy(password, email); err != nil {
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		u, err := userByEmail(ctx, tx, email)
		if err != nil {
			return fmt.Errorf("no user with email %s: %w", NormalizeEmail(email), err)
		}
		now := s.now()
		if err := setPassword(ctx, tx, u.ID, hash, now); err != nil {
			return err
		}
		if _, err := revokeUserSessions(ctx, tx, u.ID, "", "password_reset", now); err != nil {
			return err
		}
		ids, err := activeAccountIDs(ctx, tx, u.ID)
		if err != nil {
			return err
		}
		return s.Audit.RecordHub(ctx, tx, audit.Entry{ActorType: "system", Action: "user.password.reset", ResourceType: "user", ResourceID: u.ID}, ids)
	})
}
