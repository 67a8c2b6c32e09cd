package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/whatpro/hub/internal/app"
	"github.com/whatpro/hub/internal/audit"
	"github.com/whatpro/hub/internal/config"
)

const userUsage = "usage: whatpro user create --email E --name N [--super-admin] | set-password --email E  (password on stdin)"

// cmdUser implements `whatpro user create|set-password`; passwords come
// from stdin so they never appear in shell history or process lists.
func cmdUser(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string, stdin io.Reader, w io.Writer) error {
	if len(args) == 0 {
		return errors.New(userUsage)
	}
	fs := flag.NewFlagSet("user "+args[0], flag.ContinueOnError)
	fs.SetOutput(w)
	fs.Usage = func() {
		fmt.Fprintln(w, userUsage)
		fs.PrintDefaults()
	}
	email := fs.String("email", "", "the user's email")
	var name *string
	var super *bool
	if args[0] != "set-password" {
		name = fs.String("name", "", "the user's name (create)")
		super = fs.Bool("super-admin", false, "make a super admin (create)")
	} else {
		name, super = new(string), new(bool)
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *email == "" {
		return errors.New("--email is required")
	}
	pw, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	pw = strings.TrimRight(pw, "\r\n")
	a, err := app.New(ctx, cfg, log, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	switch args[0] {
	case "create":
		if *name == "" {
			return errors.New("--name is required")
		}
		u, err := a.IAM.CreateUser(ctx, *email, *name, pw, *super)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "created user %s (%s)\n", u.Email, u.ID)
	case "set-password":
		if err := a.IAM.SetPassword(ctx, *email, pw); err != nil {
			return err
		}
		fmt.Fprintln(w, "password changed; the user's sessions were ended")
	default:
		return fmt.Errorf("unknown user command %q", args[0])
	}
	return nil
}

// cmdAuditVerify checks every audit chain and fails naming the first
// broken row.
func cmdAuditVerify(ctx context.Context, cfg *config.Config, log *slog.Logger, w io.Writer) error {
	d, keys, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.Close()
	rep, err := audit.Verify(ctx, d, keys)
	if err != nil {
		return err
	}
	for _, c := range rep.Chains {
		if c.OK {
			fmt.Fprintf(w, "ok      chain %s: %d rows\n", c.ChainID, c.Rows)
		} else {
			row := fmt.Sprintf("seq %d", c.FirstBrokenSeq)
			if c.FirstBrokenID != "" {
				row += " id " + c.FirstBrokenID
			}
			fmt.Fprintf(w, "BROKEN  chain %s: first broken row %s: %s\n", c.ChainID, row, c.Reason)
		}
	}
	if b := rep.Broken(); len(b) > 0 {
		return fmt.Errorf("audit log verification failed: %d broken chain(s)", len(b))
	}
	return nil
}
