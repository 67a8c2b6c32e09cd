package app

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"github.com/whatpro/hub/internal/gateway"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/outbound"
	"github.com/whatpro/hub/internal/plan"
)

// buildGateway wires the WhatsApp ⇄ Chatwoot gateway: its consumers of
// provider events and API-inbox callbacks join the dispatcher, and its
// lane drains and sweeper join the job workers.
func (a *App) buildGateway(workers *river.Workers) error {
	a.Gateway = &gateway.Service{DB: a.DB, Chatwoot: a.Chatwoot, Numbers: a.Provider, Usage: a.Usage, Members: a.Chatwoot, Log: a.Log, Now: a.IAM.Now,
		Settle: a.Cfg.GatewaySettle, Quota: messageQuota{a}, Features: a.Features, IAM: a.IAM,
		Metrics: gateway.NewMetrics(a.Registry),
		Pacing:  gateway.Pacing{ChatGap: a.Cfg.GatewaySendGap, PerMinute: a.Cfg.GatewaySendPerMinute, Typing: a.Cfg.GatewaySendTyping},
		HTTP: outbound.New(outbound.Options{AllowPrivate: a.Cfg.AllowPrivateNetwork, PrivateHosts: a.Cfg.AllowPrivateHosts,
			UserAgent: "WhatPro-Hub", Timeout: time.Minute, MaxResponseBytes: gateway.DefaultMaxMedia + 1})}
	if err := a.Dispatcher.RegisterAll("gateway", a.Gateway.Handlers()); err != nil {
		return err
	}
	river.AddWorker(workers, &gateway.LaneWorker{S: a.Gateway})
	river.AddWorker(workers, &gateway.SweepWorker{S: a.Gateway})
	return nil
}

// messageQuota checks the plan's max_messages_per_month.
type messageQuota struct{ a *App }

func (q messageQuota) AllowMessage(ctx context.Context, accountID string) (bool, error) {
	err := q.a.DB.Tx(ctx, func(tx *sql.Tx) error { return q.a.Plans.Reserve(ctx, tx, accountID, plan.MaxMessagesPerMonth) })
	var he *httpx.Error
	if errors.As(err, &he) && he.Code == httpx.CodeLimitExceeded {
		return false, nil
	}
	return err == nil, err
}
