package chat

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
)

// addMembers adds people to a room inside tx: new members have read
// everything before they came. creating=true is the room's creation (the
// creator owns public and private rooms).
func (s *Service) addMembers(r *http.Request, tx *sql.Tx, b *batch, v *viewer, rm *Room, ids []string, creating bool) error {
	ctx, now := r.Context(), s.now()
	if len(rm.MemberIDs)+len(ids) > maxRoomMembers {
		return httpx.E(httpx.CodeUnprocessable, "a room has at most 1000 members")
	}
	for _, id := range ids {
		role := RoleMember
		if creating && id == v.userID && (rm.Type == TypePublic || rm.Type == TypePrivate) {
			role = RoleOwner
		}
		if err := insertMember(ctx, tx, v.accountID, &member{RoomID: rm.ID, UserID: id, Role: role, LastReadSeq: rm.LastSeq}, now); err != nil {
			if errors.Is(err, db.ErrConflict) {
				continue // already a member: adding is idempotent
			}
			return err
		}
		rm.MemberIDs = append(rm.MemberIDs, id)
	}
	if creating {
		b.emit("chat.room.created", joinScope(rm.ID, rm.MemberIDs), map[string]any{"room_id": rm.ID, "room": rm.shared()})
		if rm.Type != TypeDM {
			if err := s.system(ctx, tx, b, v.accountID, rm, map[string]any{"action": "room_created", "by": v.userID}); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, r, v.accountID, "chat.room.created", "chat_room", rm.ID, nil,
			map[string]any{"type": rm.Type, "name": rm.Name, "member_ids": rm.MemberIDs})
	}
	b.emit("chat.room.member_added", joinScope(rm.ID, ids), map[string]any{"room_id": rm.ID, "user_ids": ids, "by": v.userID,
		"room": rm.shared()})
	if rm.Type != TypeDM {
		if err := s.system(ctx, tx, b, v.accountID, rm, map[string]any{"action": "member_added", "user_ids": ids, "by": v.userID}); err != nil {
			return err
		}
	}
	return s.audit(ctx, tx, r, v.accountID, "chat.member.added", "chat_room", rm.ID, nil, map[string]any{"user_ids": ids})
}

// system posts a system message (room created, member added…): it never
// counts as unread and unhides nothing.
func (s *Service) system(ctx context.Context, tx *sql.Tx, b *batch, accountID string, rm *Room, data map[string]any) error {
	now := s.now()
	seq, err := nextSeq(ctx, tx, accountID, rm.ID, now)
	if err != nil {
		return err
	}
	rm.LastSeq, rm.LastMessageAt = seq, &now
	m := &Message{ID: db.NewID(), RoomID: rm.ID, Seq: seq, Kind: KindSystem, Mentions: []string{}, System: data,
		Reactions: []Reaction{}, Attachments: []*Attachment{}, CreatedAt: now, UpdatedAt: now}
	if err := insertMessage(ctx, tx, accountID, m, ""); err != nil {
		return err
	}
	b.message("chat.message.created", m, "")
	return nil
}

// removeMembers takes people out of a room inside tx; a room left without
// an owner gets its longest-standing member as owner.
func (s *Service) removeMembers(ctx context.Context, r *http.Request, tx *sql.Tx, b *batch, accountID string, rm *Room, ids []string,
	by, action string) error {
	var gone []string
	for _, id := range ids {
		ok, err := deleteMember(ctx, tx, accountID, rm.ID, id)
		if err != nil {
			return err
		}
		if ok {
			gone = append(gone, id)
		}
	}
	if len(gone) == 0 {
		return nil
	}
	rm.MemberIDs = slices.DeleteFunc(rm.MemberIDs, func(id string) bool { return slices.Contains(gone, id) })
	if rm.Type != TypeDM && rm.Type != TypeGroupDM {
		if err := s.system(ctx, tx, b, accountID, rm, map[string]any{"action": action, "user_ids": gone, "by": by}); err != nil {
			return err
		}
	}
	b.emit("chat.room.member_removed", leaveScope(rm.ID, gone), map[string]any{"room_id": rm.ID, "user_ids": gone, "by": by,
		"reason": action, "room": rm.shared()})
	if err := s.keepAnOwner(ctx, tx, b, accountID, rm); err != nil {
		return err
	}
	return s.audit(ctx, tx, r, accountID, memberAction(action), "chat_room", rm.ID, map[string]any{"user_ids": gone}, nil)
}

// memberAction is the audit action of a removal, by its reason. Written out
// so that the audit label test sees every code.
func memberAction(reason string) string {
	switch reason {
	case "left":
		return "chat.member.left"
	case "removed_from_account":
		return "chat.member.removed_from_account"
	}
	return "chat.member.removed"
}

