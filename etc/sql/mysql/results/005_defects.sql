-- Version 5: the drill-down. A seller's defects are the window's rows
-- behind each of its metrics (GET /v1/sellers/{id}/defects), as one text:
-- "order:row:ordered_at:reason:value:" per row, joined by ','
-- (docs/defects.md); NULL for none. The next run is a full one, which
-- lists every seller's.
ALTER TABLE seller_results ADD COLUMN defects LONGTEXT NULL;
UPDATE run_meta SET full_run_at = NULL;
