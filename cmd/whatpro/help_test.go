package main

import (
	"strings"
	"testing"
)

// Every command answers --help with its usage and flags, without a
// configuration (an empty environment) and without doing anything.
func TestEveryCommandPrintsItsHelp(t *testing.T) {
	t.Parallel()
	cases := map[string][]string{
		"serve":             {"usage: whatpro serve"},
		"migrate":           {"usage: whatpro migrate", "--status"},
		"version":           {"usage: whatpro version"},
		"config":            {"usage: whatpro config"},
		"secrets":           {"usage: whatpro secrets", "generate", "rotate"},
		"secrets generate":  {"usage: whatpro secrets"},
		"secrets rotate":    {"usage: whatpro secrets"},
		"audit":             {"usage: whatpro audit verify"},
		"audit verify":      {"usage: whatpro audit verify"},
		"backup":            {"usage: whatpro backup", "-to"},
		"restore":           {"usage: whatpro restore", "-from", "-print-keys"},
		"healthcheck":       {"usage: whatpro healthcheck", "-url", "-timeout"},
		"user":              {"usage: whatpro user"},
		"user create":       {"usage: whatpro user", "-email", "-name", "-super-admin"},
		"user set-password": {"usage: whatpro user", "-email"},
		"chatwoot-sim":      {"-addr", "-seed", "-version"},
		"provider-sim":      {"-kind", "-addr"},
		"demo":              {"usage: whatpro demo", "-addr", "-data-dir", "-traffic"},
	}
	for line, want := range cases {
		for _, help := range []string{"--help", "-h"} {
			args := append(strings.Fields(line), help)
			// An empty environment: a command that read its configuration
			// would start a hub in the working directory.
			out, _, err := cli(t, []string{"WHATPRO_DATA_DIR=" + t.TempDir()}, "", args...)
			if err != nil && !strings.Contains(err.Error(), "help requested") {
				t.Errorf("whatpro %s %s: %v", line, help, err)
			}
			for _, w := range want {
				if !strings.Contains(out, w) {
					t.Errorf("whatpro %s %s does not print %q:\n%s", line, help, w, out)
				}
			}
		}
	}
}
