package deploy

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/apptest"
)

// needTool finds a proxy binary. The tests of the shipped Caddy and nginx
// files need them: .ci/run installs both, so under CI a missing one fails.
func needTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not installed (apt-get install %s): the shipped %s configuration cannot go untested in CI", name, name, name)
	}
	t.Skipf("%s is not installed; apt-get install %s to test the shipped configuration", name, name)
	return ""
}

// startProcess runs a proxy until the test ends; its output is returned
// for failure messages.
func startProcess(t *testing.T, cmd *exec.Cmd) func() string {
	t.Helper()
	out := &apptest.SyncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	// Its own process group, so nginx's workers end with their master.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pgid := cmd.Process.Pid
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-done
	})
	return out.String
}

// The shipped Caddyfile validates as the compose stack runs it.
func TestCaddyfileValidates(t *testing.T) {
	t.Parallel()
	caddy := needTool(t, "caddy")
	dir := t.TempDir()
	cmd := exec.Command(caddy, "validate", "--config", "Caddyfile", "--adapter", "caddyfile")
	cmd.Env = []string{"HOME=" + dir, "XDG_DATA_HOME=" + dir, "XDG_CONFIG_HOME=" + dir,
		"CHATWOOT_DOMAIN=" + domain, "ACME_EMAIL=ops@example.test"}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("caddy validate: %v\n%s", err, out)
	}
}

// The shipped Caddyfile, run by Caddy in front of a real hub and Chatwoot
// (the simulator). Over plain HTTP: the site address is the only change, the
// certificate being Caddy's business in production.
func TestHubUnderPrefixBehindCaddy(t *testing.T) {
	t.Parallel()
	caddy := needTool(t, "caddy")
	addr := freeAddr(t)
	f := front{origin: "http://" + addr, proxyHSTS: true}
	s := newStack(t, f.origin, nil)
	dir := t.TempDir()
	cmd := exec.Command(caddy, "run", "--config", "Caddyfile", "--adapter", "caddyfile")
	cmd.Env = []string{"HOME=" + dir, "XDG_DATA_HOME=" + dir, "XDG_CONFIG_HOME=" + dir,
		"CHATWOOT_DOMAIN=" + f.origin, "ACME_EMAIL=ops@example.test", "CADDY_ADMIN=off",
		"HUB_UPSTREAM=" + s.hubAddr(), "CHATWOOT_UPSTREAM=" + s.simLn}
	logs := startProcess(t, cmd)
	waitFront(t, f, logs)
	checkUnderPrefix(t, s, f)
}

// The shipped nginx files: Chatwoot's server block with the hub's locations
// included, served over TLS, with only what cannot be the same on a test
// machine rewritten (ports, certificate paths, upstream addresses).
func TestHubUnderPrefixBehindNginx(t *testing.T) {
	t.Parallel()
	nginx := needTool(t, "nginx")
	// nginx's workers drop to an unprivileged user and write proxy
	// buffers under the prefix, so it must be reachable by them (a test's
	// temp dir is private to its owner).
	dir, err := os.MkdirTemp("", "whatpro-nginx-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	certFile, keyFile, roots := selfSigned(t, dir)
	httpsAddr, httpAddr := freeAddr(t), freeAddr(t)
	f := front{origin: "https://" + httpsAddr, roots: roots, proxyHSTS: true}
	s := newStack(t, f.origin, roots)

	read := func(name string) string {
		raw, err := os.ReadFile(filepath.Join("nginx", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(raw)
	}
	upstream := read("whatpro-hub-upstream.conf")
	if !strings.Contains(upstream, "server 127.0.0.1:8080;") {
		t.Fatal("whatpro-hub-upstream.conf no longer names 127.0.0.1:8080")
	}
	writeFile(t, filepath.Join(dir, "whatpro-hub-upstream.conf"), strings.Replace(upstream, "127.0.0.1:8080", s.hubAddr(), 1))
	abs, _ := filepath.Abs(filepath.Join("nginx", "whatpro-hub-locations.conf"))
	site := read("chatwoot.conf")
	for old, repl := range map[string]string{
		"listen 80;":            "listen " + httpAddr + ";",
		"listen 443 ssl http2;": "listen " + httpsAddr + " ssl http2;",
		"/etc/letsencrypt/live/chat.example.com/fullchain.pem": certFile,
		"/etc/letsencrypt/live/chat.example.com/privkey.pem":   keyFile,
		"/etc/nginx/snippets/whatpro-hub-locations.conf":       abs,
		"http://127.0.0.1:3000":                                "http://" + s.simLn,
	} {
		if !strings.Contains(site, old) {
			t.Fatalf("chatwoot.conf no longer contains %q", old)
		}
		site = strings.ReplaceAll(site, old, repl)
	}
	site = regexp.MustCompile(`(?m)^\s*listen \[::\]:\d+.*$`).ReplaceAllString(site, "")
	writeFile(t, filepath.Join(dir, "chatwoot.conf"), site)
	writeFile(t, filepath.Join(dir, "nginx.conf"), `worker_processes 1;
pid `+dir+`/nginx.pid;
error_log stderr warn;
events { worker_connections 256; }
http {
	access_log off;
	client_body_temp_path `+dir+`/body;
	proxy_temp_path `+dir+`/proxy;
	fastcgi_temp_path `+dir+`/fastcgi;
	uwsgi_temp_path `+dir+`/uwsgi;
	scgi_temp_path `+dir+`/scgi;
	include `+dir+`/whatpro-hub-upstream.conf;
	include `+dir+`/chatwoot.conf;
}
`)
	if out, err := exec.Command(nginx, "-t", "-p", dir, "-c", filepath.Join(dir, "nginx.conf")).CombinedOutput(); err != nil {
		t.Fatalf("nginx -t: %v\n%s", err, out)
	}
	logs := startProcess(t, exec.Command(nginx, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"), "-g", "daemon off;"))
	waitFront(t, f, logs)
	checkUnderPrefix(t, s, f)

	// Port 80 only redirects to HTTPS.
	r := call(t, browser(t, nil), "GET", "http://"+httpAddr+"/hub/", "", nil)
	if r.status != 301 || !strings.HasPrefix(r.header.Get("Location"), "https://") {
		t.Errorf("port 80: %d %q", r.status, r.header.Get("Location"))
	}
}

// selfSigned writes a certificate for 127.0.0.1 and returns a pool that
// trusts it.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, roots *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	roots = x509.NewCertPool()
	roots.AddCert(cert)
	keyDER, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writeFile(t, certFile, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	writeFile(t, keyFile, string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})))
	return certFile, keyFile, roots
}
