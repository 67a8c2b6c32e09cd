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
	if len(d) == 12 && strings.HasPrefix(d, "55") && d[2] != '0' && d[3] != '0' && d[4] >= '6' {
		d = d[:4] + "9" + d[4:]
	}
	return "chat:" + d
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
