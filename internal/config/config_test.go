package config

import (
	"os"
	"strings"
	"testing"
)

func TestDefaults(t *testing.T) {
	c, err := Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.DataDir != "./data" || c.DatabaseURL != "" || c.Env != "development" ||
		c.SQLitePath() != "./data/whatpro.db" || !c.AllowPrivateNetwork || c.MaxBodyBytes != 1<<20 || c.BasePath() != "" {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestBadValuesNameTheVariable(t *testing.T) {
	cases := map[string]string{
		"WHATPRO_ADDR=nonsense":                 "WHATPRO_ADDR",
		"WHATPRO_ENV=staging":                   "WHATPRO_ENV",
		"WHATPRO_DATABASE_URL=mysql://x":        "WHATPRO_DATABASE_URL",
		"WHATPRO_PUBLIC_URL=ftp://x":            "WHATPRO_PUBLIC_URL",
		"WHATPRO_PUBLIC_URL=https://u:p@x":      "WHATPRO_PUBLIC_URL",
		"WHATPRO_LOG_LEVEL=loud":                "WHATPRO_LOG_LEVEL",
		"WHATPRO_SHUTDOWN_TIMEOUT=-1s":          "WHATPRO_SHUTDOWN_TIMEOUT",
		"WHATPRO_MAX_BODY_BYTES=0":              "WHATPRO_MAX_BODY_BYTES",
		"WHATPRO_TRUSTED_PROXIES=not-an-ip":     "WHATPRO_TRUSTED_PROXIES",
		"WHATPRO_CORS_ORIGINS=https://x/path":   "WHATPRO_CORS_ORIGINS",
		"WHATPRO_ALLOW_PRIVATE_NETWORK=maybe":   "WHATPRO_ALLOW_PRIVATE_NETWORK",
		"WHATPRO_ALLOW_PRIVATE_HOSTS=https://x": "WHATPRO_ALLOW_PRIVATE_HOSTS",
		"WHATPRO_INBOX_SYNC_INTERVAL=1s":        "WHATPRO_INBOX_SYNC_INTERVAL",
		"WHATPRO_TYPO=1":                        "WHATPRO_TYPO",
	}
	for kv, name := range cases {
		_, err := Load([]string{kv})
		if err == nil || !strings.Contains(err.Error(), name) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v should be one line naming %s", kv, err, name)
		}
	}
}

func TestProductionDefaults(t *testing.T) {
	c, err := Load([]string{"WHATPRO_ENV=production", "WHATPRO_PUBLIC_URL=https://hub.example.com/hub"})
	if err != nil {
		t.Fatal(err)
	}
	if c.AllowPrivateNetwork || c.BasePath() != "/hub" {
		t.Fatalf("production: %+v", c)
	}
	if _, err := Load([]string{"WHATPRO_ENV=production", "WHATPRO_PUBLIC_URL=http://hub.example.com"}); err == nil {
		t.Fatal("production over plain http must be refused")
	}
}

func TestPrintRedactsSecrets(t *testing.T) {
	env := []string{"WHATPRO_SECRET_KEYS=k1:c2VjcmV0", "WHATPRO_DATABASE_URL=postgres://u:pw@db/x", "WHATPRO_METRICS_TOKEN=tok",
		"WHATPRO_BOOTSTRAP_ADMIN_PASSWORD=hunter2hunter2", "WHATPRO_PLATFORM_EVENTS_SECRET=plat"}
	c, err := Load(env)
	if err != nil {
		t.Fatal(err)
	}
	out := strings.Join(c.Print(env), "\n")
	for _, secret := range []string{"c2VjcmV0", "pw@db", "tok\"", "hunter2", "plat\""} {
		if strings.Contains(out, secret) {
			t.Errorf("printed config leaks %q", secret)
		}
	}
	if !strings.Contains(out, `WHATPRO_ADDR=":8080"`) || !strings.Contains(out, `WHATPRO_SECRET_KEYS="[redacted]"`) {
		t.Errorf("config print: %s", out)
	}
}

// Every variable is documented in the README's table, and nothing else is.
func TestREADMEDocumentsEveryVariable(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	for _, n := range Names() {
		if !strings.Contains(readme, "| `"+n+"` |") {
			t.Errorf("README.md lacks a row for %s", n)
		}
	}
	for _, line := range strings.Split(readme, "\n") {
		if strings.HasPrefix(line, "| `WHATPRO_") {
			name := strings.Trim(strings.Split(line, "|")[1], " `")
			if _, ok := vars[name]; !ok {
				t.Errorf("README.md documents %s, which the hub does not read", name)
			}
		}
	}
}

// Configured origins are parsed and re-serialised canonically, https only in production; the SMTP
// settings are checked as they are loaded, and a mail server needs a sender.
func TestOriginsAndMailSettings(t *testing.T) {
	c, err := Load([]string{"WHATPRO_CORS_ORIGINS=HTTPS://Chat.Example.com:443/, http://localhost:3000"})
	if err != nil || len(c.CORSOrigins) != 2 || c.CORSOrigins[0] != "https://chat.example.com" || c.CORSOrigins[1] != "http://localhost:3000" {
		t.Fatalf("origins: %v %v", c, err)
	}
	for _, env := range [][]string{
		{"WHATPRO_CORS_ORIGINS=https://*.example.com"},
		{"WHATPRO_CORS_ORIGINS=https://a.example;sandbox"},
		{"WHATPRO_ENV=production", "WHATPRO_PUBLIC_URL=https://hub.example.com", "WHATPRO_CORS_ORIGINS=http://chat.example.com"},
		{"WHATPRO_SMTP_URL=http://mail.example.com", "WHATPRO_MAIL_FROM=hub@example.com"},
		{"WHATPRO_SMTP_URL=smtp://u:p@mail.example.com:587"},
		{"WHATPRO_SMTP_URL=smtps://mail.example.com", "WHATPRO_MAIL_FROM=not an address"},
	} {
		if _, err := Load(env); err == nil {
			t.Errorf("%v accepted", env)
		} else if strings.Contains(err.Error(), ":p@") {
			t.Errorf("the error repeats the SMTP password: %v", err)
		}
	}
	c, err = Load([]string{"WHATPRO_SMTP_URL=smtps://u:secret@mail.example.com", "WHATPRO_MAIL_FROM=WhatPro Hub <hub@example.com>"})
	if err != nil || c.SMTPURL == "" {
		t.Fatalf("smtp: %v", err)
	}
	for _, line := range c.Print([]string{"WHATPRO_SMTP_URL=smtps://u:secret@mail.example.com"}) {
		if strings.Contains(line, "secret") {
			t.Errorf("the printout shows the SMTP password: %s", line)
		}
	}
}
