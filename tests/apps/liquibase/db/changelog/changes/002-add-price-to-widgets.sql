--liquibase formatted sql

--changeset maria.keller:add-widget-price-cents
ALTER TABLE widgets ADD COLUMN price_cents INTEGER NOT NULL DEFAULT 0;
--rollback ALTER TABLE widgets DROP COLUMN price_cents;

--changeset maria.keller:index-widget-name
CREATE INDEX ix_widgets_name ON widgets (name);
--rollback DROP INDEX ix_widgets_name;
