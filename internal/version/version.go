// Package version reports what binary is running.
package version

import (
	"runtime"
	"runtime/debug"
)

// Version and Commit are set at build time with -ldflags -X.
var (
	Version = "v0.1.0-dev"
	Commit  = ""
)

// Info is the build description shown by `whatpro version` and the API.
type Info struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Go      string `json:"go"`
}

// Get returns the build info, reading the VCS revision when not injected.
func Get() Info {
	commit := Commit
	if commit == "" {
		if bi, ok := debug.ReadBuildInfo(); ok {
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" && len(s.Value) >= 12 {
					commit = s.Value[:12]
				}
			}
		}
	}
	return Info{Version: Version, Commit: commit, Go: runtime.Version()}
}
