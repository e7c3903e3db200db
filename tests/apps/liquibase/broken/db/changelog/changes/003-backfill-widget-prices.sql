--liquibase formatted sql

--changeset dev.ramos:backfill-widget-prices
-- Prices used to be kept in whole units in the old catalogue.
UPDATE widgets
   SET price_cents = list_price * 100
 WHERE price_cents = 0;
--rollback UPDATE widgets SET price_cents = 0;
