// Package deploy holds the files that run the hub in production beside
// Chatwoot (Dockerfile, compose file, Caddy and nginx configuration) and
// the tests that check them: the files are parsed with the tools' own
// libraries, and the proxies are run in front of a real hub where the
// tools are installed.
package deploy
