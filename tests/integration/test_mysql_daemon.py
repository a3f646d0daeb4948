"""The real sellertrustd on MariaDB: a full run with hand-worked results, one
writer among two daemons and take-over, a database that goes away and comes
back, schema migration, and the source contract check. The MariaDB server
comes from the `mariadb` ctest fixture (scripts/mariadb-test-server.sh);
this file fails, rather than skips, without it."""

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))
from harness import DAEMON, Daemon, write_fixture  # noqa: E402

SQL_DIR = os.path.join(REPO, "etc", "sql", "mysql")
SCRIPT = os.path.join(REPO, "scripts", "mariadb-test-server.sh")
TABLES = ["sellers", "orders", "tickets", "refunds", "return_requests", "ratings", "chargebacks"]


def read_env(path):
    env = {}
    with open(path) as f:
        for line in f:
            if line.startswith("export "):
                key, _, value = line[len("export "):].strip().partition("=")
                env[key] = value.strip("'")
    return env


class MariaDB:
    """One server of the test script: SQL as its superuser, daemon options."""

    def __init__(self, env_file):
        if not os.path.exists(env_file):
            raise AssertionError(f"no MariaDB env file {env_file}: run through ctest")
        self.env = read_env(env_file)

    def sql(self, statements, database=""):
        cmd = ["mariadb", "--batch", "--skip-column-names",
               f"--socket={self.env['SELLERTRUST_MYSQL_ROOT_SOCKET']}",
               f"--user={self.env['SELLERTRUST_MYSQL_ROOT_USER']}"]
        if database:
            cmd.append(database)
        r = subprocess.run(cmd, input=statements.encode(), capture_output=True, timeout=120)
        if r.returncode != 0:
            raise AssertionError("SQL failed: " + r.stderr.decode())
        return r.stdout.decode().strip()

    def scalar(self, query, database):
        return self.sql(query, database)

    def load_fixture(self, bad_seller1=False):
        """The e2e fixture (harness.write_fixture), copied row for row from
        SQLite into the source database built from source_schema.sql."""
        db = self.env["SELLERTRUST_MYSQL_SOURCE_DB"]
        with open(os.path.join(SQL_DIR, "source_schema.sql")) as f:
            schema = f.read()
        tmp = tempfile.mkdtemp()
        try:
            path = os.path.join(tmp, "fixture.db")
            write_fixture(path, bad_seller1=bad_seller1)
            lite = sqlite3.connect(path)
            # Non-strict mode: the fixture's unknown ticket status becomes ''
            # in the ENUM, which the daemon must still report and skip.
            script = [f"DROP DATABASE IF EXISTS {db}; CREATE DATABASE {db}; USE {db};", schema,
                      "SET SESSION sql_mode = '';"]
            for table in TABLES:
                for row in lite.execute(f"SELECT * FROM {table}"):
                    values = ",".join("NULL" if v is None else
                                      str(v) if isinstance(v, (int, float)) else
                                      "'" + str(v).replace("\\", "\\\\").replace("'", "''") + "'"
                                      for v in row)
                    script.append(f"INSERT INTO {table} VALUES ({values});")
            lite.close()
            self.sql("\n".join(script))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def reset_results(self):
        db = self.env["SELLERTRUST_MYSQL_RESULTS_DB"]
        self.sql(f"DROP DATABASE IF EXISTS {db}; CREATE DATABASE {db};")

    def options(self, password_dir):
        """--set options for a daemon on this server; passwords in files."""
        e = self.env
        opts = ["--set=source.backend=mysql", "--set=results.backend=mysql"]
        for side, user, pw, db in [("source", "RO", "RO", "SOURCE"),
                                   ("results", "RW", "RW", "RESULTS")]:
            pw_file = os.path.join(password_dir, f"{side}.pw")
            with open(pw_file, "w") as f:
                f.write(e[f"SELLERTRUST_MYSQL_{pw}_PASSWORD"] + "\n")
            opts += [f"--set={side}.mysql.host={e['SELLERTRUST_MYSQL_HOST']}",
                     f"--set={side}.mysql.port={e['SELLERTRUST_MYSQL_PORT']}",
                     f"--set={side}.mysql.user={e[f'SELLERTRUST_MYSQL_{user}_USER']}",
                     f"--set={side}.mysql.password_file={pw_file}",
                     f"--set={side}.mysql.database={e[f'SELLERTRUST_MYSQL_{db}_DB']}",
                     f"--set={side}.mysql.connect_timeout_seconds=2",
                     f"--set={side}.mysql.read_timeout_seconds=3"]
        return opts


