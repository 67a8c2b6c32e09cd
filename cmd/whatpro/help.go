package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/whatpro/hub/internal/config"
)

// commandHelp describes the commands whose flags are not parsed by a flag
// set of their own before the configuration is read.
var commandHelp = map[string]string{
	"serve":   "usage: whatpro serve\nStarts the hub. No flags: configuration comes from WHATPRO_* environment variables (see whatpro config).",
	"migrate": "usage: whatpro migrate [--status]\nApplies pending migrations and exits.\n  --status\n    \tlist applied and pending migrations, change nothing",
	"version": "usage: whatpro version\nPrints the version. No flags.",
	"config":  "usage: whatpro config\nPrints the effective configuration, secrets redacted. No flags.",
	"secrets": "usage: whatpro secrets generate|rotate\n  generate  print a new key for WHATPRO_SECRET_KEYS\n  rotate    re-encrypt every stored secret with the active key\nNo flags.",
	"audit":   "usage: whatpro audit verify\nChecks every audit chain; a non-zero exit names the first broken row. No flags.",
}

// wantsHelp reports whether the command's arguments ask for its help
// (before any "--").
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// printHelp prints a command's usage and flags without reading the
// configuration, so --help works on a machine with none. It reports false
// for a command it does not know; the help answers flag.ErrHelp, which
// main does not count as a failure.
func printHelp(ctx context.Context, cmd string, args []string, stdin io.Reader, stdout io.Writer) (bool, error) {
	if text, ok := commandHelp[cmd]; ok {
		fmt.Fprintln(stdout, text)
		return true, flag.ErrHelp
	}
	// These parse their flags before touching the configuration: their own
	// flag sets print the help (and answer flag.ErrHelp).
	var err error
	none := &config.Config{}
	switch cmd {
	case "backup":
		err = cmdBackup(ctx, none, nil, args, stdin, stdout)
	case "restore":
		err = cmdRestore(ctx, none, args, stdin, stdout)
	case "healthcheck":
		err = cmdHealthcheck(ctx, none, args, stdout)
	case "user":
		if len(args) == 0 || strings.HasPrefix(args[0], "-") {
			fmt.Fprintln(stdout, userUsage)
			return true, flag.ErrHelp
		}
		err = cmdUser(ctx, none, nil, args, stdin, stdout)
	default:
		return false, nil
	}
	return true, err
}