func (s *Service) keepAnOwner(ctx context.Context, tx *sql.Tx, b *batch, accountID string, rm *Room) error {
	if rm.Type != TypePublic && rm.Type != TypePrivate {
		return nil
	}
	ms, err := roomMembers(ctx, tx, accountID, rm.ID)
	if err != nil || len(ms) == 0 {
		return err
	}
	for _, m := range ms {
		if m.Role == RoleOwner {
			return nil
		}
	}
	heir := ms[0]
	if err := setRole(ctx, tx, accountID, rm.ID, heir.UserID, RoleOwner, s.now()); err != nil {
		return err
	}
	b.emit("chat.room.member_updated", roomScope(rm.ID), map[string]any{"room_id": rm.ID, "user_id": heir.UserID, "role": RoleOwner})
	return nil
}

// memberView is one member in GET …/members.
type memberView struct {
	UserID   string    `json:"user_id"`
	Name     string    `json:"name"`
	Role     string    `json:"role"`
	JoinedAt time.Time `json:"joined_at"`
}

// ListMembers answers a room's members with their names.
func (s *Service) ListMembers(w http.ResponseWriter, r *http.Request) error {
	v, err := viewerOf(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	if _, err := s.access(ctx, s.DB.R, v, r.PathValue("roomID")); err != nil {
		return err
	}
	ms, err := roomMembers(ctx, s.DB.R, v.accountID, r.PathValue("roomID"))
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(ms))
	for _, m := range ms {
		ids = append(ids, m.UserID)
	}
	names, err := s.activeNames(ctx, s.DB.R, v.accountID, ids)
	if err != nil {
		return err
	}
	out := make([]memberView, 0, len(ms))
	for _, m := range ms {
		out = append(out, memberView{UserID: m.UserID, Name: names[m.UserID], Role: m.Role, JoinedAt: m.JoinedAt})
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": out, "pagination": httpx.Pagination{}})
	return nil
}

// AddMembers adds people: to a public room any member may, to a private
// room its owners and admins; DMs keep the people they were made for.
func (s *Service) AddMembers(w http.ResponseWriter, r *http.Request) error {
	v, err := viewerOf(r)
	if err != nil {
		return err
	}
	var in struct {
		UserIDs []string `json:"user_ids"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	chk := &checker{}
	ids := chk.ids("user_ids", in.UserIDs, maxRoomMembers)
	if len(in.UserIDs) == 0 {
		chk.add("user_ids", "is required")
	}
	if err := chk.err(); err != nil {
		return err
	}
	ctx, roomID := r.Context(), r.PathValue("roomID")
	err = s.write(ctx, v.accountID, func(tx *sql.Tx, b *batch) error {
		a, err := s.lockedAccess(ctx, tx, v, roomID)
		if err != nil {
			return err
		}
		if err := a.writable(); err != nil {
			return err
		}
		switch {
		case a.room.Type == TypeDM || a.room.Type == TypeGroupDM:
			return httpx.E(httpx.CodeUnprocessable, "a DM keeps its people; start a group DM instead")
		case a.room.Type == TypePrivate && !a.owner(v):
			return httpx.E(httpx.CodeForbidden, "only the room's owners and account admins add people to a private room")
		}
		names, err := s.activeNames(ctx, tx, v.accountID, ids)
		if err != nil {
			return err
		}
		if len(names) != len(ids) {
			return httpx.Invalid(httpx.FieldError{Field: "user_ids", Message: "must name active members of the account"})
		}
		var fresh []string
		for _, id := range ids {
			if !slices.Contains(a.room.MemberIDs, id) {
				fresh = append(fresh, id)
			}
		}
		if len(fresh) == 0 {
			return nil
		}
		return s.addMembers(r, tx, b, v, a.room, fresh, false)
	})
	return s.answerRoom(w, r, v, roomID, err)
}

func (s *Service) answerRoom(w http.ResponseWriter, r *http.Request, v *viewer, roomID string, err error) error {
	if err != nil {
		return err
	}
	rm, err := s.roomFor(r.Context(), v, roomID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, rm)
	return nil
}

// lockedAccess locks the room, then loads the viewer's access to it.
func (s *Service) lockedAccess(ctx context.Context, tx *sql.Tx, v *viewer, roomID string) (*roomAccess, error) {
	if !validID(roomID) {
		return nil, httpx.NotFound()
	}
	if _, err := lockRoom(ctx, tx, s.DB.Dialect, v.accountID, roomID); err != nil {
		if errors.Is(err, db.ErrNotFound) {
			return nil, httpx.NotFound()
		}
		return nil, err
	}
	return s.access(ctx, tx, v, roomID)
}

// Join makes the caller a member of a public room.
func (s *Service) Join(w http.ResponseWriter, r *http.Request) error {
	v, err := viewerOf(r)
	if err != nil {
		return err
	}
	ctx, roomID := r.Context(), r.PathValue("roomID")
	err = s.write(ctx, v.accountID, func(tx *sql.Tx, b *batch) error {
		a, err := s.lockedAccess(ctx, tx, v, roomID)
		if err != nil {
			return err
		}
		if a.member != nil {
			return nil
		}
		if a.room.ArchivedAt != nil {
			return httpx.E(httpx.CodeConflict, "the room is archived")
		}
		return s.addMembers(r, tx, b, v, a.room, []string{v.userID}, false)
	})
	return s.answerRoom(w, r, v, roomID, err)
}

// Leave takes the caller out of a room (DMs are hidden, not left).
func (s *Service) Leave(w http.ResponseWriter, r *http.Request) error {
	v, err := viewerOf(r)
	if err != nil {
		return err
	}
	return s.remove(w, r, v, v.userID)
}

// RemoveMember takes someone out of a room (owners and admins), or the
// caller when it names them.
func (s *Service) RemoveMember(w http.ResponseWriter, r *http.Request) error {
	v, err := viewerOf(r)
	if err != nil {
		return err
	}
	return s.remove(w, r, v, r.PathValue("userID"))
}

func (s *Service) remove(w http.ResponseWriter, r *http.Request, v *viewer, userID string) error {
	ctx, roomID := r.Context(), r.PathValue("roomID")
	err := s.write(ctx, v.accountID, func(tx *sql.Tx, b *batch) error {
		a, err := s.lockedAccess(ctx, tx, v, roomID)
		if err != nil {
			return err
		}
		if a.member == nil {
			return httpx.E(httpx.CodeForbidden, "join the room first")
		}
		if a.room.Type == TypeDM || a.room.Type == TypeGroupDM {
			return httpx.E(httpx.CodeUnprocessable, "a DM keeps its people; hide it instead")
		}
		if !slices.Contains(a.room.MemberIDs, userID) {
			return httpx.NotFound()
		}
		action := "left"
		if userID != v.userID {
			if !a.owner(v) {
				return httpx.E(httpx.CodeForbidden, "only the room's owners and account admins remove people")
			}
			action = "removed"
		}
		return s.removeMembers(ctx, r, tx, b, v.accountID, a.room, []string{userID}, v.userID, action)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// UpdateMember changes a member's role (owners and admins).
func (s *Service) UpdateMember(w http.ResponseWriter, r *http.Request) error {
	v, err := viewerOf(r)
	if err != nil {
		return err
	}
	var in struct {
		Role string `json:"role"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if in.Role != RoleOwner && in.Role != RoleMember {
		return httpx.Invalid(httpx.FieldError{Field: "role", Message: "must be owner or member"})
	}
	ctx, roomID, userID := r.Context(), r.PathValue("roomID"), r.PathValue("userID")
	err = s.write(ctx, v.accountID, func(tx *sql.Tx, b *batch) error {
		a, err := s.lockedAccess(ctx, tx, v, roomID)
		if err != nil {
			return err
		}
		if err := a.writable(); err != nil {
			return err
		}
		if a.room.Type != TypePublic && a.room.Type != TypePrivate {
			return httpx.E(httpx.CodeUnprocessable, "DMs have no owners")
		}
		if !a.owner(v) {
			return httpx.E(httpx.CodeForbidden, "only the room's owners and account admins change roles")
		}
		m, err := getMember(ctx, tx, v.accountID, roomID, userID)
		if err != nil {
			return err
		}
		if m.Role == in.Role {
			return nil
		}
		if err := setRole(ctx, tx, v.accountID, roomID, userID, in.Role, s.now()); err != nil {
			return err
		}
		if err := s.keepAnOwner(ctx, tx, b, v.accountID, a.room); err != nil {
			return err
		}
		b.emit("chat.room.member_updated", roomScope(roomID), map[string]any{"room_id": roomID, "user_id": userID, "role": in.Role})
		return s.audit(ctx, tx, r, v.accountID, "chat.member.role_changed", "chat_room", roomID,
			map[string]any{"user_id": userID, "role": m.Role}, map[string]any{"user_id": userID, "role": in.Role})
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// MembershipEnded is the iam hook: a user removed from (or disabled in)
// the account leaves every room in the same transaction, so the rooms,
// their events and their attachments are closed to them at once.
func (s *Service) MembershipEnded(r *http.Request, tx *sql.Tx, accountID, userID string) error {
	ctx := r.Context()
	rows, err := tx.QueryContext(ctx, `SELECT room_id FROM chat_members WHERE account_id = $1 AND user_id = $2 ORDER BY room_id`, accountID, userID)
	ids, err := db.Collect(rows, err, func(r interface{ Scan(...any) error }) (string, error) {
		var id string
		return id, r.Scan(&id)
	})
	if err != nil || len(ids) == 0 {
		return err
	}
	b := &batch{}
	for _, id := range ids {
		rm, err := lockRoom(ctx, tx, s.DB.Dialect, accountID, id)
		if err != nil {
			return err
		}
		if err := s.removeMembers(ctx, r, tx, b, accountID, rm, []string{userID}, "", "removed_from_account"); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM chat_presence WHERE account_id = $1 AND user_id = $2`, accountID, userID); err != nil {
		return err
	}
	_, err = s.Events.Append(ctx, tx, accountID, b.events...)
	// The hub polls the heads and PostgreSQL notifies at commit: the
	// removal reaches every socket without a wake from here.
	return err
}
