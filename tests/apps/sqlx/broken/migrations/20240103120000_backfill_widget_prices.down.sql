-- The backfill cannot be undone: the dollar amounts are gone once moved.
SELECT 1;
