-- The gateway's ordering gate held a lane item until every older message
-- event of the whole number or API inbox was handled, so a reply in one
-- conversation waited for other conversations' events. An event now
-- carries its ordering key (the chat or conversation it belongs to, set
-- at intake by who knows the payload; '' when unknown, which orders
-- against every event of its sender), and a gateway work item the key of
-- the event it came from, so the gate waits only for older events of the
-- same key or of no key. Rows stored before this keep '' and the old
-- whole-sender ordering.
ALTER TABLE event_executions ADD COLUMN order_key TEXT NOT NULL DEFAULT '';
ALTER TABLE gateway_work ADD COLUMN order_key TEXT NOT NULL DEFAULT '';

-- The gate's keyed look-up: the pending events of one sender with the
-- item's key or none, older than the item's event (two ranges of this
-- index). The keyless look-up keeps event_executions_pending (0022).
CREATE INDEX event_executions_pending_key ON event_executions (source, source_id, order_key, id)
	WHERE status IN ('received', 'processing', 'failed');
