package providersim

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Evolution states, as connectionState reports them. Evolution answers
// HTTP 200 whatever the state: only "open" means the number is connected.
const (
	StateOpen       = "open"
	StateClose      = "close"
	StateConnecting = "connecting"
	// StateRefused only appears in connection.update, when the QR limit
	// ends an attempt; the instance is "close" afterwards.
	StateRefused = "refused"
)

// Evolution simulates an Evolution API v2 server (WHATSAPP-BAILEYS
// integration). All methods are safe for concurrent use.
type Evolution struct {
	*core
	apiKey string

	mu        sync.Mutex // guards instances; held for the whole of each handler
	instances map[string]*evoInstance
	absent    map[string]bool // canonical numbers without a WhatsApp account
	routes    []route[func(*evoCall)]
	renderQR  func(content string) (dataURL string, err error) // qrDataURL; fuzzing swaps in a cheap one
}

type evoInstance struct {
	id, name, token, integration, number string
	state                                string
	statusReason                         int
	ownerJID, profileName                string
	qr                                   evoQR
	webhook                              *evoWebhook
	createdAt, updatedAt                 time.Time
	disconnectedAt                       *time.Time
	disconnectCode                       *int
	gen                                  int                // Baileys socket generation; timers of an older one are dropped
	connectError                         string             // FailNextConnect
	msgs                                 map[string]*evoMsg // by key id; see storeMsg
	msgOrder                             []string
	sent                                 []EvolutionSend
	presence                             map[string]string   // chat → the business's last presence (composing, …)
	presences                            []EvolutionPresence // sendPresence calls, oldest first
}

// evoQR is Baileys' wa.QrCode as Evolution keeps it on the instance.
type evoQR struct {
	PairingCode *string `json:"pairingCode"`
	Code        string  `json:"code"`
	Base64      string  `json:"base64"`
	Count       int     `json:"count"`
}

// MarshalJSON drops the fields that are still undefined before the first
// QR, as JSON.stringify does: {"count":0}.
func (q evoQR) MarshalJSON() ([]byte, error) {
	if q.Code == "" {
		return marshal(object{{"count", q.Count}}), nil
	}
	return marshal(object{{"pairingCode", q.PairingCode}, {"code", q.Code}, {"base64", q.Base64}, {"count", q.Count}}), nil
}

// evoCall carries one request through a handler.
type evoCall struct {
	w      http.ResponseWriter
	r      *http.Request
	body   []byte
	params map[string]string
}

// NewEvolution builds an empty Evolution server. opts.APIKey is the global
// key; a random one is generated when empty.
func NewEvolution(opts Options) *Evolution {
	if opts.APIKey == "" {
		opts.APIKey = strings.ToUpper(strings.ReplaceAll(uuidV4(), "-", ""))
	}
	e := &Evolution{core: newCore(opts), instances: map[string]*evoInstance{}, renderQR: qrDataURL}
	e.retry.final = func(status int) bool { // retryWebhookRequest's non-retryable answers
		return slices.Contains([]int{400, 401, 403, 404, 422}, status)
	}
	e.apiKey = e.opts.APIKey
	e.routes = compile([]route[func(*evoCall)]{
		{method: "GET", pattern: "/", handle: e.welcome},
		{method: "POST", pattern: "/instance/create", handle: e.create},
		{method: "GET", pattern: "/instance/connect/{instance}", handle: e.connect},
		{method: "GET", pattern: "/instance/connectionState/{instance}", handle: e.connectionState},
		{method: "GET", pattern: "/instance/fetchInstances", handle: e.fetchInstances},
		{method: "DELETE", pattern: "/instance/logout/{instance}", handle: e.logout},
		{method: "DELETE", pattern: "/instance/delete/{instance}", handle: e.deleteInstance},
		{method: "POST", pattern: "/webhook/set/{instance}", handle: e.setWebhook},
		{method: "GET", pattern: "/webhook/find/{instance}", handle: e.findWebhook},
		{method: "POST", pattern: "/message/sendText/{instance}", handle: e.sendText},
		{method: "POST", pattern: "/message/sendMedia/{instance}", handle: e.sendMedia},
		{method: "POST", pattern: "/message/sendWhatsAppAudio/{instance}", handle: e.sendWhatsAppAudio},
		{method: "POST", pattern: "/message/sendSticker/{instance}", handle: e.sendSticker},
		{method: "POST", pattern: "/message/sendLocation/{instance}", handle: e.sendLocation},
		{method: "POST", pattern: "/message/sendContact/{instance}", handle: e.sendContact},
		{method: "POST", pattern: "/message/sendReaction/{instance}", handle: e.sendReaction},
		{method: "POST", pattern: "/chat/whatsappNumbers/{instance}", handle: e.whatsappNumbers},
		{method: "POST", pattern: "/chat/markMessageAsRead/{instance}", handle: e.markMessageAsRead},
		{method: "POST", pattern: "/chat/getBase64FromMediaMessage/{instance}", handle: e.getBase64FromMediaMessage},
		{method: "DELETE", pattern: "/chat/deleteMessageForEveryone/{instance}", handle: e.deleteMessageForEveryone},
		{method: "POST", pattern: "/chat/updateMessage/{instance}", handle: e.updateMessage},
		{method: "POST", pattern: "/chat/sendPresence/{instance}", handle: e.sendPresence},
		{method: "POST", pattern: "/_sim/instances/{instance}/scan", handle: e.simScan},
		{method: "POST", pattern: "/_sim/instances/{instance}/disconnect", handle: e.simDisconnect},
		{method: "POST", pattern: "/_sim/instances/{instance}/messages", handle: e.simMessage},
		{method: "POST", pattern: "/_sim/instances/{instance}/qr", handle: e.simQR},
		{method: "POST", pattern: "/_sim/instances/{instance}/edits", handle: e.simEdit},
		{method: "POST", pattern: "/_sim/instances/{instance}/deletes", handle: e.simDelete},
		{method: "POST", pattern: "/_sim/instances/{instance}/acks", handle: e.simAck},
		{method: "GET", pattern: "/_sim/instances/{instance}/sent", handle: e.simSent},
		{method: "GET", pattern: "/_sim/instances/{instance}/presences", handle: e.simPresences},
		{method: "POST", pattern: "/_sim/numbers", handle: e.simNumber},
		{method: "GET", pattern: "/_sim/instances/{instance}/phone", handle: e.simPhone},
		{method: "GET", pattern: "/_sim/instances/{instance}/chats", handle: e.simChats},
		{method: "GET", pattern: "/_sim/assets/{file}", handle: e.simAsset},
		{method: "POST", pattern: "/_sim/instances/{instance}/connect-error", handle: e.simConnectError},
	})
	return e
}

