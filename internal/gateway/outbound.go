package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/whatpro/hub/internal/chatwoot"
	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/provider"
	"github.com/whatpro/hub/internal/usage"
)

// runOutbound sends an agent's Chatwoot message to WhatsApp: one part per
// attachment (the text as the first caption, or its own part), each
// recorded in the map before it is sent, so a retried item skips the
// parts that went out.
func (s *Service) runOutbound(ctx context.Context, w *work) error {
	var ob outbound
	if err := json.Unmarshal([]byte(w.Payload), &ob); err != nil {
		return final(fmt.Errorf("unreadable work item: %w", err))
	}
	if ob.Template != nil {
		return s.runTemplate(ctx, w, &ob)
	}
	m := &ob.Message
	num, acct, c, err := s.sendTarget(ctx, w, m)
	if err != nil {
		return err
	}
	parts := planParts(m)
	quoted := s.quotedProviderID(ctx, w.AccountID, w.InstanceID, m.ContentAttributes)
	checked := false
	for i, p := range parts {
		row, err := claimPart(ctx, s.DB.W, &mapped{AccountID: w.AccountID, InstanceID: w.InstanceID, ChatID: c.ID,
			ConversationID: &m.Conversation.ID, CWMessageID: &m.ID, Part: i, Parts: len(parts), Kind: p.kind, CreatedAt: s.now()})
		if err != nil {
			return err
		}
		switch {
		case row.ProviderID != nil:
			continue // this part went out already
		case row.Status == "failed" && ob.Retry:
			if err := resetPart(ctx, s.DB.W, w.AccountID, row.ID, s.now()); err != nil {
				return err
			}
		case row.Status == "failed":
			return nil // failed for good; Chatwoot shows it, Retry resends
		case row.Attempts > 0 && w.Attempts < 3 && num.Type == provider.TypeEvolution:
			// a send may have gone out before a crash: its echo tells
			return fmt.Errorf("part %d of message %d may have been sent; waiting for the provider's echo", i, m.ID)
		}
		if !checked {
			if se, err := s.refusal(ctx, w.AccountID); err != nil {
				return err
			} else if se != nil {
				return s.partFailed(ctx, acct, row, m, se)
			}
			checked = true
		}
		out := provider.OutMessage{To: c.JID, Kind: p.kind, Text: p.text, QuotedID: quoted}
		if p.att != nil {
			data, ctype, err := s.download(ctx, p.att.DataURL)
			if err != nil {
				return s.partFailed(ctx, acct, row, m, &provider.SendError{Code: "attachment", Final: true, Msg: err.Error()})
			}
			out.Data, out.MIME, out.FileName = data, ctype, fileName(p.att, ctype)
			out.Voice = p.kind == "audio" && isVoice(p.att)
		}
		note := ""
		if out.Voice && num.Type == provider.TypeCloudAPI {
			note = cloudVoice(ctx, &out)
		}
		pacing, err := s.pace(ctx, num, c)
		if err != nil {
			return err
		}
		if err := markAttempt(ctx, s.DB.W, w.AccountID, row.ID, s.now()); err != nil {
			return err
		}
		sent, err := num.Send(ctx, out)
		var se *provider.SendError
		switch {
		case errors.As(err, &se) && se.Hold:
			return hold(holdDelay, "%s", se.Msg)
		case errors.As(err, &se) && se.Final:
			return s.partFailed(ctx, acct, row, m, se)
		case err != nil:
			return err
		}
		s.pacer.sent(paceKey(num, c), time.Now(), pacing.ChatGap)
		if err := setSent(ctx, s.DB.W, w.AccountID, row.ID, sent.ID, s.now()); err != nil {
			return err
		}
		s.Metrics.delivered("outbound", "sent", w.ExecutionID, time.Now())
		s.count(w.AccountID, usage.MessagesOut)
		quoted = ""
		if note != "" {
			// the message went out; the note only explains, so it is not retried
			if _, err := acct.CreateMessage(ctx, m.Conversation.ID, chatwoot.NewMessage{Content: note, MessageType: "outgoing",
				Private: true, ContentAttributes: map[string]any{"in_reply_to": m.ID}}); err != nil && s.Log != nil {
				s.Log.Warn("gateway could not add the voice note's private note", "conversation", m.Conversation.ID, "error", clip(err.Error(), 300))
			}
		}
	}
	s.markChatRead(ctx, num, c)
	return nil
}

type part struct {
	kind, text string
	att        *cwAttachment
}

