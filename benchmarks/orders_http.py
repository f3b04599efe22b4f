"""Orders over HTTP: concurrent buyers, each with their own account, POST orders/ for one hot product.

Run from the project root (needs PostgreSQL; Redis optional):

    .venv/bin/python benchmarks/orders_http.py [--database-url postgres://postgres@127.0.0.1:5432/dwc_bench]
        [--redis-url redis://127.0.0.1:6379/0] [--buyers 32] [--seconds 10] [--stock 100000]
        [--workers 3] [--threads 4]

A fresh database `test_<name>` is created, migrated, seeded and dropped. The shop runs on gunicorn as in
production, payments are created through the local fake YooKassa (over HTTP, in its own process). Each buyer
keeps one connection and places orders of one unit, one after another, for `--seconds`. Prints orders placed per
second, latency p50/p99, answers by status, errors (anything but 201 and a sold-out 409), oversells (units sold
beyond the stock, or stock that does not add up: always 0), payments created, and the workers' memory.
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import harness  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", harness.DEFAULT_DATABASE_URL))
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", ""))
    parser.add_argument("--buyers", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--stock", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("GUNICORN_WORKERS", os.cpu_count() + 1)))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("GUNICORN_THREADS", 4)))
    parser.add_argument("--worker-class", default="")
    parser.add_argument("--py-spy", default="", help="record one worker with py-spy into this file (raw format)")
    args = parser.parse_args()

    fake_port, port = harness.free_port(), harness.free_port()
    with harness.bench_database(args.database_url) as database_url:
        environment = harness.shop_environment(
            database_url=database_url,
            redis_url=args.redis_url,
            YOOKASSA_API_URL=f"http://127.0.0.1:{fake_port}/v3",
            SITE_URL=f"http://127.0.0.1:{port}",
            YOOKASSA_TIMEOUT=5,
        )
        harness.django_setup(environment)
        product, tokens = seed(stock=args.stock, buyers=args.buyers)
        from django.db import connections

        connections.close_all()
        fake = subprocess.Popen(
            [sys.executable, "manage.py", "fake_yookassa", "--port", str(fake_port)],
            cwd=harness.ROOT,
            env={**environment, "DEBUG": "true"},
            stdout=subprocess.DEVNULL,
        )
        try:
            with harness.gunicorn(
                port=port,
                environment=environment,
                workers=args.workers,
                threads=args.threads,
                worker_class=args.worker_class,
            ) as server:
                print(
                    f"one hot product ({args.stock} units) · {args.buyers} buyers, own accounts · PostgreSQL · "
                    f"gunicorn {args.workers} workers × {args.threads} threads · payments via the fake YooKassa · "
                    f"{args.seconds:g} s · {os.cpu_count()} cores"
                )
                profiler = harness.py_spy(server, args.py_spy, seconds=args.seconds) if args.py_spy else None
                results, elapsed = load(port=port, product_id=product.pk, tokens=tokens, seconds=args.seconds)
                if profiler:
                    profiler.wait()
                rss = harness.workers_rss_mb(server)
        finally:
            fake.terminate()
            fake.wait(timeout=10)
        return report(results=results, elapsed=elapsed, product=product, stock=args.stock, rss=rss)


def seed(*, stock: int, buyers: int):
    from rest_framework_simplejwt.tokens import RefreshToken

    from accounts.models import User
    from catalog.models import Product, ProductStock

    product = Product.objects.create(
        name="Худи дропа", article="BENCH-HOT", price="4990.00", sizes=["S", "M", "L"]
    )
    ProductStock.objects.create(product=product, size="M", quantity=stock)
    users = [User.objects.create_user(phone=f"+7999{n:07d}", password=None) for n in range(buyers)]
    return product, [str(RefreshToken.for_user(user).access_token) for user in users]


def load(*, port: int, product_id: int, tokens: list[str], seconds: float):
    body = json.dumps(
        {"items": [{"product": product_id, "size": "M", "quantity": 1}], "delivery_address": "Москва, Тверская, 1"}
    )
    results: list[tuple[int, float]] = []
    guard = threading.Lock()
    barrier = threading.Barrier(len(tokens) + 1)
    deadline = [0.0]

    def buyer(token):
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        barrier.wait()
        while time.perf_counter() < deadline[0]:
            started = time.perf_counter()
            try:
                connection.request("POST", "/api/v1/orders/", body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = 0
            mine.append((status, time.perf_counter() - started))
        connection.close()
        with guard:
            results.extend(mine)

    threads = [threading.Thread(target=buyer, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + seconds
    barrier.wait()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - began


def report(*, results, elapsed: float, product, stock: int, rss: list[float]) -> int:
    from django.db.models import Sum

    from catalog.models import ProductStock
    from orders.models import Order, OrderItem

    statuses = Counter(status for status, _ in results)
    latencies = sorted(latency for _, latency in results)
    placed = statuses[201]
    errors = sum(count for status, count in statuses.items() if status not in (201, 409))
    sold = OrderItem.objects.filter(product=product).aggregate(n=Sum("quantity"))["n"] or 0
    left = ProductStock.objects.get(product=product, size="M").quantity
    oversold = max(sold - stock, 0) + abs(stock - left - sold) + (1 if left < 0 else 0)
    paid_links = Order.objects.exclude(payment_id="").count()
    p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else 0
    print(f"{'orders/s placed':24} {placed / elapsed:8.0f}")
    print(f"{'orders placed':24} {placed:8d}   (database: {Order.objects.count()} orders, {sold} units sold)")
    print(f"{'latency p50 / p99 ms':24} {statistics.median(latencies) * 1000:8.1f} / {p99 * 1000:.1f}")
    print(f"{'answers':24} {dict(sorted(statuses.items()))}")
    print(f"{'errors':24} {errors:8d}")
    print(f"{'oversold':24} {oversold:8d}")
    print(f"{'payments created':24} {paid_links:8d}")
    print(f"{'worker memory MB':24} {', '.join(f'{mb:.0f}' for mb in rss)}")
    return 1 if oversold or errors else 0


if __name__ == "__main__":
    sys.exit(main())
