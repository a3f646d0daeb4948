-- Version 6: a seller's defects by day. The rows behind each metric are
-- kept per seller and day of their orders (days since 1970-01-01, UTC), in
-- the text of version 5 (docs/defects.md), so that a run rewrites only the
-- days that changed rather than a large seller's whole list. The next run
-- is a full one, which lists every seller's.
CREATE TABLE IF NOT EXISTS seller_defects (
  seller_id BIGINT NOT NULL,
  day BIGINT NOT NULL,
  defects LONGTEXT NOT NULL,
  PRIMARY KEY (seller_id, day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
ALTER TABLE seller_results DROP COLUMN defects;
UPDATE run_meta SET full_run_at = NULL;
