package gateway

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/whatpro/hub/internal/chatwoot"
	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/provider"
	"github.com/whatpro/hub/internal/usage"
)

// runInbound brings one WhatsApp message into Chatwoot, exactly once: the
// map row is claimed before Chatwoot is called, and a claim left by a
// crash is resolved by looking for the message in the conversation.
func (s *Service) runInbound(ctx context.Context, w *work) error {
	var in Inbound
	if err := json.Unmarshal([]byte(w.Payload), &in); err != nil {
		return final(fmt.Errorf("unreadable work item: %w", err))
	}
	num, err := s.Numbers.NumberByID(ctx, w.AccountID, w.InstanceID)
	if errors.Is(err, db.ErrNotFound) {
		return final(errors.New("the number was removed"))
	} else if err != nil {
		return err
	}
	if num.ChatwootInboxID == 0 {
		return hold(holdDelay, "the number has no Chatwoot inbox yet")
	}
	// The third echo guard: WhatsApp showing us our own send again.
	if in.FromMe || in.APISend {
		if _, err := byProviderID(ctx, s.DB.R, w.AccountID, w.InstanceID, in.ID); err == nil {
			return nil
		} else if !errors.Is(err, db.ErrNotFound) {
			return err
		}
	}
	if in.Chat.Group != "" && s.groupsIgnored(ctx, w.AccountID, w.InstanceID) {
		return nil
	}
	acct, err := s.Chatwoot.Account(ctx, w.AccountID)
	if errors.Is(err, db.ErrNotFound) {
		return hold(holdDelay, "the account is not linked to Chatwoot")
	} else if err != nil {
		return err
	}
	c, err := s.ensureChat(ctx, acct, num, in.Chat)
	if err != nil {
		return err
	}
	if in.APISend {
		// Evolution's send.message: ours if a part of this chat is waiting
		// for its id (a crash between the send and its record).
		if p, err := pendingSend(ctx, s.DB.R, w.AccountID, w.InstanceID, c.ID); err == nil {
			return setSent(ctx, s.DB.W, w.AccountID, p.ID, in.ID, s.now())
		}
		if w.Attempts < 3 {
			return fmt.Errorf("send.message %s is not one of the hub's sends yet", in.ID)
		}
		// another API client uses the number: show its message as outgoing
	}
	if in.Kind == KindDelete {
		return s.inboundDelete(ctx, acct, w, &in)
	}
	row, fresh, err := claimInbound(ctx, s.DB.W, &mapped{AccountID: w.AccountID, InstanceID: w.InstanceID, ChatID: c.ID,
		ProviderID: &in.ID, ConversationID: c.ConversationID, Kind: in.Kind, CreatedAt: s.now()})
	if err != nil {
		return err
	}
	if row.CWMessageID != nil {
		return nil // a copy of a message already in Chatwoot
	}
	if !fresh {
		if id, err := findBySource(ctx, acct, *c.ConversationID, "WAID:"+in.ID); err != nil {
			return classify(err)
		} else if id != 0 {
			return setCreated(ctx, s.DB.W, w.AccountID, row.ID, *c.ConversationID, id, "created", s.now())
		}
	}
	if s.Quota != nil && !in.FromMe {
		if ok, err := s.Quota.AllowMessage(ctx, w.AccountID); err == nil && !ok && s.Log != nil {
			s.Log.Warn("gateway: the plan's max_messages_per_month is reached; inbound messages still reach Chatwoot",
				"account_id", w.AccountID)
		}
	}
	msg, err := s.chatwootMessage(ctx, num, c, &in)
	if err != nil {
		return err
	}
	created, err := acct.CreateMessage(ctx, *c.ConversationID, msg)
	if chatwoot.IsNotFound(err) {
		// the conversation was deleted in Chatwoot: open a new one next time
		_ = setChatConversation(ctx, s.DB.W, w.AccountID, c.ID, nil, s.now())
		return fmt.Errorf("conversation %d is gone: %w", *c.ConversationID, err)
	} else if err != nil {
		return classify(err)
	}
	if err := setCreated(ctx, s.DB.W, w.AccountID, row.ID, *c.ConversationID, created.ID, "created", s.now()); err != nil {
		return err
	}
	s.Metrics.delivered("inbound", "delivered", w.ExecutionID, time.Now())
	if in.FromMe || in.APISend {
		s.count(w.AccountID, usage.MessagesOut)
	} else {
		s.count(w.AccountID, usage.MessagesIn)
	}
	return nil
}

// findBySource looks for a message the hub created before a crash.
func findBySource(ctx context.Context, acct *chatwoot.Account, conversationID int, sourceID string) (int, error) {
	list, err := acct.RecentMessages(ctx, conversationID)
	if err != nil {
		return 0, err
	}
	for _, m := range list {
		if m.SourceID == sourceID {
			return m.ID, nil
		}
	}
	return 0, nil
}

