package cwsim

import (
	"fmt"
	"strconv"
	"strings"
)

// DefaultVersion is the Chatwoot release the simulator plays unless told
// otherwise.
const DefaultVersion = "4.15.0"

// Version is a Chatwoot release, major.minor.patch. Behaviour that changed
// between 4.10 and 4.15 is gated on it (shared/research/real-systems-facts.md
// B.1, "Version matrix"); 4.16 stands for the development line after 4.15,
// which adds the per-type private-network policy.
type Version struct{ Major, Minor, Patch int }

// ParseVersion reads "4.12", "4.14.2" or "v4.15.0". Only 4.10 to 4.16 are
// simulated: older releases lack the message status API the hub needs.
func ParseVersion(s string) (Version, error) {
	raw := strings.TrimPrefix(strings.TrimSpace(s), "v")
	parts := strings.Split(raw, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return Version{}, fmt.Errorf("version %q: want MAJOR.MINOR or MAJOR.MINOR.PATCH, e.g. 4.12 or 4.14.2", s)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 || len(p) > 4 {
			return Version{}, fmt.Errorf("version %q: %q is not a number", s, p)
		}
		n[i] = v
	}
	v := Version{n[0], n[1], n[2]}
	if v.Major != 4 || v.Minor < 10 || v.Minor > 16 {
		return Version{}, fmt.Errorf("version %q: the simulator plays Chatwoot 4.10 to 4.15 (and 4.16, the line after 4.15)", s)
	}
	return v, nil
}

func (v Version) String() string { return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch) }

// AtLeast reports whether v is the given release or later.
func (v Version) AtLeast(major, minor, patch int) bool {
	if v.Major != major {
		return v.Major > major
	}
	if v.Minor != minor {
		return v.Minor > minor
	}
	return v.Patch >= patch
}

// Feature gates, each named for what the release brought (commit in the facts file).

// deliveryIDs: X-Chatwoot-Delivery on every webhook and signed account
// webhooks with a per-webhook secret (4.12.0, #13573).
func (v Version) deliveryIDs() bool { return v.AtLeast(4, 12, 0) }

// inboxSecrets: Channel::Api#secret, signed API-inbox callbacks, the inbox
// JSON's secret and POST …/inboxes/{id}/reset_secret (4.13.0, #13892).
func (v Version) inboxSecrets() bool { return v.AtLeast(4, 13, 0) }

// safeFetch: webhooks go through SafeFetch/ssrf_filter and Net::HTTP
// (4.14.0, #14155).
func (v Version) safeFetch() bool { return v.AtLeast(4, 14, 0) }

// privateNetworkOptOut: SAFE_FETCH_ALLOW_PRIVATE_NETWORK=true (4.14.1, #14548).
func (v Version) privateNetworkOptOut() bool { return v.AtLeast(4, 14, 1) }

// conversationAccount: the top-level account in conversation payloads
// (4.14.2, #12445).
func (v Version) conversationAccount() bool { return v.AtLeast(4, 14, 2) }

// privateNetworkPolicy: Webhooks::PrivateNetworkPolicy, the per-type
// allowlists of the development line after 4.15.
func (v Version) privateNetworkPolicy() bool { return v.AtLeast(4, 16, 0) }

// userAgent is what the webhook transport sends: RestClient up to 4.13,
// Net::HTTP's default from 4.14 on.
func (v Version) userAgent() string {
	if v.safeFetch() {
		return "Ruby"
	}
	return "rest-client/2.1.0 (linux x86_64) ruby/3.3.3p89"
}
