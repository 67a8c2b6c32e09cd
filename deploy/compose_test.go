package deploy

import (
	"context"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/whatpro/hub/internal/config"
	"github.com/whatpro/hub/internal/secret"
)

const domain = "chat.example.test"

// filledEnv is .env.example with every empty value filled the way its
// comments say (a generated key ring for WHATPRO_SECRET_KEYS).
func filledEnv(t *testing.T) map[string]string {
	t.Helper()
	keys, err := secret.GenerateSpec()
	if err != nil {
		t.Fatal(err)
	}
	env := readEnvExample(t)
	for k, v := range env {
		if v == "" {
			env[k] = "generated0" + strings.ToLower(k)[:6] + "0123456789abcdef"
		}
	}
	env["CHATWOOT_DOMAIN"], env["WHATPRO_SECRET_KEYS"] = domain, keys
	env["CHATWOOT_SMTP_ADDRESS"], env["CHATWOOT_MAILER_SENDER_EMAIL"] = "smtp.example.test", "Support <support@example.test>"
	return env
}

func readEnvExample(t *testing.T) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(".env.example")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for _, line := range strings.Split(string(raw), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf(".env.example: %q is not NAME=value", line)
		}
		env[k] = v
	}
	return env
}

// loadCompose reads compose.yaml the way docker compose does, with env as
// its --env-file.
func loadCompose(t *testing.T, env map[string]string) (*types.Project, error) {
	t.Helper()
	var b strings.Builder
	for k, v := range env {
		b.WriteString(k + "=" + v + "\n")
	}
	envFile := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(envFile, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	opts, err := cli.NewProjectOptions([]string{"compose.yaml"},
		cli.WithWorkingDirectory("."), cli.WithEnvFiles(envFile), cli.WithDotEnv)
	if err != nil {
		t.Fatal(err)
	}
	return opts.LoadProject(context.Background())
}

func envOf(t *testing.T, s types.ServiceConfig) map[string]string {
	t.Helper()
	out := map[string]string{}
	for k, v := range s.Environment {
		if v == nil {
			t.Errorf("service %s: %s has no value", s.Name, k)
			continue
		}
		out[k] = *v
	}
	return out
}

func TestComposeFile(t *testing.T) {
	t.Parallel()
	env := filledEnv(t)
	p, err := loadCompose(t, env)
	if err != nil {
		t.Fatalf("compose.yaml does not load: %v", err)
	}
	var names []string
	for n := range p.Services {
		names = append(names, n)
	}
	sort.Strings(names)
	if want := []string{"caddy", "hub", "postgres", "rails", "redis", "sidekiq"}; !slices.Equal(names, want) {
		t.Fatalf("services %v, want %v", names, want)
	}
	for _, s := range p.Services {
		if s.Image == "" {
			t.Errorf("%s has no image", s.Name)
			continue
		}
		ref := s.Image[strings.LastIndex(s.Image, "/")+1:]
		if _, tag, ok := strings.Cut(ref, ":"); !ok || tag == "latest" {
			t.Errorf("%s: image %q is not pinned", s.Name, s.Image)
		}
		if s.Restart == "" {
			t.Errorf("%s does not restart", s.Name)
		}
	}

	// Chatwoot: the official image, its database, and the private-network
	// settings of every version that has them, on both processes.
	for _, name := range []string{"rails", "sidekiq"} {
		s := p.Services[name]
		if !strings.HasPrefix(s.Image, "chatwoot/chatwoot:v4.") {
			t.Errorf("%s: image %q is not Chatwoot's official one", name, s.Image)
		}
		e := envOf(t, s)
		for k, want := range map[string]string{
			"FRONTEND_URL":                          "https://" + domain,
			"POSTGRES_HOST":                         "postgres",
			"POSTGRES_DATABASE":                     "chatwoot_production",
			"SAFE_FETCH_ALLOW_PRIVATE_NETWORK":      "true",
			"WEBHOOK_PRIVATE_NETWORK_ALLOWED_TYPES": "account_webhook,api_inbox_webhook",
			"WEBHOOK_ALLOWED_PRIVATE_HOSTS":         domain,
			"SECRET_KEY_BASE":                       env["CHATWOOT_SECRET_KEY_BASE"],
			"REDIS_PASSWORD":                        env["REDIS_PASSWORD"],
		} {
			if e[k] != want {
				t.Errorf("%s: %s=%q, want %q", name, k, e[k], want)
			}
		}
	}
	if !strings.HasPrefix(p.Services["postgres"].Image, "pgvector/pgvector:") {
		t.Errorf("postgres image %q: Chatwoot needs pgvector", p.Services["postgres"].Image)
	}
	initMounted := false
	for _, v := range p.Services["postgres"].Volumes {
		initMounted = initMounted || (strings.HasSuffix(v.Source, "postgres/init-whatpro.sh") && strings.HasPrefix(v.Target, "/docker-entrypoint-initdb.d/"))
	}
	if !initMounted {
		t.Error("postgres does not run postgres/init-whatpro.sh on first start")
	}

	// The hub: its environment is exactly what the hub accepts in
	// production, mounted under /hub of Chatwoot's domain, in its own
	// database, believing only the proxy.
	hub := p.Services["hub"]
	if hub.Build == nil || hub.Build.Dockerfile != "deploy/Dockerfile" || filepath.Base(hub.Build.Context) == "deploy" {
		t.Errorf("hub build: %+v, want the repository root with deploy/Dockerfile", hub.Build)
	}
	if len(hub.Ports) > 0 {
		t.Errorf("hub publishes ports %v: it is reached through the proxy only", hub.Ports)
	}
	var hubEnv []string
	for k, v := range envOf(t, hub) {
		hubEnv = append(hubEnv, k+"="+v)
	}
	cfg, err := config.Load(hubEnv)
	if err != nil {
		t.Fatalf("the hub refuses its compose environment: %v", err)
	}
	if !cfg.Production() || cfg.PublicURL.String() != "https://"+domain+"/hub" || cfg.BasePath() != "/hub" {
		t.Errorf("hub: env %s, public URL %s", cfg.Env, cfg.PublicURL)
	}
	if _, err := secret.Parse(cfg.SecretKeys); err != nil {
		t.Errorf("hub key ring: %v", err)
	}
	dbURL, err := url.Parse(cfg.DatabaseURL)
	if err != nil || dbURL.Hostname() != "postgres" || dbURL.Path != "/whatpro" || dbURL.User.Username() != "whatpro" ||
		dbURL.Query().Get("pool_max_conns") != env["WHATPRO_DB_POOL_MAX_CONNS"] {
		t.Errorf("hub database URL %s: want its own database and role on the postgres service, with the pool size", dbURL.Redacted())
	}
	if pw, _ := dbURL.User.Password(); pw != env["WHATPRO_DB_PASSWORD"] || envOf(t, p.Services["postgres"])["WHATPRO_DB_PASSWORD"] != pw {
		t.Error("the hub's database password is not the one the init script sets")
	}
	if !slices.Contains(cfg.AllowPrivateHosts, domain) || cfg.AllowPrivateNetwork {
		t.Errorf("hub egress: private hosts %v, private network %v; want only Chatwoot's domain", cfg.AllowPrivateHosts, cfg.AllowPrivateNetwork)
	}

	// Caddy: the only published service, at a fixed address the hub trusts,
	// answering Chatwoot's domain inside the network.
	caddy := p.Services["caddy"]
	published := map[uint32]bool{}
	for _, port := range caddy.Ports {
		published[port.Target] = true
	}
	if !published[80] || !published[443] {
		t.Errorf("caddy ports %v, want 80 and 443", caddy.Ports)
	}
	for name, s := range p.Services {
		if name != "caddy" && len(s.Ports) > 0 {
			t.Errorf("%s publishes %v; only the proxy faces the network", name, s.Ports)
		}
	}
	nc := caddy.Networks["stack"]
	if nc == nil || !slices.Contains(nc.Aliases, domain) {
		t.Fatalf("caddy is not %s inside the network: %+v", domain, nc)
	}
	if !slices.Equal(cfg.TrustedProxies, []string{nc.Ipv4Address}) {
		t.Errorf("hub trusts %v, but the proxy is %s", cfg.TrustedProxies, nc.Ipv4Address)
	}
	subnet := netip.MustParsePrefix(p.Networks["stack"].Ipam.Config[0].Subnet)
	if ip, err := netip.ParseAddr(nc.Ipv4Address); err != nil || !subnet.Contains(ip) {
		t.Errorf("proxy address %s is not inside %s", nc.Ipv4Address, subnet)
	}
	mountsCaddyfile := false
	for _, v := range caddy.Volumes {
		mountsCaddyfile = mountsCaddyfile || (strings.HasSuffix(v.Source, "deploy/Caddyfile") && v.Target == "/etc/caddy/Caddyfile")
	}
	if !mountsCaddyfile {
		t.Error("caddy does not mount deploy/Caddyfile")
	}
	for _, name := range []string{"hub", "rails", "sidekiq", "caddy"} {
		if _, ok := p.Services[name].Networks["stack"]; !ok {
			t.Errorf("%s is not on the stack network", name)
		}
	}
}

// A secret left empty stops compose with its name instead of starting a
// stack with a blank password.
func TestComposeRefusesMissingSecrets(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"WHATPRO_SECRET_KEYS", "POSTGRES_PASSWORD", "REDIS_PASSWORD", "CHATWOOT_SECRET_KEY_BASE",
		"WHATPRO_DB_PASSWORD", "WHATPRO_BOOTSTRAP_ADMIN_PASSWORD", "CHATWOOT_DOMAIN"} {
		env := filledEnv(t)
		env[name] = ""
		if _, err := loadCompose(t, env); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("without %s: %v", name, err)
		}
	}
}

