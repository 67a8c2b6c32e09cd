// Package cwsim is an in-memory simulator of the parts of Chatwoot 4.15 that
// WhatPro Hub talks to: devise_token_auth sign-in and session headers, the
// profile, the account REST API (inboxes, inbox members, agents, contacts,
// conversations, messages, account webhooks, dashboard apps), signed
// outgoing webhooks, and a login page plus a dashboard shell whose DOM
// mirrors the real Vue dashboard closely enough for the dashboard script to
// be tested against it.
//
// Chatwoot cannot run inside the project's test environment, so Go tests,
// browser tests and the `whatpro chatwoot-sim` command use this package
// instead. Shapes, status codes and quirks follow Chatwoot's source as
// documented in shared/research/chatwoot-integration.md; where that differs
// from Chatwoot's own swagger.json, the real behaviour wins and the contract
// test lists the deviation.
package cwsim
