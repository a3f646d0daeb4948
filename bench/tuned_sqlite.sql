-- The hand-written baseline of bench/scale_bench.sh on SQLite (sqlite3
-- shell): the same figures as tuned_mariadb.sql, per seller with orders in
-- the 60-day window ending @NOW@ — order count, order-defect and claim
-- numerators, claim and late-delivery denominators, p50/p90 (nearest rank)
-- first-response seconds (SPEC §2). The script replaces @WINDOW_BEGIN@,
-- @WINDOW_END@ and @NOW@ ('YYYY-MM-DD HH:MM:SS', UTC; times compare as
-- text). It assumes sound rows and the indexes of createSourceSchema(); on
-- the benchmark's data it returns the same tallies as sellertrustd's
-- seller_results.
--
-- Why it is shaped so:
-- - The window's orders are read once through orders_ordered_at (ids follow
--   time, so the row lookups are nearly sequential) and grouped by seller.
-- - Defects and claims are rare: only the after-sales rows that can count
--   are read (ratings of 1-2 stars, claims, service chargebacks), reduced to
--   one row per order, and joined to their order by rowid, instead of
--   probing three tables for every window order.
-- - Percentiles: one window (ROW_NUMBER and a whole-partition COUNT share
--   its sort); the nearest rank ceil(p n) is the smallest rn with rn >= p n.
-- - Sums are of CASE, not of bare comparisons, which are NULL when a
--   compared column is.
WITH
base AS (
  SELECT seller_id,
         COUNT(*) AS orders,
         SUM(cancelled_at IS NULL) AS open_orders,
         SUM(CASE WHEN fulfilled_by = 'seller' AND cancelled_at IS NULL AND promised_at IS NOT NULL
                  THEN 1 ELSE 0 END) AS promised_orders,
         SUM(CASE WHEN fulfilled_by = 'seller' AND cancelled_at IS NULL AND promised_at IS NOT NULL
                   AND (delivered_at > promised_at
                        OR (delivered_at IS NULL AND promised_at < datetime('@NOW@', '-3 days')))
                  THEN 1 ELSE 0 END) AS late_deliveries
  FROM orders
  WHERE ordered_at BETWEEN '@WINDOW_BEGIN@' AND '@WINDOW_END@'
  GROUP BY seller_id
),
flags AS (
  SELECT order_id, MAX(defect) AS defect, MAX(claim) AS claim
  FROM (
    SELECT order_id, 1 AS defect, 0 AS claim FROM ratings WHERE stars <= 2
    UNION ALL
    SELECT order_id, status NOT IN ('withdrawn', 'refused', 'granted_operator_funded'), 1
    FROM tickets WHERE kind NOT IN ('question', 'other')
    UNION ALL
    SELECT order_id, 1, 0 FROM chargebacks WHERE liability = 'service'
  )
  GROUP BY order_id
),
flagged AS (
  SELECT o.seller_id, SUM(f.defect) AS defect_orders,
         SUM(f.claim AND o.cancelled_at IS NULL) AS claimed_orders
  FROM flags f JOIN orders o ON o.order_id = f.order_id
  WHERE o.ordered_at BETWEEN '@WINDOW_BEGIN@' AND '@WINDOW_END@'
  GROUP BY o.seller_id
),
responses AS (
  SELECT o.seller_id,
         strftime('%s', t.first_seller_response_at) - strftime('%s', t.opened_at) AS secs
  FROM tickets t JOIN orders o ON o.order_id = t.order_id
  WHERE t.first_seller_response_at IS NOT NULL
    AND o.ordered_at BETWEEN '@WINDOW_BEGIN@' AND '@WINDOW_END@'
),
ranked AS (
  SELECT seller_id, secs, ROW_NUMBER() OVER w AS rn,
         COUNT(*) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS n
  FROM responses
  WINDOW w AS (PARTITION BY seller_id ORDER BY secs)
),
percentiles AS (
  SELECT seller_id, MIN(CASE WHEN rn * 2 >= n THEN secs END) AS p50,
         MIN(CASE WHEN rn * 10 >= n * 9 THEN secs END) AS p90
  FROM ranked GROUP BY seller_id
)
SELECT b.seller_id, b.orders, COALESCE(f.defect_orders, 0) AS defect_orders,
       COALESCE(f.claimed_orders, 0) AS claimed_orders, b.open_orders,
       b.late_deliveries, b.promised_orders, p.p50, p.p90
FROM base b
LEFT JOIN flagged f ON f.seller_id = b.seller_id
LEFT JOIN percentiles p ON p.seller_id = b.seller_id;
