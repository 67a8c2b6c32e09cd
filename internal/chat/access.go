package chat

import (
	"context"
	"net/http"

	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
)

// viewer is who calls: a member of the account acting as a user (a
// session, an instance token, or an API key acting as its creator).
type viewer struct {
	accountID string
	userID    string
	admin     bool // account admin: may use @room, moderate, set retention
}

func viewerOf(r *http.Request) (*viewer, error) {
	return viewerFrom(r.Context())
}

func viewerFrom(ctx context.Context) (*viewer, error) {
	acc, p := iam.AccessFrom(ctx), iam.PrincipalFrom(ctx)
	if acc == nil || p == nil || p.UserID == "" || !acc.Member {
		return nil, httpx.E(httpx.CodeForbidden, "the chat is for members of the account")
	}
	return &viewer{accountID: acc.AccountID, userID: p.UserID, admin: acc.Role == iam.RoleAdmin}, nil
}

// roomAccess is what a viewer may do in one room.
type roomAccess struct {
	room   *Room
	member *member // nil when not a member
}

// canRead: members, and anyone in the account for public rooms (a
// preview before joining).
func (a *roomAccess) canRead() bool { return a.member != nil || a.room.Type == TypePublic }

func (a *roomAccess) owner(v *viewer) bool {
	return v.admin || a.member != nil && a.member.Role == RoleOwner
}

func (a *roomAccess) writable() error {
	if a.member == nil {
		return httpx.E(httpx.CodeForbidden, "join the room first")
	}
	if a.room.ArchivedAt != nil {
		return httpx.E(httpx.CodeConflict, "the room is archived")
	}
	return nil
}
