package config

import (
	"fmt"
	"sort"
	"strings"
)

// MarkdownTable renders the configuration table kept in README.md.
func MarkdownTable() string {
	names := Names()
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("| Variable | Default | Meaning |\n|---|---|---|\n")
	for _, n := range names {
		def := vars[n].def
		if def == "" {
			def = "(empty)"
		} else {
			def = "`" + def + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", n, def, vars[n].doc)
	}
	return b.String()
}
