package providersim

import "time"

// Answer and webhook shapes of Evolution v2, as typed structs so keys come
// out in Evolution's order. Pointers are JavaScript's undefined (omitted)
// or null, as the source has them.

type evoCreated struct {
	Instance  evoCreatedInstance `json:"instance"`
	Hash      string             `json:"hash"` // v2 returns the instance token itself, not {apikey}
	Webhook   evoCreatedWebhook  `json:"webhook"`
	Websocket struct{}           `json:"websocket"`
	RabbitMQ  struct{}           `json:"rabbitmq"`
	Nats      struct{}           `json:"nats"`
	SQS       struct{}           `json:"sqs"`
	Settings  evoSettings        `json:"settings"`
	QRCode    *evoQR             `json:"qrcode,omitempty"`
}

type evoCreatedInstance struct {
	InstanceName          string  `json:"instanceName"`
	InstanceID            string  `json:"instanceId"`
	Integration           string  `json:"integration"`
	WebhookWaBusiness     *string `json:"webhookWaBusiness"`
	AccessTokenWaBusiness string  `json:"accessTokenWaBusiness"`
	Status                string  `json:"status"`
}

type evoCreatedWebhook struct {
	WebhookURL      string            `json:"webhookUrl,omitempty"`
	WebhookHeaders  map[string]string `json:"webhookHeaders,omitempty"`
	WebhookByEvents *bool             `json:"webhookByEvents,omitempty"`
	WebhookBase64   *bool             `json:"webhookBase64,omitempty"`
}

func createdWebhook(in *evoWebhookInput) evoCreatedWebhook {
	if in == nil {
		return evoCreatedWebhook{}
	}
	return evoCreatedWebhook{WebhookURL: in.URL, WebhookHeaders: in.Headers, WebhookByEvents: in.ByEvents, WebhookBase64: in.Base64}
}

type evoSettings struct {
	RejectCall      bool   `json:"rejectCall"`
	MsgCall         string `json:"msgCall"`
	GroupsIgnore    bool   `json:"groupsIgnore"`
	AlwaysOnline    bool   `json:"alwaysOnline"`
	ReadMessages    bool   `json:"readMessages"`
	ReadStatus      bool   `json:"readStatus"`
	SyncFullHistory bool   `json:"syncFullHistory"`
}

func defaultSettings() evoSettings { return evoSettings{} }

// evoFetched is one Prisma Instance row as fetchInstances returns it.
type evoFetched struct {
	ID                      string      `json:"id"`
	Name                    string      `json:"name"`
	ConnectionStatus        string      `json:"connectionStatus"`
	OwnerJID                *string     `json:"ownerJid"`
	ProfileName             *string     `json:"profileName"`
	ProfilePicURL           *string     `json:"profilePicUrl"`
	Integration             string      `json:"integration"`
	Number                  *string     `json:"number"`
	BusinessID              *string     `json:"businessId"`
	Token                   string      `json:"token"`
	ClientName              string      `json:"clientName"`
	DisconnectionReasonCode *int        `json:"disconnectionReasonCode"`
	DisconnectionObject     *string     `json:"disconnectionObject"`
	DisconnectionAt         *string     `json:"disconnectionAt"`
	CreatedAt               string      `json:"createdAt"`
	UpdatedAt               string      `json:"updatedAt"`
	Chatwoot                any         `json:"Chatwoot"`
	Proxy                   any         `json:"Proxy"`
	Rabbitmq                any         `json:"Rabbitmq"`
	Nats                    any         `json:"Nats"`
	Sqs                     any         `json:"Sqs"`
	Websocket               any         `json:"Websocket"`
	Setting                 evoSettings `json:"Setting"`
	Count                   struct {
		Message int `json:"Message"`
		Contact int `json:"Contact"`
		Chat    int `json:"Chat"`
	} `json:"_count"`
}

func (e *Evolution) fetched(inst *evoInstance) evoFetched {
	f := evoFetched{ID: inst.id, Name: inst.name, ConnectionStatus: inst.state, Integration: inst.integration,
		Token: inst.token, ClientName: "evolution_exchange", DisconnectionReasonCode: inst.disconnectCode,
		CreatedAt: jsTime(inst.createdAt), UpdatedAt: jsTime(inst.updatedAt), Setting: defaultSettings()}
	f.OwnerJID, f.ProfileName, f.Number = strOrNil(inst.ownerJID), strOrNil(inst.profileName), strOrNil(inst.number)
	if inst.disconnectedAt != nil {
		at := jsTime(*inst.disconnectedAt)
		f.DisconnectionAt = &at
	}
	return f
}

func strOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// jsTime is Date.prototype.toISOString: UTC, milliseconds, "Z".
func jsTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// localJSTime is how Evolution writes a webhook's date_time:
// new Date(Date.now() - tzoffset).toISOString(), the server zone's wall
// clock with a "Z" that claims UTC. Order events by arrival, not by it.
func localJSTime(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("2006-01-02T15:04:05.000") + "Z"
}

// evoConnectionUpdate is connection.update's data for "connecting" and
// "close".
type evoConnectionUpdate struct {
	Instance     string `json:"instance"`
	State        string `json:"state"`
	StatusReason int    `json:"statusReason"`
}

// evoConnectionRefused is connection.update's data when the QR limit ends
// an attempt.
type evoConnectionRefused struct {
	Instance          string  `json:"instance"`
	State             string  `json:"state"`
	StatusReason      int     `json:"statusReason"`
	WUID              *string `json:"wuid"`
	ProfileName       *string `json:"profileName"`
	ProfilePictureURL *string `json:"profilePictureUrl"`
}

// evoConnectionOpen is connection.update's data when the session opens:
// the owner's JID and profile come along.
type evoConnectionOpen struct {
	Instance          string  `json:"instance"`
	WUID              string  `json:"wuid"`
	ProfileName       string  `json:"profileName"`
	ProfilePictureURL *string `json:"profilePictureUrl"`
	State             string  `json:"state"`
	StatusReason      int     `json:"statusReason"`
}

// evoEnvelope is what WebhookController.emit posts.
type evoEnvelope struct {
	Event       string  `json:"event"`
	Instance    string  `json:"instance"`
	Data        any     `json:"data"`
	Destination string  `json:"destination"`
	DateTime    string  `json:"date_time"`
	Sender      string  `json:"sender,omitempty"` // the owner's JID; undefined before the first pairing
	ServerURL   string  `json:"server_url"`
	APIKey      *string `json:"apikey"` // null unless AUTHENTICATION_EXPOSE_IN_FETCH_INSTANCES
}

// evoMessage is messages.upsert's data for a text message, keys as in
// testdata/evolution-messages-upsert-text.json.
type evoMessage struct {
	Key struct {
		RemoteJID string `json:"remoteJid"`
		FromMe    bool   `json:"fromMe"`
		ID        string `json:"id"`
	} `json:"key"`
	PushName string `json:"pushName"`
	Status   string `json:"status"`
	Message  struct {
		Conversation string `json:"conversation"`
	} `json:"message"`
	MessageType      string `json:"messageType"`
	MessageTimestamp int64  `json:"messageTimestamp"`
	InstanceID       string `json:"instanceId"`
	Source           string `json:"source"`
}
