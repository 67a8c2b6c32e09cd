package gateway

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Meta Cloud API notifications: {object, entry[{changes[{field, value}]}]}.
// A POST may batch several entries, numbers and messages; every one is
// read, and the caller keeps those of its phone_number_id.

type metaMedia struct {
	ID       string `json:"id"`
	MimeType string `json:"mime_type"`
	Caption  string `json:"caption"`
	Filename string `json:"filename"`
	Voice    bool   `json:"voice"`
}

type metaMessage struct {
	From       string `json:"from"`
	FromUserID string `json:"from_user_id"`
	To         string `json:"to"` // message echoes: the customer
	ID         string `json:"id"`
	Timestamp  string `json:"timestamp"`
	Type       string `json:"type"`
	Context    *struct {
		ID string `json:"id"`
	} `json:"context"`
	Text *struct {
		Body string `json:"body"`
	} `json:"text"`
	Image    *metaMedia `json:"image"`
	Audio    *metaMedia `json:"audio"`
	Video    *metaMedia `json:"video"`
	Document *metaMedia `json:"document"`
	Sticker  *metaMedia `json:"sticker"`
	Location *struct {
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
		Name      string  `json:"name"`
		Address   string  `json:"address"`
	} `json:"location"`
	Contacts []struct {
		Name struct {
			FormattedName string `json:"formatted_name"`
		} `json:"name"`
		Phones []struct {
			Phone string `json:"phone"`
		} `json:"phones"`
	} `json:"contacts"`
	Reaction *struct {
		MessageID string `json:"message_id"`
		Emoji     string `json:"emoji"`
	} `json:"reaction"`
	Interactive *struct {
		Type        string `json:"type"`
		ButtonReply *struct {
			Title string `json:"title"`
		} `json:"button_reply"`
		ListReply *struct {
			Title string `json:"title"`
		} `json:"list_reply"`
	} `json:"interactive"`
	Button *struct {
		Text string `json:"text"`
	} `json:"button"`
	Errors []metaError `json:"errors"`
}

type metaError struct {
	Code      int    `json:"code"`
	Title     string `json:"title"`
	Message   string `json:"message"`
	ErrorData struct {
		Details string `json:"details"`
	} `json:"error_data"`
}

func (e metaError) String() string {
	s := fmt.Sprintf("(#%d) %s", e.Code, firstNonEmpty(e.Message, e.Title))
	if e.ErrorData.Details != "" {
		s += ": " + e.ErrorData.Details
	}
	return s
}

type metaValue struct {
	Metadata struct {
		PhoneNumberID string `json:"phone_number_id"`
	} `json:"metadata"`
	Contacts []struct {
		WaID    string `json:"wa_id"`
		UserID  string `json:"user_id"`
		Profile struct {
			Name string `json:"name"`
		} `json:"profile"`
	} `json:"contacts"`
	Messages    []metaMessage `json:"messages"`
	MessageEcho []metaMessage `json:"message_echoes"`
	Statuses    []struct {
		ID          string      `json:"id"`
		Status      string      `json:"status"`
		RecipientID string      `json:"recipient_id"`
		Errors      []metaError `json:"errors"`
	} `json:"statuses"`
}

type metaBody struct {
	Object string `json:"object"`
	Entry  []struct {
		Changes []struct {
			Field string    `json:"field"`
			Value metaValue `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

// ParseCloud reads a Cloud API notification, keeping what concerns
// phoneNumberID ("" keeps everything).
func ParseCloud(body []byte, phoneNumberID string) (*Parsed, error) {
	var b metaBody
	if err := json.Unmarshal(body, &b); err != nil || b.Object != "whatsapp_business_account" {
		return nil, fmt.Errorf("not a Cloud API notification")
	}
	out := &Parsed{}
	for _, e := range b.Entry {
		for _, c := range e.Changes {
			v := c.Value
			if phoneNumberID != "" && v.Metadata.PhoneNumberID != phoneNumberID {
				continue
			}
			names := map[string]string{}
			for _, ct := range v.Contacts {
				names[firstNonEmpty(ct.WaID, ct.UserID)] = ct.Profile.Name
			}
			for _, m := range v.Messages {
				if in := metaInbound(m, false); in != nil {
					in.Chat.Name = names[firstNonEmpty(m.From, m.FromUserID)]
					out.Messages = append(out.Messages, *in)
				}
			}
			for _, m := range v.MessageEcho {
				if in := metaInbound(m, true); in != nil {
					out.Messages = append(out.Messages, *in)
				}
			}
			for _, s := range v.Statuses {
				st := StatusUpdate{ID: s.ID, Status: s.Status, Recipient: s.RecipientID}
				if statusRank(st.Status) < 0 && st.Status != "failed" || st.ID == "" {
					continue
				}
				var errs []string
				for _, e := range s.Errors {
					errs = append(errs, e.String())
				}
				st.Error = strings.Join(errs, "; ")
				out.Statuses = append(out.Statuses, st)
			}
		}
	}
	return out, nil
}

func metaInbound(m metaMessage, echo bool) *Inbound {
	if m.ID == "" {
		return nil
	}
	who := m.From
	if echo {
		who = m.To
	}
	chat := Peer{Phone: phoneOfJID(digits(who))}
	if chat.Phone == "" {
		chat.UserID = m.FromUserID
	}
	if chat.Key() == "" {
		return nil
	}
	in := &Inbound{ID: m.ID, Chat: chat, FromMe: echo, Kind: KindOther}
	fmt.Sscan(m.Timestamp, &in.Timestamp)
	if m.Context != nil {
		in.QuotedID = m.Context.ID
	}
	media := func(kind string, md *metaMedia) {
		in.Kind, in.Text = kind, md.Caption
		in.Media = &Media{ID: md.ID, MIME: md.MimeType, FileName: md.Filename, Voice: kind == KindAudio && md.Voice}
	}
	switch {
	case m.Text != nil:
		in.Kind, in.Text = KindText, m.Text.Body
	case m.Image != nil:
		media(KindImage, m.Image)
	case m.Audio != nil:
		media(KindAudio, m.Audio)
	case m.Video != nil:
		media(KindVideo, m.Video)
	case m.Document != nil:
		media(KindDocument, m.Document)
	case m.Sticker != nil:
		media(KindSticker, m.Sticker)
	case m.Location != nil:
		l := m.Location
		in.Kind = KindLocation
		in.Text = strings.TrimSpace(fmt.Sprintf("%s %s\nhttps://maps.google.com/?q=%g,%g", l.Name, l.Address, l.Latitude, l.Longitude))
	case len(m.Contacts) > 0:
		in.Kind = KindContact
		var parts []string
		for _, c := range m.Contacts {
			var phones []string
			for _, p := range c.Phones {
				phones = append(phones, p.Phone)
			}
			parts = append(parts, strings.TrimSpace(c.Name.FormattedName+" "+strings.Join(phones, ", ")))
		}
		in.Text = strings.Join(parts, "\n")
	case m.Reaction != nil:
		in.Kind, in.Text, in.TargetID = KindReaction, m.Reaction.Emoji, m.Reaction.MessageID
	case m.Interactive != nil:
		in.Kind = KindText
		if r := m.Interactive.ButtonReply; r != nil {
			in.Text = r.Title
		} else if r := m.Interactive.ListReply; r != nil {
			in.Text = r.Title
		}
	case m.Button != nil:
		in.Kind, in.Text = KindText, m.Button.Text
	default:
		var errs []string
		for _, e := range m.Errors {
			errs = append(errs, e.String())
		}
		in.Text = strings.Join(errs, "; ")
	}
	return in
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}
