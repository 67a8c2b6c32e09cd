package kanban

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/feature"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
	"github.com/whatpro/hub/internal/realtime"
)

// viewer is what decides which boards and cards someone sees: admins see
// everything; others see boards open to all or to them, and only cards of
// conversations in their own Chatwoot inboxes (recorded at SSO), plus
// cards without a conversation.
type viewer struct {
	accountID string
	userID    string
	all       bool
	inboxes   []int
}

func (v *viewer) seesBoard(b *Board) bool {
	return v.all || b.Visibility != "selected" || slices.Contains(b.VisibleUserIDs, v.userID)
}

func (v *viewer) seesInbox(inbox *int) bool {
	return v.all || inbox == nil || slices.Contains(v.inboxes, *inbox)
}

func (v *viewer) seesCard(c *Card) bool { return v.seesInbox(c.InboxID) }

// scopeKey names what the viewer may see of a board's cards.
func (v *viewer) scopeKey() string {
	if v.all {
		return "*"
	}
	parts := make([]string, len(v.inboxes))
	for i, id := range v.inboxes {
		parts[i] = strconv.Itoa(id)
	}
	return strings.Join(parts, ",")
}

func (s *Service) viewerFor(ctx context.Context, q db.Querier, acc *iam.Access, userID string) (*viewer, error) {
	v := &viewer{accountID: acc.AccountID, userID: userID, all: acc.Role == iam.RoleAdmin}
	if v.all {
		return v, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT inbox_id FROM chatwoot_inbox_members WHERE account_id = $1 AND user_id = $2 ORDER BY inbox_id`,
		acc.AccountID, userID)
	ids, err := db.Collect(rows, err, func(r interface{ Scan(...any) error }) (int, error) {
		var id int
		return id, r.Scan(&id)
	})
	v.inboxes = ids
	return v, err
}

func (s *Service) viewerOf(ctx context.Context) (*viewer, error) {
	acc, p := iam.AccessFrom(ctx), iam.PrincipalFrom(ctx)
	return s.viewerFor(ctx, s.DB.R, acc, p.UserID)
}

// Topics of the Kanban.
const (
	topicBoards = "boards"
	boardPrefix = "board:"
)

func boardTopic(id string) string { return boardPrefix + id }

// cardScope restricts a card's events to those who see its inbox.
func cardScope(c *Card) string {
	if c.InboxID == nil {
		return ""
	}
	return "inbox:" + strconv.Itoa(*c.InboxID)
}

// boardScope says who sees a board in the board list.
func boardScope(b *Board) string {
	if b.Visibility != "selected" {
		return "all"
	}
	return "users:" + strings.Join(b.VisibleUserIDs, ",")
}

// Authorize implements realtime.Authorizer for "boards" and "board:<id>":
// kanban:read, the kanban feature, the board's visibility, and per event
// the inbox of the card's conversation.
func (s *Service) Authorize(ctx context.Context, rv *realtime.Viewer, topic string) (realtime.Filter, error) {
	if !rv.Access.Can(iam.PermKanbanRead) {
		return nil, httpx.E(httpx.CodeForbidden, "missing permission "+iam.PermKanbanRead)
	}
	if s.IAM == nil || s.IAM.Features == nil {
		return nil, httpx.E(httpx.CodeFeatureDisabled, "the feature kanban is not enabled for this account")
	}
	if on, err := s.IAM.Features.Enabled(ctx, rv.AccountID, feature.Kanban, rv.Access.Role); err != nil || !on {
		return nil, httpx.E(httpx.CodeFeatureDisabled, "the feature kanban is not enabled for this account")
	}
	v, err := s.viewerFor(ctx, s.DB.R, rv.Access, rv.Principal.UserID)
	if err != nil {
		return nil, err
	}
	if topic == topicBoards {
		return func(e *realtime.Event) bool {
			if v.all || e.Scope == "all" {
				return true
			}
			ids, ok := strings.CutPrefix(e.Scope, "users:")
			return ok && slices.Contains(strings.Split(ids, ","), v.userID)
		}, nil
	}
	id, ok := strings.CutPrefix(topic, boardPrefix)
	if !ok {
		return nil, httpx.NotFound()
	}
	b, err := getBoard(ctx, s.DB.R, rv.AccountID, id)
	if err != nil || !v.seesBoard(b) {
		return nil, httpx.NotFound()
	}
	inboxes := map[string]bool{}
	for _, in := range v.inboxes {
		inboxes["inbox:"+strconv.Itoa(in)] = true
	}
	return func(e *realtime.Event) bool {
		return v.all || e.Scope == "" || inboxes[e.Scope]
	}, nil
}
