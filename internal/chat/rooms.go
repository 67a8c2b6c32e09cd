package chat

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
	"github.com/whatpro/hub/internal/plan"
	"github.com/whatpro/hub/internal/realtime"
)

// access loads a room and the viewer's membership; a room of another
// account, or a private room or DM the viewer is not in, is a 404.
func (s *Service) access(ctx context.Context, q db.Querier, v *viewer, roomID string) (*roomAccess, error) {
	if !validID(roomID) {
		return nil, httpx.NotFound()
	}
	rm, err := getRoom(ctx, q, v.accountID, roomID)
	if err != nil {
		return nil, err
	}
	a := &roomAccess{room: rm}
	m, err := getMember(ctx, q, v.accountID, roomID, v.userID)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return nil, err
	}
	if err == nil {
		a.member = m
		applyMember(rm, m)
	}
	if !a.canRead() {
		return nil, httpx.NotFound()
	}
	return a, nil
}

func applyMember(rm *Room, m *member) {
	rm.Member, rm.Role, rm.LastReadSeq, rm.UnreadCount, rm.MentionCount = true, m.Role, m.LastReadSeq, m.UnreadCount, m.MentionCount
	rm.Muted, rm.MutedUntil, rm.Hidden = m.Muted, m.MutedUntil, m.Hidden
}

func base(accountID string) string { return "/api/v1/accounts/" + accountID }

