// Command whatpro is the WhatPro Hub binary: the server and its maintenance
// commands. Configuration comes only from WHATPRO_* environment variables.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/whatpro/hub/internal/chatwoot/cwsim"
	"github.com/whatpro/hub/internal/config"
	"github.com/whatpro/hub/internal/demo"
	"github.com/whatpro/hub/internal/provider/providersim"
)

const usage = `usage: whatpro [command]   (whatpro COMMAND --help prints its flags)

commands:
  serve               start the hub (default)
  migrate [--status]  apply migrations and exit, or list applied/pending ones
  version             print the version
  config              print the effective configuration (secrets redacted)
  secrets generate    print a new key for WHATPRO_SECRET_KEYS
  secrets rotate      re-encrypt every stored secret with the active key
  chatwoot-sim --addr 127.0.0.1:3000 [--seed FILE] [--version 4.15] [flags]
                      run the Chatwoot simulator (demos, browser tests); seed JSON on stdout's first line;
                      every flag: whatpro chatwoot-sim --help
  provider-sim --kind evolution|cloud_api --addr 127.0.0.1:3001 [flags]
                      run a WhatsApp provider simulator; credentials JSON on stdout's first line;
                      every flag: whatpro provider-sim --help
  user create --email E --name N [--super-admin]   (password on stdin)
  user set-password --email E                      (password on stdin)
  audit verify        check every audit chain; non-zero exit names the first broken row
  backup --to FILE    copy a running SQLite hub and its key ring into one encrypted file
                      (passphrase: WHATPRO_BACKUP_PASSPHRASE or stdin; PostgreSQL: pg_dump, see README)
  restore --from FILE [--print-keys]
                      restore a backup into an empty WHATPRO_DATA_DIR (or print its key ring)
  demo [--addr HOST:PORT] [--data-dir DIR] [--traffic N/min]
                      the hub beside Chatwoot and Evolution simulators, with a demo account set up
  healthcheck [--url URL]                          exit 0 when the local hub answers /healthz (container HEALTHCHECK)
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Environ(), os.Stdin, os.Stdout, os.Stderr)
	stop()
	// --help on a command prints its flags and is not a failure.
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "whatpro:", err)
		os.Exit(1)
	}
}

// run dispatches a command; tests call it directly.
func run(ctx context.Context, args, environ []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "version", "--version", "-v":
		if !wantsHelp(args) {
			return cmdVersion(stdout)
		}
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		return nil
	case "chatwoot-sim":
		return cwsim.Main(ctx, args, stdout)
	case "provider-sim":
		return providersim.Main(ctx, args, stdout)
	case "demo":
		return demo.Main(ctx, args, stdout, stderr)
	case "secrets":
		if len(args) > 0 && args[0] == "generate" && !wantsHelp(args) {
			return cmdSecretsGenerate(stdout)
		}
	}
	if wantsHelp(args) {
		if ok, err := printHelp(ctx, cmd, args, stdin, stdout); ok {
			return err
		}
	}
	cfg, err := config.Load(environ)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	switch cmd {
	case "serve":
		return cmdServe(ctx, cfg, log)
	case "migrate":
		return cmdMigrate(ctx, cfg, log, args, stdout)
	case "config":
		for _, line := range cfg.Print(environ) {
			fmt.Fprintln(stdout, line)
		}
		return nil
	case "user":
		return cmdUser(ctx, cfg, log, args, stdin, stdout)
	case "audit":
		if len(args) == 1 && args[0] == "verify" {
			return cmdAuditVerify(ctx, cfg, log, stdout)
		}
		return fmt.Errorf("usage: whatpro audit verify")
	case "backup":
		return cmdBackup(ctx, cfg, log, args, stdin, stdout)
	case "restore":
		return cmdRestore(ctx, cfg, args, stdin, stdout)
	case "healthcheck":
		return cmdHealthcheck(ctx, cfg, args, stdout)
	case "secrets":
		if len(args) == 1 && args[0] == "rotate" {
			return cmdSecretsRotate(ctx, cfg, log, stdout)
		}
		return fmt.Errorf("usage: whatpro secrets generate|rotate")
	default:
		return fmt.Errorf("unknown command %q\n%s", cmd, usage)
	}
}

func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
