package cwsim

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestParseVersion(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"4.12": "4.12.0", "v4.14.2": "4.14.2", " 4.15.1 ": "4.15.1", "4.16": "4.16.0"} {
		v, err := ParseVersion(in)
		if err != nil || v.String() != want {
			t.Errorf("ParseVersion(%q) = %v, %v; want %s", in, v, err, want)
		}
	}
	for _, in := range []string{"", "4", "4.9", "3.15", "4.17", "4.x", "4.12.1.2", "4.-1", "5.0"} {
		if _, err := ParseVersion(in); err == nil {
			t.Errorf("ParseVersion(%q) accepted", in)
		}
	}
}

// versionFixture is an account webhook and an API inbox, created over
// HTTP by the administrator, with one agent reply sent to both.
type versionFixture struct {
	s                  *Sim
	rc                 *receiver
	webhookJSON, inbox map[string]any
	reply              Message
	displayID          int
}

func newVersionFixture(t *testing.T, opts ...func(*Options)) versionFixture {
	t.Helper()
	s := newSim(t, opts...)
	rc := newReceiver(t)
	admin := tokenHeader(s, adminAcme)
	wh := do(t, s, "POST", "/api/v1/accounts/1/webhooks", admin, map[string]any{"url": rc.URL + "/account",
		"subscriptions": []string{"message_created", "message_updated", "conversation_created"}})
	want(t, wh, 200)
	ib := createInboxAPI(t, s, 1, adminAcme, "WA", rc.URL+"/inbox")
	ct, err := s.AddContact(1, ContactSpec{Name: "Ana", InboxID: num(ib["id"]), SourceID: "5511"})
	if err != nil {
		t.Fatal(err)
	}
	cv, err := s.AddConversation(1, ConversationSpec{InboxID: num(ib["id"]), ContactID: ct.ID, SourceID: "5511"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.AddMessage(1, cv.DisplayID, MessageSpec{SenderUserID: adminAcme, Content: "oi"})
	if err != nil {
		t.Fatal(err)
	}
	flush(t, s)
	return versionFixture{s: s, rc: rc, webhookJSON: dig(t, wh.json(t), "payload", "webhook").(map[string]any), inbox: ib, reply: m, displayID: cv.DisplayID}
}

func withVersion(v string) func(*Options) { return func(o *Options) { o.Version = v } }

func TestVersionMatrix(t *testing.T) {
	t.Parallel()
	cases := []struct {
		version                                 string
		deliveryID, accountSigned, inboxSigned  bool
		webhookSecret, inboxSecret, resetSecret bool
		conversationAccount                     bool
		userAgent                               string
	}{
		{"4.10", false, false, false, false, false, false, false, "rest-client/"},
		{"4.11.2", false, false, false, false, false, false, false, "rest-client/"},
		{"4.12", true, true, false, true, false, false, false, "rest-client/"},
		{"4.13.0", true, true, true, true, true, true, false, "rest-client/"},
		{"4.14", true, true, true, true, true, true, false, "Ruby"},
		{"4.14.2", true, true, true, true, true, true, true, "Ruby"},
		{"4.15", true, true, true, true, true, true, true, "Ruby"},
		{"", true, true, true, true, true, true, true, "Ruby"}, // the default is 4.15.0
	}
	for _, tc := range cases {
		t.Run("v"+tc.version, func(t *testing.T) {
			t.Parallel()
			f := newVersionFixture(t, withVersion(tc.version))
			wantVersion := DefaultVersion
			if tc.version != "" {
				v, _ := ParseVersion(tc.version)
				wantVersion = v.String()
			}
			if got := do(t, f.s, "GET", "/api", nil, nil).json(t)["version"]; got != wantVersion {
				t.Errorf("GET /api version = %v, want %s", got, wantVersion)
			}
			_, hasSecret := f.webhookJSON["secret"]
			_, inboxHasSecret := f.inbox["secret"]
			if hasSecret != tc.webhookSecret || inboxHasSecret != tc.inboxSecret {
				t.Errorf("secret in webhook JSON %v (want %v), in inbox JSON %v (want %v)", hasSecret, tc.webhookSecret, inboxHasSecret, tc.inboxSecret)
			}
			reset := do(t, f.s, "POST", "/api/v1/accounts/1/inboxes/"+itoa(num(f.inbox["id"]))+"/reset_secret", tokenHeader(f.s, adminAcme), nil)
			if (reset.status == 200) != tc.resetSecret || (!tc.resetSecret && reset.status != 404) {
				t.Errorf("reset_secret = %d %s", reset.status, reset.raw)
			}
			for _, path := range []string{"/account", "/inbox"} {
				g, found := f.rc.find(path, "message_created")
				if !found {
					t.Fatalf("%s got no message_created: %v", path, f.rc.events(path))
				}
				signed := path == "/account" && tc.accountSigned || path == "/inbox" && tc.inboxSigned
				if got := g.header.Get("X-Chatwoot-Signature") != ""; got != signed {
					t.Errorf("%s signed = %v, want %v", path, got, signed)
				}
				if got := g.header.Get("X-Chatwoot-Timestamp") != ""; got != signed {
					t.Errorf("%s timestamp present = %v, want %v", path, got, signed)
				}
				if got := g.header.Get("X-Chatwoot-Delivery") != ""; got != tc.deliveryID {
					t.Errorf("%s delivery id present = %v, want %v", path, got, tc.deliveryID)
				}
				if ua := g.header.Get("User-Agent"); !strings.HasPrefix(ua, tc.userAgent) {
					t.Errorf("%s User-Agent = %q, want %s…", path, ua, tc.userAgent)
				}
				if signed {
					secret, _ := f.webhookJSON["secret"].(string)
					if path == "/inbox" { // as created: reset_secret above ran after the delivery
						secret, _ = f.inbox["secret"].(string)
					}
					verify(t, g, secret)
				}
				var p map[string]any
				_ = json.Unmarshal(g.body, &p)
				_, hasAccount := dig(t, p, "conversation").(map[string]any)["account"]
				if hasAccount != tc.conversationAccount {
					t.Errorf("%s conversation.account present = %v, want %v", path, hasAccount, tc.conversationAccount)
				}
				if num(dig(t, p, "account", "id")) != 1 {
					t.Errorf("the message payload always names its account: %s", g.body)
				}
			}
		})
	}
}

func TestNewPanicsOnUnknownVersion(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("New accepted version 3.0")
		}
	}()
	New(DefaultSeed(), Options{Version: "3.0"})
}

