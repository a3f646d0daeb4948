-- Views that expose a marketplace's own tables (example_marketplace.sql, an
-- invented but typical schema) under the SPEC §1 names and columns, so that
-- sellertrustd reads them without copying any data. Adapt the names and the
-- code mappings to your schema, create the views in the database the
-- read-only account reads, and run `sellertrustd --check-config` to verify
-- them (it notes the indexes the base tables behind the views need).
-- @MARKETPLACE_DB@ is the database that holds the marketplace's tables:
--   sed 's/@MARKETPLACE_DB@/shop/g' example_views.sql | mysql sellertrust_source
-- (docs/mysql.md walks through it).
--
-- Rules that keep the daemon's results right and its queries fast:
-- * Map codes with CASE ... ELSE <the original code> END: a code you did not
--   map then reaches the daemon as an unknown value, which it reports and
--   skips, instead of becoming NULL or a wrong SPEC value silently.
-- * Keep each view a plain projection (no GROUP BY, DISTINCT or UNION) so
--   that the server merges it into the daemon's queries (ALGORITHM = MERGE)
--   and uses the underlying indexes: placed_at for the window, order_id on
--   every after-sales table.
-- * Times must be UTC DATETIMEs. Convert with CONVERT_TZ(col, 'Europe/Paris',
--   '+00:00') if your columns hold local times (needs the time zone tables).
-- * The read-only account needs SELECT on the views only: views run with
--   their definer's rights (SQL SECURITY DEFINER).

CREATE OR REPLACE ALGORITHM = MERGE SQL SECURITY DEFINER VIEW sellers AS
SELECT merchant_id  AS seller_id,
       legal_name   AS name,
       country_code AS country,
       onboarded_at AS created_at,
       modified_at  AS updated_at
FROM @MARKETPLACE_DB@.merchants;

CREATE OR REPLACE ALGORITHM = MERGE SQL SECURITY DEFINER VIEW orders AS
SELECT id                  AS order_id,
       merchant_id         AS seller_id,
       sku_id              AS product_id,
       placed_at           AS ordered_at,
       dispatch_deadline   AS ship_by_at,
       dispatched_at       AS shipped_at,
       delivery_eta_latest AS promised_at,
       delivered_at,
       cancelled_at,
       CASE cancel_source
         WHEN 'MERCHANT' THEN 'seller'
         WHEN 'CUSTOMER' THEN 'buyer'
         WHEN 'SUPPORT' THEN 'operator'
         ELSE cancel_source
       END                 AS cancelled_by,
       carrier_scan_ok     AS tracking_valid,
       CASE fulfilment_channel
         WHEN 'MFN' THEN 'seller'
         WHEN 'AFN' THEN 'operator'
         ELSE fulfilment_channel
       END                 AS fulfilled_by,
       CAST(total_cents / 100 AS DECIMAL(12,2)) AS amount,
       currency,
       modified_at         AS updated_at
FROM @MARKETPLACE_DB@.shop_orders;

CREATE OR REPLACE ALGORITHM = MERGE SQL SECURITY DEFINER VIEW tickets AS
SELECT case_id     AS ticket_id,
       order_id,
       merchant_id AS seller_id,
       sku_id      AS product_id,
       CASE reason_code
         WHEN 'ITEM_NOT_RECEIVED' THEN 'not_received'
         WHEN 'LATE' THEN 'late_delivery'
         WHEN 'DAMAGED' THEN 'damaged'
         WHEN 'DEFECTIVE' THEN 'defective'
         WHEN 'NOT_AS_DESCRIBED' THEN 'not_as_described'
         WHEN 'WRONG_ITEM' THEN 'wrong_item'
         WHEN 'COUNTERFEIT' THEN 'authenticity'
         WHEN 'QUESTION' THEN 'question'
         WHEN 'OTHER' THEN 'other'
         ELSE reason_code
       END         AS kind,
       CASE state
         WHEN 'OPEN' THEN 'open'
         WHEN 'ESCALATED' THEN 'escalated'
         WHEN 'UNDER_REVIEW' THEN 'under_review'
         WHEN 'REFUND_MERCHANT' THEN 'granted_seller_funded'
         WHEN 'REFUND_PLATFORM' THEN 'granted_operator_funded'
         WHEN 'REFUNDED' THEN 'refunded'
         WHEN 'CLOSED' THEN 'resolved'
         WHEN 'WITHDRAWN' THEN 'withdrawn'
         WHEN 'DENIED' THEN 'refused'
         ELSE state
       END         AS status,
       created_at  AS opened_at,
       merchant_first_reply_at AS first_seller_response_at,
       platform_joined_at      AS escalated_at,
       closed_at,
       modified_at AS updated_at
FROM @MARKETPLACE_DB@.support_cases;

CREATE OR REPLACE ALGORITHM = MERGE SQL SECURITY DEFINER VIEW refunds AS
SELECT refund_ref  AS refund_id,
       order_id,
       merchant_id AS seller_id,
       case_id     AS ticket_id,
       issued_at   AS created_at,
       CAST(amount_cents / 100 AS DECIMAL(12,2)) AS amount,
       CASE channel
         WHEN 'CARD' THEN 'original_payment'
         WHEN 'WALLET' THEN 'original_payment'
         WHEN 'BANK' THEN 'bank_transfer'
         WHEN 'VOUCHER' THEN 'promo_code'
         ELSE channel
       END         AS method,
       LOWER(scope) AS kind,
       CASE reason
         WHEN 'NON_CONFORMING' THEN 'non_conforming'
         WHEN 'DEFECTIVE' THEN 'defective'
         WHEN 'LATE' THEN 'late_delivery'
         WHEN 'NOT_RECEIVED' THEN 'not_received'
         WHEN 'PRICE_MATCH' THEN 'price_match'
         WHEN 'RETURN' THEN 'return'
         WHEN 'GOODWILL' THEN 'goodwill'
         WHEN 'OTHER' THEN 'other'
         ELSE reason
       END         AS reason,
       modified_at AS updated_at
FROM @MARKETPLACE_DB@.payments_refunds;

CREATE OR REPLACE ALGORITHM = MERGE SQL SECURITY DEFINER VIEW return_requests AS
SELECT rma_id             AS return_id,
       order_id,
       merchant_id        AS seller_id,
       opened_at          AS requested_at,
       parcel_received_at AS received_at,
       decided_at         AS resolved_at,
       CASE outcome
         WHEN 'REFUND' THEN 'refund'
         WHEN 'EXCHANGE' THEN 'replacement'
         WHEN 'REJECTED' THEN 'rejected'
         ELSE outcome
       END                AS resolution,
       modified_at        AS updated_at
FROM @MARKETPLACE_DB@.return_rmas;

CREATE OR REPLACE ALGORITHM = MERGE SQL SECURITY DEFINER VIEW ratings AS
SELECT review_id   AS rating_id,
       order_id,
       merchant_id AS seller_id,
       sku_id      AS product_id,
       score       AS stars,
       posted_at   AS created_at,
       modified_at AS updated_at
FROM @MARKETPLACE_DB@.product_reviews;

CREATE OR REPLACE ALGORITHM = MERGE SQL SECURITY DEFINER VIEW chargebacks AS
SELECT dispute_id  AS chargeback_id,
       order_id,
       merchant_id AS seller_id,
       opened_at   AS created_at,
       CASE fault
         WHEN 'MERCHANT' THEN 'service'
         WHEN 'FRAUD' THEN 'fraud'
         ELSE fault
       END         AS liability,
       modified_at AS updated_at
FROM @MARKETPLACE_DB@.payment_disputes;
