-- Client addresses that signed in successfully as an email: the growing
-- per-email delay after failed logins does not apply to them, so nobody
-- can lock a user out of the places they already sign in from.
CREATE TABLE login_known_addresses (
	email           TEXT NOT NULL,
	ip              TEXT NOT NULL,
	last_success_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (email, ip)
);
