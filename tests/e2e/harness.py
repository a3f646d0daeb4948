"""Starts the real sellertrustd on a free port with a throw-away data dir and
talks HTTP to it. Used by the end-to-end tests; nothing here is mocked."""

import json
import os
import socket
import sqlite3
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

DAEMON = os.environ.get("SELLERTRUSTD", "sellertrustd")

SOURCE_SCHEMA = """
CREATE TABLE sellers (seller_id INTEGER PRIMARY KEY, name TEXT, country TEXT,
  created_at TEXT, updated_at TEXT);
CREATE TABLE orders (order_id INTEGER PRIMARY KEY, seller_id INTEGER, product_id INTEGER,
  ordered_at TEXT, ship_by_at TEXT, shipped_at TEXT, promised_at TEXT, delivered_at TEXT,
  cancelled_at TEXT, cancelled_by TEXT, tracking_valid INTEGER, fulfilled_by TEXT,
  amount REAL, currency TEXT, updated_at TEXT);
CREATE TABLE tickets (ticket_id INTEGER PRIMARY KEY, order_id INTEGER, seller_id INTEGER,
  product_id INTEGER, kind TEXT, status TEXT, opened_at TEXT, first_seller_response_at TEXT,
  escalated_at TEXT, closed_at TEXT, updated_at TEXT);
CREATE TABLE refunds (refund_id INTEGER PRIMARY KEY, order_id INTEGER, seller_id INTEGER,
  ticket_id INTEGER, created_at TEXT, amount REAL, method TEXT, kind TEXT, reason TEXT,
  updated_at TEXT);
CREATE TABLE return_requests (return_id INTEGER PRIMARY KEY, order_id INTEGER,
  seller_id INTEGER, requested_at TEXT, received_at TEXT, resolved_at TEXT, resolution TEXT,
  updated_at TEXT);
CREATE TABLE ratings (rating_id INTEGER PRIMARY KEY, order_id INTEGER, seller_id INTEGER,
  product_id INTEGER, stars INTEGER, created_at TEXT, updated_at TEXT);
CREATE TABLE chargebacks (chargeback_id INTEGER PRIMARY KEY, order_id INTEGER,
  seller_id INTEGER, created_at TEXT, liability TEXT, updated_at TEXT);
CREATE INDEX orders_ordered_at ON orders(ordered_at);
CREATE INDEX orders_seller_id_ordered_at ON orders(seller_id, ordered_at);
CREATE INDEX tickets_order_id ON tickets(order_id);
CREATE INDEX tickets_kind_seller_id ON tickets(kind, seller_id);
CREATE INDEX refunds_order_id ON refunds(order_id);
CREATE INDEX return_requests_order_id ON return_requests(order_id);
CREATE INDEX ratings_order_id ON ratings(order_id);
CREATE INDEX chargebacks_order_id ON chargebacks(order_id);
"""
# The indexes on updated_at that incremental runs need, one per table.
SOURCE_SCHEMA += "".join(f"CREATE INDEX {t}_updated_at ON {t}(updated_at);\n" for t in
                         ["sellers", "orders", "tickets", "refunds", "return_requests", "ratings",
                          "chargebacks"])


def utc(seconds_ago):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() - seconds_ago))


DAY = 86400


