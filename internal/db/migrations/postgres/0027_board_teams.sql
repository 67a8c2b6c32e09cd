-- A board with visibility 'selected' is also open to members of these
-- Chatwoot teams (a JSON array of team ids).
ALTER TABLE kanban_boards ADD COLUMN visible_team_ids TEXT NOT NULL DEFAULT '[]';