// sendTarget is what every send of a work item needs first: its number,
// the account's Chatwoot and the conversation's WhatsApp chat; a removed
// number ends the item, an unlinked account or a disconnected number
// holds it.
func (s *Service) sendTarget(ctx context.Context, w *work, m *cwMessage) (*provider.Number, *chatwoot.Account, *chat, error) {
	num, err := s.Numbers.NumberByID(ctx, w.AccountID, w.InstanceID)
	if errors.Is(err, db.ErrNotFound) {
		return nil, nil, nil, final(errors.New("the number was removed"))
	} else if err != nil {
		return nil, nil, nil, err
	}
	acct, err := s.Chatwoot.Account(ctx, w.AccountID)
	if errors.Is(err, db.ErrNotFound) {
		return nil, nil, nil, hold(holdDelay, "the account is not linked to Chatwoot")
	} else if err != nil {
		return nil, nil, nil, err
	}
	c, err := s.chatForConversation(ctx, num, m)
	if err != nil {
		return nil, nil, nil, err
	}
	if !num.Connected() {
		return nil, nil, nil, hold(holdDelay, "the number is %s: its messages wait until it reconnects", num.Instance.Status)
	}
	return num, acct, c, nil
}

// planParts splits a Chatwoot message into WhatsApp messages.
func planParts(m *cwMessage) []part {
	text := ""
	if m.Content != nil {
		text = ToWhatsApp(strings.TrimSpace(*m.Content))
	}
	var out []part
	for i := range m.Attachments {
		a := &m.Attachments[i]
		kind := map[string]string{"image": "image", "audio": "audio", "video": "video"}[a.FileType]
		if kind == "" {
			kind = "document"
		}
		p := part{kind: kind, att: a}
		if text != "" && kind != "audio" && len(out) == 0 {
			p.text, text = text, ""
		}
		out = append(out, p)
	}
	if text != "" {
		out = append([]part{{kind: "text", text: text}}, out...)
	}
	return out
}

func isVoice(a *cwAttachment) bool { v, _ := a.Meta["is_voice_message"].(bool); return v }

func fileName(a *cwAttachment, ctype string) string {
	if u, err := url.Parse(a.DataURL); err == nil {
		if base := u.Path[strings.LastIndexByte(u.Path, '/')+1:]; base != "" && strings.Contains(base, ".") {
			return base
		}
	}
	return a.FileType + extension(ctype)
}

// quotedProviderID is the WhatsApp id of the message an agent replied to.
func (s *Service) quotedProviderID(ctx context.Context, accountID, instanceID string, attrs map[string]any) string {
	if ext, _ := attrs["in_reply_to_external_id"].(string); ext != "" {
		return strings.TrimPrefix(ext, "WAID:")
	}
	id, ok := attrs["in_reply_to"].(float64)
	if !ok {
		return ""
	}
	parts, err := byChatwootID(ctx, s.DB.R, accountID, int(id))
	if err != nil || len(parts) == 0 || parts[0].ProviderID == nil || parts[0].InstanceID != instanceID {
		return ""
	}
	return *parts[0].ProviderID
}

// chatForConversation finds the WhatsApp chat of a conversation: by the
// conversation, by its contact inbox's source_id (the chat key the hub
// set), or, for a conversation an agent started, by the contact's phone.
func (s *Service) chatForConversation(ctx context.Context, num *provider.Number, m *cwMessage) (*chat, error) {
	acc, inst := num.Instance.AccountID, num.Instance.ID
	c, err := chatByConversation(ctx, s.DB.R, acc, inst, m.Conversation.ID)
	if err == nil || !errors.Is(err, db.ErrNotFound) {
		return c, err
	}
	var peer Peer
	if ci := m.Conversation.ContactInbox; ci != nil && ci.SourceID != "" {
		if c, err := chatByAlias(ctx, s.DB.R, acc, inst, []string{ci.SourceID}); err == nil {
			return c, setChatConversation(ctx, s.DB.W, acc, c.ID, &m.Conversation.ID, s.now())
		}
		peer = peerOfSource(ci.SourceID)
	}
	if peer.Key() == "" {
		if snd := m.Conversation.Meta.Sender; snd != nil && snd.PhoneNumber != nil {
			peer = Peer{Phone: digits(*snd.PhoneNumber)}
		}
	}
	if peer.Key() == "" {
		return nil, final(errors.New("the conversation's contact has no WhatsApp number"))
	}
	if c, err := chatByAlias(ctx, s.DB.R, acc, inst, peer.Aliases()); err == nil {
		return c, setChatConversation(ctx, s.DB.W, acc, c.ID, &m.Conversation.ID, s.now())
	}
	kind := "user"
	if peer.Group != "" {
		kind = "group"
	}
	c, err = saveChat(ctx, s.DB, &chat{AccountID: acc, InstanceID: inst, Key: peer.Key(), Kind: kind, JID: address(num.Type, peer),
		Phone: peer.Phone}, peer.Aliases(), s.now())
	if err != nil {
		return nil, err
	}
	return c, setChatConversation(ctx, s.DB.W, acc, c.ID, &m.Conversation.ID, s.now())
}

