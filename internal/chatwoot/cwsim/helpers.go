package cwsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// op runs a state change with mu held and sends the webhooks it caused
// afterwards, exactly like an HTTP handler does.
func (s *Sim) op(fn func(ob *outbox) error) error {
	ob := &outbox{base: s.frontendURL(nil)}
	s.mu.Lock()
	err := fn(ob)
	s.mu.Unlock()
	s.dispatch(ob)
	if e, isAPI := err.(*apiError); isAPI {
		raw, _ := json.Marshal(e.body)
		return fmt.Errorf("cwsim: %d %s", e.status, raw)
	}
	return err
}

// Inboxes lists every inbox of an account, with secrets.
func (s *Sim) Inboxes(accountID int) []Inbox {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Inbox
	for _, ib := range s.inboxes {
		if ib.AccountID == accountID {
			out = append(out, snapInbox(ib))
		}
	}
	return out
}

// Webhooks lists the account webhooks of an account, with secrets.
func (s *Sim) Webhooks(accountID int) []Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Webhook
	for _, wh := range s.webhooks {
		if wh.AccountID == accountID {
			out = append(out, snapWebhook(wh))
		}
	}
	return out
}

// Contacts lists the contacts of an account.
func (s *Sim) Contacts(accountID int) []Contact {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Contact
	for _, ct := range s.contacts {
		if ct.AccountID == accountID {
			out = append(out, snapContact(ct))
		}
	}
	return out
}

// Conversations lists the conversations of an account.
func (s *Sim) Conversations(accountID int) []Conversation {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Conversation
	for _, cv := range s.conversations {
		if cv.AccountID == accountID {
			out = append(out, s.snapConversation(cv))
		}
	}
	return out
}

// Messages lists a conversation's messages (activity ones included).
func (s *Sim) Messages(accountID, displayID int) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	if cv := s.conversationByDisplay(accountID, displayID); cv != nil {
		for _, m := range s.conversationMessages(cv) {
			out = append(out, s.snapMessage(m))
		}
	}
	return out
}

// DashboardApps lists the dashboard apps of an account.
func (s *Sim) DashboardApps(accountID int) []DashboardApp {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []DashboardApp
	for _, a := range s.dashboardApps {
		if a.AccountID == accountID {
			out = append(out, snapDashboardApp(a))
		}
	}
	return out
}

// SignIn creates a devise session without HTTP, as POST /auth/sign_in would.
func (s *Sim) SignIn(email, password string) (Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	email = strings.ToLower(strings.TrimSpace(email))
	for _, u := range s.users {
		if u.Email == email && u.Password == password && password != "" {
			if !u.Confirmed {
				return Session{}, errors.New("cwsim: user not confirmed")
			}
			sess := s.newSession(u)
			return Session{AccessToken: sess.Token, Client: sess.Client, UID: u.Email, Expiry: sess.Expiry}, nil
		}
	}
	return Session{}, errors.New("cwsim: invalid login credentials")
}

// ExpireSession makes the session holding accessToken expired, so the next
// profile check or dashboard load is refused. It reports whether it found one.
func (s *Sim) ExpireSession(accessToken string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sess := range s.sessions {
		if sess.Token == accessToken {
			sess.Expiry = s.now().Add(-1e9)
			return true
		}
	}
	return false
}

// SetConfirmed sets a user's email confirmation, which /profile reports and
// which sign-in requires.
func (s *Sim) SetConfirmed(userID int, confirmed bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.userByID(userID); u != nil {
		u.Confirmed = confirmed
		return true
	}
	return false
}

// SetRole changes a user's role in an account (e.g. demote an administrator).
func (s *Sim) SetRole(userID, accountID int, role string) bool {
	if role != RoleAdministrator && role != RoleAgent {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.userByID(userID).member(accountID); m != nil {
		m.Role = role
		return true
	}
	return false
}
