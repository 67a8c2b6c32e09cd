-- The built-in plan lives in code; this row only lets account_plans point
-- at it.
INSERT INTO plans (id, name, limits, features, created_at, updated_at)
VALUES ('default', 'Default', '{}', '{}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);
