// Package web embeds the built web app (web/dist). When the app has not been
// built, dist holds only .gitkeep and the server shows a "not built" page.
package web

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Dist returns the built app's files rooted at dist/.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // dist is embedded at build time; a missing dir is a build bug
	}
	return sub
}
