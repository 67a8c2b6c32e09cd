package gateway

// Message kinds the parsers produce.
const (
	KindText     = "text"
	KindImage    = "image"
	KindAudio    = "audio"
	KindVideo    = "video"
	KindDocument = "document"
	KindSticker  = "sticker"
	KindLocation = "location"
	KindContact  = "contact"
	KindReaction = "reaction"
	KindEdit     = "edit"
	KindDelete   = "delete"
	KindOther    = "unsupported"
)

// Media is a file a message carries, as the provider references it.
type Media struct {
	MIME     string `json:"mime,omitempty"`
	FileName string `json:"file_name,omitempty"`
	Voice    bool   `json:"voice,omitempty"`
	Base64   string `json:"base64,omitempty"` // Evolution with webhook base64
	ID       string `json:"id,omitempty"`     // Cloud API media id
	Size     int64  `json:"size,omitempty"`
}

// Inbound is one WhatsApp message (or edit, delete, reaction) in the
// hub's terms, whatever provider sent it.
type Inbound struct {
	ID          string `json:"id"`   // the provider's message id
	Chat        Peer   `json:"chat"` // the chat: the customer, or the group
	Participant *Peer  `json:"participant,omitempty"`
	FromMe      bool   `json:"from_me,omitempty"`
	// APISend marks Evolution's send.message: a message an API client sent
	// (the hub's own, seen again, unless another client uses the number).
	APISend   bool   `json:"api_send,omitempty"`
	Kind      string `json:"kind"`
	Text      string `json:"text,omitempty"`
	Media     *Media `json:"media,omitempty"`
	QuotedID  string `json:"quoted_id,omitempty"`
	TargetID  string `json:"target_id,omitempty"` // reactions, edits and deletes: the message acted on
	Timestamp int64  `json:"timestamp,omitempty"`
}

// StatusUpdate is the provider telling how far one of our messages got.
type StatusUpdate struct {
	ID        string `json:"id"`
	Status    string `json:"status"` // sent | delivered | read | failed
	Recipient string `json:"recipient,omitempty"`
	Error     string `json:"error,omitempty"`
}

// Parsed is what one stored provider event holds.
type Parsed struct {
	Messages []Inbound
	Statuses []StatusUpdate
	// Ignored explains items dropped on purpose (status posts, …).
	Ignored []string
}

// statusRank orders statuses; only a higher rank replaces a lower one.
func statusRank(s string) int {
	switch s {
	case "pending", "sending":
		return 0
	case "sent":
		return 1
	case "delivered":
		return 2
	case "read":
		return 3
	}
	return -1
}