// peerOfSource reads a contact inbox source_id the hub (or an agent)
// set: a phone's digits, a group JID or a LID.
func peerOfSource(src string) Peer {
	switch {
	case strings.HasSuffix(src, jidGroup):
		return Peer{Group: src}
	case lidOfJID(src) != "":
		return Peer{LID: lidOfJID(src)}
	}
	return Peer{Phone: phoneOfJID(src)}
}

// download fetches an agent's attachment. data_url is a Rails redirect
// on Chatwoot's FRONTEND_URL; the guarded client does not follow
// redirects by itself, so a few hops are followed here, each re-checked.
func (s *Service) download(ctx context.Context, raw string) ([]byte, string, error) {
	for hop := 0; hop < 4; hop++ {
		req, err := http.NewRequestWithContext(ctx, "GET", raw, nil)
		if err != nil {
			return nil, "", fmt.Errorf("the attachment URL is not valid")
		}
		resp, err := s.HTTP.Do(req)
		if err != nil {
			return nil, "", fmt.Errorf("the attachment could not be fetched: %w", err)
		}
		if resp.StatusCode >= 300 && resp.StatusCode < 400 {
			loc, err := resp.Location()
			resp.Body.Close()
			if err != nil {
				return nil, "", fmt.Errorf("the attachment redirect has no location")
			}
			raw = loc.String()
			continue
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, "", fmt.Errorf("the attachment answered HTTP %d", resp.StatusCode)
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, s.maxMedia()+1))
		if err != nil {
			return nil, "", fmt.Errorf("the attachment could not be read: %w", err)
		}
		if int64(len(data)) > s.maxMedia() {
			return nil, "", fmt.Errorf("the attachment is over the %d byte limit", s.maxMedia())
		}
		ctype := resp.Header.Get("Content-Type")
		if ctype == "" || ctype == "application/octet-stream" {
			ctype = http.DetectContentType(data)
		}
		return data, ctype, nil
	}
	return nil, "", fmt.Errorf("the attachment redirects too often")
}

// refusal is why the account may not send now, if it may not: its
// gateway feature is off (a reply queued before it went off), or the
// plan's monthly messages are used up (inbound still flows).
func (s *Service) refusal(ctx context.Context, accountID string) (*provider.SendError, error) {
	if on, err := s.bridging(ctx, accountID); err != nil {
		return nil, err
	} else if !on {
		return featureOffError(), nil
	}
	if s.Quota == nil {
		return nil, nil
	}
	ok, err := s.Quota.AllowMessage(ctx, accountID)
	if err != nil || ok {
		return nil, err
	}
	return &provider.SendError{Code: "limit", Final: true, Msg: "the plan's max_messages_per_month is reached"}, nil
}

// partFailed records a final failure of one part and tells the agent.
func (s *Service) partFailed(ctx context.Context, acct *chatwoot.Account, row *mapped, m *cwMessage, se *provider.SendError) error {
	if err := setPartFailed(ctx, s.DB.W, row.AccountID, row.ID, se.Msg, s.now()); err != nil {
		return err
	}
	s.Metrics.count("outbound", "failed")
	return s.reportFailure(ctx, acct, m.Conversation.ID, m.ID, se)
}

// reportFailure marks the Chatwoot message failed with the reason and
// adds a private note saying what happened and what to do.
// A messageID of 0 is a send that has no Chatwoot message (a template).
func (s *Service) reportFailure(ctx context.Context, acct *chatwoot.Account, conversationID, messageID int, se *provider.SendError) error {
	note := "WhatsApp did not take this message: " + se.Msg + ". " + advice(se.Code)
	if se.Code == errCodeFeatureOff {
		note = "This message was not sent to WhatsApp: " + se.Msg + ". " + advice(se.Code)
	}
	nm := chatwoot.NewMessage{Content: note, MessageType: "outgoing", Private: true}
	if messageID > 0 {
		if err := acct.UpdateMessageStatus(ctx, conversationID, messageID, "failed", clip(se.Msg, 250)); err != nil && !chatwoot.IsNotFound(err) {
			return classify(err)
		}
		nm.ContentAttributes = map[string]any{"in_reply_to": messageID}
	}
	_, err := acct.CreateMessage(ctx, conversationID, nm)
	return classify(err)
}

