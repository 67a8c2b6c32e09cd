package kanban

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/whatpro/hub/internal/chatwoot"
	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/feature"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
	"github.com/whatpro/hub/internal/realtime"
)

// viewer is what decides which boards and cards someone sees: admins see
// everything; others see boards open to all, to them or to one of their
// Chatwoot teams, and only cards of conversations in their own Chatwoot
// inboxes (both recorded at SSO), plus cards without a conversation.
type viewer struct {
	accountID string
	userID    string
	all       bool
	inboxes   []int
	teams     []int
}

func (v *viewer) seesBoard(b *Board) bool {
	return v.all || b.Visibility != "selected" || v.listed(b.VisibleUserIDs, b.VisibleTeamIDs)
}

// listed reports whether the viewer is one of users or in one of teams.
func (v *viewer) listed(users []string, teams []int) bool {
	return slices.Contains(users, v.userID) || slices.ContainsFunc(teams, func(t int) bool { return slices.Contains(v.teams, t) })
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
	var err error
	if v.inboxes, err = chatwoot.UserInboxIDs(ctx, q, acc.AccountID, userID); err != nil {
		return nil, err
	}
	if v.teams, err = chatwoot.UserTeamIDs(ctx, q, acc.AccountID, userID); err != nil {
		return nil, err
	}
	return v, nil
}

func (s *Service) viewerOf(ctx context.Context) (*viewer, error) {
	acc, p := iam.AccessFrom(ctx), iam.PrincipalFrom(ctx)
	return s.viewerFor(ctx, s.DB.Reads(), acc, p.UserID)
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

// boardScope says who sees a board in the board list:
// "all", or "users:<ids>" with ";teams:<ids>" when teams are listed.
func boardScope(b *Board) string {
	if b.Visibility != "selected" {
		return "all"
	}
	scope := "users:" + strings.Join(b.VisibleUserIDs, ",")
	if len(b.VisibleTeamIDs) > 0 {
		parts := make([]string, len(b.VisibleTeamIDs))
		for i, id := range b.VisibleTeamIDs {
			parts[i] = strconv.Itoa(id)
		}
		scope += ";teams:" + strings.Join(parts, ",")
	}
	return scope
}

// lostScope is the audience that saw a board under old and no longer does
// under next (old and next are boardScopes, which never hold "|").
func lostScope(old, next string) string { return "lost:" + old + "|" + next }

// inScope reports whether the viewer is in a boardScope or lostScope audience.
func (v *viewer) inScope(scope string) bool {
	if rest, ok := strings.CutPrefix(scope, "lost:"); ok {
		old, next, _ := strings.Cut(rest, "|")
		return !v.all && v.inScope(old) && !v.inScope(next)
	}
	if v.all || scope == "all" {
		return true
	}
	rest, ok := strings.CutPrefix(scope, "users:")
	if !ok {
		return false
	}
	users, teamList, _ := strings.Cut(rest, ";teams:")
	var teams []int
	for _, t := range strings.Split(teamList, ",") {
		if id, err := strconv.Atoi(t); err == nil {
			teams = append(teams, id)
		}
	}
	return v.listed(strings.Split(users, ","), teams)
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
		return func(e *realtime.Event) bool { return v.inScope(e.Scope) }, nil
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
	// A board.updated that hides the board from the viewer ends what they
	// hear of it at once, before the next recheck ends the subscription.
	var hidden atomic.Bool
	return func(e *realtime.Event) bool {
		if e.Type == "board.updated" && !v.all {
			var nb Board
			if json.Unmarshal(e.Data, &nb) == nil && nb.ID == id {
				hidden.Store(!v.seesBoard(&nb))
			}
		}
		if hidden.Load() {
			return false
		}
		return v.all || e.Scope == "" || inboxes[e.Scope]
	}, nil
}
