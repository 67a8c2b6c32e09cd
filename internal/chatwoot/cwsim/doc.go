// Package cwsim is an in-memory simulator of the parts of Chatwoot 4.10 to
// 4.15 that WhatPro Hub talks to (Options.Version picks the release):
// devise_token_auth sign-in and session headers, the profile, the account
// REST API (inboxes, inbox members, agents, contacts and their merge,
// contact inboxes, conversations, messages with attachments, statuses,
// deletes and retries, typing, account webhooks, dashboard apps), the
// public client API's update_last_seen, signed outgoing webhooks with
// Chatwoot's delivery failures (one attempt, failed messages, SafeFetch's
// refusal, duplicates and late jobs as knobs), and a login page plus a
// dashboard shell whose DOM mirrors the real Vue dashboard closely enough
// for the dashboard script to be tested against it, with a demo
// conversation view where an agent replies.
//
// Chatwoot cannot run inside the project's test environment, so Go tests,
// browser tests and the `whatpro chatwoot-sim` command use this package
// instead. Shapes, status codes and quirks follow Chatwoot's source as
// documented in shared/research/real-systems-facts.md and
// chatwoot-integration.md; where that differs
// from Chatwoot's own swagger.json, the real behaviour wins and the contract
// test lists the deviation.
package cwsim
