package app

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/whatpro/hub/internal/alerts"
	"github.com/whatpro/hub/internal/plan"
	"github.com/whatpro/hub/internal/usage"
)

// alertsEvery is how often the alerts check asks the domains.
const alertsEvery = time.Minute

// buildAlerts wires the incidents: each domain reports what is unhealthy
// through its own API (numbers that dropped, dead gateway work, links
// that need attention, accounts at or near their monthly message limit),
// and the check keeps one incident per subject.
func (a *App) buildAlerts(workers *river.Workers) {
	a.Alerts = &alerts.Service{DB: a.DB, Keys: a.Keys, Mail: a.IAM.Mail, Now: a.IAM.Now, Log: a.Log,
		ConsoleURL: strings.TrimSuffix(a.Cfg.PublicURL.String(), "/") + "/"}
	a.Alerts.Watch(alerts.KindNumberDown, func(ctx context.Context) ([]alerts.Finding, error) {
		down, err := a.Provider.DownNumbers(ctx)
		out := make([]alerts.Finding, 0, len(down))
		for _, n := range down {
			out = append(out, alerts.Finding{AccountID: n.AccountID, SubjectID: n.ID, SubjectName: n.Name, Detail: n.Reason})
		}
		return out, err
	})
	a.Alerts.Watch(alerts.KindDeadLetters, func(ctx context.Context) ([]alerts.Finding, error) {
		counts, err := a.Gateway.DeadLetterCounts(ctx)
		out := make([]alerts.Finding, 0, len(counts))
		for acct, n := range counts {
			out = append(out, alerts.Finding{AccountID: acct, SubjectID: "gateway", SubjectName: "gateway", Detail: strconv.Itoa(n)})
		}
		return out, err
	})
	a.Alerts.Watch(alerts.KindLinkFailing, func(ctx context.Context) ([]alerts.Finding, error) {
		links, err := a.Chatwoot.FailingLinks(ctx)
		out := make([]alerts.Finding, 0, len(links))
		for _, l := range links {
			out = append(out, alerts.Finding{AccountID: l.AccountID, SubjectID: l.ID, SubjectName: siteOf(l.BaseURL), Detail: "needs_attention"})
		}
		return out, err
	})
	limits := &usage.MessageLimits{DB: a.DB, Now: a.IAM.Now, Limit: func(ctx context.Context, accountID string) (int, bool, error) {
		return a.Plans.Limit(ctx, a.DB.R, accountID, plan.MaxMessagesPerMonth)
	}}
	quota := func(keep func(usage.MonthUse) bool) alerts.Source {
		return func(ctx context.Context) ([]alerts.Finding, error) {
			uses, err := limits.Uses(ctx)
			out := make([]alerts.Finding, 0, len(uses))
			for _, u := range uses {
				if keep(u) {
					out = append(out, alerts.Finding{AccountID: u.AccountID, SubjectID: u.Month, SubjectName: u.Month,
						Detail: strconv.Itoa(u.Used) + "/" + strconv.Itoa(u.Limit), Used: u.Used, Limit: u.Limit})
				}
			}
			return out, err
		}
	}
	a.Alerts.Watch(alerts.KindMessagesOverLimit, quota(usage.MonthUse.Over))
	a.Alerts.Watch(alerts.KindMessagesNearLimit, quota(usage.MonthUse.Near))
	river.AddWorker(workers, &alerts.CheckWorker{S: a.Alerts})
}

// siteOf keeps the scheme and host of an address (never a path or
// credentials).
func siteOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}