// replyTo creates an API inbox posting to url and an agent reply in it,
// and returns the reply once every delivery it caused is done.
func replyTo(t *testing.T, s *Sim, url string) Message {
	t.Helper()
	ib, err := s.AddInbox(1, InboxSpec{Name: "WA", WebhookURL: url})
	if err != nil {
		t.Fatal(err)
	}
	ct, _ := s.AddContact(1, ContactSpec{Name: "Ana", InboxID: ib.ID, SourceID: "5511"})
	cv, _ := s.AddConversation(1, ConversationSpec{InboxID: ib.ID, ContactID: ct.ID, SourceID: "5511"})
	if _, err := s.AddMessage(1, cv.DisplayID, MessageSpec{SenderUserID: adminAcme, Content: "oi"}); err != nil {
		t.Fatal(err)
	}
	flush(t, s)
	msgs := s.Messages(1, cv.DisplayID)
	return msgs[len(msgs)-1]
}

func TestPrivateNetworkRefusal(t *testing.T) {
	t.Parallel()
	const refused = "Hostname '127.0.0.1' has no public ip addresses"
	loopback := netip.MustParsePrefix("127.0.0.0/8")
	cases := []struct {
		name    string
		opts    Options
		failure string // the reply's external_error; "" when delivered
	}{
		{"4.13 posts anywhere", Options{Version: "4.13", RefusePrivateNetwork: true}, ""},
		{"4.14.0 refuses", Options{Version: "4.14.0", RefusePrivateNetwork: true}, refused},
		{"4.14.0 has no opt-out", Options{Version: "4.14.0", RefusePrivateNetwork: true, SafeFetchAllowPrivateNetwork: true}, refused},
		{"4.14.1 opt-out", Options{Version: "4.14.1", RefusePrivateNetwork: true, SafeFetchAllowPrivateNetwork: true}, ""},
		{"4.15 refuses", Options{Version: "4.15", RefusePrivateNetwork: true}, refused},
		{"4.15 ignores the later per-type policy", Options{Version: "4.15", RefusePrivateNetwork: true,
			PrivateNetworkAllowedTypes: []string{KindAPIInbox}, AllowedPrivateCIDRs: []netip.Prefix{loopback}}, refused},
		{"4.16 allows the listed type and range", Options{Version: "4.16", RefusePrivateNetwork: true,
			PrivateNetworkAllowedTypes: []string{KindAPIInbox}, AllowedPrivateCIDRs: []netip.Prefix{loopback}}, ""},
		{"4.16 allows the listed host", Options{Version: "4.16", RefusePrivateNetwork: true,
			PrivateNetworkAllowedTypes: []string{KindAPIInbox}, AllowedPrivateHosts: []string{"127.0.0.1"}}, ""},
		{"4.16 needs the type listed", Options{Version: "4.16", RefusePrivateNetwork: true,
			PrivateNetworkAllowedTypes: []string{KindAccountWebhook}, AllowedPrivateCIDRs: []netip.Prefix{loopback}}, refused},
		{"4.16 needs a host or range", Options{Version: "4.16", RefusePrivateNetwork: true,
			PrivateNetworkAllowedTypes: []string{KindAPIInbox}}, refused},
		{"without the knob 4.15 posts to loopback", Options{Version: "4.15"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newSim(t, func(o *Options) {
				v := o.Now
				*o = tc.opts
				o.Now, o.FrontendURL = v, "http://chatwoot.test"
			})
			rc := newReceiver(t)
			m := replyTo(t, s, rc.URL+"/inbox")
			if tc.failure == "" {
				if m.Status != "sent" || len(rc.events("/inbox")) == 0 {
					t.Fatalf("reply %+v, inbox got %v; want it delivered", m, rc.events("/inbox"))
				}
				return
			}
			if m.Status != "failed" || m.ExternalError != tc.failure {
				t.Fatalf("reply = %+v, want failed with %q", m, tc.failure)
			}
			if got := rc.events("/inbox"); len(got) != 0 {
				t.Errorf("a refused target received %v", got)
			}
			var updated bool
			for _, d := range s.Deliveries() {
				if d.Event == "message_updated" && d.Kind == KindAPIInbox {
					updated = d.Err == tc.failure // the failure's own message_updated is refused too
				}
			}
			if !updated {
				t.Errorf("marking the reply failed must emit message_updated: %+v", s.Deliveries())
			}
		})
	}
}

