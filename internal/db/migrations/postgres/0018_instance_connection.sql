-- What a provider reports about a number: its WhatsApp profile name (the
-- admin's display_name stays theirs), why it is not connected, the QR code
-- of a pending connect (it arrives by webhook or poll, after the connect
-- answered), and the id of the last connection event applied: events are
-- ordered by arrival, as Evolution's date_time is local time with a "Z".
ALTER TABLE provider_instances ADD COLUMN profile_name TEXT NOT NULL DEFAULT '';
ALTER TABLE provider_instances ADD COLUMN disconnect_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE provider_instances ADD COLUMN qr_code TEXT NOT NULL DEFAULT '';
ALTER TABLE provider_instances ADD COLUMN pairing_code TEXT NOT NULL DEFAULT '';
ALTER TABLE provider_instances ADD COLUMN last_event_id TEXT NOT NULL DEFAULT '';
