-- Version 3: results as data. A seller's result is its tallies (every
-- metric's numerator and denominator, by name), score, badge and the
-- badge's reason, not a rendered report: the API renders at request time,
-- and a run rewrites only the rows whose content changed. The badges of the
-- previous version are kept (badge hysteresis needs them); the tallies are
-- filled by the next run. Products keep their ladder state; the ladder's
-- claims get their own table.
ALTER TABLE seller_results
  ADD COLUMN name VARCHAR(255) NOT NULL DEFAULT '',
  ADD COLUMN country VARCHAR(16) NOT NULL DEFAULT '',
  ADD COLUMN badge_reason VARCHAR(500) NOT NULL DEFAULT '',
  ADD COLUMN answered BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN p50_seconds BIGINT NULL,
  ADD COLUMN p90_seconds BIGINT NULL,
  ADD COLUMN orders BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN defect_orders BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN seller_cancelled_orders BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN open_orders BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN claimed_orders BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN ship_by_orders BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN late_shipments BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN promised_orders BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN late_deliveries BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN seller_shipped_orders BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN valid_tracking_orders BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN tickets BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN response_due_tickets BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN responded_in_time_tickets BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN escalated_tickets BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN delivered_orders BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN spontaneous_refund_orders BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN returns_due BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN returns_resolved_in_time BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN ratings BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN star_sum BIGINT NOT NULL DEFAULT 0;
ALTER TABLE seller_results
  DROP COLUMN report_json,
  DROP COLUMN computed_at,
  DROP COLUMN rules_version;
DROP TABLE IF EXISTS product_results;
CREATE TABLE IF NOT EXISTS product_results (
  product_id BIGINT NOT NULL PRIMARY KEY,
  seller_id BIGINT NOT NULL,
  step VARCHAR(16) NOT NULL,
  counted_claims BIGINT NOT NULL,
  first_claim_at DATETIME NULL,
  second_claim_at DATETIME NULL,
  delist_until DATETIME NULL,
  delist_active TINYINT NOT NULL,
  claims_in_window BIGINT NOT NULL,
  KEY product_results_seller (seller_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS ladder_claims (
  ticket_id BIGINT NOT NULL PRIMARY KEY,
  product_id BIGINT NOT NULL,
  seller_id BIGINT NOT NULL,
  opened_at DATETIME NOT NULL,
  status VARCHAR(32) NOT NULL,
  KEY ladder_claims_product (product_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
