"""PostgreSQL goes away under load: the shop answers a fast 503 meanwhile and recovers without a restart.

Run by hand, from the project root, against PostgreSQL (a throw-away database `test_<name>` is made and dropped):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dwc .venv/bin/python benchmarks/db_outage.py [--seconds 30]

gunicorn (2 workers × 4 threads, production settings, persistent connections with health checks) serves
`--clients` threads that read the catalog (API and pages) and place orders. Every `--every` seconds each
connection of the shop's database is cut (`pg_terminate_backend`: what a restart or a failover does to the
shop, without touching anybody else's database). With `--restart` the PostgreSQL cluster itself is restarted
once instead (`pg_ctlcluster --skip-systemctl-redirect 15 main restart`): it drops every database's
connections on the server, so never run that on a server other people use.

Prints answers by status, the 503s (fast refusals), the 500s and requests without an answer (both must be 0),
and how long the shop took to answer 200 again after each fault. Exit status 1 if anything was a 500.
"""

import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import fault_harness, harness  # noqa: E402
from benchmarks.fault_harness import call, percentile  # noqa: E402


def main() -> int:
    parser = fault_harness.argument_parser(__doc__.splitlines()[0], seconds=30, clients=8)
    parser.add_argument("--every", type=float, default=5.0, help="seconds between connection cuts")
    parser.add_argument("--restart", action="store_true", help="restart the PostgreSQL cluster once instead")
    args = parser.parse_args()
    if not fault_harness.postgres_required():
        return 2

    workdir = Path(tempfile.mkdtemp(prefix="dwc-db-outage-"))
    port = harness.free_port()
    with fault_harness.run_database(workdir) as database_url:
        env = fault_harness.production_environment(
            name="db-outage",
            database_url=database_url,
            port=port,
            workers=2,
            TASKS_BACKEND="django_tasks.backends.dummy.DummyBackend",
            YOOKASSA_API_URL="http://127.0.0.1:9/v3",
        )
        with fault_harness.demo_shop(env):
            token, stocked, products = customer_and_catalog()
            with fault_harness.shop_served(env, log=workdir / "gunicorn.log"):
                return run(args, f"http://127.0.0.1:{port}", token, stocked, products, database_url)


def customer_and_catalog() -> tuple[str, list, list]:
    """The demo customer's bearer token, the sizes in stock as (product, size), the visible products; the
    connection closed after reading (the cuts would break it)."""
    from django.db import connections
    from rest_framework_simplejwt.tokens import RefreshToken

    from accounts.models import User
    from catalog.models import Product, ProductStock

    token = str(RefreshToken.for_user(User.objects.get(phone="+79990000002")).access_token)
    stocked = list(ProductStock.objects.filter(quantity__gt=0).values_list("product_id", "size"))
    products = list(Product.objects.visible().values_list("pk", flat=True))
    connections.close_all()
    return token, stocked, products


def run(args, url, token, stocked, products, database_url) -> int:
    answers, latency, lock = Counter(), {"503": [], "ok": []}, threading.Lock()
    timeline: list[tuple[float, int | str]] = []
    deadline = time.monotonic() + args.seconds

    def client(seed):
        rng = random.Random(seed)
        while time.monotonic() < deadline:
            if rng.random() < 0.75:
                path = rng.choice(["/api/v1/products/", "/", f"/products/{rng.choice(products)}/"])
                method, body, who = "GET", None, None
            else:
                product, size = rng.choice(stocked)
                body = {
                    "items": [{"product": product, "size": size, "quantity": 1}],
                    "delivery_address": "Москва, 1",
                    "personal_data_consent": True,
                }
                path, method, who = "/api/v1/orders/", "POST", token
            started = time.monotonic()
            status, _ = call(url + path, method, body, who, timeout=30)
            seconds = time.monotonic() - started
            with lock:
                answers[status] += 1
                timeline.append((time.monotonic(), status))
                latency["503" if status == 503 else "ok"].append(seconds)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    for thread in threads:
        thread.start()
    faults, cut_total = cut(args, deadline, database_url)
    for thread in threads:
        thread.join()
    return report(args, answers, latency, timeline, faults, cut_total)


def cut(args, deadline, database_url) -> tuple[list[float], int]:
    """Every `--every` seconds, each connection of the shop's database cut (or, with `--restart`, the cluster
    restarted once). Returns when each fault struck, and how many connections were cut in all."""
    import psycopg

    faults: list[float] = []
    cut_total = 0
    while time.monotonic() < deadline - args.every:
        time.sleep(args.every)
        faults.append(time.monotonic())
        if args.restart:
            subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "restart"], check=True)
            break
        with psycopg.connect(database_url, autocommit=True) as admin:
            cut_total += admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchone()[0]
    return faults, cut_total


def report(args, answers, latency, timeline, faults, cut_total) -> int:
    recoveries = []
    for moment in faults:
        after = [at for at, status in timeline if at > moment and status in (200, 201, 409)]
        if after:
            recoveries.append(after[0] - moment)
    served = sum(answers.values())
    errors = answers.get(500, 0) + answers.get("no answer", 0)
    kind = "cluster restart" if args.restart else f"connection cuts ({cut_total} connections in all)"
    print(f"Faults: {len(faults)} {kind}")
    print(f"Requests: {served} in {args.seconds} s; by status: {dict(sorted(answers.items(), key=str))}")
    print(f"503 answers: {answers.get(503, 0)}, p95 {percentile(latency['503'], .95) * 1000:.0f} ms; "
          f"other answers p50 {percentile(latency['ok'], .5) * 1000:.0f} ms")  # fmt: skip
    if recoveries:
        print(f"First good answer after a fault: max {max(recoveries) * 1000:.0f} ms")
    print(f"500s or no answer: {errors}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
