package realtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/whatpro/hub/internal/db"
)

// ParseClientMessage reads one client message strictly: a single JSON
// object of a known type with known fields, topics that are short clean
// "prefix:id" strings, and a last_seq that is not negative.
func ParseClientMessage(raw []byte) (clientMsg, error) {
	var m clientMsg
	if len(raw) > maxMessage {
		return m, fmt.Errorf("a message is at most %d bytes", maxMessage)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return clientMsg{}, errors.New("not a valid message: " + clip(err.Error()))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return clientMsg{}, errors.New("one JSON object per message")
	}
	switch m.Type {
	case "subscribe", "unsubscribe":
		if len(m.Topics) == 0 || len(m.Topics) > maxTopics {
			return clientMsg{}, fmt.Errorf("topics must list 1 to %d topics", maxTopics)
		}
		for _, t := range m.Topics {
			if !ValidTopic(t) {
				return clientMsg{}, errors.New("not a topic: " + clip(t))
			}
		}
		if m.LastSeq != nil && (*m.LastSeq < 0 || m.Type != "subscribe") {
			return clientMsg{}, errors.New("last_seq must be a sequence of 0 or more, on subscribe")
		}
	case "ping":
	case "publish":
		if !ValidTopic(m.Topic) || !validType(m.Event) {
			return clientMsg{}, errors.New("publish needs a topic and an event name such as typing.started")
		}
	default:
		return clientMsg{}, errors.New("type must be subscribe, unsubscribe, publish or ping")
	}
	return m, nil
}

// ValidTopic accepts "prefix" or "prefix:rest": a lower-case prefix and a
// rest of letters, digits, '-', '_', ':' and '.', 200 bytes at most.
func ValidTopic(t string) bool {
	if t == "" || len(t) > 200 || !utf8.ValidString(t) {
		return false
	}
	prefix := true
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c == ':':
			if i == 0 {
				return false
			}
			prefix = false
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '_':
		case !prefix && (c >= 'A' && c <= 'Z' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return t[len(t)-1] != ':'
}

func clip(s string) string {
	if len(s) > 80 {
		s = s[:80]
	}
	return s
}

// needsResync reports whether a client at lastSeq can no longer be caught
// up: the events after it were purged or are outside the window, or the
// sequence is not one this account ever handed out.
func (h *Hub) needsResync(ctx context.Context, accountID string, lastSeq int64) (bool, error) {
	head, floor, err := heads(ctx, h.DB.R, accountID)
	if err != nil {
		return false, err
	}
	if lastSeq > head || lastSeq < floor || head-lastSeq > h.Cfg.WindowEvents {
		return true, nil
	}
	if lastSeq == head {
		return false, nil
	}
	var at time.Time
	var next int64
	err = h.DB.R.QueryRowContext(ctx, `SELECT seq, created_at FROM events WHERE account_id = $1 AND seq > $2 ORDER BY seq LIMIT 1`,
		accountID, lastSeq).Scan(&next, &at)
	if err != nil {
		if errors.Is(db.Translate(err), db.ErrNotFound) {
			return true, nil
		}
		return false, err
	}
	return next != lastSeq+1 || at.Before(db.Now().Add(-h.Cfg.Window)), nil
}
