-- The intake works executions by claiming them in batches instead of one
-- River job each: run_at is when an execution may be claimed next (its
-- receipt, a retry's backoff, or a claim's lease, after which a claim left
-- by a stopped hub is taken again); replayed_attempts is the attempts made
-- before the last replay, which a replayed execution's limit does not count.
ALTER TABLE event_runs ADD COLUMN run_at DATETIME NOT NULL DEFAULT '1970-01-01 00:00:00';
UPDATE event_runs SET run_at = updated_at;
ALTER TABLE event_runs ADD COLUMN replayed_attempts INTEGER NOT NULL DEFAULT 0;
CREATE INDEX event_runs_due ON event_runs (run_at, event_id) WHERE status IN ('received', 'processing', 'failed');
