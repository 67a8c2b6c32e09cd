-- Provider events are processed by concurrent jobs and may finish out of
-- order; the time of the newest applied event keeps an older one from
-- overwriting a newer status.
ALTER TABLE provider_instances ADD COLUMN last_event_at DATETIME;
