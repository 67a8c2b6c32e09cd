// Command whatpro-load measures the hub on this machine, one mode per
// concern; each starts its own hub on a throwaway SQLite data dir or
// PostgreSQL database and creates what it needs through the API (users
// are invited and activate through their one-time link, as people do).
//
//	whatpro-load auth   [-postgres URL] [-duration 20s] [-bin path/to/whatpro]
//	whatpro-load kanban [-postgres URL] [-duration 10s] [-sockets 10000]
//	whatpro-load chat   [-db sqlite|postgres] [-postgres-url URL] [-users 1000] …
//	whatpro-load intake [-db sqlite|postgres] [-postgres-url URL] [-senders 32] [-compare old/whatpro-load] …
//
// Everything stays on the loopback interface; each run ends by itself.
package main

import (
	"fmt"
	"os"
	"sort"
	"strings"
)

// modes are the measurements, by name; each parses its own flags. The
// child processes a mode starts come back through the same table.
var modes = map[string]func(args []string) error{
	"auth":   runAuth,
	"kanban": runKanban,
	"chat":   runChat,
	"intake": runIntake,

	"hub":         serveHub,       // child: a hub from the environment until SIGTERM
	"chat-client": runClient,      // child: the chat load client
	"intake-hub":  serveIntakeHub, // child: a hub with a consumer that does nothing
}

func main() {
	if len(os.Args) < 2 || modes[os.Args[1]] == nil {
		var names []string
		for n := range modes {
			if n != "hub" && !strings.HasSuffix(n, "-client") && !strings.HasSuffix(n, "-hub") {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		fmt.Fprintf(os.Stderr, "usage: whatpro-load %s [flags]   (-h after a mode lists its flags)\n", strings.Join(names, "|"))
		os.Exit(2)
	}
	if err := modes[os.Args[1]](os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "whatpro-load %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}
