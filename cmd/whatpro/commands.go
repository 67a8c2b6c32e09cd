package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"

	"github.com/whatpro/hub/internal/app"
	"github.com/whatpro/hub/internal/config"
	"github.com/whatpro/hub/internal/jobs"
	"github.com/whatpro/hub/internal/secret"
	"github.com/whatpro/hub/internal/version"
)

func cmdVersion(w io.Writer) error {
	v := version.Get()
	fmt.Fprintf(w, "whatpro %s (commit %s, %s)\n", v.Version, v.Commit, v.Go)
	return nil
}

func cmdServe(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	a, err := app.New(ctx, cfg, log, app.Options{})
	if err != nil {
		return err
	}
	return a.Serve(ctx, nil)
}

func cmdMigrate(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string, w io.Writer) error {
	d, _, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.Close()
	if len(args) == 1 && args[0] == "--status" {
		known, dbMax, err := d.Status(ctx)
		if err != nil {
			return err
		}
		for _, m := range known {
			state := "pending"
			if m.AppliedAt != nil {
				state = "applied " + m.AppliedAt.UTC().Format("2006-01-02T15:04:05Z")
			}
			fmt.Fprintf(w, "hub   %04d_%-30s %s\n", m.Version, m.Name, state)
		}
		if dbMax > len(known) {
			fmt.Fprintf(w, "hub   database has version %d, newer than this binary (%d)\n", dbMax, len(known))
		}
		st, err := jobs.Status(ctx, d)
		if err != nil {
			return err
		}
		for _, v := range st.Applied {
			fmt.Fprintf(w, "river %04d %-35s applied\n", v, "")
		}
		for _, v := range st.Pending {
			fmt.Fprintf(w, "river %04d %-35s pending\n", v, "")
		}
		return nil
	}
	if len(args) > 0 {
		return fmt.Errorf("usage: whatpro migrate [--status]")
	}
	if err := app.MigrateAll(ctx, d, log); err != nil {
		return err
	}
	fmt.Fprintln(w, "migrations are current")
	return nil
}

func cmdSecretsGenerate(w io.Writer) error {
	spec, err := secret.GenerateSpec()
	if err != nil {
		return err
	}
	fmt.Fprintln(w, spec)
	return nil
}

func cmdSecretsRotate(ctx context.Context, cfg *config.Config, log *slog.Logger, w io.Writer) error {
	d, keys, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.CheckSchema(ctx); err != nil {
		return err
	}
	res, err := app.RotateSecrets(ctx, d, keys, app.EncryptedColumns())
	if err != nil {
		return err
	}
	return json.NewEncoder(w).Encode(res)
}
