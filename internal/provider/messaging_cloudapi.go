package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/whatpro/hub/internal/outbound"
)

func (c *cloudAPI) send(ctx context.Context, t Target, inst *Instance, m OutMessage) (Sent, error) {
	body := map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "to": m.To, "type": m.Kind}
	if m.QuotedID != "" {
		body["context"] = map[string]any{"message_id": m.QuotedID}
	}
	switch m.Kind {
	case "text":
		body["text"] = map[string]any{"body": m.Text, "preview_url": strings.Contains(m.Text, "https://")}
	case "reaction":
		body["reaction"] = map[string]any{"message_id": m.TargetID, "emoji": m.Text}
	case "template":
		if m.Template == nil {
			return Sent{}, &SendError{Code: ErrCodeRejected, Final: true, Msg: "a template send names no template"}
		}
		body["template"] = graphTemplateBody(m.Template)
	case "image", "video", "document", "audio", "sticker":
		id, err := c.upload(ctx, t, inst, m)
		if err != nil {
			return Sent{}, err
		}
		ref := map[string]any{"id": id}
		if m.Text != "" && (m.Kind == "image" || m.Kind == "video" || m.Kind == "document") {
			ref["caption"] = m.Text
		}
		if m.Kind == "document" && m.FileName != "" {
			ref["filename"] = m.FileName
		}
		if m.Kind == "audio" && m.Voice {
			ref["voice"] = true // an OGG/Opus recording, played as a voice message
		}
		body[m.Kind] = ref
	default:
		return Sent{}, &SendError{Code: ErrCodeUnsupported, Final: true, Msg: "the Cloud API cannot send a " + m.Kind}
	}
	var out struct {
		Contacts []struct {
			WaID string `json:"wa_id"`
		} `json:"contacts"`
		Messages []struct {
			ID string `json:"id"`
		} `json:"messages"`
	}
	_, _, err := c.http.JSON(ctx, "POST", c.url(t, "/"+url.PathEscape(inst.PhoneNumberID)+"/messages"), c.hdr(t), body, &out)
	if err != nil {
		return Sent{}, graphSendError(err)
	}
	if len(out.Messages) == 0 || out.Messages[0].ID == "" {
		return Sent{}, &SendError{Code: ErrCodeUpstream, Msg: "the Graph API answered without a message id"}
	}
	s := Sent{ID: out.Messages[0].ID}
	if len(out.Contacts) > 0 {
		s.To = out.Contacts[0].WaID
	}
	return s, nil
}

