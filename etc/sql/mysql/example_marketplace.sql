-- An invented marketplace schema, the kind an operator already has: its own
-- table and column names, enum codes in capitals, amounts in cents.
-- example_views.sql maps it onto the SPEC §1 source contract; the
-- integration tests load both. Not needed in production.

CREATE TABLE merchants (
  merchant_id  BIGINT       NOT NULL PRIMARY KEY,
  legal_name   VARCHAR(255) NOT NULL,
  country_code CHAR(2)      NOT NULL,
  onboarded_at DATETIME     NOT NULL,
  modified_at  DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  KEY merchants_modified_at (modified_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE shop_orders (
  id                  BIGINT      NOT NULL PRIMARY KEY,
  merchant_id         BIGINT      NOT NULL,
  sku_id              BIGINT      NOT NULL,
  placed_at           DATETIME    NOT NULL,
  dispatch_deadline   DATETIME    NULL,
  dispatched_at       DATETIME    NULL,
  delivery_eta_latest DATETIME    NULL,
  delivered_at        DATETIME    NULL,
  cancelled_at        DATETIME    NULL,
  cancel_source       VARCHAR(16) NULL COMMENT 'MERCHANT, CUSTOMER or SUPPORT',
  carrier_scan_ok     TINYINT     NULL,
  fulfilment_channel  CHAR(3)     NOT NULL COMMENT 'MFN: merchant ships; AFN: marketplace ships',
  total_cents         BIGINT      NOT NULL,
  currency            CHAR(3)     NOT NULL,
  modified_at         DATETIME    NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  KEY shop_orders_placed_at (placed_at),
  KEY shop_orders_merchant (merchant_id, placed_at),
  KEY shop_orders_modified_at (modified_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE support_cases (
  case_id                 BIGINT      NOT NULL PRIMARY KEY,
  order_id                BIGINT      NOT NULL,
  merchant_id             BIGINT      NOT NULL,
  sku_id                  BIGINT      NULL,
  reason_code             VARCHAR(32) NOT NULL,
  state                   VARCHAR(32) NOT NULL,
  created_at              DATETIME    NOT NULL,
  merchant_first_reply_at DATETIME    NULL,
  platform_joined_at      DATETIME    NULL,
  closed_at               DATETIME    NULL,
  modified_at             DATETIME    NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  KEY support_cases_order_id (order_id),
  KEY support_cases_reason (reason_code, created_at),
  KEY support_cases_modified_at (modified_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE payments_refunds (
  refund_ref   BIGINT      NOT NULL PRIMARY KEY,
  order_id     BIGINT      NOT NULL,
  merchant_id  BIGINT      NOT NULL,
  case_id      BIGINT      NULL,
  issued_at    DATETIME    NOT NULL,
  amount_cents BIGINT      NOT NULL,
  channel      VARCHAR(16) NOT NULL COMMENT 'CARD, BANK, WALLET or VOUCHER',
  scope        VARCHAR(16) NOT NULL COMMENT 'FULL or PARTIAL',
  reason       VARCHAR(32) NOT NULL,
  modified_at  DATETIME    NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  KEY payments_refunds_order_id (order_id),
  KEY payments_refunds_modified_at (modified_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE return_rmas (
  rma_id             BIGINT      NOT NULL PRIMARY KEY,
  order_id           BIGINT      NOT NULL,
  merchant_id        BIGINT      NOT NULL,
  opened_at          DATETIME    NOT NULL,
  parcel_received_at DATETIME    NULL,
  decided_at         DATETIME    NULL,
  outcome            VARCHAR(16) NULL COMMENT 'REFUND, EXCHANGE or REJECTED',
  modified_at        DATETIME    NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  KEY return_rmas_order_id (order_id),
  KEY return_rmas_modified_at (modified_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE product_reviews (
  review_id   BIGINT   NOT NULL PRIMARY KEY,
  order_id    BIGINT   NOT NULL,
  merchant_id BIGINT   NOT NULL,
  sku_id      BIGINT   NOT NULL,
  score       TINYINT  NOT NULL,
  posted_at   DATETIME NOT NULL,
  modified_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  KEY product_reviews_order_id (order_id),
  KEY product_reviews_modified_at (modified_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE payment_disputes (
  dispute_id  BIGINT      NOT NULL PRIMARY KEY,
  order_id    BIGINT      NOT NULL,
  merchant_id BIGINT      NOT NULL,
  opened_at   DATETIME    NOT NULL,
  fault       VARCHAR(16) NOT NULL COMMENT 'MERCHANT or FRAUD',
  modified_at DATETIME    NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  KEY payment_disputes_order_id (order_id),
  KEY payment_disputes_modified_at (modified_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
