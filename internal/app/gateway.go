package app

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"github.com/whatpro/hub/internal/db"
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
		Settle: a.Cfg.GatewaySettle, Backlog: intakeBacklog{a.DB}, Quota: messageQuota{a},
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

// intakeBacklog answers the gateway's ordering question from the intake's
// executions: a message event of the same number (or API inbox), stored
// before the given one, that the gateway's own execution has not finished
// (another consumer's pending run of the same event never holds a lane).
type intakeBacklog struct{ db *db.DB }

func (b intakeBacklog) OlderPending(ctx context.Context, source, sourceID, executionID string) (bool, error) {
	var one int
	err := b.db.R.QueryRowContext(ctx, `SELECT 1 FROM event_executions e JOIN event_runs r ON r.event_id = e.id AND r.consumer = 'gateway'
		WHERE e.source = $1 AND e.source_id = $2 AND e.id < $3
		AND e.status IN ('received', 'processing', 'failed') AND r.status IN ('received', 'processing', 'failed')
		AND e.event IN ('messages.upsert', 'send.message', 'messages.edited', 'messages.delete', 'messages',
			'message_created', 'message_updated') LIMIT 1`,
		source, sourceID, executionID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
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
