package gateway

import (
	"context"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/whatpro/hub/internal/provider"
)

// Pacing spaces a number's sends the way a person would, so a burst of
// replies does not get an unofficial number banned: a jittered gap
// between two messages to one chat, shown as typing where the provider
// can, and a ceiling on the number's messages per minute. It waits inside
// the lane's drain (a short gap) or holds the lane's head (the number's
// rate is used up), so it never reorders a lane.
type Pacing struct {
	ChatGap   time.Duration // mean gap between two messages to one chat, jittered ±50%; 0: none
	PerMinute int           // messages per number per minute; 0: no limit
	Typing    bool          // show "typing…" during the gap
}

// maxInlineWait is the longest a drain sleeps for the number's rate; a
// longer wait holds the item so the worker is free meanwhile.
const maxInlineWait = 2 * time.Second

// pacer keeps the pacing state of this process.
type pacer struct {
	mu       sync.Mutex
	chatNext map[string]time.Time // instance + chat → earliest next send to it
	slot     map[string]time.Time // instance → earliest next send of the number
}

// reserve takes the number's next send slot if it is due within
// maxInlineWait and reports the wait; else it reports the wait and false
// and takes nothing.
func (p *pacer) reserve(instanceID string, now time.Time, perMinute int) (time.Duration, bool) {
	if perMinute <= 0 {
		return 0, true
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.slot == nil {
		p.slot = map[string]time.Time{}
	}
	next := p.slot[instanceID]
	if next.Before(now) {
		next = now
	}
	wait := next.Sub(now)
	if wait > maxInlineWait {
		return wait, false
	}
	p.slot[instanceID] = next.Add(time.Minute / time.Duration(perMinute))
	return wait, true
}

// chatWait is how long until the chat may get its next message.
func (p *pacer) chatWait(key string, now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return max(p.chatNext[key].Sub(now), 0)
}

// sent records a send to the chat at t: the next one waits a jittered gap.
func (p *pacer) sent(key string, t time.Time, gap time.Duration) {
	if gap <= 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.chatNext == nil {
		p.chatNext = map[string]time.Time{}
	}
	p.chatNext[key] = t.Add(jitter(gap))
}

// jitter spreads d uniformly over [d/2, 3d/2].
func jitter(d time.Duration) time.Duration {
	return d/2 + time.Duration(rand.Int64N(int64(d)+1))
}

func paceKey(num *provider.Number, c *chat) string { return num.Instance.ID + "\x00" + c.JID }

// pace waits until the number and the chat may take the next message,
// showing typing meanwhile; a number over its rate holds the item. It
// uses the number's pacing as saved now (its settings over the hub's
// defaults) and returns it, for the gap after the send.
func (s *Service) pace(ctx context.Context, num *provider.Number, c *chat) (Pacing, error) {
	st, err := settingsOf(ctx, s.DB.R, num.Instance.AccountID, num.Instance.ID)
	if err != nil {
		return Pacing{}, err
	}
	p := s.pacingFor(st)
	return p, s.wait(ctx, num, c, p)
}

func (s *Service) wait(ctx context.Context, num *provider.Number, c *chat, p Pacing) error {
	now := time.Now()
	rateWait, ok := s.pacer.reserve(num.Instance.ID, now, p.PerMinute)
	if !ok {
		return hold(rateWait, "paced: the number sends at most %d messages a minute", p.PerMinute)
	}
	d := max(rateWait, s.pacer.chatWait(paceKey(num, c), now))
	if d <= 0 {
		return nil
	}
	if p.Typing {
		waited, err := num.Typing(ctx, c.JID, s.lastInboundID(ctx, c), d)
		if err != nil && s.Log != nil {
			s.Log.Debug("gateway typing presence failed", "instance_id", num.Instance.ID, "error", clip(err.Error(), 300))
		}
		if err == nil && waited {
			d = time.Until(now.Add(d))
		}
	}
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// lastInboundID is the chat's latest customer message at the provider.
func (s *Service) lastInboundID(ctx context.Context, c *chat) string {
	var id string
	err := s.DB.R.QueryRowContext(ctx, `SELECT provider_message_id FROM gateway_messages WHERE account_id = $1 AND instance_id = $2
		AND chat_id = $3 AND direction = 'in' AND provider_message_id IS NOT NULL ORDER BY created_at DESC LIMIT 1`,
		c.AccountID, c.InstanceID, c.ID).Scan(&id)
	if err != nil || strings.HasPrefix(id, "del:") || strings.HasPrefix(id, "edit:") {
		return ""
	}
	return id
}
