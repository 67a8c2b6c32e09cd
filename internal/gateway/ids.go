package gateway

import (
	"strings"

	"github.com/whatpro/hub/internal/provider"
)

// WhatsApp identities. A person reaches a number under several names: a
// phone JID (in Brazil, with or without the mobile 9th digit), a privacy
// @lid id, or on the Cloud API a business-scoped user id when the phone
// is hidden. The hub keys a chat by one normalized key and keeps the
// other names as aliases, so every name lands in the same chat.

const (
	jidUser      = "@s.whatsapp.net"
	jidLegacy    = "@c.us"
	jidLID       = "@lid"
	jidGroup     = "@g.us"
	jidBroadcast = "status@broadcast"
)

// digits keeps the ASCII digits of s (provider.Digits).
func digits(s string) string { return provider.Digits(s) }

// jidUserPart is the part of a JID before '@' and any ':device' suffix.
func jidUserPart(jid string) string {
	u, _, _ := strings.Cut(jid, "@")
	u, _, _ = strings.Cut(u, ":")
	return u
}

// phoneOfJID returns the digits of a phone JID (…@s.whatsapp.net or
// …@c.us, or bare digits), "" for anything else.
func phoneOfJID(jid string) string {
	switch {
	case strings.HasSuffix(jid, jidUser), strings.HasSuffix(jid, jidLegacy), !strings.Contains(jid, "@"):
		d := digits(jidUserPart(jid))
		if len(d) < 8 || len(d) > 15 || d != jidUserPart(jid) {
			return ""
		}
		return d
	}
	return ""
}

// lidOfJID returns "<digits>@lid" for an @lid JID, "" otherwise.
func lidOfJID(jid string) string {
	if !strings.HasSuffix(jid, jidLID) {
		return ""
	}
	d := digits(jidUserPart(jid))
	if d == "" || d != jidUserPart(jid) {
		return ""
	}
	return d + jidLID
}

// phoneKey normalizes a phone's digits to the hub's key: a Brazilian
// mobile in its 13-digit form, anything else as given (provider.PhoneKey,
// which the intake's ordering keys use too).
func phoneKey(d string) string { return provider.PhoneKey(d) }

// phoneVariants are the forms a phone may be saved under: for a Brazilian
// mobile both the 13- and the 12-digit form, else the number itself.
func phoneVariants(d string) []string {
	full, ok := provider.BrazilMobile(d)
	if !ok {
		return []string{d}
	}
	return []string{full, full[:4] + full[5:]}
}

// e164 is "+" and the digits.
func e164(d string) string {
	if d == "" {
		return ""
	}
	return "+" + d
}

// Peer is who a chat is with, under every name the payload gave.
type Peer struct {
	Phone  string // digits as WhatsApp confirmed them (the JID's form), "" if hidden
	LID    string // "<digits>@lid"
	UserID string // Meta's business-scoped user id, when the phone is absent
	Group  string // "<id>@g.us" for a group chat
	Name   string // push name or profile name
}

// Key is the chat's normalized key: the group JID, the phone (Brazil: the
// 13-digit form), else the LID, else the Meta user id.
func (p Peer) Key() string {
	switch {
	case p.Group != "":
		return p.Group
	case p.Phone != "":
		return phoneKey(p.Phone)
	case p.LID != "":
		return p.LID
	case p.UserID != "":
		return "user:" + p.UserID
	}
	return ""
}

// Aliases are every name the peer can be found under, its key first.
func (p Peer) Aliases() []string {
	out := []string{p.Key()}
	if p.Group != "" {
		return out
	}
	if p.Phone != "" {
		for _, v := range phoneVariants(p.Phone) {
			if v != out[0] {
				out = append(out, v)
			}
		}
	}
	if p.LID != "" && p.LID != out[0] {
		out = append(out, p.LID)
	}
	if p.UserID != "" && "user:"+p.UserID != out[0] {
		out = append(out, "user:"+p.UserID)
	}
	return out
}
