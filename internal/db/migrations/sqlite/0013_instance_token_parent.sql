-- An instance token minted with another instance token names it: revoking
-- the parent revokes every token minted from it.
ALTER TABLE instance_tokens ADD COLUMN parent_id TEXT REFERENCES instance_tokens (id);
CREATE INDEX instance_tokens_parent ON instance_tokens (parent_id);
