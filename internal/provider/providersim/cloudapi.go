package providersim

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// CloudAPI simulates the slice of Meta's Graph API a WhatsApp Cloud API
// app uses: one system-user access token, one app secret, one WhatsApp
// Business Account with its phone numbers, and the app's webhook. All
// methods are safe for concurrent use.
type CloudAPI struct {
	*core
	accessToken, appSecret, wabaID, appID, userID string

	mu            sync.Mutex // guards the fields below; never held across network calls
	numbers       map[string]*PhoneNumber
	order         []string // phone number ids in the order added
	callback      *cloudCallback
	verifications []Verification
	lastInbound   map[string]time.Time // phone id/wa_id → the customer's last message (the 24-hour window)
	absent        map[string]bool      // wa_ids without WhatsApp
	limiters      map[string]*rate.Limiter
	media         map[string]*cloudMedia
	mediaOrder    []string
	sent          []CloudSend
	reads         []CloudRead
	templates     []CloudTemplate

	simRoutes []route[func(*cloudCall)]
}

// PhoneNumber is a WhatsAppBusinessPhoneNumber node. Empty fields get
// AddPhoneNumber's defaults.
type PhoneNumber struct {
	ID                     string
	DisplayPhoneNumber     string // digits with country code, e.g. "15551304520"
	VerifiedName           string
	QualityRating          string // GREEN, YELLOW, RED, UNKNOWN
	CodeVerificationStatus string // VERIFIED, NOT_VERIFIED, EXPIRED
	PlatformType           string // CLOUD_API, ON_PREMISE, NOT_APPLICABLE
	ThroughputLevel        string // STANDARD, HIGH, NOT_APPLICABLE
	Status                 string // CONNECTED, PENDING, DISCONNECTED, FLAGGED, RESTRICTED, …
	NameStatus             string // APPROVED, PENDING_REVIEW, DECLINED, …
	MessagingLimitTier     string // TIER_250, TIER_1K, …
}

type cloudCallback struct{ url, verifyToken string }

type cloudCall struct {
	w      http.ResponseWriter
	r      *http.Request
	body   []byte
	params map[string]string
}

// graphVersion is how Graph paths start: /v21.0/…
var graphVersion = regexp.MustCompile(`^v[0-9]{1,2}\.[0-9]$`)

// NewCloudAPI builds a Cloud API app owning one phone number,
// opts.PhoneNumberID (random when empty).
func NewCloudAPI(opts Options) *CloudAPI {
	if opts.AccessToken == "" {
		opts.AccessToken = "EAAG" + randomFrom(base62, 180) // system-user tokens are long EAA… strings
	}
	if opts.AppSecret == "" {
		opts.AppSecret = randomHex(16)
	}
	if opts.PhoneNumberID == "" {
		opts.PhoneNumberID = randomDigits(15)
	}
	a := &CloudAPI{core: newCore(opts), wabaID: randomDigits(15), appID: randomDigits(15), userID: randomDigits(15),
		numbers: map[string]*PhoneNumber{}, lastInbound: map[string]time.Time{}, absent: map[string]bool{},
		limiters: map[string]*rate.Limiter{}, media: map[string]*cloudMedia{}}
	a.accessToken, a.appSecret = a.opts.AccessToken, a.opts.AppSecret
	a.AddPhoneNumber(PhoneNumber{ID: a.opts.PhoneNumberID})
	for _, t := range defaultTemplates() {
		a.AddTemplate(t)
	}
	a.simRoutes = compile([]route[func(*cloudCall)]{
		{method: "POST", pattern: "/_sim/webhook", handle: a.simRegister},
		{method: "POST", pattern: "/_sim/messages", handle: a.simMessage},
		{method: "POST", pattern: "/_sim/statuses", handle: a.simStatus},
		{method: "POST", pattern: "/_sim/echoes", handle: a.simEcho},
		{method: "POST", pattern: "/_sim/batch", handle: a.simBatch},
		{method: "GET", pattern: "/_sim/sent", handle: a.simSent},
	})
	return a
}

// AccessToken is the system-user token the hub sends as a Bearer token.
func (a *CloudAPI) AccessToken() string { return a.accessToken }

// AppSecret signs webhook payloads (X-Hub-Signature-256).
func (a *CloudAPI) AppSecret() string { return a.appSecret }

// PhoneNumberID is the id of the first phone number.
func (a *CloudAPI) PhoneNumberID() string { return a.opts.PhoneNumberID }

// WABAID is the WhatsApp Business Account id webhooks carry as entry[].id.
func (a *CloudAPI) WABAID() string { return a.wabaID }

