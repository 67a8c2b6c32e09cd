package realtime

import (
	"context"
	"net/http"
	"time"

	"github.com/coder/websocket"

	"github.com/whatpro/hub/internal/httpx"
)

// Upgrade serves GET /api/v1/realtime?ticket=…: it burns the ticket, checks
// the Origin against the account's allowed origins, re-resolves the
// principal, lifts the server's deadlines and runs the socket.
func (h *Hub) Upgrade(w http.ResponseWriter, r *http.Request) error {
	p, err := h.redeem(r.Context(), r.URL.Query().Get("ticket"))
	if err != nil {
		return err
	}
	if !h.originAllowed(r, p.AccountID) {
		return httpx.E(httpx.CodeForbidden, "this origin may not open realtime connections for the account")
	}
	if err := h.Principals.Revalidate(r.Context(), p); err != nil {
		return err
	}
	acc, err := h.Principals.ResolveAccess(r.Context(), p, p.AccountID)
	if err != nil {
		return err
	}
	s, err := h.stream(r.Context(), p.AccountID)
	if err != nil {
		return httpx.E(httpx.CodeUnavailable, "the server is restarting; try again")
	}
	// The socket outlives http.Server's read and write timeouts.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true}) // Origin checked above
	if err != nil {
		h.drop(s)
		return nil // Accept answered the client
	}
	ws.SetReadLimit(maxMessage)
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	c := &conn{hub: h, ws: ws, stream: s, ctx: ctx, cancel: cancel, send: make(chan []byte, h.Cfg.QueueSize),
		viewer: &Viewer{AccountID: p.AccountID, Principal: p, Access: acc}, topics: map[string]*sub{}}
	h.sockets.Inc()
	if !h.track(c) {
		c.kill(closeGoingAway, "the server is restarting")
	}
	go c.writeLoop()
	c.readLoop()
	<-ctx.Done()
	s.leave(c)
	h.left(c)
	h.untrack(c)
	h.sockets.Dec()
	h.drop(s)
	return nil
}
