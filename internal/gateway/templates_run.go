package gateway

import (
	"context"
	"errors"
	"time"

	"github.com/whatpro/hub/internal/chatwoot"
	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/provider"
	"github.com/whatpro/hub/internal/usage"
)

// runTemplate sends an agent's template and then writes it into the
// Chatwoot conversation. The map row (keyed by the request's ref) is
// claimed first and records the wamid before Chatwoot is called, so a
// retry after a crash neither sends twice nor, finding the message by
// its source_id, writes it twice.
func (s *Service) runTemplate(ctx context.Context, w *work, ob *outbound) error {
	tw, conv := ob.Template, ob.Message.Conversation
	num, acct, c, err := s.sendTarget(ctx, w, &ob.Message)
	if err != nil {
		return err
	}
	row, err := claimTemplate(ctx, s.DB.W, &mapped{ID: tw.Ref, AccountID: w.AccountID, InstanceID: w.InstanceID, ChatID: c.ID,
		ConversationID: &conv.ID, CreatedAt: s.now()})
	if err != nil {
		return err
	}
	if row.Status == "failed" {
		return nil
	}
	if row.ProviderID == nil {
		if se, err := s.refusal(ctx, w.AccountID); err != nil {
			return err
		} else if se != nil {
			return s.templateFailed(ctx, acct, row, conv.ID, tw, se)
		}
		// paced as any send of the number: a template is a message too
		pacing, err := s.pace(ctx, num, c)
		if err != nil {
			return err
		}
		if err := markAttempt(ctx, s.DB.W, w.AccountID, row.ID, s.now()); err != nil {
			return err
		}
		sent, err := num.Send(ctx, provider.OutMessage{To: c.JID, Kind: "template", Template: tw.message()})
		var se *provider.SendError
		switch {
		case errors.As(err, &se) && se.Hold:
			return hold(holdDelay, "%s", se.Msg)
		case errors.As(err, &se) && se.Final:
			return s.templateFailed(ctx, acct, row, conv.ID, tw, se)
		case err != nil:
			return err
		}
		s.pacer.sent(paceKey(num, c), time.Now(), pacing.ChatGap)
		if err := setSent(ctx, s.DB.W, w.AccountID, row.ID, sent.ID, s.now()); err != nil {
			return err
		}
		s.count(w.AccountID, usage.MessagesOut)
		row.ProviderID, row.Status = &sent.ID, "sent"
	}
	if row.CWMessageID != nil {
		return nil
	}
	cwID, err := s.writeTemplate(ctx, acct, conv.ID, *row.ProviderID, tw)
	if err != nil {
		return err
	}
	if err := setCreated(ctx, s.DB.W, w.AccountID, row.ID, conv.ID, cwID, row.Status, s.now()); err != nil {
		return err
	}
	// statuses that came before the Chatwoot id was known moved only the map
	cur, err := scanMapped(s.DB.R.QueryRowContext(ctx, `SELECT `+mappedCols+` FROM gateway_messages WHERE account_id = $1 AND id = $2`,
		w.AccountID, row.ID))
	if err != nil {
		return err
	}
	if cur.Status == "delivered" || cur.Status == "read" {
		if err := acct.UpdateMessageStatus(ctx, conv.ID, cwID, cur.Status, ""); err != nil && !chatwoot.IsNotFound(err) {
			return classify(err)
		}
	}
	return nil
}

// writeTemplate creates the template in the conversation as the agent's
// outgoing message, unless a crash left it there already.
func (s *Service) writeTemplate(ctx context.Context, acct *chatwoot.Account, conversationID int, wamid string, tw *templateWork) (int, error) {
	recent, err := acct.RecentMessages(ctx, conversationID)
	if err != nil {
		return 0, classify(err)
	}
	for _, m := range recent {
		if m.SourceID == wamid {
			return m.ID, nil
		}
	}
	created, err := acct.CreateMessage(ctx, conversationID, chatwoot.NewMessage{Content: tw.Text, MessageType: "outgoing", SourceID: wamid,
		ContentAttributes: map[string]any{"whatpro_template": map[string]any{"name": tw.Name, "language": tw.Language}}})
	if err != nil {
		return 0, classify(err)
	}
	return created.ID, nil
}

// templateFailed records a refused template and tells the agent in a
// private note (there is no Chatwoot message to mark failed).
func (s *Service) templateFailed(ctx context.Context, acct *chatwoot.Account, row *mapped, conversationID int, tw *templateWork, se *provider.SendError) error {
	if err := setPartFailed(ctx, s.DB.W, row.AccountID, row.ID, se.Msg, s.now()); err != nil {
		return err
	}
	return s.reportFailure(ctx, acct, conversationID, 0, &provider.SendError{Code: se.Code, Final: true,
		Msg: "the template " + tw.Name + " (" + tw.Language + ") was not sent: " + se.Msg})
}

// claimTemplate inserts the map row of a template send under its ref.
func claimTemplate(ctx context.Context, q db.Querier, m *mapped) (*mapped, error) {
	_, err := q.ExecContext(ctx, `INSERT INTO gateway_messages (id, account_id, instance_id, chat_id, direction,
			cw_conversation_id, part, parts, kind, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, 'out', $5, 0, 1, 'template', 'sending', $6, $6)
		ON CONFLICT (id) DO NOTHING`, m.ID, m.AccountID, m.InstanceID, m.ChatID, m.ConversationID, m.CreatedAt)
	if err != nil {
		return nil, err
	}
	return scanMapped(q.QueryRowContext(ctx, `SELECT `+mappedCols+` FROM gateway_messages WHERE account_id = $1 AND id = $2`,
		m.AccountID, m.ID))
}
