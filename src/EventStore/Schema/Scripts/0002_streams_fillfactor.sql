-- Every append rewrites its streams' rows (the lock, then the new version), and a new stream's row is
-- written twice in the transaction that creates it. Room left on each page keeps those updates on the
-- page (heap-only), so they add no entry to the primary key; at the default of 100 almost none did.
-- Applies to pages written from now on.
ALTER TABLE streams SET (fillfactor = 50);
