package cwsim

import "fmt"

// AgentBot is a copy of an agent bot; AccountID 0 means a global bot.
type AgentBot struct {
	ID, AccountID int
	Name          string
}

// AddAgentBot registers an agent bot of an account (0: a global one), so
// messages can name it as their sender (sender_type "AgentBot").
func (s *Sim) AddAgentBot(accountID int, name string) (AgentBot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if accountID != 0 && s.account(accountID) == nil {
		return AgentBot{}, fmt.Errorf("cwsim: no account %d", accountID)
	}
	b := &agentBot{ID: s.next("agent_bot"), AccountID: accountID, Name: name}
	s.agentBots = append(s.agentBots, b)
	return AgentBot{ID: b.ID, AccountID: b.AccountID, Name: b.Name}, nil
}

// agentBotFor is AgentBot.where(account_id: [nil, account]).find_by(id:).
// Called with mu held.
func (s *Sim) agentBotFor(accountID, id int) *agentBot {
	for _, b := range s.agentBots {
		if b.ID == id && (b.AccountID == 0 || b.AccountID == accountID) {
			return b
		}
	}
	return nil
}

func (s *Sim) agentBotByID(id int) *agentBot {
	for _, b := range s.agentBots {
		if b.ID == id {
			return b
		}
	}
	return nil
}

// agentBotWebhookJSON is AgentBot#webhook_data.
func agentBotWebhookJSON(b *agentBot) map[string]any {
	return map[string]any{"id": b.ID, "name": b.Name, "type": "agent_bot"}
}

// agentBotPushJSON is AgentBot#push_event_data.
func agentBotPushJSON(b *agentBot) map[string]any {
	return map[string]any{"id": b.ID, "name": b.Name, "avatar_url": "", "type": "agent_bot"}
}
