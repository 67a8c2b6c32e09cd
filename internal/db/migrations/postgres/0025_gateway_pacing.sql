-- Outbound pacing per number: NULL is the hub's default
-- (WHATPRO_GATEWAY_SEND_GAP, _SEND_RATE, _SEND_TYPING).
ALTER TABLE gateway_settings ADD COLUMN send_gap_ms INTEGER CHECK (send_gap_ms BETWEEN 0 AND 30000);
ALTER TABLE gateway_settings ADD COLUMN send_per_minute INTEGER CHECK (send_per_minute BETWEEN 0 AND 6000);
ALTER TABLE gateway_settings ADD COLUMN send_typing BOOLEAN;
