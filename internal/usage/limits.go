package usage

import (
	"context"
	"time"

	"github.com/whatpro/hub/internal/db"
)

// The plan's max_messages_per_month counts messages_in plus messages_out
// of the current UTC month. One definition serves the gateway's check
// (through the plan's counter) and the admins' warnings (MessageLimits).

// NearPercent is how far into the limit admins are first warned.
const NearPercent = 80

// monthStart is the first day of now's UTC month, as usage_daily keys it.
func monthStart(now time.Time) string { return now.UTC().Format("2006-01") + "-01" }

// MonthMessages counts an account's messages this month (a plan.Counter
// for max_messages_per_month).
func MonthMessages(ctx context.Context, q db.Querier, accountID string, now time.Time) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(value), 0) FROM usage_daily
		WHERE account_id = $1 AND day >= $2 AND metric IN ('messages_in', 'messages_out')`, accountID, monthStart(now)).Scan(&n)
	return n, err
}

// monthlyMessages counts every account's messages this month (accounts
// with none are left out).
func monthlyMessages(ctx context.Context, q db.Querier, now time.Time) (map[string]int, error) {
	return db.Counts(q.QueryContext(ctx, `SELECT account_id, SUM(value) FROM usage_daily
		WHERE day >= $1 AND metric IN ('messages_in', 'messages_out') GROUP BY account_id`, monthStart(now)))
}

// MonthUse is an account's messages this month against its limit.
type MonthUse struct {
	AccountID string
	Month     string // YYYY-MM (UTC)
	Used      int
	Limit     int
}

// Over says the limit is reached: replies are refused until the limit is
// raised or the month ends (customers' messages still arrive).
func (u MonthUse) Over() bool { return u.Used >= u.Limit }

// Near says NearPercent of the limit is used, and not all of it.
func (u MonthUse) Near() bool { return !u.Over() && u.Used*100 >= u.Limit*NearPercent }

// MessageLimits reports accounts against their monthly message limit.
type MessageLimits struct {
	DB *db.DB
	// Limit is the account's max_messages_per_month (ok=false: unlimited);
	// the plan owns it.
	Limit func(ctx context.Context, accountID string) (limit int, ok bool, err error)
	Now   func() time.Time
}

// Uses lists every account that sent or received messages this month and
// has a limit, with its use. An account with no message this month is
// left out (nothing it could be warned about happened yet).
func (l *MessageLimits) Uses(ctx context.Context) ([]MonthUse, error) {
	now := time.Now()
	if l.Now != nil {
		now = l.Now()
	}
	counts, err := monthlyMessages(ctx, l.DB.R, now)
	if err != nil {
		return nil, err
	}
	month := now.UTC().Format("2006-01")
	out := make([]MonthUse, 0, len(counts))
	for acct, n := range counts {
		limit, ok, err := l.Limit(ctx, acct)
		if err != nil {
			return nil, err
		}
		if ok && limit >= 0 {
			out = append(out, MonthUse{AccountID: acct, Month: month, Used: n, Limit: limit})
		}
	}
	return out, nil
}
