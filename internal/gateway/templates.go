package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/whatpro/hub/internal/chatwoot"
	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
	"github.com/whatpro/hub/internal/provider"
)

// Templates: on the Cloud API, outside the customer's 24-hour window, an
// agent picks one of the number's approved templates in the conversation
// tab. The send joins the conversation's outbound lane (so it keeps its
// place among the agent's replies); once Meta took it, it appears in
// Chatwoot as an outgoing message whose source_id is the wamid, which
// drops its echo and lets the statuses follow it.

// TemplateList is a number's approved templates.
type TemplateList struct {
	InstanceID string              `json:"instance_id"`
	Data       []provider.Template `json:"data"`
	// LastInboundAt is when the customer last wrote (conversation lists
	// only; null when the hub has no message from them): the 24-hour
	// window runs from it.
	LastInboundAt *time.Time `json:"last_inbound_at,omitempty"`
}

// NumberTemplates lists a number's approved templates, from Meta.
func (s *Service) NumberTemplates(w http.ResponseWriter, r *http.Request) error {
	ctx, acc := r.Context(), iam.AccessFrom(r.Context())
	num, err := s.Numbers.NumberByID(ctx, acc.AccountID, r.PathValue("numberID"))
	if errors.Is(err, db.ErrNotFound) {
		return httpx.NotFound()
	} else if err != nil {
		return err
	}
	if acc.Role != iam.RoleAdmin {
		ok, err := s.seesInstance(ctx, acc.AccountID, iam.PrincipalFrom(ctx).UserID, num.Instance.ID)
		if err != nil {
			return err
		}
		if !ok {
			return httpx.NotFound()
		}
	}
	list, err := templatesOf(ctx, num)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, TemplateList{InstanceID: num.Instance.ID, Data: list})
	return nil
}