def status(daemon):
    return daemon.get("/v1/status").json()


def score_job(daemon):
    return next(j for j in status(daemon)["jobs"] if j["task"] == "score")


class MysqlDaemonTest(unittest.TestCase):
    def setUp(self):
        self.db = MariaDB(os.environ.get("SELLERTRUST_MYSQL_ENV_FILE", ""))
        self.dir = tempfile.mkdtemp(prefix="sellertrust-it-")
        self.db.load_fixture()
        self.db.reset_results()
        self.results = self.db.env["SELLERTRUST_MYSQL_RESULTS_DB"]

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def daemon(self, *extra, db=None):
        return Daemon(self.dir, *(db or self.db).options(self.dir), *extra)

    def test_full_run_gives_the_hand_worked_results(self):
        with self.daemon("--set=instance.name=alpha") as d:
            d.wait_ready()
            self.assertEqual(d.get("/v1/sellers/1/badge").json()["score"], 100.0)
            beta = d.get("/v1/sellers/2").json()
            self.assertEqual((beta["score"], beta["badge"]), (57.0, "at_risk"))
            self.assertEqual(sorted(w["code"] for w in beta["warnings"]),
                             ["account_review", "order_defect_rate_above_target"])
            self.assertEqual(d.get("/v1/sellers/3/badge").json()["badge"], "new")
            self.assertEqual(d.get("/v1/products/301").json()["recommended_action"],
                             "delist_product")
            s = status(d)
            self.assertEqual((s["role"], s["backends"]["source"]), ("writer", "mysql"))
            metrics = d.get("/metrics").body
            self.assertIn(
                'sellertrust_rows_skipped{reason="stars is outside 1-5",table="ratings"} 1', metrics)
            self.assertIn('sellertrust_rows_skipped{reason="unknown status",table="tickets"} 1',
                          metrics)
        # What the daemon persisted, read back with SQL.
        self.assertEqual(self.db.scalar("SELECT MAX(version) FROM schema_version", self.results), "6")
        self.assertEqual(self.db.scalar(
            "SELECT CONCAT(badge, ' ', IFNULL(score, 'NULL')) FROM seller_results ORDER BY seller_id",
            self.results).split("\n"), ["top 100.0", "at_risk 57.0", "new NULL"])
        self.assertEqual(self.db.scalar("SELECT written_by FROM run_meta", self.results), "alpha")
        self.assertEqual(self.db.scalar(
            "SELECT COUNT(*) FROM warnings WHERE cleared_at IS NULL", self.results), "3")

    def test_one_writer_and_take_over_when_it_dies(self):
        with self.daemon("--set=instance.name=one") as a, \
                self.daemon("--set=instance.name=two") as b:
            a.wait_ready()
            b.wait_ready()
            a.wait_until(lambda: score_job(a)["runs"] >= 2 and score_job(b)["runs"] >= 2,
                         what="two runs on each daemon")
            roles = {status(a)["role"], status(b)["role"]}
            self.assertEqual(roles, {"writer", "reader"})
            writer, reader = (a, b) if status(a)["role"] == "writer" else (b, a)
            name = status(writer)["instance"]
            self.assertEqual(self.db.scalar("SELECT written_by FROM run_meta", self.results), name)
            # The reader serves the writer's results.
            self.assertEqual(reader.get("/v1/sellers/2/badge").json()["badge"], "at_risk")
            writer.proc.kill()
            writer.proc.wait()
            killed_at = time.time()
            reader.wait_until(lambda: status(reader)["role"] == "writer", timeout=20,
                              what="the reader to take over")
            self.assertLess(time.time() - killed_at, 2 + 5 + 3)  # interval + retry + slack
            other = status(reader)["instance"]
            reader.wait_until(lambda: self.db.scalar("SELECT written_by FROM run_meta",
                                                     self.results) == other,
                              what="the new writer's run")
            # Warnings continued, not re-raised: ids stay unique and raise times kept.
            ids = self.db.scalar("SELECT COUNT(*), COUNT(DISTINCT code, seller_id, "
                                 "IFNULL(product_id, 0)) FROM warnings WHERE cleared_at IS NULL",
                                 self.results)
            self.assertEqual(ids, "3\t3")

    def test_database_going_away_and_coming_back(self):
        tmp = tempfile.mkdtemp(prefix="st-db-", dir="/tmp")
        subprocess.run([SCRIPT, "start", tmp], check=True, capture_output=True, timeout=120)
        try:
            own = MariaDB(os.path.join(tmp, "env"))
            own.load_fixture()
            # 300,000 more orders from 50 more sellers make a run last over a
            # second, so the database can be stopped while one is going.
            own.sql("""
                INSERT INTO sellers SELECT seq, CONCAT('Bulk ', seq), 'DE', NOW(), NOW()
                  FROM seq_4_to_53;
                INSERT INTO orders SELECT 1000 + seq, 4 + seq % 50, 9000 + seq % 500,
                  NOW() - INTERVAL 10 DAY, NOW() - INTERVAL 8 DAY, NOW() - INTERVAL 9 DAY,
                  NOW() - INTERVAL 5 DAY, NOW() - INTERVAL 6 DAY, NULL, NULL, 1, 'seller',
                  10, 'EUR', NOW() FROM seq_1_to_300000;""",
                    own.env["SELLERTRUST_MYSQL_SOURCE_DB"])
            with self.daemon(db=own) as d:
                d.wait_ready()
                served = d.get("/v1/sellers/2/badge").json()
                with open(os.path.join(tmp, "mysqld.pid")) as f:
                    server_pid = int(f.read())
                d.wait_until(lambda: score_job(d)["running"], timeout=30, what="a run")
                os.kill(server_pid, signal.SIGSTOP)  # the database stops answering
                try:
                    d.wait_until(lambda: score_job(d)["failures"] >= 1, timeout=30,
                                 what="the run to fail")
                    self.assertIn("sellertrust_source_up 0", d.get("/metrics").body)
                    self.assertEqual(d.get("/v1/sellers/2/badge").json(), served)
                    self.assertFalse(status(d)["database"]["source_reachable"])
                finally:
                    os.kill(server_pid, signal.SIGCONT)
                failures = score_job(d)["failures"]
                # A run begun around the stop can still fail on a connection
                # the stop broke (after 10 s, seen on a busy machine), and the
                # full run of 300 000 orders after it takes 9 s on an idle
                # machine, much longer on one busy with other tests.
                d.wait_until(lambda: score_job(d)["last_error"] is None, timeout=90,
                             what="a run to succeed again")
                self.assertIn("sellertrust_source_up 1", d.get("/metrics").body)
                self.assertGreater(score_job(d)["runs"], failures)
                self.assertGreater(d.get("/v1/sellers/2/badge").json()["computed_at"],
                                   served["computed_at"])
        finally:
            subprocess.run([SCRIPT, "stop", tmp], capture_output=True, timeout=120)
            shutil.rmtree(tmp, ignore_errors=True)

    def test_an_emptied_source_is_refused_and_a_dropped_table_is_down(self):
        source = self.db.env["SELLERTRUST_MYSQL_SOURCE_DB"]
        metrics = lambda d: d.get("/metrics").body
        with self.daemon() as d:
            d.wait_ready()
            badge = d.get("/v1/sellers/1/badge").json()
            self.db.sql("".join(f"DELETE FROM {t};" for t in TABLES), source)
            d.wait_until(lambda: "refused: " in (score_job(d)["last_error"] or ""),
                         what="a refused score run")
            self.assertEqual(d.get("/v1/sellers/1/badge").json(), badge)
            self.assertIn("refused: the source lost 3 of 3 sellers (100 %) and 43 of 43 window "
                          "orders (100 %)", score_job(d)["last_error"])
            self.assertIn("sellertrust_score_refused 1", metrics(d))
            self.assertIn("sellertrust_source_up 1", metrics(d))
            # Accepted: the next run publishes the empty source.
            open(os.path.join(self.dir, "accept-shrink"), "w").close()
            d.wait_until(lambda: d.get("/v1/sellers/1/badge").status == 404,
                         what="the accepted run")
            self.assertEqual(self.db.scalar("SELECT COUNT(*) FROM seller_results", self.results),
                             "0")
            # A table gone: the server still answers, but no read works.
            self.db.sql("DROP TABLE ratings;", source)
            d.wait_until(lambda: "ratings" in (score_job(d)["last_error"] or ""),
                         what="a run failing without a table")
            self.assertIn("sellertrust_source_up 0", metrics(d))
            self.assertFalse(status(d)["database"]["source_reachable"])

    def test_migrates_a_version_1_results_database(self):
        with open(os.path.join(SQL_DIR, "results", "001_initial.sql")) as f:
            v1 = f.read()
        raised = "2026-01-02 03:04:05"
        self.db.sql(v1 + f"""
            CREATE TABLE schema_version (version INT NOT NULL);
            INSERT INTO schema_version VALUES (1);
            INSERT INTO run_meta VALUES (1, '2026-01-02 03:04:05', '1.00000000', NULL);
            INSERT INTO seller_results VALUES (2, 'top', 95.0, '{raised}', '1.00000000', '{{}}');
            INSERT INTO warnings VALUES (41, 'account_review', 'critical', 2, NULL,
              'suspend_seller', 'old', '{{"value":0.5}}', '{raised}', '{raised}', NULL);
            INSERT INTO warnings VALUES (42, 'slow_responses', 'warning', 1, NULL,
              'warn_seller', 'old', '{{}}', '{raised}', '{raised}', NULL);""", self.results)
        with self.daemon() as d:
            d.wait_ready()
            d.wait_until(lambda: score_job(d)["runs"] >= 1, what="a run")
        self.assertEqual(self.db.scalar("SELECT GROUP_CONCAT(version ORDER BY version) "
                                        "FROM schema_version", self.results), "1,2,3,4,5,6")
        # Seller 2's badge survived the move to results as data: the run's
        # badge change starts from it (hysteresis needs the previous badge).
        self.assertEqual(self.db.scalar(
            "SELECT from_badge FROM badge_changes WHERE seller_id = 2", self.results), "top")
        # The warning that still holds kept its id and raise time; the one
        # that no longer holds was cleared; new ones continue after 42.
        self.assertEqual(self.db.scalar(
            "SELECT CONCAT(raised_at, ' ', cleared_at IS NULL) FROM warnings WHERE id = 41",
            self.results), f"{raised} 1")
        self.assertEqual(self.db.scalar(
            "SELECT cleared_at IS NOT NULL FROM warnings WHERE id = 42", self.results), "1")
        self.assertEqual(self.db.scalar("SELECT MIN(id) FROM warnings WHERE id > 42",
                                        self.results), "43")

    def test_refuses_a_newer_results_schema(self):
        self.db.sql("CREATE TABLE schema_version (version INT NOT NULL);"
                    "INSERT INTO schema_version VALUES (99);", self.results)
        r = subprocess.run([DAEMON, f"--set=data.dir={self.dir}", "--set=http.port=0",
                            *self.db.options(self.dir)], capture_output=True, timeout=60)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("schema version 99, newer than this sellertrustd understands (6)",
                      r.stderr.decode())

    def test_check_config_names_the_servers_reason(self):
        opts = self.db.options(self.dir)

        def check(*overrides):
            r = subprocess.run([DAEMON, f"--set=data.dir={self.dir}", *opts, *overrides,
                                "--check-config"], capture_output=True, timeout=60)
            self.assertEqual(r.returncode, 78, r.stdout.decode())
            return r.stderr.decode()

        self.assertIn("Access denied for user 'nobody'", check("--set=source.mysql.user=nobody"))
        self.assertIn("'no_such_db'", check("--set=results.mysql.database=no_such_db"))
        # Without any password the server's refusal comes with the reason.
        no_password = check("--set=source.mysql.password_file=")
        self.assertIn("using password: NO", no_password)
        self.assertIn("no password was given", no_password)
        refused = check("--set=source.mysql.port=1")
        self.assertIn("Can't connect", refused)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "results.db")))

    def test_check_config_names_a_missing_column(self):
        ok = subprocess.run([DAEMON, f"--set=data.dir={self.dir}", *self.db.options(self.dir),
                             "--check-config"], capture_output=True, timeout=60)
        self.assertEqual(ok.returncode, 0, ok.stderr.decode())
        self.assertIn("configuration OK", ok.stdout.decode())
        self.db.sql("ALTER TABLE orders DROP COLUMN promised_at;",
                    self.db.env["SELLERTRUST_MYSQL_SOURCE_DB"])
        bad = subprocess.run([DAEMON, f"--set=data.dir={self.dir}", *self.db.options(self.dir),
                              "--check-config"], capture_output=True, timeout=60)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("table orders: missing column promised_at", bad.stderr.decode())


if __name__ == "__main__":
    unittest.main()
