package cwsim

import (
	"math/rand/v2"
	"sync"
)

// Failure modes of Chatwoot's webhook delivery that a consumer must
// survive, as knobs: duplicated jobs (#11901: the same message_created
// twice, each with its own X-Chatwoot-Delivery) and jobs that run late,
// so a later event overtakes an earlier one (Sidekiq runs them
// concurrently). Options.DuplicateRate and ReorderRate play them at
// random under load; DuplicateNext and HoldNext make them happen exactly
// when a test wants.

type knobs struct {
	duplicate map[string]int             // event → how many more emissions go out twice
	hold      map[string][]chan struct{} // event → holds for its next emissions
}

// DuplicateNext makes the next n emissions of event (every delivery of
// it) go out twice.
func (s *Sim) DuplicateNext(event string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.knobs.duplicate == nil {
		s.knobs.duplicate = map[string]int{}
	}
	s.knobs.duplicate[event] += n
}

// HoldNext holds back every delivery of the next emission of event until
// release is called (or the Sim closes), so deliveries of later events
// overtake it. Flush waits for held deliveries, so release first.
func (s *Sim) HoldNext(event string) (release func()) {
	ch := make(chan struct{})
	s.mu.Lock()
	if s.knobs.hold == nil {
		s.knobs.hold = map[string][]chan struct{}{}
	}
	s.knobs.hold[event] = append(s.knobs.hold[event], ch)
	s.mu.Unlock()
	var once sync.Once
	return func() { once.Do(func() { close(ch) }) }
}

// applyKnobs treats the deliveries emit just added for event (from
// ob.items[first:]). Called with mu held.
func (s *Sim) applyKnobs(ob *outbox, first int, event string) {
	added := ob.items[first:]
	if len(added) == 0 {
		return
	}
	if list := s.knobs.hold[event]; len(list) > 0 {
		for i := range added {
			added[i].hold = list[0]
		}
		s.knobs.hold[event] = list[1:]
	}
	if s.opts.ReorderRate > 0 && rand.Float64() < s.opts.ReorderRate {
		for i := range added {
			added[i].delay = s.opts.ReorderDelay
		}
	}
	dup := s.knobs.duplicate[event] > 0
	if dup {
		s.knobs.duplicate[event]--
	} else if event == "message_created" && s.opts.DuplicateRate > 0 {
		dup = rand.Float64() < s.opts.DuplicateRate
	}
	if dup {
		ob.items = append(ob.items, added...)
	}
}

func cloneDelivery(d *Delivery) *Delivery {
	c := *d
	return &c
}
