-- migrate:up
ALTER TABLE widgets ADD COLUMN price_cents integer NOT NULL DEFAULT 0;
CREATE INDEX widgets_name_idx ON widgets (name);

-- migrate:down
DROP INDEX widgets_name_idx;
ALTER TABLE widgets DROP COLUMN price_cents;