def write_fixture(path, bad_seller1=False):
    """The hand-made marketplace whose results the tests work out:

    seller 1 "Alpha": 20 perfect orders -> score 100.0, top.
    seller 2 "Beta & <Co>": 20 perfect orders, 10 of them rated 1 star ->
      ODR 10/20, Wilson lower bound 29.9 % > 2 %: all 40 ODR points lost;
      rating average (10 + 7 x 3.5) / 17 = 2.03 < 3.5: all 3 points lost;
      score 57.0, at_risk (account_review would cap it there anyway);
      warnings order_defect_rate_above_target and account_review, not
      rating_average_off_target (10 ratings, below the minimum of 20).
    seller 3 "Gamma": 3 orders -> new; an authenticity claim on product 301
      two days ago -> product_delist (the ladder does not wait for volume).
    Bad rows, skipped and counted: a 7-star rating, a ticket with status
    'lost'. With bad_seller1, seller 1's orders are all rated 1 star."""
    if os.path.exists(path):
        os.remove(path)
    db = sqlite3.connect(path)
    db.executescript(SOURCE_SCHEMA)
    now = utc(0)
    for sid, name in [(1, "Alpha"), (2, "Beta & <Co>"), (3, "Gamma")]:
        db.execute("INSERT INTO sellers VALUES (?,?,?,?,?)", (sid, name, "FR", utc(400 * DAY), now))
    oid = 0
    rid = 0
    for sid, count in [(1, 20), (2, 20), (3, 3)]:
        for i in range(count):
            oid += 1
            ordered = 10 * DAY
            db.execute(
                "INSERT INTO orders VALUES (?,?,?,?,?,?,?,?,NULL,NULL,1,'seller',19.9,'EUR',?)",
                (oid, sid, sid * 100 + 1, utc(ordered), utc(ordered - 2 * DAY),
                 utc(ordered - DAY), utc(ordered - 5 * DAY), utc(ordered - 4 * DAY), now))
            if (sid == 2 and i < 10) or (sid == 1 and bad_seller1):
                rid += 1
                db.execute("INSERT INTO ratings VALUES (?,?,?,?,1,?,?)",
                           (rid, oid, sid, sid * 100 + 1, utc(DAY), now))
    rid += 1
    db.execute("INSERT INTO ratings VALUES (?,1,1,101,7,?,?)", (rid, utc(DAY), now))
    db.execute("INSERT INTO tickets VALUES (1,41,3,301,'authenticity','open',?,NULL,NULL,NULL,?)",
               (utc(2 * DAY), now))
    db.execute("INSERT INTO tickets VALUES (2,1,1,NULL,'question','lost',?,NULL,NULL,NULL,?)",
               (utc(2 * DAY), now))
    db.commit()
    db.close()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Response:
    def __init__(self, status, headers, body, method="GET", path=""):
        self.status = status
        self.headers = headers
        self.body = body
        self.method = method
        self.path = path

    def json(self):
        return json.loads(self.body)


# Every answer any daemon gave in this process, oldest first, so that tests
# can check each against docs/openapi.json (api_contract.py).
EXCHANGES = []


class Daemon:
    """One sellertrustd process. Use as a context manager."""

    def __init__(self, data_dir, *extra, env=None, source=None):
        self.data_dir = data_dir
        self.port = free_port()
        args = [DAEMON, f"--set=data.dir={data_dir}", f"--set=http.port={self.port}",
                "--set=jobs.score.interval_seconds=2"]
        if source:
            args.append(f"--set=source.sqlite.path={source}")
        self.args = args + list(extra)
        self.env = dict(os.environ, **(env or {}))
        self.log = tempfile.TemporaryFile()
        self.proc = None

    def __enter__(self):
        self.proc = subprocess.Popen(self.args, env=self.env, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def output(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def request(self, path, method="GET", headers=None, timeout=10):
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method,
                                     headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                response = Response(r.status, r.headers, r.read().decode(), method, path)
        except urllib.error.HTTPError as e:
            response = Response(e.code, e.headers, e.read().decode(), method, path)
        EXCHANGES.append(response)
        return response

    def get(self, path, **kw):
        return self.request(path, **kw)

    def wait_until(self, predicate, timeout=60, what="condition"):
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"sellertrustd exited with {self.proc.returncode}:\n"
                                     + self.output())
            try:
                last = predicate()
                if last:
                    return last
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}; log:\n" + self.output())

    def wait_ready(self, timeout=60):
        return self.wait_until(lambda: self.get("/readyz").status == 200, timeout, "/readyz")

    def score_runs(self):
        status = self.get("/v1/status").json()
        return next(j["runs"] for j in status["jobs"] if j["task"] == "score")