// AddPhoneNumber adds (or replaces, by ID) a phone number of the account
// and returns its id.
func (a *CloudAPI) AddPhoneNumber(p PhoneNumber) string {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&p.ID, randomDigits(15))
	def(&p.DisplayPhoneNumber, "1555"+randomDigits(7))
	p.DisplayPhoneNumber = digitsOnly(p.DisplayPhoneNumber)
	def(&p.VerifiedName, "WhatPro Sim")
	def(&p.QualityRating, "GREEN")
	def(&p.CodeVerificationStatus, "VERIFIED")
	def(&p.PlatformType, "CLOUD_API")
	def(&p.ThroughputLevel, "STANDARD")
	def(&p.Status, "CONNECTED")
	def(&p.NameStatus, "APPROVED")
	def(&p.MessagingLimitTier, "TIER_1K")
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.numbers[p.ID] == nil {
		a.order = append(a.order, p.ID)
	}
	a.numbers[p.ID] = &p
	return p.ID
}

// PhoneNumber returns a copy of a phone number node.
func (a *CloudAPI) PhoneNumber(id string) (PhoneNumber, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if p := a.numbers[id]; p != nil {
		return *p, true
	}
	return PhoneNumber{}, false
}

var cloudStatuses = []string{"CONNECTED", "PENDING", "DISCONNECTED", "FLAGGED", "RESTRICTED",
	"BANNED", "DELETED", "MIGRATED", "RATE_LIMITED", "UNVERIFIED", "UNKNOWN"}

// SetState changes a phone number's status field (e.g. "DISCONNECTED",
// "FLAGGED"); the Graph lookup keeps answering 200.
func (a *CloudAPI) SetState(phoneNumberID, status string) error {
	if !slices.Contains(cloudStatuses, status) {
		return fmt.Errorf("providersim: unknown phone number status %q", status)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	p := a.numbers[phoneNumberID]
	if p == nil {
		return fmt.Errorf("providersim: no phone number %q", phoneNumberID)
	}
	p.Status = status
	return nil
}

// Handler returns the simulator's HTTP handler.
func (a *CloudAPI) Handler() http.Handler { return http.HandlerFunc(a.serve) }

func (a *CloudAPI) serve(w http.ResponseWriter, r *http.Request) {
	body, ok := a.admit(w, r, graphFailureBody)
	if !ok {
		return
	}
	c := &cloudCall{w: w, r: r, body: body}
	if r.URL.Path == "/whatsapp_business/attachments/" && r.Method == http.MethodGet {
		a.download(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/_sim/") {
		rt, params := match(a.simRoutes, r.Method, r.URL.Path)
		if rt == nil {
			writeJSON(w, http.StatusNotFound, simError("no such simulator endpoint"))
			return
		}
		c.params = params
		rt.handle(c)
		return
	}
	segs := splitPath(r.URL.Path)
	if len(segs) > 0 && graphVersion.MatchString(segs[0]) {
		w.Header().Set("Facebook-Api-Version", segs[0])
		segs = segs[1:]
	}
	if !a.authenticate(c) { // Graph checks the token before resolving the path
		return
	}
	switch {
	case r.Method == http.MethodPost && len(segs) == 2 && segs[1] == "messages":
		a.sendMessage(c, segs[0])
	case r.Method == http.MethodPost && len(segs) == 2 && segs[1] == "media":
		a.uploadMedia(c, segs[0])
	case r.Method == http.MethodGet && len(segs) == 2 && segs[1] == "message_templates":
		a.listTemplates(c, segs[0])
	case r.Method == http.MethodGet && len(segs) == 2 && segs[1] == "phone_numbers":
		a.listPhoneNumbers(c, segs[0])
	case len(segs) != 1:
		c.graphError(http.StatusBadRequest, unsupported(r.Method, strings.Join(segs, "/")))
	case r.Method == http.MethodDelete && a.mediaByID(segs[0]) != nil:
		a.deleteMedia(c, segs[0])
	case r.Method != http.MethodGet:
		c.graphError(http.StatusBadRequest, unsupported(r.Method, segs[0]))
	case segs[0] == "me":
		a.me(c)
	case segs[0] == "debug_token":
		a.debugToken(c)
	default:
		if m := a.mediaByID(segs[0]); m != nil {
			a.mediaNode(c, m)
			return
		}
		a.phoneNumber(c, segs[0])
	}
}

// authenticate accepts the token as "Authorization: Bearer …" or as the
// access_token parameter, like Graph.
func (a *CloudAPI) authenticate(c *cloudCall) bool {
	token := c.r.URL.Query().Get("access_token")
	if h := c.r.Header.Get("Authorization"); h != "" {
		scheme, value, _ := strings.Cut(h, " ")
		if strings.EqualFold(scheme, "Bearer") || strings.EqualFold(scheme, "OAuth") {
			token = strings.TrimSpace(value)
		}
	}
	switch {
	case token == "":
		c.graphError(http.StatusBadRequest, graphErr{Message: "An access token is required to request this resource.",
			Type: "OAuthException", Code: 104})
		return false
	case subtle.ConstantTimeCompare([]byte(token), []byte(a.accessToken)) != 1:
		c.w.Header().Set("WWW-Authenticate", `OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token - Cannot parse access token"`)
		c.graphError(http.StatusUnauthorized, graphErr{Message: "Invalid OAuth access token - Cannot parse access token",
			Type: "OAuthException", Code: 190})
		return false
	}
	return true
}
