package provider

import "strings"

// Ordering keys name the WhatsApp chat an event belongs to, so the
// gateway keeps the order of one chat's events without holding them
// behind other chats' (intake.Incoming.OrderKey). A key must be the same
// for every event of a chat, whatever name the payload uses: a phone is
// keyed in one form (a Brazilian mobile with its 9th digit), a person
// addressed by a privacy @lid under the phone the payload gives beside
// it, a group under its JID. What cannot be keyed so (a bare @lid, a
// hidden phone, a body about several chats) gets "", which orders
// against every event of the number: later, never out of order.

// chatOrderKey is the key of a chat named by a JID (or bare digits); alts
// are the phone JIDs the payload gives for an @lid (remoteJidAlt,
// senderPn).
func chatOrderKey(jid string, alts ...string) string {
	user, domain, _ := strings.Cut(jid, "@")
	user, _, _ = strings.Cut(user, ":") // a device suffix
	switch domain {
	case "g.us":
		if user != "" && strings.Trim(user, "0123456789-") == "" {
			return "chat:" + user + "@g.us"
		}
	case "", "s.whatsapp.net", "c.us":
		return phoneOrderKey(user)
	case "lid":
		for _, alt := range alts {
			if u, d, _ := strings.Cut(alt, "@"); d == "s.whatsapp.net" || d == "c.us" {
				u, _, _ = strings.Cut(u, ":")
				if k := phoneOrderKey(u); k != "" {
					return k
				}
			}
		}
	}
	return ""
}

// phoneOrderKey is the key of a phone given as digits: 8 to 15 of them,
// a Brazilian mobile (55, a DDD, 8 digits from 6 or the 9th digit and 8)
// in its 13-digit form.
func phoneOrderKey(d string) string {
	if len(d) < 8 || len(d) > 15 || strings.Trim(d, "0123456789") != "" {
		return ""
	}
	return "chat:" + PhoneKey(d)
}

// BrazilMobile reports whether d is a Brazilian mobile number in either
// form and returns its 13-digit form (55 DD 9 XXXXXXXX). Landlines (local
// part starting 2–5) are not mobiles and have no sibling.
func BrazilMobile(d string) (string, bool) {
	if !strings.HasPrefix(d, "55") {
		return "", false
	}
	ddd, local := d[2:min(4, len(d))], ""
	if len(d) >= 4 {
		local = d[4:]
	}
	if len(ddd) != 2 || strings.ContainsRune(ddd, '0') { // DDDs are 11–99 without a 0
		return "", false
	}
	switch {
	case len(local) == 9 && local[0] == '9':
		return d, true
	case len(local) == 8 && local[0] >= '6' && local[0] <= '9':
		return "55" + ddd + "9" + local, true
	}
	return "", false
}

// PhoneKey normalizes a phone's digits to one form per phone: a Brazilian
// mobile in its 13-digit form, anything else as given. The gateway keys
// its identities with it, and the ordering keys here.
func PhoneKey(d string) string {
	if full, ok := BrazilMobile(d); ok {
		return full
	}
	return d
}

// sameKey folds the keys of a body's items: their common key, or "" if
// they differ or one has none.
func sameKey(keys []string) string {
	if len(keys) == 0 {
		return ""
	}
	for _, k := range keys[1:] {
		if k != keys[0] {
			return ""
		}
	}
	return keys[0]
}

// Digits keeps the ASCII digits of s (a phone as Meta or a JID writes it).
func Digits(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
