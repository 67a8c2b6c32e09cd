package cwsim

import "time"

// The types below are the simulator's rows. They are only touched with
// Sim.mu held; the exported snapshot types in snapshot.go are copies.

type account struct {
	ID        int
	Name      string
	CreatedAt time.Time
}

type membership struct {
	AccountID   int
	Role        string
	ActiveAt    *time.Time
	InviterID   *int
	AutoOffline bool
}

type user struct {
	ID          int
	Name        string
	Email       string // also the devise uid
	Password    string
	AccessToken string // the personal api_access_token
	PubsubToken string
	Confirmed   bool
	Members     []membership
}

// session is one devise_token_auth token, keyed by its client id like the
// entries of users.tokens.
type session struct {
	UserID int
	Client string
	Token  string
	Expiry time.Time
}

type inbox struct {
	ID, AccountID, ChannelID int
	Name                     string
	ChannelType              string // "Channel::Api", "Channel::WebWidget", ...
	WebhookURL               string
	WebsiteURL               string
	HMACToken                string
	Secret                   string // Channel::Api secret used to sign webhook_url deliveries (4.13+)
	Identifier               string
	HMACMandatory            bool
	AdditionalAttributes     map[string]any
	GreetingEnabled          bool
	GreetingMessage          *string
	EnableAutoAssignment     bool
	LockToSingleConversation bool
	AllowAfterResolved       bool
	Timezone                 string
	WorkingHoursEnabled      bool
	OutOfOfficeMessage       *string
	EnableEmailCollect       bool
	CSATSurveyEnabled        bool
	MemberIDs                []int
	CreatedAt, UpdatedAt     time.Time
	ChannelUpdatedAt         time.Time // the channel row's own updated_at
}

type contact struct {
	ID, AccountID        int
	Name                 string
	Email                *string
	PhoneNumber          *string
	Identifier           *string
	Blocked              bool
	AdditionalAttributes map[string]any
	CustomAttributes     map[string]any
	LastActivityAt       *time.Time
	CreatedAt, UpdatedAt time.Time
}

type contactInbox struct {
	ID, ContactID, InboxID int
	SourceID               string
	HMACVerified           bool
	PubsubToken            string
	CreatedAt, UpdatedAt   time.Time
}

type conversation struct {
	ID, DisplayID, AccountID int
	InboxID, ContactID       int
	ContactInboxID           int
	UUID                     string
	Status                   string
	AssigneeID               *int
	AdditionalAttributes     map[string]any
	CustomAttributes         map[string]any
	Labels                   []string
	Priority                 *string
	SnoozedUntil             *time.Time
	WaitingSince             *time.Time
	FirstReplyCreatedAt      *time.Time
	AgentLastSeenAt          *time.Time
	ContactLastSeenAt        *time.Time
	AssigneeLastSeenAt       *time.Time
	LastActivityAt           time.Time
	CreatedAt, UpdatedAt     time.Time
	msgs                     []*message // in id order
}

// Message types and their integer values (app/models/message.rb).
const (
	msgIncoming = 0
	msgOutgoing = 1
	msgActivity = 2
	msgTemplate = 3
)

var messageTypeNames = []string{"incoming", "outgoing", "activity", "template"}

type message struct {
	ID, AccountID, InboxID int
	ConversationID         int // the global id, not the display id
	Content                *string
	MessageType            int
	ContentType            string
	ContentAttributes      map[string]any
	AdditionalAttributes   map[string]any
	Status                 string
	SourceID               *string
	EchoID                 string
	Private                bool
	SenderType             string // "User", "Contact", "AgentBot" or "" (activity, automations)
	SenderID               int
	Attachments            []*attachment
	CreatedAt, UpdatedAt   time.Time
}

type attachment struct {
	ID, MessageID, AccountID int
	FileType                 string
	Filename                 string
	ContentType              string
	Key                      string
	DataURL                  string // built on FRONTEND_URL when created
	Data                     []byte
	Meta                     map[string]any // {is_voice_message: true} for voice notes
}

// agentBot is an AgentBot; AccountID 0 is a global bot every account may use.
type agentBot struct {
	ID, AccountID int
	Name          string
}

type webhook struct {
	ID, AccountID int
	InboxID       *int
	Name          *string
	URL           string
	Subscriptions []string
	Secret        string
}

type dashboardApp struct {
	ID, AccountID, UserID int
	Title                 string
	Content               []map[string]any
	CreatedAt, UpdatedAt  time.Time
}

// allowedWebhookEvents is Webhook::ALLOWED_WEBHOOK_EVENTS (12 entries;
// swagger's enum lists only 10 and omits the inbox events).
var allowedWebhookEvents = []string{
	"conversation_status_changed", "conversation_updated", "conversation_created",
	"contact_created", "contact_updated", "message_created", "message_updated",
	"webwidget_triggered", "inbox_created", "inbox_updated",
	"conversation_typing_on", "conversation_typing_off",
}

// defaultWebhookSubscriptions is the column default used when a webhook is
// created without subscriptions.
var defaultWebhookSubscriptions = []string{
	"conversation_status_changed", "conversation_updated", "conversation_created",
	"contact_created", "contact_updated", "message_created", "message_updated",
	"webwidget_triggered",
}