// APIKey is the global key every request may send in the apikey header.
func (e *Evolution) APIKey() string { return e.apiKey }

// InstanceToken reports an instance's own key (the "hash" create returns),
// which also authenticates requests about that instance.
func (e *Evolution) InstanceToken(instance string) (string, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if inst := e.instances[instance]; inst != nil {
		return inst.token, true
	}
	return "", false
}

// State reports an instance's connection state.
func (e *Evolution) State(instance string) (string, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if inst := e.instances[instance]; inst != nil {
		return inst.state, true
	}
	return "", false
}

// SetState forces an instance's state without sending any webhook, to
// model an Evolution whose session died silently (it keeps answering 200
// with "close").
func (e *Evolution) SetState(instance, state string) error {
	if state != StateOpen && state != StateClose && state != StateConnecting {
		return fmt.Errorf("providersim: unknown Evolution state %q", state)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	inst := e.instances[instance]
	if inst == nil {
		return fmt.Errorf("providersim: no Evolution instance %q", instance)
	}
	inst.state, inst.updatedAt = state, e.now()
	return nil
}

// Instances lists the instance names in creation order.
func (e *Evolution) Instances() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.sortedNames()
}

func (e *Evolution) sortedNames() []string {
	names := make([]string, 0, len(e.instances))
	for n := range e.instances {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := e.instances[names[i]], e.instances[names[j]]
		if !a.createdAt.Equal(b.createdAt) {
			return a.createdAt.Before(b.createdAt)
		}
		return a.name < b.name
	})
	return names
}

// Handler returns the simulator's HTTP handler.
func (e *Evolution) Handler() http.Handler { return http.HandlerFunc(e.serve) }

func (e *Evolution) serve(w http.ResponseWriter, r *http.Request) {
	body, ok := e.admit(w, r, evoFailureBody)
	if !ok {
		return
	}
	rt, params := match(e.routes, r.Method, r.URL.Path)
	if rt == nil {
		// Express's final handler in main.ts.
		writeJSON(w, http.StatusNotFound, evoErr(http.StatusNotFound, []string{"Cannot " + r.Method + " " + r.URL.RequestURI()}))
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	rt.handle(&evoCall{w: w, r: r, body: body, params: params})
}

// authorized is authGuard.apikey: the global key, or the instance's own
// token on routes about that instance.
func (e *Evolution) authorized(c *evoCall, inst *evoInstance) bool {
	key := c.r.Header.Get("apikey")
	if key == "" {
		return false
	}
	if subtle.ConstantTimeCompare([]byte(key), []byte(e.apiKey)) == 1 {
		return true
	}
	return inst != nil && subtle.ConstantTimeCompare([]byte(key), []byte(inst.token)) == 1
}

// guard runs Evolution's guard chain for /{route}/{instance} paths in its
// order: instanceExistsGuard (404) before authGuard (401), so an unknown
// instance is reported even to a caller without a key.
func (e *Evolution) guard(c *evoCall) *evoInstance {
	name := c.params["instance"]
	inst := e.instances[name]
	if inst == nil {
		c.fail(http.StatusNotFound, fmt.Sprintf("The %q instance does not exist", name))
		return nil
	}
	if !e.authorized(c, inst) {
		c.fail(http.StatusUnauthorized)
		return nil
	}
	return inst
}

func (e *Evolution) welcome(c *evoCall) {
	c.reply(http.StatusOK, object{{"status", 200}, {"message", "Welcome to the Evolution API, it is working!"},
		{"version", "2.3.6"}, {"clientName", "evolution_exchange"}, {"manager", e.BaseURL() + "/manager"},
		{"documentation", "https://doc.evolution-api.com"}, {"whatsappWebVersion", "2.3000.1028450369"}})
}
