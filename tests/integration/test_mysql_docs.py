"""docs/mysql.md, followed word for word: every ```sh command of the page,
in order, against the throw-away MariaDB of the integration tests, then the
daemon the page starts, which must serve badges for the example marketplace.

The only translations are those that put the page's host into a test:
- `sudo mysql` is the server's superuser client (through its socket), and
  `sudo ` is dropped elsewhere (the test runs as the user that owns it all);
- /usr/share/sellertrust/ is the repository's etc/ (what the package
  installs there), /etc/sellertrust/ and /etc/systemd/system/ are temporary
  directories, and `sellertrustd` is the built binary;
- database and account names get a prefix (in the commands and in the
  copied SQL files), so that the walkthrough leaves the other tests' alone;
- the configuration block gets the server's TCP port and an HTTP port;
- `systemctl daemon-reload` is a no-op, `systemctl enable --now
  sellertrustd` starts the binary as the unit's ExecStart does, with the
  credentials of the LoadCredential= lines the page wrote, and `curl` asks
  that daemon.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest
import urllib.request

from test_mysql_daemon import DAEMON, MariaDB

from harness import free_port  # noqa: E402 (test_mysql_daemon puts it on the path)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PAGE = os.path.join(REPO, "docs", "mysql.md")
NAMES = {"sellertrust_source": "docs_source", "sellertrust_results": "docs_results",
         "sellertrust_ro": "docs_ro", "sellertrust_rw": "docs_rw", "shop": "docs_shop"}


def blocks(text, language):
    return re.findall(r"^```" + language + r"\n(.*?)^```", text, flags=re.S | re.M)


class MysqlDocsTest(unittest.TestCase):
    def setUp(self):
        self.db = MariaDB(os.environ.get("SELLERTRUST_MYSQL_ENV_FILE", ""))
        self.dir = tempfile.mkdtemp(prefix="sellertrust-docs-")
        self.etc = os.path.join(self.dir, "etc-sellertrust")
        self.systemd = os.path.join(self.dir, "etc-systemd-system")
        os.makedirs(self.systemd)
        # The package's /usr/share/sellertrust, with the test's names.
        self.share = os.path.join(self.dir, "share")
        shutil.copytree(os.path.join(REPO, "etc", "sql"), os.path.join(self.share, "sql"))
        for root, _, files in os.walk(self.share):
            for name in files:
                path = os.path.join(root, name)
                with open(path) as f:
                    text = f.read()
                with open(path, "w") as f:
                    f.write(self.rename(text, whole_words_only=("shop",)))
        self.daemon = None
        self.cleanup_sql()

    def tearDown(self):
        if self.daemon and self.daemon.poll() is None:
            self.daemon.terminate()
            self.daemon.wait(30)
        self.cleanup_sql()
        shutil.rmtree(self.dir, ignore_errors=True)

    def cleanup_sql(self):
        self.db.sql("".join(f"DROP DATABASE IF EXISTS {NAMES[d]};"
                            for d in ["shop", "sellertrust_source", "sellertrust_results"]) +
                    "".join(f"DROP USER IF EXISTS '{NAMES[u]}'@'%';"
                            for u in ["sellertrust_ro", "sellertrust_rw"]))

    @staticmethod
    def rename(text, whole_words_only=()):
        for old, new in NAMES.items():
            if old in whole_words_only:
                continue
            text = re.sub(r"\b" + old + r"\b", new, text)
        return text

    def translate(self, line):
        e = self.db.env
        client = (f"mariadb --socket={e['SELLERTRUST_MYSQL_ROOT_SOCKET']} "
                  f"--user={e['SELLERTRUST_MYSQL_ROOT_USER']}")
        line = self.rename(line)
        line = re.sub(r"\bsudo mysql\b", client, line)
        line = re.sub(r"\bsudo ", "", line)
        line = line.replace("/usr/share/sellertrust/", self.share + "/")
        line = line.replace("/etc/sellertrust", self.etc)
        line = line.replace("/etc/systemd/system/", self.systemd + "/")
        return re.sub(r"(^|\s|=)sellertrustd ", r"\1" + DAEMON + " ", line)

    def run_line(self, line):
        r = subprocess.run(["bash", "-euo", "pipefail", "-c", line], capture_output=True,
                           timeout=120)
        self.assertEqual(r.returncode, 0, f"{line}\n{r.stdout.decode()}{r.stderr.decode()}")
        return r.stdout.decode()

    def start_as_the_unit(self):
        """systemctl enable --now: ExecStart, with the credentials of the
        LoadCredential= lines the page put in a drop-in."""
        credentials = os.path.join(self.dir, "credentials")
        os.makedirs(credentials)
        for root, _, files in os.walk(self.systemd):
            for name in files:
                with open(os.path.join(root, name)) as f:
                    for cred, source in re.findall(r"^LoadCredential=([^:]+):(.+)$", f.read(),
                                                   flags=re.M):
                        shutil.copy(self.translate(source.strip()),
                                    os.path.join(credentials, cred))
        self.assertTrue(os.listdir(credentials), "the page wrote no LoadCredential= lines")
        with open(os.path.join(REPO, "systemd", "sellertrustd.service")) as f:
            exec_start = re.search(r"^ExecStart=(.+)$", f.read(), flags=re.M).group(1)
        args = self.translate(exec_start.replace("/usr/sbin/sellertrustd", "sellertrustd"))
        self.daemon = subprocess.Popen(
            args.split() + [f"--set=data.dir={self.dir}/state"],
            env=dict(os.environ, CREDENTIALS_DIRECTORY=credentials),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def test_every_command_of_the_page_works(self):
        with open(PAGE) as f:
            page = f.read()
        properties = blocks(page, "properties")
        self.assertEqual(len(properties), 1, "one configuration block")
        self.port = free_port()
        commands = [line for block in blocks(page, "sh") for line in block.splitlines()
                    if line.strip() and not line.startswith("#")]
        self.assertGreater(len(commands), 8)
        for line in commands:
            if line.startswith("sudo systemctl daemon-reload"):
                continue
            if line.startswith("sudo systemctl enable --now sellertrustd"):
                self.start_as_the_unit()
                continue
            if line.startswith("curl "):
                status = self.wait_for_status()
                self.assertIn('"status"', status)
                continue
            self.run_line(self.translate(line))
            if "example_marketplace.sql" in line:
                self.add_a_merchant()
            if line.startswith("sudo install -d") and "/etc/sellertrust" in line:
                # Step 3 edits this file: the page's block, plus the test's ports.
                self.write_config(properties[0])
        self.assertIsNotNone(self.daemon, "the page never starts the service")
        # The merchant's 12 orders, all shipped, tracked and delivered on time
        # with no claim, read through the page's views: a perfect score.
        badge = json.loads(self.get("/v1/sellers/1/badge"))
        self.assertEqual((badge["badge"], badge["score"]), ("top", 100.0))

    def test_the_upgrade_query_counts_the_rows_of_another_seller(self):
        """Upgrades: the page's query for after-sales rows whose seller_id is
        not their order's, on a source of the contract's schema holding one
        such row in each table beside sound ones."""
        with open(PAGE) as f:
            queries = [b for b in blocks(f.read(), "sql") if "c.seller_id <=> o.seller_id" in b]
        self.assertEqual(len(queries), 1, "one query for rows of another seller")
        db = NAMES["sellertrust_source"]
        with open(os.path.join(REPO, "etc", "sql", "mysql", "source_schema.sql")) as f:
            schema = f.read()
        at = "'2026-11-01 10:00:00'"
        self.db.sql(f"CREATE DATABASE {db}; USE {db};\n{schema}\n"
                    "INSERT INTO orders (order_id, seller_id, product_id, ordered_at, fulfilled_by, "
                    f"amount, currency) VALUES (1, 7, 70, {at}, 'seller', 1, 'EUR'), "
                    f"(2, 8, 80, {at}, 'seller', 1, 'EUR');"
                    "INSERT INTO tickets (ticket_id, order_id, seller_id, kind, status, opened_at) "
                    f"VALUES (1, 1, 7, 'damaged', 'open', {at}), (3, 2, 7, 'other', 'open', {at});"
                    # Rows 1 and 2 name their order's seller; 3 names seller 8 on order 1.
                    "INSERT INTO ratings (rating_id, order_id, seller_id, product_id, stars, "
                    f"created_at) VALUES (1, 1, 7, 70, 5, {at}), (2, 2, 8, 80, 5, {at}), "
                    f"(3, 1, 8, 70, 1, {at});"
                    "INSERT INTO refunds (refund_id, order_id, seller_id, created_at, amount, "
                    f"method, kind, reason) VALUES (1, 1, 7, {at}, 1, 'bank_transfer', 'full', "
                    f"'other'), (3, 1, 8, {at}, 1, 'bank_transfer', 'full', 'other');"
                    "INSERT INTO return_requests (return_id, order_id, seller_id, requested_at) "
                    f"VALUES (3, 2, 7, {at});"
                    "INSERT INTO chargebacks (chargeback_id, order_id, seller_id, created_at, "
                    f"liability) VALUES (1, 2, 8, {at}, 'service'), (3, 2, 7, {at}, 'fraud'), "
                    f"(4, 1, 9, {at}, 'fraud');")
        counts = self.db.sql(queries[0], db)
        self.assertEqual(counts.splitlines(), ["tickets\t1", "refunds\t1", "return_requests\t1",
                                               "ratings\t1", "chargebacks\t2"])

    def add_a_merchant(self):
        """The operator's own data: one merchant with 12 good orders in the
        last 12 days, in the example marketplace's tables."""
        rows = ",".join(
            f"({i}, 1, 77, UTC_TIMESTAMP() - INTERVAL {i} DAY - INTERVAL 1 HOUR, "
            f"UTC_TIMESTAMP() - INTERVAL {i} DAY + INTERVAL 1 DAY, "
            f"UTC_TIMESTAMP() - INTERVAL {i} DAY, "
            f"UTC_TIMESTAMP() - INTERVAL {i} DAY + INTERVAL 3 DAY, "
            f"UTC_TIMESTAMP() - INTERVAL {i} DAY + INTERVAL 1 HOUR, NULL, NULL, 1, 'MFN', "
            f"1999, 'EUR')" for i in range(1, 13))
        self.db.sql("INSERT INTO merchants (merchant_id, legal_name, country_code, onboarded_at) "
                    "VALUES (1, 'Shop', 'FR', '2020-01-01 00:00:00');"
                    "INSERT INTO shop_orders (id, merchant_id, sku_id, placed_at, "
                    "dispatch_deadline, dispatched_at, delivery_eta_latest, delivered_at, "
                    "cancelled_at, cancel_source, carrier_scan_ok, fulfilment_channel, "
                    f"total_cents, currency) VALUES {rows};", NAMES["shop"])

    def write_config(self, block):
        e = self.db.env
        with open(os.path.join(self.etc, "sellertrustd.properties"), "w") as f:
            f.write(self.rename(block))
            f.write(f"source.mysql.port = {e['SELLERTRUST_MYSQL_PORT']}\n"
                    f"results.mysql.port = {e['SELLERTRUST_MYSQL_PORT']}\n"
                    f"http.port = {self.port}\n")

    def get(self, path):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as r:
            return r.read().decode()

    def wait_for_status(self):
        deadline = time.time() + 60
        while True:
            self.assertIsNone(self.daemon.poll(), "the daemon exited")
            try:
                if '"fresh":true' in self.get("/v1/status"):
                    return self.get("/v1/status")
            except OSError:
                pass
            self.assertLess(time.time(), deadline, "no fresh results within 60 s")
            time.sleep(0.2)


if __name__ == "__main__":
    unittest.main()
