DROP INDEX widgets_name_idx;
ALTER TABLE widgets DROP COLUMN price_cents;
