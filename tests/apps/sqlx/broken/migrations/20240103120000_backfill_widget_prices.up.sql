-- Prices used to be stored in whole dollars in list_price; move them to price_cents.
UPDATE widgets
   SET price_cents = list_price * 100
 WHERE list_price IS NOT NULL;