var composeVar = regexp.MustCompile(`\$\{([A-Z_][A-Z0-9_]*)`)

// .env.example lists exactly the variables compose.yaml reads.
func TestEnvExampleMatchesCompose(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, m := range composeVar.FindAllStringSubmatch(string(raw), -1) {
		used[m[1]] = true
	}
	example := readEnvExample(t)
	for v := range used {
		if _, ok := example[v]; !ok {
			t.Errorf("compose.yaml reads %s, which .env.example does not list", v)
		}
	}
	for v := range example {
		if !used[v] {
			t.Errorf(".env.example lists %s, which compose.yaml does not read", v)
		}
	}
}

// docker compose itself, where the plugin is installed (it is not on this
// machine, so this is never the only check).
func TestDockerComposeConfig(t *testing.T) {
	t.Parallel()
	if out, err := exec.Command("docker", "compose", "version").CombinedOutput(); err != nil {
		t.Skipf("no docker compose: %s", strings.TrimSpace(string(out)))
	}
	var b strings.Builder
	for k, v := range filledEnv(t) {
		b.WriteString(k + "=" + v + "\n")
	}
	envFile := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(envFile, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("docker", "compose", "--env-file", envFile, "-f", "compose.yaml", "config", "--quiet").CombinedOutput(); err != nil {
		t.Fatalf("docker compose config: %v\n%s", err, out)
	}
}