// ConversationTemplates lists the templates of the number a Chatwoot
// conversation belongs to, with when the customer last wrote.
func (s *Service) ConversationTemplates(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	cv, err := s.conversationNumber(r)
	if err != nil {
		return err
	}
	list, err := templatesOf(ctx, cv.num)
	if err != nil {
		return err
	}
	out := TemplateList{InstanceID: cv.num.Instance.ID, Data: list}
	if c, err := chatByConversation(ctx, s.DB.R, cv.num.Instance.AccountID, cv.num.Instance.ID, cv.conv.ID); err == nil {
		out.LastInboundAt = lastInbound(ctx, s.DB.R, c)
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func templatesOf(ctx context.Context, num *provider.Number) ([]provider.Template, error) {
	list, err := num.Templates(ctx)
	var se *provider.SendError
	switch {
	case errors.As(err, &se) && se.Code == provider.ErrCodeUnsupported:
		return nil, httpx.E(httpx.CodeUnprocessable, "This number is not on the Cloud API: message templates are a Meta Cloud API feature.")
	case errors.As(err, &se) && (se.Final || se.Hold):
		return nil, httpx.E(httpx.CodeUnprocessable, "Meta did not list the templates: "+clip(se.Msg, 300))
	case err != nil:
		return nil, &httpx.Error{Code: httpx.CodeUpstream, Message: "Meta could not be reached to list the templates", Cause: err}
	}
	return list, nil
}

type conversationNum struct {
	acct *chatwoot.Account
	conv *chatwoot.Conversation
	num  *provider.Number
}

// conversationNumber reads the Chatwoot conversation of the path and the
// number of its inbox; agents only reach conversations of their inboxes.
func (s *Service) conversationNumber(r *http.Request) (*conversationNum, error) {
	ctx, acc := r.Context(), iam.AccessFrom(r.Context())
	id, err := strconv.Atoi(r.PathValue("conversationID"))
	if err != nil || id <= 0 {
		return nil, httpx.NotFound()
	}
	acct, err := s.Chatwoot.Account(ctx, acc.AccountID)
	if errors.Is(err, db.ErrNotFound) {
		return nil, httpx.E(httpx.CodeUnprocessable, "The account is not linked to Chatwoot.")
	} else if err != nil {
		return nil, err
	}
	conv, err := acct.GetConversation(ctx, id)
	if chatwoot.IsNotFound(err) {
		return nil, httpx.NotFound()
	} else if err != nil {
		return nil, &httpx.Error{Code: httpx.CodeUpstream, Message: "Chatwoot could not be reached to read the conversation", Cause: err}
	}
	if acc.Role != iam.RoleAdmin {
		ok := false
		if s.Members != nil {
			if ok, err = s.Members.InInbox(ctx, acc.AccountID, iam.PrincipalFrom(ctx).UserID, conv.InboxID); err != nil {
				return nil, err
			}
		}
		if !ok {
			return nil, httpx.NotFound()
		}
	}
	num, err := s.Numbers.NumberByChatwootInbox(ctx, acc.AccountID, conv.InboxID)
	if errors.Is(err, db.ErrNotFound) {
		return nil, httpx.E(httpx.CodeUnprocessable, "No WhatsApp number of the hub feeds this conversation's inbox.")
	} else if err != nil {
		return nil, err
	}
	return &conversationNum{acct: acct, conv: conv, num: num}, nil
}

// TemplateRequest is an agent's template send.
type TemplateRequest struct {
	Name             string                   `json:"name"`
	Language         string                   `json:"language"`
	HeaderParameters []provider.TemplateParam `json:"header_parameters"`
	BodyParameters   []provider.TemplateParam `json:"body_parameters"`
	// HeaderMedia fills an IMAGE, VIDEO or DOCUMENT header (an https link;
	// a document may name its file).
	HeaderMedia *provider.TemplateMedia `json:"header_media,omitempty"`
	// ButtonParameters give URL buttons the ending of their link, by the
	// button's index in the template.
	ButtonParameters []provider.TemplateButtonParam `json:"button_parameters"`
}

func (in *TemplateRequest) values() provider.TemplateValues {
	return provider.TemplateValues{Header: in.HeaderParameters, Body: in.BodyParameters, HeaderMedia: in.HeaderMedia, Buttons: in.ButtonParameters}
}

var (
	templateName = regexp.MustCompile(`^[a-z0-9_]{1,512}$`)
	languageCode = regexp.MustCompile(`^[a-z]{2,3}(_[A-Za-z0-9]{2,4})?$`)
)

func (in *TemplateRequest) check() error {
	var bad []httpx.FieldError
	if !templateName.MatchString(in.Name) {
		bad = append(bad, httpx.FieldError{Field: "name", Code: httpx.FieldInvalid, Message: "is a template name: lowercase letters, digits and _"})
	}
	if !languageCode.MatchString(in.Language) {
		bad = append(bad, httpx.FieldError{Field: "language", Code: httpx.FieldInvalid, Message: "is a language code such as pt_BR or en_US"})
	}
	if len(in.HeaderParameters) > 10 || len(in.BodyParameters) > 60 {
		bad = append(bad, httpx.FieldError{Field: "body_parameters", Code: httpx.FieldInvalid, Message: "has too many values"})
	}
	if len(in.ButtonParameters) > 10 {
		bad = append(bad, httpx.FieldError{Field: "button_parameters", Code: httpx.FieldInvalid, Message: "has too many values"})
	}
	if len(bad) > 0 {
		return httpx.Invalid(bad...)
	}
	return nil
}

// templateWork is the payload of a template send in the outbound lane.
type templateWork struct {
	Ref      string                   `json:"ref"` // the map row's id
	Name     string                   `json:"name"`
	Language string                   `json:"language"`
	Header   []provider.TemplateParam `json:"header,omitempty"`
	Body     []provider.TemplateParam `json:"body,omitempty"`
	Named    bool                     `json:"named,omitempty"`
	// MediaType and Media fill a media header; Buttons URL buttons and a
	// copy-code button.
	MediaType string                        `json:"media_type,omitempty"`
	Media     *provider.TemplateMedia       `json:"media,omitempty"`
	Buttons   []provider.TemplateButtonSend `json:"buttons,omitempty"`
	Text      string                        `json:"text"` // what the customer reads
}

func (t *templateWork) message() *provider.TemplateMessage {
	return &provider.TemplateMessage{Name: t.Name, Language: t.Language, NamedParams: t.Named, HeaderParams: t.Header, BodyParams: t.Body,
		MediaType: t.MediaType, HeaderMedia: t.Media, Buttons: t.Buttons}
}

// SendTemplate queues an approved template for a conversation's customer.
func (s *Service) SendTemplate(w http.ResponseWriter, r *http.Request) error {
	var in TemplateRequest
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	ctx := r.Context()
	cv, err := s.conversationNumber(r)
	if err != nil {
		return err
	}
	tpl, err := cv.num.Template(ctx, in.Name, in.Language)
	var se *provider.SendError
	if errors.As(err, &se) && se.Code == provider.ErrCodeTemplate {
		return httpx.Invalid(httpx.FieldError{Field: "name", Code: httpx.FieldUnknown, Message: "is not an approved template of this number in " + in.Language})
	} else if err != nil {
		_, err = templatesOf(ctx, cv.num) // the same error the list gives
		return err
	}
	var pe *provider.ParamError
	if err := tpl.Check(in.values()); errors.As(err, &pe) {
		return httpx.Invalid(httpx.FieldError{Field: pe.Field, Code: httpx.FieldInvalid, Message: pe.Msg})
	} else if err != nil {
		return err
	}
	// The lane orders agent replies by Chatwoot message id: the template
	// goes after every message the conversation has now.
	last := 0
	msgs, err := cv.acct.RecentMessages(ctx, cv.conv.ID)
	if err != nil {
		return &httpx.Error{Code: httpx.CodeUpstream, Message: "Chatwoot could not be reached to read the conversation", Cause: err}
	}
	for _, m := range msgs {
		last = max(last, m.ID)
	}
	msg := tpl.Message(in.values())
	tw := &templateWork{Ref: db.NewID(), Name: tpl.Name, Language: tpl.Language, Header: msg.HeaderParams, Body: msg.BodyParams,
		Named: msg.NamedParams, MediaType: msg.MediaType, Media: msg.HeaderMedia, Buttons: msg.Buttons, Text: tpl.Text(in.values())}
	m := cwMessage{Conversation: conversationOf(cv.conv)}
	raw, _ := json.Marshal(outbound{Message: m, Template: tw})
	now := s.now()
	inst := cv.num.Instance
	item := &work{AccountID: inst.AccountID, InstanceID: inst.ID, Lane: "out:" + inst.ID + ":" + strconv.Itoa(cv.conv.ID),
		Seq: fmt.Sprintf("%012d:~%s", last, tw.Ref), DedupeKey: "tpl:" + tw.Ref, Kind: workOutbound, Payload: string(raw),
		NextAt: now, CreatedAt: now}
	if err := s.enqueueNow(ctx, []*work{item}); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusAccepted, map[string]any{"id": tw.Ref, "status": "queued", "text": tw.Text})
	return nil
}

// conversationOf is the part of a conversation the lane reads.
func conversationOf(c *chatwoot.Conversation) *cwConversation {
	out := &cwConversation{ID: c.ID}
	if c.Meta.Sender.PhoneNumber != "" {
		phone, name := c.Meta.Sender.PhoneNumber, c.Meta.Sender.Name
		out.Meta.Sender = &cwSender{PhoneNumber: &phone, Name: name}
	}
	return out
}

// lastInbound is when the customer last wrote in the chat.
func lastInbound(ctx context.Context, q db.Querier, c *chat) *time.Time {
	var t time.Time
	err := q.QueryRowContext(ctx, `SELECT created_at FROM gateway_messages WHERE account_id = $1 AND instance_id = $2
		AND chat_id = $3 AND direction = 'in' ORDER BY created_at DESC LIMIT 1`, c.AccountID, c.InstanceID, c.ID).Scan(&t)
	if err != nil {
		return nil
	}
	t = t.UTC()
	return &t
}
