package app

import (
	"net/http"
	"time"

	"github.com/riverqueue/river"

	"github.com/whatpro/hub/internal/audit"
	"github.com/whatpro/hub/internal/chat"
	"github.com/whatpro/hub/internal/chatwoot"
	"github.com/whatpro/hub/internal/gateway"
	"github.com/whatpro/hub/internal/iam"
	"github.com/whatpro/hub/internal/kanban"
	"github.com/whatpro/hub/internal/privacy"
)

// buildPrivacy wires data rights: each domain registers its export
// sections, its erasers and its purge step.
func (a *App) buildPrivacy(workers *river.Workers) {
	a.Privacy = &privacy.Service{DB: a.DB, Audit: a.Audit, Grace: a.Cfg.AccountDeletionGrace, Now: a.IAM.Now,
		Entry: func(r *http.Request, accountID, action, resType, resID string) audit.Entry {
			return a.IAM.Entry(r, accountID, action, resType, resID)
		}}
	a.Privacy.AddSections(iam.PrivacySections()...)
	a.Privacy.AddSections(privacy.Section{Name: "audit", Query: audit.ExportQuery, JSON: audit.ExportJSON})
	a.Privacy.AddSections(kanban.PrivacySections()...)
	a.Privacy.AddSections(chat.PrivacySections()...)
	a.Privacy.AddSections(gateway.PrivacySections()...)
	a.Privacy.OnEraseContact("kanban", kanban.EraseContact)
	a.Privacy.OnEraseContact("gateway", gateway.EraseContact)
	a.Privacy.OnEraseUser("iam", iam.EraseUser)
	a.Privacy.OnEraseUser("chatwoot", chatwoot.EraseUser)
	a.Privacy.OnPurge(iam.PurgeAccount)
	river.AddWorker(workers, &privacy.PurgeWorker{S: a.Privacy})
}

// privacyPeriodic checks for accounts whose deletion is due every hour.
func privacyPeriodic() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(time.Hour), func() (river.JobArgs, *river.InsertOpts) {
		return privacy.PurgeArgs{}, nil
	}, &river.PeriodicJobOpts{ID: "privacy.purge_accounts"})
}
