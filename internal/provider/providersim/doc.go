// Package providersim owns in-memory simulators of the two WhatsApp API
// backends the hub manages in this phase: Evolution API v2 (Baileys
// integration) and Meta's WhatsApp Cloud API (Graph).
//
// Neither can run inside the project's test environment (Evolution needs a
// real phone, Meta a real business account), so Go tests, browser tests and
// `whatpro provider-sim` use these instead. They answer with the providers'
// real auth headers, status codes and error envelopes, and send webhooks in
// the real formats (see shared/research/gateway-anchors.md and the samples
// in testdata/) to the URL the hub registers. Endpoints under /_sim/ play
// the outside world: a phone scanning the QR code, a contact writing, a
// message being delivered.
//
// Both simulators share the same test knobs (Fail, FailNext, HangNext),
// record the requests they receive, list what the hub sent (Sent, and
// GET /_sim/…/sent), and deliver webhooks the way their provider retries
// them, each chat's events in order, so tests can Flush instead of
// sleeping. Evolution also has a phone page per instance for demos.
package providersim