// upload puts a file in Meta's media store (POST /{phone}/media).
func (c *cloudAPI) upload(ctx context.Context, t Target, inst *Instance, m OutMessage) (string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("messaging_product", "whatsapp")
	_ = w.WriteField("type", m.MIME)
	h := textproto.MIMEHeader{}
	name := strings.NewReplacer(`"`, "", "\r", "", "\n", "").Replace(firstNonEmpty(m.FileName, "file"))
	h.Set("Content-Disposition", `form-data; name="file"; filename="`+name+`"`)
	h.Set("Content-Type", m.MIME)
	part, _ := w.CreatePart(h)
	_, _ = part.Write(m.Data)
	_ = w.Close()
	req, err := http.NewRequestWithContext(ctx, "POST", c.url(t, "/"+url.PathEscape(inst.PhoneNumberID)+"/media"), &buf)
	if err != nil {
		return "", &SendError{Code: ErrCodeRejected, Final: true, Msg: safe(err)}
	}
	req.Header = c.hdr(t)
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := c.http.Do(req)
	if err != nil {
		return "", transportError(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", graphSendError(&outbound.StatusError{Status: resp.StatusCode, Body: string(data[:min(len(data), 512)])})
	}
	var out struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(data, &out) != nil || out.ID == "" {
		return "", &SendError{Code: ErrCodeUpstream, Msg: "the media upload answered without an id"}
	}
	return out.ID, nil
}

// graphSendError reads the Graph error envelope's code.
func graphSendError(err error) error {
	var se *outbound.StatusError
	if !errors.As(err, &se) {
		return transportError(err)
	}
	var env struct {
		Error struct {
			Code      int    `json:"code"`
			Message   string `json:"message"`
			ErrorData struct {
				Details string `json:"details"`
			} `json:"error_data"`
		} `json:"error"`
	}
	if json.Unmarshal([]byte(se.Body), &env) != nil || env.Error.Code == 0 {
		return transportError(err)
	}
	msg := "(#" + strconv.Itoa(env.Error.Code) + ") " + env.Error.Message
	if env.Error.ErrorData.Details != "" {
		msg += ": " + env.Error.ErrorData.Details
	}
	switch env.Error.Code {
	case 131047:
		return &SendError{Code: ErrCodeWindowClosed, Final: true, Msg: msg}
	case 131026:
		return &SendError{Code: ErrCodeNotOnWhatsApp, Final: true, Msg: msg}
	case 132000, 132001, 132005, 132007, 132012, 132015, 132016, 132018:
		return &SendError{Code: ErrCodeTemplate, Final: true, Msg: msg}
	case 130429, 131056, 80007, 4, 613:
		return &SendError{Code: ErrCodeRateLimited, Msg: msg}
	case 190:
		return &SendError{Code: ErrCodeRefused, Hold: true, Msg: msg}
	case 1, 2, 131000, 133004:
		return &SendError{Code: ErrCodeUpstream, Msg: msg}
	}
	if se.Status >= 500 {
		return &SendError{Code: ErrCodeUpstream, Msg: msg}
	}
	return &SendError{Code: ErrCodeRejected, Final: true, Msg: msg}
}

func (c *cloudAPI) media(ctx context.Context, t Target, inst *Instance, ref MediaRef) ([]byte, string, error) {
	var node struct {
		URL      string `json:"url"`
		MimeType string `json:"mime_type"`
	}
	if _, _, err := c.http.JSON(ctx, "GET", c.url(t, "/"+url.PathEscape(ref.ID)), c.hdr(t), nil, &node); err != nil {
		return nil, "", graphSendError(err)
	}
	req, err := http.NewRequestWithContext(ctx, "GET", node.URL, nil)
	if err != nil || node.URL == "" {
		return nil, "", &SendError{Code: ErrCodeUpstream, Final: true, Msg: "the media has no download URL"}
	}
	req.Header = c.hdr(t)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, "", transportError(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, "", transportError(err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, "", transportError(&outbound.StatusError{Status: resp.StatusCode})
	}
	return data, firstNonEmpty(node.MimeType, resp.Header.Get("Content-Type")), nil
}

func (c *cloudAPI) markRead(ctx context.Context, t Target, inst *Instance, _ string, messageID string) error {
	body := map[string]any{"messaging_product": "whatsapp", "status": "read", "message_id": messageID}
	_, _, err := c.http.JSON(ctx, "POST", c.url(t, "/"+url.PathEscape(inst.PhoneNumberID)+"/messages"), c.hdr(t), body, nil)
	if err != nil {
		return graphSendError(err)
	}
	return nil
}

// typing is the Cloud API's typing indicator, which marks the
// customer's latest message read and shows "typing…" until the reply (at
// most 25 seconds); it does not wait.
func (c *cloudAPI) typing(ctx context.Context, t Target, inst *Instance, _ string, lastInboundID string, _ time.Duration) (bool, error) {
	if lastInboundID == "" {
		return false, nil
	}
	body := map[string]any{"messaging_product": "whatsapp", "status": "read", "message_id": lastInboundID,
		"typing_indicator": map[string]any{"type": "text"}}
	if _, _, err := c.http.JSON(ctx, "POST", c.url(t, "/"+url.PathEscape(inst.PhoneNumberID)+"/messages"), c.hdr(t), body, nil); err != nil {
		return false, graphSendError(err)
	}
	return false, nil
}

func (c *cloudAPI) deleteMessage(context.Context, Target, *Instance, string, string, bool) error {
	return &SendError{Code: ErrCodeUnsupported, Final: true, Msg: "the Cloud API cannot delete a sent message"}
}
