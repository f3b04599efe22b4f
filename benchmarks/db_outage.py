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

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from soak import OPENER, ROOT, free_port, percentile, soak_database, wait_for  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--every", type=float, default=5.0, help="seconds between connection cuts")
    parser.add_argument("--restart", action="store_true", help="restart the PostgreSQL cluster once instead")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("This run needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2

    import tempfile

    workdir = Path(tempfile.mkdtemp(prefix="dwc-db-outage-"))
    database_url, drop_database = soak_database(workdir)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": "db-outage-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "THROTTLE_ENABLED": "false",
        "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
        "YOOKASSA_API_URL": "http://127.0.0.1:9/v3",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": "4",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    from rest_framework_simplejwt.tokens import RefreshToken

    from accounts.models import User
    from catalog.models import Product, ProductStock

    token = str(RefreshToken.for_user(User.objects.get(phone="+79990000002")).access_token)
    stocked = list(ProductStock.objects.filter(quantity__gt=0).values_list("product_id", "size"))
    products = list(Product.objects.visible().values_list("pk", flat=True))
    from django.db import connections

    connections.close_all()

    log = (workdir / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        wait_for(f"{url}/api/v1/health/")
        return run(args, url, token, stocked, products, database_url)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
        drop_database()


def run(args, url, token, stocked, products, database_url) -> int:
    import psycopg

    answers, latency, lock = Counter(), {"503": [], "ok": []}, threading.Lock()
    timeline: list[tuple[float, int | str]] = []
    deadline = time.monotonic() + args.seconds

    def client(seed):
        rng = random.Random(seed)
        while time.monotonic() < deadline:
            if rng.random() < 0.75:
                request = urllib.request.Request(url + rng.choice(["/api/v1/products/", "/",
                                                                   f"/products/{rng.choice(products)}/"]))  # fmt: skip
            else:
                product, size = rng.choice(stocked)
                body = {
                    "items": [{"product": product, "size": size, "quantity": 1}],
                    "delivery_address": "Москва, 1",
                    "personal_data_consent": True,
                }
                request = urllib.request.Request(f"{url}/api/v1/orders/", data=json.dumps(body).encode(),
                                                 headers={"Content-Type": "application/json",
                                                          "Authorization": f"Bearer {token}"})  # fmt: skip
            started = time.monotonic()
            try:
                with OPENER.open(request, timeout=30) as answer:
                    status = answer.status
                    answer.read()
            except urllib.error.HTTPError as error:
                status = error.code
            except OSError:
                status = "no answer"
            seconds = time.monotonic() - started
            with lock:
                answers[status] += 1
                timeline.append((time.monotonic(), status))
                latency["503" if status == 503 else "ok"].append(seconds)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    for thread in threads:
        thread.start()
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
    for thread in threads:
        thread.join()

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
