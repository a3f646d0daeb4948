#!/usr/bin/env python3
"""Writes COUNT source changes as SQL that SQLite and MariaDB both run, for
the incremental part of bench/scale_bench.sh: new orders, shipments and
deliveries, new tickets, first responses, ratings, refunds and return
requests, each on an order drawn from the last 30 days of a generated
marketplace (order ids grow with time there), so changes fall on sellers as
their orders do (the Zipf skew of the generator). Every changed row gets
updated_at = NOW. Deterministic for a seed.

Usage: bench/source_changes.py SOURCE_DB COUNT NOW SEED > changes.sql
  SOURCE_DB  the generated SQLite source (read only, for the largest ids)
  NOW        'YYYY-MM-DD HH:MM:SS' UTC"""

import datetime
import random
import sqlite3
import sys


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    path, count, now, seed = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    top = {t: db.execute(f"SELECT COALESCE(MAX({k}), 0) FROM {t}").fetchone()[0]
           for t, k in [("orders", "order_id"), ("tickets", "ticket_id"), ("ratings", "rating_id"),
                        ("refunds", "refund_id"), ("return_requests", "return_id")]}
    tickets = [r[0] for r in db.execute(
        "SELECT ticket_id FROM tickets WHERE first_seller_response_at IS NULL "
        "ORDER BY ticket_id DESC LIMIT 20000")]
    db.close()
    rng = random.Random(seed)
    recent = (top["orders"] * 3 // 4, top["orders"])
    q = f"'{now}'"
    at = datetime.datetime.strptime(now, "%Y-%m-%d %H:%M:%S")
    ship_by = f"'{at + datetime.timedelta(days=2):%Y-%m-%d %H:%M:%S}'"
    promised = f"'{at + datetime.timedelta(days=5):%Y-%m-%d %H:%M:%S}'"

    def order():
        return rng.randint(*recent)

    def new_id(table):
        top[table] += 1
        return top[table]

    # (share of the changes, statement maker)
    kinds = [
        (25, lambda: f"INSERT INTO orders (order_id, seller_id, product_id, ordered_at, ship_by_at, "
                     f"promised_at, fulfilled_by, amount, currency, updated_at) SELECT "
                     f"{new_id('orders')}, seller_id, product_id, {q}, {ship_by}, {promised}, "
                     f"fulfilled_by, amount, currency, {q} FROM orders WHERE order_id = {order()}"),
        (20, lambda: f"UPDATE orders SET shipped_at = {q}, tracking_valid = 1, updated_at = {q} "
                     f"WHERE order_id = {order()} AND shipped_at IS NULL"),
        (10, lambda: f"UPDATE orders SET delivered_at = {q}, updated_at = {q} "
                     f"WHERE order_id = {order()} AND shipped_at IS NOT NULL"),
        (15, lambda: f"INSERT INTO ratings (rating_id, order_id, seller_id, product_id, stars, "
                     f"created_at, updated_at) SELECT {new_id('ratings')}, order_id, seller_id, "
                     f"product_id, {rng.choice([1, 2, 4, 5, 5, 5])}, {q}, {q} FROM orders "
                     f"WHERE order_id = {order()}"),
        (10, lambda: f"INSERT INTO tickets (ticket_id, order_id, seller_id, product_id, kind, "
                     f"status, opened_at, updated_at) SELECT {new_id('tickets')}, order_id, "
                     f"seller_id, NULL, '{rng.choice(['not_received', 'damaged', 'question'])}', "
                     f"'open', {q}, {q} FROM orders WHERE order_id = {order()}"),
        (8, lambda: f"UPDATE tickets SET first_seller_response_at = {q}, updated_at = {q} "
                    f"WHERE ticket_id = {rng.choice(tickets) if tickets else 0}"),
        (7, lambda: f"INSERT INTO refunds (refund_id, order_id, seller_id, ticket_id, created_at, "
                    f"amount, method, kind, reason, updated_at) SELECT {new_id('refunds')}, "
                    f"order_id, seller_id, NULL, {q}, amount, 'original_payment', 'full', "
                    f"'goodwill', {q} FROM orders WHERE order_id = {order()}"),
        (5, lambda: f"INSERT INTO return_requests (return_id, order_id, seller_id, requested_at, "
                    f"updated_at) SELECT {new_id('return_requests')}, order_id, seller_id, {q}, "
                    f"{q} FROM orders WHERE order_id = {order()}"),
    ]
    weights = [w for w, _ in kinds]
    out = ["BEGIN;"]
    for _ in range(count):
        out.append(rng.choices(kinds, weights)[0][1]() + ";")
    out.append("COMMIT;")
    print("\n".join(out))


if __name__ == "__main__":
    main()
