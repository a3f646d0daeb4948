-- sellertrust results schema, version 1. The daemon applies the files of
-- this folder in order (they are compiled into it) and records the version
-- in schema_version; operators never run them by hand.
CREATE TABLE IF NOT EXISTS seller_results (
  seller_id BIGINT NOT NULL PRIMARY KEY,
  badge VARCHAR(16) NOT NULL,
  score DECIMAL(4,1) NULL,
  computed_at DATETIME NOT NULL,
  rules_version VARCHAR(32) NOT NULL,
  report_json MEDIUMTEXT NOT NULL,
  KEY seller_results_badge (badge)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS product_results (
  product_id BIGINT NOT NULL PRIMARY KEY,
  seller_id BIGINT NOT NULL,
  report_json MEDIUMTEXT NOT NULL,
  KEY product_results_seller (seller_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS run_meta (
  id TINYINT NOT NULL PRIMARY KEY,
  computed_at DATETIME NOT NULL,
  rules_version VARCHAR(32) NOT NULL,
  marketplace_odr DOUBLE NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS badge_changes (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  seller_id BIGINT NOT NULL,
  from_badge VARCHAR(16) NULL,
  to_badge VARCHAR(16) NOT NULL,
  score DECIMAL(4,1) NULL,
  changed_at DATETIME NOT NULL,
  reason VARCHAR(500) NOT NULL,
  KEY badge_changes_seller (seller_id, changed_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Warnings with their lifecycle: active while cleared_at is NULL.
CREATE TABLE IF NOT EXISTS warnings (
  id BIGINT NOT NULL PRIMARY KEY,
  code VARCHAR(64) NOT NULL,
  severity VARCHAR(16) NOT NULL,
  seller_id BIGINT NOT NULL,
  product_id BIGINT NULL,
  action VARCHAR(64) NOT NULL,
  detail VARCHAR(500) NOT NULL,
  evidence_json TEXT NOT NULL,
  raised_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL,
  cleared_at DATETIME NULL,
  KEY warnings_active (cleared_at, id),
  KEY warnings_seller (seller_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS seller_history (
  seller_id BIGINT NOT NULL,
  day DATE NOT NULL,
  score DECIMAL(4,1) NULL,
  badge VARCHAR(16) NOT NULL,
  PRIMARY KEY (seller_id, day),
  KEY seller_history_day (day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
