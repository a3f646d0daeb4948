-- Version 4: incremental runs. A seller's due_at is when the clock alone
-- next changes its tallies (an incremental run recomputes it then);
-- run_meta keeps the latest source change the run saw (where the next
-- incremental run starts reading) and when the last full run was.
ALTER TABLE seller_results ADD COLUMN due_at DATETIME NULL;
ALTER TABLE run_meta
  ADD COLUMN source_watermark DATETIME NULL,
  ADD COLUMN full_run_at DATETIME NULL;
