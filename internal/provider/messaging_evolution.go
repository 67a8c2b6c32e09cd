package provider

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/whatpro/hub/internal/outbound"
)

type evoSent struct {
	Key struct {
		ID        string `json:"id"`
		RemoteJID string `json:"remoteJid"`
	} `json:"key"`
}

func (e *evolution) path(route string, inst *Instance) string {
	return route + "/" + url.PathEscape(inst.Name)
}

func (e *evolution) send(ctx context.Context, t Target, inst *Instance, m OutMessage) (Sent, error) {
	body := map[string]any{"number": m.To}
	if m.QuotedID != "" {
		body["quoted"] = map[string]any{"key": map[string]any{"id": m.QuotedID}}
	}
	route := "/message/sendText"
	switch m.Kind {
	case "text":
		body["text"] = m.Text
	case "reaction":
		route = "/message/sendReaction"
		body = map[string]any{"key": map[string]any{"id": m.TargetID, "remoteJid": m.To, "fromMe": m.TargetFromMe}, "reaction": m.Text}
	case "audio":
		if m.Voice {
			// Evolution converts any audio to a voice note itself.
			route = "/message/sendWhatsAppAudio"
			body["audio"] = base64.StdEncoding.EncodeToString(m.Data)
			break
		}
		fallthrough
	case "image", "video", "document":
		route = "/message/sendMedia"
		body["mediatype"], body["mimetype"], body["media"] = m.Kind, m.MIME, base64.StdEncoding.EncodeToString(m.Data)
		if m.Text != "" {
			body["caption"] = m.Text
		}
		if m.FileName != "" {
			body["fileName"] = m.FileName
		}
	case "sticker":
		route = "/message/sendSticker"
		body["sticker"] = base64.StdEncoding.EncodeToString(m.Data)
	default:
		return Sent{}, &SendError{Code: ErrCodeUnsupported, Final: true, Msg: "Evolution cannot send a " + m.Kind}
	}
	var out evoSent
	_, _, err := e.http.JSON(ctx, "POST", e.url(t, e.path(route, inst)), e.hdr(t), body, &out)
	if err != nil {
		return Sent{}, evoSendError(err)
	}
	if out.Key.ID == "" {
		return Sent{}, &SendError{Code: ErrCodeUpstream, Msg: "Evolution answered without a message id"}
	}
	return Sent{ID: out.Key.ID, To: out.Key.RemoteJID}, nil
}

// evoSendError reads Evolution's 400s: {exists:false} is a number without
// WhatsApp, "Connection Closed" a session that is not open.
func evoSendError(err error) error {
	var se *outbound.StatusError
	if errors.As(err, &se) {
		switch {
		case se.Status == http.StatusBadRequest && strings.Contains(se.Body, `"exists":false`):
			return &SendError{Code: ErrCodeNotOnWhatsApp, Final: true, Msg: "the number is not on WhatsApp"}
		case se.Status == http.StatusBadRequest && strings.Contains(se.Body, "Connection Closed"),
			se.Status == http.StatusNotFound:
			return &SendError{Code: ErrCodeDisconnected, Hold: true, Msg: "the number's WhatsApp session is not open"}
		}
	}
	return transportError(err)
}

func (e *evolution) media(ctx context.Context, t Target, inst *Instance, ref MediaRef) ([]byte, string, error) {
	var out struct {
		Base64   string `json:"base64"`
		Mimetype string `json:"mimetype"`
	}
	body := map[string]any{"message": map[string]any{"key": map[string]any{"id": ref.MessageID}}, "convertToMp4": false}
	if _, _, err := e.http.JSON(ctx, "POST", e.url(t, e.path("/chat/getBase64FromMediaMessage", inst)), e.hdr(t), body, &out); err != nil {
		return nil, "", evoSendError(err)
	}
	data, err := base64.StdEncoding.DecodeString(out.Base64)
	if err != nil {
		return nil, "", &SendError{Code: ErrCodeUpstream, Final: true, Msg: "Evolution's media is not base64"}
	}
	return data, out.Mimetype, nil
}

func (e *evolution) markRead(ctx context.Context, t Target, inst *Instance, chat, messageID string) error {
	body := map[string]any{"readMessages": []map[string]any{{"remoteJid": chat, "fromMe": false, "id": messageID}}}
	_, _, err := e.http.JSON(ctx, "POST", e.url(t, e.path("/chat/markMessageAsRead", inst)), e.hdr(t), body, nil)
	if err != nil {
		return evoSendError(err)
	}
	return nil
}

func (e *evolution) deleteMessage(ctx context.Context, t Target, inst *Instance, chat, messageID string, fromMe bool) error {
	body := map[string]any{"id": messageID, "remoteJid": chat, "fromMe": fromMe}
	_, _, err := e.http.JSON(ctx, "DELETE", e.url(t, e.path("/chat/deleteMessageForEveryone", inst)), e.hdr(t), body, nil)
	if err != nil {
		return evoSendError(err)
	}
	return nil
}

// typing is sendPresence: "composing" to the chat for delay ms. Evolution
// answers only after the delay (then shows "paused"), so it waits for us.
func (e *evolution) typing(ctx context.Context, t Target, inst *Instance, chat, _ string, d time.Duration) (bool, error) {
	body := map[string]any{"number": chat, "presence": "composing", "delay": d.Milliseconds()}
	if _, _, err := e.http.JSON(ctx, "POST", e.url(t, e.path("/chat/sendPresence", inst)), e.hdr(t), body, nil); err != nil {
		return false, evoSendError(err)
	}
	return true, nil
}
