package providersim

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// graphErr is the body of every Graph error: {"error": {…}}.
type graphErr struct {
	Message      string        `json:"message"`
	Type         string        `json:"type"`
	Code         int           `json:"code"`
	ErrorSubcode int           `json:"error_subcode,omitempty"`
	IsTransient  *bool         `json:"is_transient,omitempty"`
	ErrorData    *graphErrData `json:"error_data,omitempty"`
	FBTraceID    string        `json:"fbtrace_id"`
}

// graphErrData is what the WhatsApp errors add.
type graphErrData struct {
	MessagingProduct string `json:"messaging_product"`
	Details          string `json:"details"`
}

func graphBody(e graphErr) any {
	if e.FBTraceID == "" {
		e.FBTraceID = "A" + randomFrom(base62+"-_", 22)
	}
	return map[string]graphErr{"error": e}
}

func (c *cloudCall) graphError(status int, e graphErr) { writeJSON(c.w, status, graphBody(e)) }

// graphFailureBody picks Graph's error for a failure knob's status.
func graphFailureBody(status int) any {
	switch {
	case status == http.StatusUnauthorized:
		return graphBody(graphErr{Message: "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.",
			Type: "OAuthException", Code: 190, ErrorSubcode: 460})
	case status == http.StatusTooManyRequests:
		return graphBody(graphErr{Message: "(#4) Application request limit reached", Type: "OAuthException", Code: 4})
	case status >= 500:
		transient := true
		return graphBody(graphErr{Message: "An unexpected error has occurred. Please retry your request later.",
			Type: "OAuthException", Code: 2, IsTransient: &transient})
	default:
		return graphBody(graphErr{Message: "(#100) Invalid parameter", Type: "OAuthException", Code: 100})
	}
}

// unsupported is Graph's answer for an id that does not exist (or that the
// token may not see) and for edges the simulator does not model.
func unsupported(method, id string) graphErr {
	return graphErr{Message: fmt.Sprintf("Unsupported %s request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api",
		strings.ToLower(method), id), Type: "GraphMethodException", Code: 100, ErrorSubcode: 33}
}

// phoneFields are the WhatsAppBusinessPhoneNumber fields the simulator
// knows; defaultPhoneFields are those Graph returns without ?fields=.
var (
	phoneFields = []string{"id", "display_phone_number", "verified_name", "quality_rating", "code_verification_status",
		"platform_type", "throughput", "status", "name_status", "messaging_limit_tier", "account_mode",
		"is_official_business_account", "webhook_configuration"}
	defaultPhoneFields = []string{"verified_name", "code_verification_status", "display_phone_number",
		"quality_rating", "platform_type", "throughput", "webhook_configuration"}
)

func (a *CloudAPI) phoneNumber(c *cloudCall, id string) {
	a.mu.Lock()
	p, callback := a.numbers[id], a.callback
	var pc PhoneNumber
	if p != nil {
		pc = *p
	}
	a.mu.Unlock()
	if p == nil {
		c.graphError(http.StatusBadRequest, unsupported(c.r.Method, id))
		return
	}
	fields := parseFields(c.r.URL.Query().Get("fields"))
	if len(fields) == 0 {
		fields = defaultPhoneFields
	}
	out := object{}
	for _, f := range fields {
		if !slices.Contains(phoneFields, f) {
			c.graphError(http.StatusBadRequest, graphErr{Message: fmt.Sprintf("(#100) Tried accessing nonexisting field (%s) on node type (WhatsAppBusinessPhoneNumber)", f),
				Type: "OAuthException", Code: 100})
			return
		}
		var v any
		switch f {
		case "id":
			continue // always last, below
		case "display_phone_number":
			v = formatPhone(pc.DisplayPhoneNumber)
		case "verified_name":
			v = pc.VerifiedName
		case "quality_rating":
			v = pc.QualityRating
		case "code_verification_status":
			v = pc.CodeVerificationStatus
		case "platform_type":
			v = pc.PlatformType
		case "throughput":
			v = map[string]string{"level": pc.ThroughputLevel}
		case "status":
			v = pc.Status
		case "name_status":
			v = pc.NameStatus
		case "messaging_limit_tier":
			v = pc.MessagingLimitTier
		case "account_mode":
			v = "LIVE"
		case "is_official_business_account":
			v = false
		case "webhook_configuration":
			if callback == nil {
				continue // Graph omits fields without a value
			}
			v = map[string]string{"application": callback.url}
		}
		out = append(out, kv{f, v})
	}
	c.reply(http.StatusOK, append(out, kv{"id", pc.ID}))
}

func (c *cloudCall) reply(status int, v any) { writeJSON(c.w, status, v) }

// parseFields splits Graph's fields parameter ("a,b{c,d},e") into its
// top-level names, dropping sub-selections.
func parseFields(s string) []string {
	var out []string
	depth, start := 0, 0
	flush := func(end int) {
		name := strings.TrimSpace(s[start:end])
		if i := strings.IndexAny(name, "{."); i >= 0 {
			name = strings.TrimSpace(name[:i])
		}
		if name != "" && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			if depth > 0 {
				depth--
			}
		case ',':
			if depth == 0 {
				flush(i)
				start = i + 1
			}
		}
	}
	flush(len(s))
	return out
}

// formatPhone renders digits the way Graph's display_phone_number does
// ("+1 555-130-4520", "+55 11 91234-5678"); webhooks carry bare digits.
func formatPhone(d string) string {
	switch {
	case len(d) == 11 && d[0] == '1':
		return "+1 " + d[1:4] + "-" + d[4:7] + "-" + d[7:]
	case len(d) == 13 && strings.HasPrefix(d, "55"):
		return "+55 " + d[2:4] + " " + d[4:9] + "-" + d[9:]
	case len(d) == 12 && strings.HasPrefix(d, "55"):
		return "+55 " + d[2:4] + " " + d[4:8] + "-" + d[8:]
	default:
		return "+" + d
	}
}

func (a *CloudAPI) me(c *cloudCall) {
	c.reply(http.StatusOK, object{{"name", "WhatPro Sim System User"}, {"id", a.userID}})
}

// debugToken answers GET /debug_token?input_token=…: 200 either way, with
// data.is_valid saying whether the inspected token works.
func (a *CloudAPI) debugToken(c *cloudCall) {
	input := c.r.URL.Query().Get("input_token")
	if input == "" {
		c.graphError(http.StatusBadRequest, graphErr{Message: "(#100) The parameter input_token is required",
			Type: "OAuthException", Code: 100})
		return
	}
	if input != a.accessToken {
		c.reply(http.StatusOK, map[string]any{"data": object{
			{"error", object{{"code", 190}, {"message", "Invalid OAuth access token - Cannot parse access token"}}},
			{"is_valid", false}, {"scopes", []string{}}}})
		return
	}
	scopes := []string{"whatsapp_business_management", "whatsapp_business_messaging"}
	granular := []object{}
	for _, s := range scopes {
		granular = append(granular, object{{"scope", s}, {"target_ids", []string{a.wabaID}}})
	}
	c.reply(http.StatusOK, map[string]any{"data": object{
		{"app_id", a.appID}, {"type", "SYSTEM_USER"}, {"application", "WhatPro Sim"},
		{"data_access_expires_at", 0}, {"expires_at", 0}, {"is_valid", true},
		{"issued_at", a.now().Unix() - 86400}, {"scopes", append(scopes, "public_profile")},
		{"granular_scopes", granular}, {"user_id", a.userID}}})
}
