package audit

// ExportQuery reads the account's own chain ($1) for its data export
// (privacy), with ExportJSON naming the columns that hold JSON.
const ExportQuery = `SELECT seq, actor_type, actor_id, action, resource_type, resource_id, ip, user_agent,
	request_id, before, after, created_at, erased_at FROM audit_logs WHERE chain_id = $1 ORDER BY seq`

// ExportJSON are the JSON columns of ExportQuery.
var ExportJSON = []string{"before", "after"}