// ListRooms answers the rooms the caller is in (archived ones with
// ?archived=true, joinable public rooms with ?public=true) and the
// account's event sequence read before them.
func (s *Service) ListRooms(w http.ResponseWriter, r *http.Request) error {
	v, err := viewerOf(r)
	if err != nil {
		return err
	}
	ctx, q := r.Context(), r.URL.Query()
	seq, err := realtime.Head(ctx, s.DB.R, v.accountID)
	if err != nil {
		return err
	}
	var rooms []*Room
	if q.Get("public") == "true" {
		rooms, err = publicRooms(ctx, s.DB.R, v.accountID, v.userID)
	} else {
		rooms, err = userRooms(ctx, s.DB.R, v.accountID, v.userID, q.Get("archived") == "true")
	}
	if err != nil {
		return err
	}
	last, err := lastMessages(ctx, s.DB.R, v.accountID, rooms)
	if err != nil {
		return err
	}
	msgs := make([]*Message, 0, len(last))
	for _, m := range last {
		msgs = append(msgs, m)
	}
	if err := loadDetails(ctx, s.DB.R, v.accountID, msgs, base(v.accountID)); err != nil {
		return err
	}
	for _, rm := range rooms {
		rm.LastMessage = last[rm.ID]
	}
	if rooms == nil {
		rooms = []*Room{}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": rooms, "pagination": httpx.Pagination{}, "seq": seq})
	return nil
}

// GetRoom answers one room.
func (s *Service) GetRoom(w http.ResponseWriter, r *http.Request) error {
	v, err := viewerOf(r)
	if err != nil {
		return err
	}
	a, err := s.access(r.Context(), s.DB.R, v, r.PathValue("roomID"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, a.room)
	return nil
}

// dmKey identifies a DM or group DM by its member set.
func dmKey(typ string, ids []string) string {
	sorted := slices.Clone(ids)
	sort.Strings(sorted)
	h := sha256.Sum256([]byte(typ + ":" + strings.Join(sorted, ",")))
	return hex.EncodeToString(h[:])
}

// CreateRoom creates a public or private room (the caller its owner), a
// group DM, or a 1:1 DM. A DM or group DM with the same people answers the
// existing one (200), also under concurrent creates.
func (s *Service) CreateRoom(w http.ResponseWriter, r *http.Request) error {
	v, err := viewerOf(r)
	if err != nil {
		return err
	}
	var in roomInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	chk := &checker{}
	ids := chk.ids("member_ids", in.MemberIDs, maxRoomMembers)
	ids = slices.DeleteFunc(ids, func(id string) bool { return id == v.userID })
	rm := &Room{ID: db.NewID(), Type: in.Type, CreatedBy: v.userID, CreatedAt: s.now()}
	rm.UpdatedAt = rm.CreatedAt
	switch in.Type {
	case TypePublic, TypePrivate:
		if !in.Name.Set || in.Name.Null {
			chk.add("name", "is required")
		} else {
			rm.Name = chk.text("name", in.Name.Value, 1, maxName)
		}
		if in.Topic.Set && !in.Topic.Null {
			rm.Topic = chk.text("topic", in.Topic.Value, 0, maxTopic)
		}
	case TypeDM:
		if len(in.MemberIDs) != 1 {
			chk.add("member_ids", "a DM names the one other person (or yourself)")
		}
	case TypeGroupDM:
		if len(ids) < 2 || len(ids)+1 > maxGroupDM {
			chk.add("member_ids", "a group DM names 2 to 8 other people; use type dm for one")
		}
	default:
		chk.add("type", "must be public, private, group_dm or dm")
	}
	if (in.Type == TypeDM || in.Type == TypeGroupDM) && (in.Name.Set || in.Topic.Set) {
		chk.add("name", "DMs have no name or topic")
	}
	if in.Archived.Set {
		chk.add("archived", "archive a room after creating it")
	}
	if err := chk.err(); err != nil {
		return err
	}
	all := append([]string{v.userID}, ids...)
	status := http.StatusCreated
	err = s.write(r.Context(), v.accountID, func(tx *sql.Tx, b *batch) error {
		names, err := s.activeNames(r.Context(), tx, v.accountID, all)
		if err != nil {
			return err
		}
		if len(names) != len(all) {
			return httpx.Invalid(httpx.FieldError{Field: "member_ids", Message: "must name active members of the account"})
		}
		if in.Type == TypeDM || in.Type == TypeGroupDM {
			created, err := s.createDM(r, tx, b, v, rm, all)
			if !created {
				status = http.StatusOK
			}
			return err
		}
		if err := s.reserveRoom(r.Context(), tx, v.accountID); err != nil {
			return err
		}
		key := fold(rm.Name)
		if err := insertRoom(r.Context(), tx, v.accountID, rm, &key, nil); err != nil {
			if errors.Is(err, db.ErrConflict) {
				return httpx.E(httpx.CodeConflict, "a room with this name exists")
			}
			return err
		}
		return s.addMembers(r, tx, b, v, rm, all, true)
	})
	if err != nil {
		return err
	}
	if rm, err = s.roomFor(r.Context(), v, rm.ID); err != nil {
		return err
	}
	httpx.WriteJSON(w, status, rm)
	return nil
}

// roomFor reads a room with the viewer's member fields after a write.
func (s *Service) roomFor(ctx context.Context, v *viewer, roomID string) (*Room, error) {
	a, err := s.access(ctx, s.DB.R, v, roomID)
	if err != nil {
		return nil, err
	}
	return a.room, nil
}

// createDM inserts the DM once per member set; when it exists, people
// who left the account and came back are its members again.
func (s *Service) createDM(r *http.Request, tx *sql.Tx, b *batch, v *viewer, rm *Room, all []string) (bool, error) {
	ctx := r.Context()
	key := dmKey(rm.Type, all)
	created, err := insertRoomOnce(ctx, tx, v.accountID, rm, key)
	if err != nil {
		return false, err
	}
	if created {
		if err := s.reserveRoom(ctx, tx, v.accountID); err != nil {
			return false, err
		}
		return true, s.addMembers(r, tx, b, v, rm, all, true)
	}
	cur, err := roomByDMKey(ctx, tx, v.accountID, key)
	if err != nil {
		return false, err
	}
	*rm = *cur
	var missing []string
	for _, id := range all {
		if !slices.Contains(cur.MemberIDs, id) {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return false, s.addMembers(r, tx, b, v, rm, missing, false)
	}
	return false, nil
}

// activeNames answers the names of the active account members among ids.
func (s *Service) activeNames(ctx context.Context, q db.Querier, accountID string, ids []string) (map[string]string, error) {
	list, err := iam.ActiveMembers(ctx, q, accountID, ids)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, m := range list {
		out[m.ID] = m.Name
	}
	return out, nil
}

// roomInputUpdate is the body of PATCH …/rooms/{roomID}.
type roomUpdate struct {
	Name     opt[string] `json:"name"`
	Topic    opt[string] `json:"topic"`
	Archived opt[bool]   `json:"archived"`
}

// UpdateRoom renames, sets the topic, archives or unarchives (owners and
// admins; the topic also any member of a public room).
func (s *Service) UpdateRoom(w http.ResponseWriter, r *http.Request) error {
	v, err := viewerOf(r)
	if err != nil {
		return err
	}
	var in roomUpdate
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	ctx, roomID := r.Context(), r.PathValue("roomID")
	err = s.write(ctx, v.accountID, func(tx *sql.Tx, b *batch) error {
		if _, err := lockRoom(ctx, tx, s.DB.Dialect, v.accountID, roomID); err != nil {
			if errors.Is(err, db.ErrNotFound) {
				return httpx.NotFound()
			}
			return err
		}
		a, err := s.access(ctx, tx, v, roomID)
		if err != nil {
			return err
		}
		rm := a.room
		if a.member == nil {
			return httpx.E(httpx.CodeForbidden, "join the room first")
		}
		dm := rm.Type == TypeDM || rm.Type == TypeGroupDM
		chk := &checker{}
		if in.Name.Set {
			if dm || in.Name.Null {
				chk.add("name", "DMs have no name; rooms need one")
			} else {
				rm.Name = chk.text("name", in.Name.Value, 1, maxName)
			}
		}
		if in.Topic.Set {
			if dm {
				chk.add("topic", "DMs have no topic")
			} else if !in.Topic.Null {
				rm.Topic = chk.text("topic", in.Topic.Value, 0, maxTopic)
			} else {
				rm.Topic = ""
			}
		}
		if in.Archived.Set && (in.Archived.Null || dm) {
			chk.add("archived", "must be true or false, for rooms (hide a DM instead)")
		}
		if err := chk.err(); err != nil {
			return err
		}
		if !a.owner(v) && (in.Name.Set || in.Archived.Set || in.Topic.Set && rm.Type != TypePublic) {
			return httpx.E(httpx.CodeForbidden, "only the room's owners and account admins change this")
		}
		if rm.ArchivedAt != nil && !(in.Archived.Set && !in.Archived.Value) {
			return httpx.E(httpx.CodeConflict, "the room is archived; unarchive it first")
		}
		now := s.now()
		typ, action := "chat.room.updated", "" // the event, and the audit action of an archive change
		if in.Archived.Set {
			switch {
			case in.Archived.Value && rm.ArchivedAt == nil:
				rm.ArchivedAt, typ, action = &now, "chat.room.archived", "chat.archived"
			case !in.Archived.Value && rm.ArchivedAt != nil:
				rm.ArchivedAt, typ, action = nil, "chat.room.unarchived", "chat.unarchived"
			}
		}
		rm.UpdatedAt = now
		var key *string
		if !dm {
			k := fold(rm.Name)
			key = &k
		}
		if err := updateRoom(ctx, tx, v.accountID, rm, key); err != nil {
			if errors.Is(err, db.ErrConflict) {
				return httpx.E(httpx.CodeConflict, "a room with this name exists")
			}
			return err
		}
		b.emit(typ, roomScope(rm.ID), map[string]any{"room_id": rm.ID, "room": rm.shared()})
		if action != "" {
			return s.audit(ctx, tx, r, v.accountID, action, "chat_room", rm.ID, nil,
				map[string]any{"name": rm.Name, "type": rm.Type})
		}
		return nil
	})
	if err != nil {
		return err
	}
	rm, err := s.roomFor(ctx, v, roomID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, rm)
	return nil
}

// reserveRoom checks the plan's max_chat_rooms (the new room is already
// inserted for DMs, so the count includes it).
func (s *Service) reserveRoom(ctx context.Context, tx *sql.Tx, accountID string) error {
	if s.Plans == nil {
		return nil
	}
	return s.Plans.Reserve(ctx, tx, accountID, plan.MaxChatRooms)
}

// RoomCounter measures the plan's max_chat_rooms.
func RoomCounter(ctx context.Context, q db.Querier, accountID string, _ time.Time) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM chat_rooms WHERE account_id = $1`, accountID).Scan(&n)
	return n, err
}
