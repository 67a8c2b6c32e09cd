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

// Main runs `whatpro provider-sim --kind evolution|cloud_api --addr
// HOST:PORT`: it listens, prints the credentials as one JSON object on the
// first line of stdout, then serves until ctx is cancelled.
func Main(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("provider-sim", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	kind := fs.String("kind", "", "evolution or cloud_api")
	addr := fs.String("addr", "127.0.0.1:0", "listen address (port 0 picks a free port)")
	apiKey := fs.String("api-key", "", "Evolution global API key (default: random)")
	token := fs.String("access-token", "", "Cloud API access token (default: random)")
	secret := fs.String("app-secret", "", "Cloud API app secret (default: random)")
	phoneID := fs.String("phone-number-id", "", "Cloud API phone number id (default: random)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("provider-sim: %w", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("provider-sim: unexpected argument %q", fs.Arg(0))
	}
	if *kind != KindEvolution && *kind != KindCloudAPI {
		return fmt.Errorf("provider-sim: --kind must be %q or %q", KindEvolution, KindCloudAPI)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("provider-sim: %w", err)
	}
	base := "http://" + reachable(ln.Addr())
	opts := Options{BaseURL: base, APIKey: *apiKey, AccessToken: *token, AppSecret: *secret, PhoneNumberID: *phoneID}
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
