package httpx

import (
	"bytes"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// SPA serves the built web app from dist: files as they are (hashed assets
// cached for a year), index.html for every other path so client-side routes
// survive a reload. The <meta name="whatpro-base"> tag is rewritten to the
// mount path so the app works under a sub-path of another domain.
func SPA(dist fs.FS, basePath string) http.Handler { return SPAPage(dist, basePath, "index.html") }

// ReadPage reads an HTML entry of the built app with the mount path written
// in; ok is false when the app is not built.
func ReadPage(dist fs.FS, basePath, page string) ([]byte, bool) {
	index, err := fs.ReadFile(dist, page)
	if err != nil {
		return nil, false
	}
	index = bytes.Replace(index, []byte(`name="whatpro-base" content="/"`),
		[]byte(`name="whatpro-base" content="`+basePath+`/"`), 1)
	// Relative asset URLs become absolute under the mount path, so deep
	// links work without a <base> element (the CSP says base-uri 'none').
	index = bytes.Replace(index, []byte(`<base href="/">`), nil, 1)
	index = bytes.ReplaceAll(index, []byte(`="./`), []byte(`="`+basePath+`/`))
	return index, true
}

// NotBuilt answers the page shown when the web app was not built.
func NotBuilt(w http.ResponseWriter, r *http.Request) { notBuilt(w, r) }

// SPAPage is SPA with another HTML entry.
func SPAPage(dist fs.FS, basePath, page string) http.Handler {
	index, ok := ReadPage(dist, basePath, page)
	if !ok {
		return http.HandlerFunc(notBuilt)
	}
	files := http.FileServerFS(dist)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if name != "" && name != "index.html" {
			if st, err := fs.Stat(dist, name); err == nil && !st.IsDir() {
				if strings.HasPrefix(name, "assets/") {
					w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				} else {
					w.Header().Set("Cache-Control", "no-cache")
				}
				files.ServeHTTP(w, r)
				return
			}
			if path.Ext(name) != "" && strings.HasPrefix(name, "assets/") {
				WriteError(w, r, E(CodeNotFound, "no such asset"))
				return
			}
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(index)
	})
}

func notBuilt(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("<!doctype html><html><head><meta charset=utf-8><title>WhatPro Hub</title></head>" +
		"<body><h1>WhatPro Hub</h1><p>The web app is not built. Run <code>make run</code> " +
		"(it builds the web app and the binary) and reload this page.</p></body></html>"))
}
