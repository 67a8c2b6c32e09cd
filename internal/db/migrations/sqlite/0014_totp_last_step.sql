-- The time step of the last TOTP code accepted for a user: a code is
-- accepted once, so a captured one cannot be replayed within its window.
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
