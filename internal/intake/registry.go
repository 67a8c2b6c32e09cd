package intake

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// registry maps (source, event) to the consumers that handle it. Each
// consumer registers under its own name; an event's consumers each get
// their own execution.
type registry struct {
	mu sync.RWMutex
	// by key "source:event" or "source:*": consumer → handler.
	byKey map[string]map[string]EventHandler
}

// Register makes consumer handle source's event ("*" for every event of
// the source; an exact registration of the same consumer wins over its
// "*"). Registering the same (consumer, source, event) twice is an error,
// meant to stop start-up.
func (d *Dispatcher) Register(consumer, source, event string, h EventHandler) error {
	if consumer == "" || len(consumer) > 60 || !validEvent(consumer) || strings.Contains(consumer, ":") {
		return fmt.Errorf("intake: consumer name %q must be 1-60 letters, digits, '_', '.' or '-'", consumer)
	}
	switch source {
	case SourceChatwoot, SourceChatwootInbox, SourceProvider, SourcePlatform:
	default:
		return fmt.Errorf("intake: %s registers for unknown source %q", consumer, source)
	}
	if event != "*" && !validEvent(event) {
		return fmt.Errorf("intake: %s registers for a malformed event %q", consumer, event)
	}
	if h == nil {
		return fmt.Errorf("intake: %s registers a nil handler for %s:%s", consumer, source, event)
	}
	r := &d.reg
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byKey == nil {
		r.byKey = map[string]map[string]EventHandler{}
	}
	key := source + ":" + event
	if r.byKey[key] == nil {
		r.byKey[key] = map[string]EventHandler{}
	}
	if _, dup := r.byKey[key][consumer]; dup {
		return fmt.Errorf("intake: %s registered twice for %s", consumer, key)
	}
	r.byKey[key][consumer] = h
	return nil
}

// RegisterAll registers a consumer's whole map, keyed "source:event" as
// the domains' Handlers() return it, and stops at the first error.
func (d *Dispatcher) RegisterAll(consumer string, hs map[string]EventHandler) error {
	keys := make([]string, 0, len(hs))
	for k := range hs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		source, event, ok := strings.Cut(k, ":")
		if !ok {
			return fmt.Errorf("intake: %s: handler key %q is not source:event", consumer, k)
		}
		if err := d.Register(consumer, source, event, hs[k]); err != nil {
			return err
		}
	}
	return nil
}

// ConsumersOf lists, sorted, the consumers of source's event.
func (d *Dispatcher) ConsumersOf(source, event string) []string {
	r := &d.reg
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []string
	for c := range r.byKey[source+":"+event] {
		out = append(out, c)
	}
	for c := range r.byKey[source+":*"] {
		if _, exact := r.byKey[source+":"+event][c]; !exact {
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

// handler is consumer's handler of source's event, or nil.
func (d *Dispatcher) handler(consumer, source, event string) EventHandler {
	r := &d.reg
	r.mu.RLock()
	defer r.mu.RUnlock()
	if h := r.byKey[source+":"+event][consumer]; h != nil {
		return h
	}
	return r.byKey[source+":*"][consumer]
}
