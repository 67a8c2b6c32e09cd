package app

import (
	"time"

	"github.com/riverqueue/river"

	"github.com/whatpro/hub/internal/gateway"
	"github.com/whatpro/hub/internal/outbound"
)

// buildGateway wires the WhatsApp ⇄ Chatwoot gateway: its consumers of
// provider events and API-inbox callbacks join the dispatcher, and its
// lane drains and sweeper join the job workers.
func (a *App) buildGateway(workers *river.Workers) {
	a.Gateway = &gateway.Service{DB: a.DB, Chatwoot: a.Chatwoot, Numbers: a.Provider, Usage: a.Usage, Members: a.Chatwoot, Log: a.Log, Now: a.IAM.Now,
		Settle: a.Cfg.GatewaySettle,
		HTTP: outbound.New(outbound.Options{AllowPrivate: a.Cfg.AllowPrivateNetwork, PrivateHosts: a.Cfg.AllowPrivateHosts,
			UserAgent: "WhatPro-Hub", Timeout: time.Minute, MaxResponseBytes: gateway.DefaultMaxMedia + 1})}
	// The spine's registry replaces this map when it lands.
	for key, h := range a.Gateway.Handlers() {
		a.Dispatcher.Handlers[key] = h
	}
	river.AddWorker(workers, &gateway.LaneWorker{S: a.Gateway})
	river.AddWorker(workers, &gateway.SweepWorker{S: a.Gateway})
}
