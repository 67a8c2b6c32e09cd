package providersim

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"time"
)

// Kinds accepted by --kind.
const (
	KindEvolution = "evolution"
	KindCloudAPI  = "cloud_api"
)

// sim is what Main needs from either simulator.
type sim interface {
	Handler() http.Handler
	SetBaseURL(string)
	Close()
	releaseHung()
}

// Main runs `whatpro provider-sim --kind evolution|cloud_api [flags]` (see
// --help): it listens, prints the credentials as one JSON object on the
// first line of stdout, then serves until ctx is cancelled. Evolution's
// timing flags default to the real server's, unlike Options (zero, for
// fast tests).
func Main(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("provider-sim", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	kind := fs.String("kind", "", "evolution or cloud_api")
	addr := fs.String("addr", "127.0.0.1:0", "listen address (port 0 picks a free port)")
	apiKey := fs.String("api-key", "", "Evolution global API key (default: random)")
	token := fs.String("access-token", "", "Cloud API access token (default: random)")
	secret := fs.String("app-secret", "", "Cloud API app secret (default: random)")
	phoneID := fs.String("phone-number-id", "", "Cloud API phone number id (default: random)")
	var opts Options
	fs.DurationVar(&opts.CreateDelay, "create-delay", 5*time.Second, "Evolution: how long POST /instance/create with qrcode:true blocks")
	fs.DurationVar(&opts.ConnectDelay, "connect-delay", 2*time.Second, "Evolution: how long GET /instance/connect waits on a closed instance")
	fs.DurationVar(&opts.FirstQRDelay, "first-qr-delay", time.Second,
		"Evolution: time from a connect to its first QR (longer than --create-delay: create answers without a QR; negative: only POST /_sim/instances/{name}/qr shows one)")
	fs.DurationVar(&opts.QRRefresh, "qr-refresh", 20*time.Second, "Evolution: a new QR this often while waiting for the scan (0: never)")
	fs.IntVar(&opts.QRCodeLimit, "qrcode-limit", 30, "Evolution: QRCODE_LIMIT, QRs before the attempt ends \"refused\"")
	fs.DurationVar(&opts.ReconnectDelay, "reconnect-delay", 3*time.Second, "Evolution: wait before reconnecting a session dropped with a reconnectable code")
	tz := fs.String("timezone", "America/Sao_Paulo", "Evolution: the server's TZ; webhook date_time is its local time with a literal Z")
	fs.BoolVar(&opts.ExposeAPIKey, "expose-api-key", false, "Evolution: AUTHENTICATION_EXPOSE_IN_FETCH_INSTANCES=true (webhook apikey = instance token, else null)")
	fs.StringVar(&opts.EvolutionVersion, "evolution-version", "2.3.6", "Evolution: the release played (before 2.3.5, @lid chats are rewritten to the phone JID)")
	fs.StringVar(&opts.AutoAck, "auto-ack", "SERVER_ACK", "Evolution: how far each send is acknowledged by itself: SERVER_ACK, DELIVERY_ACK or READ")
	fs.DurationVar(&opts.MaxDelay, "max-delay", 2*time.Minute, "Evolution: the longest typing delay a send may ask for")
	fs.StringVar(&opts.AutoStatus, "auto-status", "sent", "Cloud API: how far each send is reported by itself: sent, delivered or read")
	fs.BoolVar(&opts.SyncSendErrors, "sync-send-errors", false, "Cloud API: answer 131047/131026 as Graph errors at once instead of 200 and a failed status")
	fs.Float64Var(&opts.MessagesPerSecond, "messages-per-second", 80, "Cloud API: a number's throughput before 130429 (0: unlimited)")
	fs.DurationVar(&opts.MediaURLTTL, "media-url-ttl", 5*time.Minute, "Cloud API: how long a media download URL works")
	fs.DurationVar(&opts.WebhookTimeout, "webhook-timeout", 10*time.Second, "timeout of one webhook POST")
	fs.IntVar(&opts.WebhookAttempts, "webhook-attempts", 10, "attempts per webhook before giving up (Evolution: not after 400/401/403/404/422; Meta: any non-2xx)")
	fs.DurationVar(&opts.RetryBase, "retry-base", 5*time.Second, "wait before the 2nd attempt; doubles each time, +20% jitter")
	fs.DurationVar(&opts.RetryMax, "retry-max", 300*time.Second, "longest wait between attempts")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stdout, "usage: whatpro provider-sim --kind evolution|cloud_api [flags]\n\nflags:\n")
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return nil
		}
		return fmt.Errorf("provider-sim: %w", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("provider-sim: unexpected argument %q", fs.Arg(0))
	}
	if *kind != KindEvolution && *kind != KindCloudAPI {
		return fmt.Errorf("provider-sim: --kind must be %q or %q", KindEvolution, KindCloudAPI)
	}
	loc, err := time.LoadLocation(*tz)
	if err != nil {
		return fmt.Errorf("provider-sim: --timezone: %w", err)
	}
	opts.TimeZone = loc
	for name, d := range map[string]time.Duration{"create-delay": opts.CreateDelay, "connect-delay": opts.ConnectDelay,
		"qr-refresh": opts.QRRefresh, "reconnect-delay": opts.ReconnectDelay} {
		if d < 0 {
			return fmt.Errorf("provider-sim: --%s must not be negative", name)
		}
	}
	if opts.QRCodeLimit < 1 || opts.WebhookTimeout <= 0 || opts.WebhookAttempts < 1 || opts.RetryBase <= 0 || opts.RetryMax < opts.RetryBase {
		return errors.New("provider-sim: --qrcode-limit, --webhook-timeout, --webhook-attempts and --retry-base must be positive, --retry-max at least --retry-base")
	}
	if !slices.Contains([]string{"sent", "delivered", "read"}, opts.AutoStatus) || opts.MessagesPerSecond < 0 || opts.MediaURLTTL <= 0 {
		return errors.New("provider-sim: --auto-status must be sent, delivered or read; --messages-per-second not negative; --media-url-ttl positive")
	}
	if !slices.Contains([]string{"SERVER_ACK", "DELIVERY_ACK", "READ"}, opts.AutoAck) {
		return errors.New("provider-sim: --auto-ack must be SERVER_ACK, DELIVERY_ACK or READ")
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("provider-sim: %w", err)
	}
	base := "http://" + reachable(ln.Addr())
	opts.BaseURL, opts.APIKey, opts.AccessToken, opts.AppSecret, opts.PhoneNumberID = base, *apiKey, *token, *secret, *phoneID
	var s sim
	var line any
	if *kind == KindEvolution {
		e := NewEvolution(opts)
		s, line = e, struct {
			Kind    string `json:"kind"`
			BaseURL string `json:"base_url"`
			APIKey  string `json:"api_key"`
		}{*kind, base, e.APIKey()}
	} else {
		a := NewCloudAPI(opts)
		s, line = a, struct {
			Kind          string `json:"kind"`
			BaseURL       string `json:"base_url"`
			AccessToken   string `json:"access_token"`
			AppSecret     string `json:"app_secret"`
			PhoneNumberID string `json:"phone_number_id"`
		}{*kind, base, a.AccessToken(), a.AppSecret(), a.PhoneNumberID()}
	}
	defer s.Close()
	b, _ := json.Marshal(line)
	if _, err := fmt.Fprintf(stdout, "%s\n", b); err != nil {
		_ = ln.Close()
		return err
	}
	return serve(ctx, ln, s)
}

func serve(ctx context.Context, ln net.Listener, s sim) error {
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("provider-sim: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.releaseHung() // hung requests would otherwise hold Shutdown for its whole timeout
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("provider-sim: shutdown: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("provider-sim: %w", err)
	}
	return nil
}

// reachable turns a wildcard listen address into one a client can dial.
func reachable(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return a.String()
	}
	return net.JoinHostPort("127.0.0.1", fmt.Sprint(tcp.Port))
}
