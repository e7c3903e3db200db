ALTER TABLE widgets ADD COLUMN price_cents INTEGER NOT NULL DEFAULT 0;

CREATE INDEX widgets_name_idx ON widgets (name);
