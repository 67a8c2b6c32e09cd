// Package e2e drives the real whatpro binary with a headless Chromium: the
// tests build the binary once, start it on a free port with a fresh data
// directory, and use the web app the way a person would.
//
// Requirements: a built web app (web/dist/index.html, from `npm run build`)
// and Chromium at /usr/bin/chromium or $WHATPRO_CHROMIUM. Nothing is
// downloaded. Without them the tests skip, except under CI=true where they
// fail. Set WHATPRO_E2E_SCREENSHOTS to a directory to keep the screenshots the
// tests take; a failing test always saves one and logs where.
package e2e