// chatwootMessage renders a WhatsApp message for Chatwoot.
func (s *Service) chatwootMessage(ctx context.Context, num *provider.Number, c *chat, in *Inbound) (chatwoot.NewMessage, error) {
	m := chatwoot.NewMessage{MessageType: "incoming", SourceID: "WAID:" + in.ID, ContentAttributes: map[string]any{}}
	if in.FromMe || in.APISend {
		m.MessageType = "outgoing"
	}
	text := FromWhatsApp(in.Text)
	switch in.Kind {
	case KindReaction:
		text = in.Text
		if text == "" {
			text = "(reaction removed)"
		}
		s.quote(ctx, m.ContentAttributes, c.AccountID, c, in.TargetID)
	case KindEdit:
		text = "✏️ " + text
		s.quote(ctx, m.ContentAttributes, c.AccountID, c, in.TargetID)
	case KindOther:
		text = strings.TrimSpace("(a WhatsApp message this inbox cannot show) " + in.Text)
	}
	if in.QuotedID != "" {
		s.quote(ctx, m.ContentAttributes, c.AccountID, c, in.QuotedID)
	}
	if in.Participant != nil && !in.FromMe {
		who := firstNonEmpty(in.Participant.Name, e164(in.Participant.Phone), in.Participant.LID)
		text = "**" + who + ":** " + text
	}
	m.Content = text
	if in.Media != nil {
		f, note, err := s.fetchMedia(ctx, num, in)
		if err != nil {
			return m, err
		}
		if f != nil {
			m.Files, m.IsVoiceMessage = []chatwoot.File{*f}, in.Kind == KindAudio && in.Media.Voice
		} else {
			m.Content = strings.TrimSpace(m.Content + "\n" + note)
		}
	}
	if len(m.ContentAttributes) == 0 {
		m.ContentAttributes = nil
	}
	return m, nil
}

// quote points a message at the one it replies to: the Chatwoot id when
// the map knows it, else the WhatsApp id as external id.
func (s *Service) quote(ctx context.Context, attrs map[string]any, accountID string, c *chat, providerID string) {
	if providerID == "" {
		return
	}
	if m, err := byProviderID(ctx, s.DB.R, accountID, c.InstanceID, providerID); err == nil && m.CWMessageID != nil {
		attrs["in_reply_to"] = *m.CWMessageID
		return
	}
	attrs["in_reply_to_external_id"] = "WAID:" + providerID
}

var mediaTypes = map[string]string{KindImage: "image/", KindVideo: "video/", KindAudio: "audio/", KindSticker: "image/"}

// fetchMedia downloads a message's file from the provider and checks it:
// size under the limit, content of the kind the message claims. A file
// that cannot be had is a note instead, so the message still arrives.
func (s *Service) fetchMedia(ctx context.Context, num *provider.Number, in *Inbound) (*chatwoot.File, string, error) {
	var data []byte
	declared := in.Media.MIME
	if in.Media.Base64 != "" {
		d, err := base64.StdEncoding.DecodeString(in.Media.Base64)
		if err != nil {
			return nil, "(the attachment could not be read)", nil
		}
		data = d
	} else {
		d, mt, err := num.Media(ctx, provider.MediaRef{ID: in.Media.ID, MessageID: in.ID})
		var se *provider.SendError
		if errors.As(err, &se) && (se.Final || se.Hold) {
			return nil, "(the attachment could not be fetched from WhatsApp: " + se.Msg + ")", nil
		} else if err != nil {
			return nil, "", err
		}
		data, declared = d, firstNonEmpty(declared, mt)
	}
	if int64(len(data)) > s.maxMedia() {
		return nil, fmt.Sprintf("(an attachment of %d bytes is over the %d byte limit)", len(data), s.maxMedia()), nil
	}
	sniffed := http.DetectContentType(data)
	if want := mediaTypes[in.Kind]; want != "" && !strings.HasPrefix(sniffed, want) &&
		!(in.Kind == KindAudio && sniffed == "application/ogg") && sniffed != "application/octet-stream" {
		return nil, "(an attachment said to be " + in.Kind + " is " + sniffed + ")", nil
	}
	ctype := firstNonEmpty(declared, sniffed)
	if mt, _, err := mime.ParseMediaType(ctype); err == nil {
		ctype = mt
	}
	name := in.Media.FileName
	if name == "" {
		name = in.Kind + extension(ctype)
	}
	return &chatwoot.File{Name: name, ContentType: ctype, Data: data}, "", nil
}

func extension(ctype string) string {
	switch ctype {
	case "audio/ogg", "application/ogg":
		return ".ogg"
	case "image/jpeg":
		return ".jpg"
	}
	if exts, _ := mime.ExtensionsByType(ctype); len(exts) > 0 {
		return exts[0]
	}
	return ""
}

// inboundDelete deletes the Chatwoot copy of a message its author deleted
// for everyone.
func (s *Service) inboundDelete(ctx context.Context, acct *chatwoot.Account, w *work, in *Inbound) error {
	m, err := byProviderID(ctx, s.DB.R, w.AccountID, w.InstanceID, in.TargetID)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if m.CWMessageID == nil || m.ConversationID == nil {
		return nil
	}
	err = acct.DeleteMessage(ctx, *m.ConversationID, *m.CWMessageID)
	if chatwoot.IsNotFound(err) {
		return nil
	}
	return classify(err)
}

func (s *Service) groupsIgnored(ctx context.Context, accountID, instanceID string) bool {
	st, err := settingsOf(ctx, s.DB.R, accountID, instanceID)
	return err == nil && st.Groups == "ignore"
}