func advice(code string) string {
	switch code {
	case provider.ErrCodeNotOnWhatsApp:
		return "Check the customer's number: it has no WhatsApp account."
	case provider.ErrCodeWindowClosed:
		return "The customer has not written in the last 24 hours: send an approved template instead (WhatPro tab of this conversation, Templates)."
	case provider.ErrCodeTemplate:
		return "Pick the template again in the WhatPro tab: Meta may have paused it or changed its variables."
	case "attachment":
		return "Attach the file again, smaller or in another format."
	case "limit":
		return "The plan's monthly message limit is reached: ask an administrator."
	case errCodeFeatureOff:
		return "Ask the hub's administrator to turn the gateway feature back on for this account, then use Retry on the message."
	}
	return "Fix the cause and use Retry on the message."
}

// markChatRead tells the customer their messages were read once an agent
// answers. Losing it only loses ticks.
func (s *Service) markChatRead(ctx context.Context, num *provider.Number, c *chat) {
	if id := s.lastInboundID(ctx, c); id != "" {
		_ = num.MarkRead(ctx, c.JID, id)
	}
}

// runAgentDelete deletes on WhatsApp what an agent deleted in Chatwoot.
func (s *Service) runAgentDelete(ctx context.Context, w *work) error {
	var ob outbound
	if err := json.Unmarshal([]byte(w.Payload), &ob); err != nil {
		return final(err)
	}
	num, err := s.Numbers.NumberByID(ctx, w.AccountID, w.InstanceID)
	if err != nil {
		return err
	}
	if on, err := s.bridging(ctx, w.AccountID); err != nil {
		return err
	} else if !on {
		return s.deletedHereOnly(ctx, w.AccountID, ob.Message.Conversation.ID, "the WhatsApp gateway is disabled for this account")
	}
	parts, err := byChatwootID(ctx, s.DB.R, w.AccountID, ob.Message.ID)
	if err != nil {
		return err
	}
	for _, p := range parts {
		if p.ProviderID == nil {
			continue
		}
		c, err := getChat(ctx, s.DB.R, w.AccountID, p.ChatID)
		if err != nil {
			return err
		}
		err = num.Delete(ctx, c.JID, *p.ProviderID, true)
		var se *provider.SendError
		if errors.As(err, &se) && se.Code == provider.ErrCodeUnsupported {
			acct, aerr := s.Chatwoot.Account(ctx, w.AccountID)
			if aerr != nil {
				return aerr
			}
			_, err = acct.CreateMessage(ctx, ob.Message.Conversation.ID, chatwoot.NewMessage{MessageType: "outgoing", Private: true,
				Content: "This message was deleted here only: " + se.Msg + "."})
			return classify(err)
		}
		if errors.As(err, &se) && se.Hold {
			return hold(holdDelay, "%s", se.Msg)
		} else if errors.As(err, &se) && se.Final {
			return final(err)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// dead is called when an item dies: an agent's message is marked failed
// with what happened.
func (s *Service) dead(ctx context.Context, w *work, cause error) {
	if s.Log != nil {
		s.Log.Warn("gateway work is dead", "lane", w.Lane, "work_id", w.ID, "error", clip(cause.Error(), 300))
	}
	if w.Kind == workInbound || w.Kind == workOutbound {
		s.Metrics.count(directionOf(w.Kind), "dead")
	}
	if w.Kind != workOutbound {
		return
	}
	var ob outbound
	if json.Unmarshal([]byte(w.Payload), &ob) != nil {
		return
	}
	acct, err := s.Chatwoot.Account(ctx, w.AccountID)
	if err != nil {
		return
	}
	_ = s.reportFailure(ctx, acct, ob.Message.Conversation.ID, ob.Message.ID, &provider.SendError{Code: "dead", Msg: clip(cause.Error(), 200)})
}

func markAttempt(ctx context.Context, q db.Querier, accountID, id string, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE gateway_messages SET attempts = attempts + 1, updated_at = $1 WHERE account_id = $2 AND id = $3`,
		now, accountID, id)
	return err
}
