-- Deal Kanban: boards with their entry rules, visibility and custom field
-- definitions; stages (open, won, lost); cards, which are deals tied to a
-- Chatwoot contact with an optional linked conversation; the append-only
-- card history and notes. JSON lists and objects are TEXT, encoded by Go.
CREATE TABLE kanban_boards (
	id                TEXT PRIMARY KEY,
	account_id        TEXT NOT NULL REFERENCES accounts (id),
	name              TEXT NOT NULL,
	description       TEXT NOT NULL DEFAULT '',
	is_default        BOOLEAN NOT NULL DEFAULT FALSE,
	currency          TEXT NOT NULL DEFAULT 'BRL',
	visibility        TEXT NOT NULL DEFAULT 'all' CHECK (visibility IN ('all', 'selected')),
	visible_user_ids  TEXT NOT NULL DEFAULT '[]',
	entry_all_inboxes BOOLEAN NOT NULL DEFAULT FALSE,
	entry_inbox_ids   TEXT NOT NULL DEFAULT '[]',
	stage_attribute   TEXT NOT NULL DEFAULT '',
	custom_fields     TEXT NOT NULL DEFAULT '[]',
	version           BIGINT NOT NULL DEFAULT 1,
	created_at        TIMESTAMPTZ NOT NULL,
	updated_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX kanban_boards_account ON kanban_boards (account_id, id);
CREATE UNIQUE INDEX kanban_boards_default ON kanban_boards (account_id) WHERE is_default;

CREATE TABLE kanban_stages (
	id                TEXT PRIMARY KEY,
	account_id        TEXT NOT NULL REFERENCES accounts (id),
	board_id          TEXT NOT NULL REFERENCES kanban_boards (id) ON DELETE CASCADE,
	name              TEXT NOT NULL,
	color             TEXT NOT NULL DEFAULT '#64748b',
	position          DOUBLE PRECISION NOT NULL,
	kind              TEXT NOT NULL CHECK (kind IN ('open', 'won', 'lost')),
	stale_after_hours INTEGER,
	win_probability   INTEGER NOT NULL DEFAULT 0 CHECK (win_probability BETWEEN 0 AND 100),
	wip_limit         INTEGER,
	required_fields   TEXT NOT NULL DEFAULT '[]',
	created_at        TIMESTAMPTZ NOT NULL,
	updated_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX kanban_stages_board ON kanban_stages (account_id, board_id, position);

CREATE TABLE kanban_cards (
	id                     TEXT PRIMARY KEY,
	account_id             TEXT NOT NULL REFERENCES accounts (id),
	board_id               TEXT NOT NULL REFERENCES kanban_boards (id) ON DELETE CASCADE,
	stage_id               TEXT NOT NULL REFERENCES kanban_stages (id),
	status                 TEXT NOT NULL CHECK (status IN ('open', 'won', 'lost')),
	title                  TEXT NOT NULL,
	value_cents            BIGINT NOT NULL DEFAULT 0,
	currency               TEXT NOT NULL,
	priority               TEXT NOT NULL DEFAULT 'none',
	due_at                 TIMESTAMPTZ,
	labels                 TEXT NOT NULL DEFAULT '[]',
	assignee_ids           TEXT NOT NULL DEFAULT '[]',
	contact_id             INTEGER,
	contact_name           TEXT NOT NULL DEFAULT '',
	contact_phone          TEXT NOT NULL DEFAULT '',
	conversation_id        INTEGER,
	inbox_id               INTEGER,
	conversation_status    TEXT NOT NULL DEFAULT '',
	conversation_synced_at DOUBLE PRECISION NOT NULL DEFAULT 0,
	custom_fields          TEXT NOT NULL DEFAULT '{}',
	position               DOUBLE PRECISION NOT NULL,
	version                BIGINT NOT NULL DEFAULT 1,
	stage_entered_at       TIMESTAMPTZ NOT NULL,
	closed_reason          TEXT NOT NULL DEFAULT '',
	closed_at              TIMESTAMPTZ,
	last_activity_at       TIMESTAMPTZ,
	last_message_preview   TEXT NOT NULL DEFAULT '',
	search                 TEXT NOT NULL DEFAULT '',
	origin                 TEXT NOT NULL DEFAULT 'manual',
	created_by             TEXT NOT NULL DEFAULT '',
	created_at             TIMESTAMPTZ NOT NULL,
	updated_at             TIMESTAMPTZ NOT NULL
);
CREATE INDEX kanban_cards_column ON kanban_cards (account_id, board_id, stage_id, position, id);
-- Covers the per-column totals of an unfiltered board (and an agent's,
-- by inbox) without reading the table.
CREATE INDEX kanban_cards_totals ON kanban_cards (account_id, board_id, stage_id, inbox_id, value_cents);
CREATE INDEX kanban_cards_conversation ON kanban_cards (account_id, conversation_id);
CREATE INDEX kanban_cards_contact ON kanban_cards (account_id, contact_id);
-- One open card per contact per board, also under concurrent webhooks.
CREATE UNIQUE INDEX kanban_cards_open_contact ON kanban_cards (board_id, contact_id) WHERE status = 'open' AND contact_id IS NOT NULL;

CREATE TABLE kanban_card_history (
	id         TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts (id),
	card_id    TEXT NOT NULL,
	board_id   TEXT NOT NULL,
	action     TEXT NOT NULL,
	actor_type TEXT NOT NULL,
	actor_id   TEXT NOT NULL DEFAULT '',
	data       TEXT NOT NULL DEFAULT '{}',
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX kanban_card_history_card ON kanban_card_history (account_id, card_id, id);

CREATE TABLE kanban_notes (
	id         TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts (id),
	card_id    TEXT NOT NULL REFERENCES kanban_cards (id) ON DELETE CASCADE,
	author_id  TEXT NOT NULL,
	body       TEXT NOT NULL,
	search     TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX kanban_notes_card ON kanban_notes (account_id, card_id, id);
