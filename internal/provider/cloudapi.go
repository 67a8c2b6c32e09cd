package provider

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/outbound"
)

// cloudAPI speaks Meta's Graph API for WhatsApp Cloud: a bearer token; a
// number is "connected" when the token can read its phone number object.
type cloudAPI struct{ http *outbound.Client }

func (c *cloudAPI) CheckCredentials(cr Credentials) error {
	if strings.TrimSpace(cr.AccessToken) == "" || strings.TrimSpace(cr.AppSecret) == "" || cr.APIKey != "" {
		return errors.New("a Cloud API provider takes {access_token, app_secret}")
	}
	return nil
}

func (c *cloudAPI) CheckInstance(id string) []httpx.FieldError {
	if !phoneNumberID.MatchString(id) {
		return []httpx.FieldError{{Field: "phone_number_id", Code: httpx.FieldRequired, Message: "is required for the Cloud API (the number's id in Meta's WhatsApp manager)"}}
	}
	return nil
}

func (c *cloudAPI) hdr(t Target) http.Header {
	return http.Header{"Authorization": {"Bearer " + t.Creds.AccessToken}}
}

// GraphVersion is used when the provider's base URL names no version.
const GraphVersion = "v21.0"

var versioned = regexp.MustCompile(`/v[0-9]{1,2}\.[0-9]$`)

// url joins the Graph API base (e.g. https://graph.facebook.com/v21.0) and
// path, adding the default version when the base has none.
func (c *cloudAPI) url(t Target, path string) string {
	base := strings.TrimSuffix(t.BaseURL, "/")
	if !versioned.MatchString(base) {
		base += "/" + GraphVersion
	}
	return base + path
}

func (c *cloudAPI) Test(ctx context.Context, t Target) Health {
	var me struct {
		ID string `json:"id"`
	}
	d, err := call(ctx, c.http, "GET", c.url(t, "/me"), c.hdr(t), nil, &me)
	if err == nil && me.ID == "" {
		err = errors.New("the Graph API answered without an id")
	}
	return health(d, err, "the token is valid")
}

type phoneNumber struct {
	ID                     string `json:"id"`
	DisplayPhoneNumber     string `json:"display_phone_number"`
	VerifiedName           string `json:"verified_name"`
	CodeVerificationStatus string `json:"code_verification_status"`
	QualityRating          string `json:"quality_rating"`
	Status                 string `json:"status"` // CONNECTED, or why not (FLAGGED, BANNED, DISCONNECTED…)
}

func (c *cloudAPI) lookup(ctx context.Context, t Target, inst *Instance) (Connection, error) {
	var p phoneNumber
	_, err := call(ctx, c.http, "GET", c.url(t, "/"+url.PathEscape(inst.PhoneNumberID)+
		"?fields=display_phone_number,verified_name,code_verification_status,quality_rating,status"), c.hdr(t), nil, &p)
	var se *outbound.StatusError
	if errors.As(err, &se) && (se.Status == http.StatusBadRequest || se.Status == http.StatusNotFound) {
		return Connection{Status: StatusError, Details: "the Graph API does not know this phone_number_id for the token"}, nil
	}
	if err != nil {
		return Connection{}, err
	}
	conn := Connection{Status: StatusConnected, PhoneNumber: e164(p.DisplayPhoneNumber), ProfileName: p.VerifiedName,
		Details: "quality " + p.QualityRating + ", verification " + p.CodeVerificationStatus}
	if p.Status != "" && p.Status != "CONNECTED" {
		// Meta keeps answering for a number it stopped serving: its status says why.
		conn.Status, conn.Reason, conn.Details = StatusDisconnected, ReasonRefused, "Meta reports the number's status as "+clipText(p.Status)
	}
	return conn, nil
}

// Connect verifies the number: Meta's numbers need no QR code.
func (c *cloudAPI) Connect(ctx context.Context, t Target, inst *Instance, _ string) (Connection, error) {
	return c.lookup(ctx, t, inst)
}

// FinishConnect has nothing to finish: Connect answers at once.
func (c *cloudAPI) FinishConnect(ctx context.Context, t Target, inst *Instance) (Connection, error) {
	return c.lookup(ctx, t, inst)
}

// Logout keeps the number registered with Meta (deregistering it is done
// in Meta's WhatsApp manager): the hub only stops treating it as connected.
func (c *cloudAPI) Logout(context.Context, Target, *Instance) error { return nil }

func (c *cloudAPI) Status(ctx context.Context, t Target, inst *Instance) (Connection, error) {
	return c.lookup(ctx, t, inst)
}

// e164 turns "+55 11 99999-0000" into "+5511999990000".
func e164(display string) string {
	var b strings.Builder
	for _, r := range display {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return ""
	}
	return "+" + b.String()
}
