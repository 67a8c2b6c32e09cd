package usage

import (
	"net/http"
	"slices"
	"time"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
)

// Handler serves the usage API.
type Handler struct {
	DB *db.DB
}

// Point is one day of a metric.
type Point struct {
	Day   string `json:"day"`
	Value int64  `json:"value"`
}

func parseRange(r *http.Request) (from, to string, metric string, err error) {
	q := r.URL.Query()
	now := time.Now().UTC()
	from, to, metric = q.Get("from"), q.Get("to"), q.Get("metric")
	if from == "" {
		from = now.AddDate(0, 0, -29).Format("2006-01-02")
	}
	if to == "" {
		to = now.Format("2006-01-02")
	}
	var bad []httpx.FieldError
	f, e1 := time.Parse("2006-01-02", from)
	t, e2 := time.Parse("2006-01-02", to)
	if e1 != nil {
		bad = append(bad, httpx.FieldError{Field: "from", Message: "must be a date YYYY-MM-DD"})
	}
	if e2 != nil {
		bad = append(bad, httpx.FieldError{Field: "to", Message: "must be a date YYYY-MM-DD"})
	}
	if e1 == nil && e2 == nil && (t.Before(f) || t.Sub(f) > 366*24*time.Hour) {
		bad = append(bad, httpx.FieldError{Field: "to", Message: "must be on or after from, at most a year later"})
	}
	if metric != "" && !slices.Contains(Names, metric) {
		bad = append(bad, httpx.FieldError{Field: "metric", Message: "is not a metric"})
	}
	if len(bad) > 0 {
		return "", "", "", httpx.Invalid(bad...)
	}
	return from, to, metric, nil
}

// Get answers {metric, series} for one metric, or {metrics:[…]} for all,
// with every day of the range present (zero when nothing was counted).
func (h *Handler) Get(w http.ResponseWriter, r *http.Request) error {
	from, to, metric, err := parseRange(r)
	if err != nil {
		return err
	}
	accountID := iam.AccessFrom(r.Context()).AccountID
	rows, err := h.DB.R.QueryContext(r.Context(), `SELECT day, metric, value FROM usage_daily
		WHERE account_id = $1 AND day >= $2 AND day <= $3`, accountID, from, to)
	if err != nil {
		return err
	}
	defer rows.Close()
	got := map[string]map[string]int64{}
	for rows.Next() {
		var day, m string
		var v int64
		if err := rows.Scan(&day, &m, &v); err != nil {
			return err
		}
		if got[m] == nil {
			got[m] = map[string]int64{}
		}
		got[m][day] = v
	}
	if err := rows.Err(); err != nil {
		return err
	}
	series := func(m string) []Point {
		var out []Point
		f, _ := time.Parse("2006-01-02", from)
		t, _ := time.Parse("2006-01-02", to)
		for d := f; !d.After(t); d = d.AddDate(0, 0, 1) {
			day := d.Format("2006-01-02")
			out = append(out, Point{Day: day, Value: got[m][day]})
		}
		return out
	}
	if metric != "" {
		httpx.WriteJSON(w, http.StatusOK, map[string]any{"account_id": accountID, "metric": metric, "series": series(metric)})
		return nil
	}
	var all []map[string]any
	for _, m := range Names {
		all = append(all, map[string]any{"metric": m, "series": series(m)})
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"account_id": accountID, "from": from, "to": to, "metrics": all})
	return nil
}

// Overview gives super admins each account's totals over the range.
func (h *Handler) Overview(w http.ResponseWriter, r *http.Request) error {
	from, to, metric, err := parseRange(r)
	if err != nil {
		return err
	}
	rows, err := h.DB.R.QueryContext(r.Context(), `SELECT u.account_id, a.name, u.metric, SUM(u.value) FROM usage_daily u
		JOIN accounts a ON a.id = u.account_id WHERE u.day >= $1 AND u.day <= $2 AND ($3 = '' OR u.metric = $3)
		GROUP BY u.account_id, a.name, u.metric ORDER BY a.name, u.metric`, from, to, metric)
	if err != nil {
		return err
	}
	defer rows.Close()
	type total struct {
		AccountID   string `json:"account_id"`
		AccountName string `json:"account_name"`
		Metric      string `json:"metric"`
		Total       int64  `json:"total"`
	}
	out := []total{}
	for rows.Next() {
		var t total
		if err := rows.Scan(&t.AccountID, &t.AccountName, &t.Metric, &t.Total); err != nil {
			return err
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"from": from, "to": to, "data": out})
	return nil
}