func TestPrivateNetworkRefusalResolvesNames(t *testing.T) {
	t.Parallel()
	resolve := func(_ context.Context, host string) ([]netip.Addr, error) {
		switch host {
		case "hub.internal":
			return []netip.Addr{netip.MustParseAddr("10.1.2.3"), netip.MustParseAddr("fd00::1")}, nil
		case "mixed.example":
			return []netip.Addr{netip.MustParseAddr("192.168.0.9"), netip.MustParseAddr("93.184.216.34")}, nil
		}
		return nil, &dnsError{host}
	}
	s := newSim(t, func(o *Options) { o.RefusePrivateNetwork, o.Resolve = true, resolve })
	ctx := context.Background()
	for url, want := range map[string]string{
		"http://hub.internal:8080/cw":  "Hostname 'hub.internal' has no public ip addresses",
		"https://nowhere.invalid/x":    "Could not resolve hostname 'nowhere.invalid'",
		"http://[::ffff:10.0.0.1]/x":   "Hostname '::ffff:10.0.0.1' has no public ip addresses",
		"http://169.254.169.254/meta":  "Hostname '169.254.169.254' has no public ip addresses",
		"http://mixed.example/cw":      "",
		"https://93.184.216.34/public": "",
	} {
		if got := s.refusal(ctx, KindAPIInbox, url); got != want {
			t.Errorf("refusal(%s) = %q, want %q", url, got, want)
		}
	}
}

type dnsError struct{ host string }

func (e *dnsError) Error() string { return "no such host " + e.host }

func TestWebhookTimeoutTextByVersion(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(func() { close(release); hang.Close() })
	for version, want := range map[string]string{
		"4.13": "Timed out reading data from server",
		"4.15": "Net::ReadTimeout with #<TCPSocket:(closed)>",
	} {
		s := newSim(t, withVersion(version), func(o *Options) { o.WebhookTimeout = 100 * time.Millisecond })
		if m := replyTo(t, s, hang.URL+"/inbox"); m.Status != "failed" || m.ExternalError != want {
			t.Errorf("%s: reply = %+v, want failed with %q", version, m, want)
		}
	}
}

func TestWebhookRedirectsByVersion(t *testing.T) {
	t.Parallel()
	for version, delivered := range map[string]bool{"4.13": false, "4.15": true} {
		s := newSim(t, withVersion(version))
		rc := newReceiver(t)
		mux := http.NewServeMux()
		mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, rc.URL+"/new", http.StatusTemporaryRedirect)
		})
		redirector := httptest.NewServer(mux)
		t.Cleanup(redirector.Close)
		m := replyTo(t, s, redirector.URL+"/old")
		got := rc.events("/new")
		if delivered && (m.Status != "sent" || !contains(got, "message_created")) {
			t.Errorf("%s: reply %+v, new got %v; SafeFetch follows the redirect with the same POST", version, m, got)
		}
		if !delivered && (m.Status != "failed" || m.ExternalError != "307 Temporary Redirect" || len(got) != 0) {
			t.Errorf("%s: reply %+v, new got %v; RestClient does not follow a POST's redirect", version, m, got)
		}
	}
}

// FuzzParseVersion: whatever --version says, the answer is an error or a
// version in the simulated range that prints back to itself.
func FuzzParseVersion(f *testing.F) {
	for _, s := range []string{"4.12", "v4.14.2", "4.16", "4.9", "5.0.0", "4..1", "4.15.99999", " 4.13 ", "４.12"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseVersion(s)
		if err != nil {
			return
		}
		if v.Major != 4 || v.Minor < 10 || v.Minor > 16 || v.Patch < 0 {
			t.Fatalf("ParseVersion(%q) = %v", s, v)
		}
		if again, err := ParseVersion(v.String()); err != nil || again != v {
			t.Fatalf("%v does not round-trip: %v %v", v, again, err)
		}
	})
}
