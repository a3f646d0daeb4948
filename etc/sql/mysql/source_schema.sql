-- The source tables of SPEC §1 on MySQL / MariaDB: what sellertrustd reads
-- with its read-only account. A reference for operators who create these
-- tables (or views of the same names and columns, see example_views.sql), and
-- the schema the integration tests and the benchmark load.
--
-- Times are UTC DATETIME: writers must run with time_zone = '+00:00' (the
-- updated_at defaults use the session time zone). There are no foreign keys
-- and no CHECK constraints on purpose: operators' data arrives out of order
-- and may hold impossible values, and the daemon is the one place that
-- validates rows (it reports and skips bad ones, SPEC §1).
--
-- The indexes are the ones the daemon's queries need (jobs/source/definition.cc;
-- `sellertrustd --check-config` verifies them): orders(ordered_at) for the
-- window range, orders(seller_id, ordered_at) for reading changed sellers
-- and the days of the largest sellers that changed, every
-- after-sales table's order_id for the joins to window orders,
-- tickets(kind, seller_id) for the authenticity claims of the sellers a run
-- reads, and updated_at everywhere for incremental runs.

CREATE TABLE sellers (
  seller_id  BIGINT       NOT NULL PRIMARY KEY,
  name       VARCHAR(255) NOT NULL,
  country    CHAR(2)      NOT NULL,
  created_at DATETIME     NOT NULL,
  updated_at DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  KEY sellers_updated_at (updated_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE orders (
  order_id       BIGINT        NOT NULL PRIMARY KEY,
  seller_id      BIGINT        NOT NULL,
  product_id     BIGINT        NOT NULL,
  ordered_at     DATETIME      NOT NULL,
  ship_by_at     DATETIME      NULL,
  shipped_at     DATETIME      NULL,
  promised_at    DATETIME      NULL COMMENT 'latest promised delivery',
  delivered_at   DATETIME      NULL,
  cancelled_at   DATETIME      NULL,
  cancelled_by   ENUM('seller', 'buyer', 'operator') NULL,
  tracking_valid BOOL          NULL,
  fulfilled_by   ENUM('seller', 'operator') NOT NULL,
  amount         DECIMAL(12,2) NOT NULL,
  currency       CHAR(3)       NOT NULL,
  updated_at     DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  KEY orders_ordered_at (ordered_at),
  KEY orders_seller_id_ordered_at (seller_id, ordered_at),
  KEY orders_updated_at (updated_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE tickets (
  ticket_id                BIGINT   NOT NULL PRIMARY KEY,
  order_id                 BIGINT   NOT NULL,
  seller_id                BIGINT   NOT NULL,
  product_id               BIGINT   NULL COMMENT 'NULL: the product of the order',
  kind                     ENUM('not_received', 'late_delivery', 'damaged', 'defective',
                                'not_as_described', 'wrong_item', 'authenticity', 'question',
                                'other') NOT NULL,
  status                   ENUM('open', 'escalated', 'under_review', 'granted_seller_funded',
                                'granted_operator_funded', 'refunded', 'resolved', 'withdrawn',
                                'refused') NOT NULL,
  opened_at                DATETIME NOT NULL,
  first_seller_response_at DATETIME NULL,
  escalated_at             DATETIME NULL COMMENT 'the operator stepped in',
  closed_at                DATETIME NULL,
  updated_at               DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  KEY tickets_order_id (order_id),
  KEY tickets_kind_seller_id (kind, seller_id),
  KEY tickets_updated_at (updated_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE refunds (
  refund_id  BIGINT        NOT NULL PRIMARY KEY,
  order_id   BIGINT        NOT NULL,
  seller_id  BIGINT        NOT NULL,
  ticket_id  BIGINT        NULL COMMENT 'NULL: a spontaneous refund',
  created_at DATETIME      NOT NULL,
  amount     DECIMAL(12,2) NOT NULL,
  method     ENUM('original_payment', 'bank_transfer', 'store_credit', 'promo_code') NOT NULL,
  kind       ENUM('full', 'partial') NOT NULL,
  reason     ENUM('non_conforming', 'defective', 'late_delivery', 'not_received', 'price_match',
                  'return', 'goodwill', 'other') NOT NULL,
  updated_at DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  KEY refunds_order_id (order_id),
  KEY refunds_updated_at (updated_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE return_requests (
  return_id    BIGINT   NOT NULL PRIMARY KEY,
  order_id     BIGINT   NOT NULL,
  seller_id    BIGINT   NOT NULL,
  requested_at DATETIME NOT NULL,
  received_at  DATETIME NULL,
  resolved_at  DATETIME NULL,
  resolution   ENUM('refund', 'replacement', 'rejected') NULL COMMENT 'set iff resolved_at is',
  updated_at   DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  KEY return_requests_order_id (order_id),
  KEY return_requests_updated_at (updated_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE ratings (
  rating_id  BIGINT   NOT NULL PRIMARY KEY,
  order_id   BIGINT   NOT NULL,
  seller_id  BIGINT   NOT NULL,
  product_id BIGINT   NOT NULL,
  stars      TINYINT  NOT NULL COMMENT '1-5',
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  KEY ratings_order_id (order_id),
  KEY ratings_updated_at (updated_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE chargebacks (
  chargeback_id BIGINT   NOT NULL PRIMARY KEY,
  order_id      BIGINT   NOT NULL,
  seller_id     BIGINT   NOT NULL,
  created_at    DATETIME NOT NULL,
  liability     ENUM('service', 'fraud') NOT NULL,
  updated_at    DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  KEY chargebacks_order_id (order_id),
  KEY chargebacks_updated_at (updated_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
