package cwsim

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"
)

// fuzzGateway is a Sim with an API inbox, a contact and a conversation
// whose callbacks go nowhere reachable (the deliveries fail fast).
func fuzzGateway(t *testing.T) (*Sim, string, http.Header, Inbox) {
	s := New(DefaultSeed(), Options{FrontendURL: "http://chatwoot.test", HTTPClient: &http.Client{Transport: failingTransport{}}})
	ib, err := s.AddInbox(1, InboxSpec{Name: "WA", WebhookURL: "http://hub.invalid/inbox"})
	if err != nil {
		t.Fatal(err)
	}
	ct, _ := s.AddContact(1, ContactSpec{Name: "Ana", InboxID: ib.ID, SourceID: "5511"})
	cv, _ := s.AddConversation(1, ConversationSpec{InboxID: ib.ID, ContactID: ct.ID, SourceID: "5511"})
	s.AddMessage(1, cv.DisplayID, MessageSpec{MessageType: "incoming", Content: "quoted", SourceID: "wamid.Q"})
	return s, "/api/v1/accounts/1/conversations/" + itoa(cv.DisplayID), http.Header{"Api_access_token": {userOf(s, adminAcme).APIAccessToken}}, ib
}

type failingTransport struct{}

func (failingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, http.ErrHandlerTimeout
}

func serveFuzz(t *testing.T, s *Sim, req *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code >= 500 {
		t.Fatalf("%s %s = %d %s", req.Method, req.URL, rec.Code, rec.Body)
	}
	if rec.Body.Len() > 0 && !json.Valid(rec.Body.Bytes()) {
		t.Fatalf("%s %s answered non-JSON %q", req.Method, req.URL, rec.Body)
	}
	return rec
}

// FuzzCreateMessage feeds message bodies as JSON and as multipart forms
// (content_attributes as JSON text, is_voice_message, in_reply_to…): the
// simulator answers 200 or a Chatwoot 4xx, never a 5xx, and every
// message it stores renders.
func FuzzCreateMessage(f *testing.F) {
	f.Add(`{"content":"oi","message_type":"incoming","source_id":"wamid.1","content_attributes":{"in_reply_to_external_id":"wamid.Q"}}`,
		`{"in_reply_to":1}`, "true", "audio/ogg")
	f.Add(`{"content":"x","content_attributes":"{\"in_reply_to\":\"1\"}","sender_type":"AgentBot","sender_id":"7"}`, `{`, "0", "image/heic")
	f.Add(`{"message_type":9,"content_type":"cards","external_created_at":[1]}`, `[]`, "", "")
	f.Add(`[1,2]`, `{"in_reply_to":1.5,"in_reply_to_external_id":{}}`, "yes", "video/3gpp")
	f.Fuzz(func(t *testing.T, jsonBody, attrs, voice, ctype string) {
		s, base, admin, _ := fuzzGateway(t)
		defer s.Close()
		req := httptest.NewRequest("POST", base+"/messages", bytes.NewReader([]byte(jsonBody)))
		req.Header.Set("Content-Type", "application/json")
		for k, v := range admin {
			req.Header[k] = v
		}
		serveFuzz(t, s, req)

		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		w.WriteField("content", "form")
		w.WriteField("content_attributes", attrs)
		w.WriteField("is_voice_message", voice)
		if ctype != "" {
			h := map[string][]string{"Content-Disposition": {`form-data; name="attachments[]"; filename="f"`}, "Content-Type": {ctype}}
			part, _ := w.CreatePart(h)
			part.Write([]byte(jsonBody))
		}
		w.Close()
		req = httptest.NewRequest("POST", base+"/messages", &buf)
		req.Header.Set("Content-Type", w.FormDataContentType())
		for k, v := range admin {
			req.Header[k] = v
		}
		serveFuzz(t, s, req)
		list := httptest.NewRequest("GET", base+"/messages", nil)
		for k, v := range admin {
			list.Header[k] = v
		}
		if rec := serveFuzz(t, s, list); rec.Code != 200 {
			t.Fatalf("listing after the fuzzed messages = %d", rec.Code)
		}
	})
}

// FuzzGatewayRoutes feeds the other bodies the gateway sends: status
// updates, contact merges and typing, and arbitrary public API paths.
func FuzzGatewayRoutes(f *testing.F) {
	f.Add(`{"status":"failed","external_error":"131047"}`, `{"base_contact_id":1,"mergee_contact_id":2}`, `{"typing_status":"on"}`, "5511", "1")
	f.Add(`{"status":["read"]}`, `{"base_contact_id":"1","mergee_contact_id":"1"}`, `{"typing_status":7,"is_private":"x"}`, "../", "-1")
	f.Add(`null`, `{`, `[]`, "", "99999999999999999999")
	f.Fuzz(func(t *testing.T, status, merge, typing, contactID, convID string) {
		s, base, admin, ib := fuzzGateway(t)
		defer s.Close()
		post := func(method, path, body string) {
			req := httptest.NewRequest(method, path, bytes.NewReader([]byte(body)))
			req.Header.Set("Content-Type", "application/json")
			for k, v := range admin {
				req.Header[k] = v
			}
			serveFuzz(t, s, req)
		}
		post("PATCH", base+"/messages/1", status)
		post("PUT", base+"/messages/1", status)
		post("POST", base+"/messages/1/retry", status)
		post("POST", "/api/v1/accounts/1/actions/contact_merge", merge)
		post("POST", base+"/toggle_typing_status", typing)
		req := httptest.NewRequest("POST", "/public/api/v1/inboxes/"+ib.Identifier+"/contacts/x/conversations/1/update_last_seen", nil)
		req.URL.Path = "/public/api/v1/inboxes/" + ib.Identifier + "/contacts/" + contactID + "/conversations/" + convID + "/update_last_seen"
		serveFuzz(t, s, req)
		post("DELETE", base+"/messages/1", "")
	})
}
