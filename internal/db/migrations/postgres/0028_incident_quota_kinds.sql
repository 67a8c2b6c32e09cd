-- Incidents gain the monthly message limit: messages_over_limit (the
-- plan's max_messages_per_month is used) and messages_near_limit (80% of
-- it), each with the month (YYYY-MM) as subject.
ALTER TABLE incidents DROP CONSTRAINT incidents_kind_check;
ALTER TABLE incidents ADD CONSTRAINT incidents_kind_check
	CHECK (kind IN ('number_down', 'dead_letters', 'link_failing', 'messages_over_limit', 'messages_near_limit'));
