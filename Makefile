# WhatPro Hub — the two commands a newcomer needs are `make run` and `make test`.
GO        ?= go
BIN       ?= bin/whatpro
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X github.com/whatpro/hub/internal/version.Version=$(VERSION)
# Use the local PostgreSQL for the second run of the suites when it answers.
WHATPRO_TEST_POSTGRES_URL ?= $(shell pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && echo 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable')
export WHATPRO_TEST_POSTGRES_URL
# Go packages of the hub (npm packages may ship Go sources under web/node_modules).
GOPKGS = $(shell $(GO) list ./... | grep -v /node_modules/)

.PHONY: run build web web-deps test vet test-go test-web dev clean demo load-gateway crash-gateway

run: build
	$(BIN) serve

# The hub beside a simulated Chatwoot and WhatsApp, with a demo account.
DEMO_ARGS ?= --addr 127.0.0.1:8080
demo: build
	$(BIN) demo $(DEMO_ARGS)

build: web
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/whatpro

web-deps: web/node_modules/.package-lock.json

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund

web: web-deps
	cd web && npm run build

# The whole suite: vet, Go tests on SQLite (and PostgreSQL when
# WHATPRO_TEST_POSTGRES_URL is set), web unit tests, browser tests against
# the real binary.
test: web vet test-web test-go

vet:
	$(GO) vet $(GOPKGS)

test-go:
	$(GO) test -count=1 -timeout 12m $(GOPKGS)

test-web: web-deps
	cd web && npm test

# The gateway's load measures and full crash test (README, "Gateway").
# Acknowledgements for 5 s (300 requests measured mostly the warm-up), then
# 300 messages each way at WHATPRO_LOAD_RATE for the latency.
load-gateway:
	$(GO) run ./cmd/whatpro-load intake -source cloud_api -duration 10s
	$(GO) test -count=1 -run '^$$' -bench 'BenchmarkGatewayAck' -benchtime 5s -timeout 30m ./internal/gateway
	$(GO) test -count=1 -run '^$$' -bench 'BenchmarkGatewayLatency' -benchtime 300x -timeout 30m ./internal/gateway

crash-gateway:
	WHATPRO_TEST_CRASH=full $(GO) test -count=1 -run TestCrashRecovery -timeout 60m -v ./internal/gateway

dev:
	@echo "Go server on :8080, Vite on :5173 with a proxy to it"
	$(GO) run ./cmd/whatpro serve & cd web && npm run dev

clean:
	rm -rf bin web/dist/assets web/dist/index.html
