package app_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"

	"github.com/riverqueue/river"

	"github.com/whatpro/hub/internal/app"
	"github.com/whatpro/hub/internal/apptest"
)

type failArgs struct {
	AccountID string `json:"account_id"`
}

func (failArgs) Kind() string { return "test.fail" }

type failWorker struct {
	river.WorkerDefaults[failArgs]
	worked chan struct{}
}

func (w *failWorker) Work(context.Context, *river.Job[failArgs]) error {
	w.worked <- struct{}{}
	return errors.New("the provider said no")
}

// A dead job shows in its kind's counts and in the discarded list with its
// error; retry runs it again, discard removes it; both are audited on the
// hub chain and refused to anyone but the super admin.
func TestJobsAdmin(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		w := &failWorker{worked: make(chan struct{}, 4)}
		h := apptest.New(t, dialect, apptest.Options{Env: apptest.SuperAdminEnv(),
			AppOpts: app.Options{Workers: func(ws *river.Workers) { river.AddWorker(ws, w) }}})
		validateAnswers(t, h)
		super := h.LoginSuper()
		tn := h.NewTenant(super, "Jobs")
		ctx := context.Background()
		must(t, h.App.DB.Tx(ctx, func(tx *sql.Tx) error {
			_, err := h.App.Jobs.InsertTx(ctx, tx, failArgs{AccountID: tn.ID}, &river.InsertOpts{MaxAttempts: 1})
			return err
		}))
		<-w.worked
		apptest.Eventually(t, "the job is discarded", func() bool {
			return h.Count(`SELECT count(*) FROM river_job WHERE kind = 'test.fail' AND state = 'discarded'`) == 1
		})
		var sum struct {
			Data []struct {
				Kind   string         `json:"kind"`
				Counts map[string]int `json:"counts"`
				Depth  int            `json:"depth"`
			} `json:"data"`
			Totals map[string]int `json:"totals"`
		}
		h.Do(apptest.Req{Method: "GET", Path: "/api/v1/job-kinds", Token: super.Token}).Expect(t, 200).Decode(t, &sum)
		found := false
		for _, k := range sum.Data {
			if k.Kind == "test.fail" {
				found = k.Counts["discarded"] == 1 && k.Depth == 0
			}
		}
		if !found || sum.Totals["discarded"] < 1 {
			t.Fatalf("summary: %+v", sum)
		}
		var list struct {
			Data []struct {
				ID        int64  `json:"id"`
				State     string `json:"state"`
				AccountID string `json:"account_id"`
				LastError string `json:"last_error"`
			} `json:"data"`
		}
		h.Do(apptest.Req{Method: "GET", Path: "/api/v1/jobs?state=discarded&kind=test.fail", Token: super.Token}).Expect(t, 200).Decode(t, &list)
		if len(list.Data) != 1 || list.Data[0].LastError != "the provider said no" || list.Data[0].AccountID != tn.ID {
			t.Fatalf("list: %+v", list)
		}
		id := fmt.Sprint(list.Data[0].ID)
		apptest.Run(t, h, []apptest.Scenario{
			{Name: "admin refused", Method: "POST", Path: "/api/v1/jobs/" + id + "/retry", Header: apptest.Bearer(tn.Admin.Token), Status: 403, Code: "FORBIDDEN"},
			{Name: "bad state", Method: "GET", Path: "/api/v1/jobs?state=dead", Header: apptest.Bearer(super.Token), Status: 400, Code: "VALIDATION_ERROR"},
			{Name: "unknown job", Method: "POST", Path: "/api/v1/jobs/999999/discard", Header: apptest.Bearer(super.Token), Status: 404, Code: "NOT_FOUND"},
			{Name: "retry", Method: "POST", Path: "/api/v1/jobs/" + id + "/retry", Header: apptest.Bearer(super.Token), Status: 200, Contains: []string{`"state":"available"`}},
		})
		<-w.worked // it ran again, and failed again
		apptest.Eventually(t, "the retried job is dead again", func() bool {
			return h.Count(`SELECT count(*) FROM river_job WHERE kind = 'test.fail' AND state = 'discarded' AND attempt = 2`) == 1
		})
		apptest.Run(t, h, []apptest.Scenario{
			{Name: "discard", Method: "POST", Path: "/api/v1/jobs/" + id + "/discard", Header: apptest.Bearer(super.Token), Status: 200},
			{Name: "gone", Method: "POST", Path: "/api/v1/jobs/" + id + "/discard", Header: apptest.Bearer(super.Token), Status: 404, Code: "NOT_FOUND"},
		})
		if n := h.Count(`SELECT count(*) FROM river_job WHERE kind = 'test.fail'`); n != 0 {
			t.Fatalf("%d test.fail jobs left after discard", n)
		}
		if n := h.Count(`SELECT count(*) FROM audit_logs WHERE account_id IS NULL AND resource_type = 'job' AND resource_id = $1
			AND action IN ('job.retried', 'job.discarded')`, id); n != 2 {
			t.Fatalf("%d hub audit entries for the job, want 2", n)
		}
	})
}
