package chat

import (
	"context"
	"strings"
	"sync"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/feature"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
	"github.com/whatpro/hub/internal/realtime"
)

// Authorize implements realtime.Authorizer for the topic "chat": chat:read,
// the internal_chat feature, a member of the account acting as a user.
// The filter it answers delivers the events of the rooms the viewer is in,
// and follows membership changes as their events pass, so someone added
// receives the room from that event on and someone removed stops at once.
func (s *Service) Authorize(ctx context.Context, rv *realtime.Viewer, topic string) (realtime.Filter, error) {
	if topic != Topic {
		return nil, httpx.NotFound()
	}
	if err := s.mayUse(ctx, rv); err != nil {
		return nil, err
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT room_id FROM chat_members WHERE account_id = $1 AND user_id = $2`, rv.AccountID, rv.Principal.UserID)
	ids, err := db.Collect(rows, err, func(r interface{ Scan(...any) error }) (string, error) {
		var id string
		return id, r.Scan(&id)
	})
	if err != nil {
		return nil, err
	}
	f := &roomFilter{user: rv.Principal.UserID, rooms: make(map[string]bool, len(ids))}
	for _, id := range ids {
		f.rooms[id] = true
	}
	return f.see, nil
}

func (s *Service) mayUse(ctx context.Context, rv *realtime.Viewer) error {
	if !rv.Access.Can(iam.PermChatRead) {
		return httpx.E(httpx.CodeForbidden, "missing permission "+iam.PermChatRead)
	}
	off := httpx.E(httpx.CodeFeatureDisabled, "the feature internal_chat is not enabled for this account")
	if s.IAM == nil || s.IAM.Features == nil {
		return off
	}
	if on, err := s.IAM.Features.Enabled(ctx, rv.AccountID, feature.InternalChat, rv.Access.Role); err != nil || !on {
		return off
	}
	if rv.Principal.UserID == "" || !rv.Access.Member {
		return httpx.E(httpx.CodeForbidden, "the chat is for members of the account")
	}
	return nil
}

// roomFilter is one subscription's view of the viewer's rooms. The hub
// shows it every event of the topic after its snapshot, in order (the
// stream position is read before Authorize), so applying joins and leaves
// as they pass keeps it exact; replays converge the same way.
type roomFilter struct {
	mu    sync.Mutex
	user  string
	rooms map[string]bool
}

func (f *roomFilter) see(e *realtime.Event) bool {
	if e.Scope == "" {
		return true // account-wide: presence
	}
	rest, ok := strings.CutPrefix(e.Scope, "room:")
	if !ok {
		return false
	}
	room, tail, _ := strings.Cut(rest, ":")
	kind, who, _ := strings.Cut(tail, ":")
	f.mu.Lock()
	defer f.mu.Unlock()
	stored := e.Seq > 0 // ephemeral events never change membership
	switch kind {
	case "":
		return f.rooms[room]
	case "user":
		return who == f.user && f.rooms[room]
	case "join":
		if stored && listed(who, f.user) {
			f.rooms[room] = true
		}
		return f.rooms[room]
	case "leave":
		in := f.rooms[room]
		if stored && listed(who, f.user) {
			delete(f.rooms, room)
		}
		return in
	}
	return false
}

func listed(csv, id string) bool {
	for _, s := range strings.Split(csv, ",") {
		if s == id {
			return true
		}
	}
	return false
}

// MayPublish implements realtime.Publisher: members publish typing and
// their own presence.
func (s *Service) MayPublish(ctx context.Context, v *realtime.Viewer, topic, event string) bool {
	return topic == Topic && (event == "chat.typing" || event == "chat.presence") && s.mayUse(ctx, v) == nil
}

// PublishScope implements realtime.ScopedPublisher: typing goes to the
// room's members when the sender is one; presence is recorded and sent to
// the account when it changed.
func (s *Service) PublishScope(ctx context.Context, v *realtime.Viewer, _, event string, data map[string]any) (string, bool, error) {
	switch event {
	case "chat.typing":
		room, _ := data["room_id"].(string)
		typing, isBool := data["typing"].(bool)
		if !validID(room) || (data["typing"] != nil && !isBool) {
			return "", false, httpx.E(httpx.CodeBadRequest, "chat.typing needs room_id and typing (true or false)")
		}
		if data["typing"] == nil {
			typing = true
		}
		if _, err := getMember(ctx, s.DB.R, v.AccountID, room, v.Principal.UserID); err != nil {
			return "", false, httpx.E(httpx.CodeForbidden, "only members type in a room")
		}
		clear(data)
		data["room_id"], data["typing"], data["user_id"] = room, typing, v.Principal.UserID
		return roomScope(room), true, nil
	case "chat.presence":
		status, _ := data["status"].(string)
		if status != "online" && status != "away" && status != "offline" {
			return "", false, httpx.E(httpx.CodeBadRequest, "chat.presence needs status online, away or offline")
		}
		changed, until, err := s.setPresence(ctx, v.AccountID, v.Principal.UserID, status)
		if err != nil || !changed {
			return "", false, err
		}
		clear(data)
		data["user_id"], data["status"], data["expires_at"] = v.Principal.UserID, status, until
		return "", true, nil
	}
	return "", false, httpx.E(httpx.CodeForbidden, "this topic takes chat.typing and chat.presence")
}

// Left implements realtime.Leaver: the viewer's last chat socket on this
// instance ended, so they are offline now (said to the account when it
// changed) rather than when the heartbeat lapses.
func (s *Service) Left(ctx context.Context, v *realtime.Viewer, topic string) {
	if topic != Topic || v.Principal.UserID == "" {
		return
	}
	changed, until, err := s.setPresence(ctx, v.AccountID, v.Principal.UserID, "offline")
	if err != nil {
		s.Log.Warn("chat: presence on leaving", "account_id", v.AccountID, "error", err.Error())
		return
	}
	if changed && s.Hub != nil {
		if err := s.Hub.Ephemeral(ctx, v.AccountID, Topic, "chat.presence", map[string]any{"user_id": v.Principal.UserID, "status": "offline", "expires_at": until}); err != nil {
			s.Log.Warn("chat: presence on leaving", "account_id", v.AccountID, "error", err.Error())
		}
	}
}
