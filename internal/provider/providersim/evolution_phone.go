package providersim

import (
	"embed"
	"html/template"
	"net/http"
	"sort"
	"strings"
)

//go:embed assets
var assets embed.FS

var phonePage = template.Must(template.ParseFS(assets, "assets/phone.html"))

// phoneCSP is the phone page's policy: it needs nothing inline and
// nothing from elsewhere.
const phoneCSP = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'"

// simPhone serves GET /_sim/instances/{name}/phone, the customers' side
// of an instance's chats (a demo convenience beside the API).
func (e *Evolution) simPhone(c *evoCall) {
	if e.simInstance(c) == nil {
		return
	}
	c.w.Header().Set("Content-Type", "text/html; charset=utf-8")
	c.w.Header().Set("Content-Security-Policy", phoneCSP)
	c.w.Header().Set("Cache-Control", "no-store")
	if err := phonePage.Execute(c.w, map[string]string{"Instance": c.params["instance"]}); err != nil {
		http.Error(c.w, "template error", http.StatusInternalServerError)
	}
}

func (e *Evolution) simAsset(c *evoCall) {
	name := c.params["file"]
	raw, err := assets.ReadFile("assets/" + name)
	if err != nil || strings.HasSuffix(name, ".html") {
		c.reply(http.StatusNotFound, simError("no asset "+name))
		return
	}
	ctype := "text/javascript; charset=utf-8"
	if strings.HasSuffix(name, ".css") {
		ctype = "text/css; charset=utf-8"
	}
	c.w.Header().Set("Content-Type", ctype)
	c.w.Header().Set("Cache-Control", "no-cache")
	_, _ = c.w.Write(raw)
}

// phoneMessage is a message as the phone page shows it.
type phoneMessage struct {
	ID             string `json:"id"`
	FromMe         bool   `json:"from_me"`
	Type           string `json:"type"`
	Text           string `json:"text"`
	Status         string `json:"status"`
	ReadByBusiness bool   `json:"read_by_business"`
	Deleted        bool   `json:"deleted,omitempty"`
	Edited         bool   `json:"edited,omitempty"`
	Emoji          string `json:"emoji,omitempty"`
	At             string `json:"at"`
}

type phoneChat struct {
	JID      string         `json:"jid"`
	From     string         `json:"from"` // what /_sim/…/messages takes as "from" to write in it
	LID      string         `json:"lid,omitempty"`
	Number   string         `json:"number"`
	Name     string         `json:"name"`
	Presence string         `json:"presence,omitempty"` // the business typing
	Messages []phoneMessage `json:"messages"`
	last     int
}

// simChats is GET /_sim/instances/{name}/chats: every chat the instance
// keeps (see MessageRetention), newest first, for the phone page.
func (e *Evolution) simChats(c *evoCall) {
	inst := e.simInstance(c)
	if inst == nil {
		return
	}
	byJID := map[string]*phoneChat{}
	for seq, id := range inst.msgOrder {
		m := inst.msgs[id]
		if m == nil || m.messageType == "protocolMessage" || m.messageType == "reactionMessage" {
			continue
		}
		chat := byJID[m.key.RemoteJID]
		if chat == nil {
			chat = &phoneChat{JID: m.key.RemoteJID, From: m.key.RemoteJID, Messages: []phoneMessage{}}
			byJID[m.key.RemoteJID] = chat
		}
		if m.key.AddressingMode == "lid" && m.key.RemoteJIDAlt != "" {
			chat.From, chat.LID = m.key.RemoteJIDAlt, m.key.RemoteJID
		}
		chat.Number = jidUserPart(chat.From)
		if !m.key.FromMe && m.pushName != "" {
			chat.Name = m.pushName
		}
		kind := strings.TrimSuffix(m.messageType, "Message")
		if m.ptt {
			kind = "ptt"
		}
		text := m.text
		if text == "" {
			text = m.caption
		}
		chat.Messages = append(chat.Messages, phoneMessage{ID: m.key.ID, FromMe: m.key.FromMe, Type: kind, Text: text,
			Status: m.status, ReadByBusiness: m.readByBusiness, Deleted: m.deleted, Edited: m.edited, Emoji: m.emoji,
			At: jsTime(m.at)})
		chat.last = seq
	}
	list := make([]*phoneChat, 0, len(byJID))
	for jid, chat := range byJID {
		chat.Presence = inst.presence[jid]
		list = append(list, chat)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].last > list[j].last })
	c.reply(http.StatusOK, map[string]any{"instance": inst.name, "state": inst.state, "owner": inst.ownerJID,
		"profile_name": inst.profileName, "chats": list})
}
