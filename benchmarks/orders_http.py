"""Orders over HTTP: concurrent buyers, each with their own account, POST orders/ for one hot product.

Run from the project root (needs PostgreSQL; Redis optional):

    .venv/bin/python benchmarks/orders_http.py [--database-url postgres://postgres@127.0.0.1:5432/dwc_bench]
        [--redis-url redis://127.0.0.1:6379/0] [--buyers 32] [--seconds 10] [--stock 100000]
        [--workers 3] [--threads 4]

A fresh database `test_<name>` is created, migrated, seeded and dropped. The shop runs on gunicorn as in
production, payments are created through the local fake YooKassa (over HTTP, in its own process). Each buyer
keeps one connection and places orders of one unit, one after another, for `--seconds`.

The shop is measured against its *order floor* in the same run: a bare Django view behind the same gunicorn and
middleware that reads the buyer, inserts the order and its item, takes the unit by a conditional UPDATE and
commits (benchmarks/floor.py), on a hot product of its own. Shop and floor take turns, `--rounds` times each, so
both see the same noise of a shared machine. Prints for each side orders placed per second, latency p50/p99,
errors (anything but 201 and a sold-out 409), oversells (units sold beyond the stock, or stock that does not add
up: always 0), then the ratio of the shop's orders per second to the floor's, payments created and the workers'
memory.
"""

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
    parser = harness.argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10, help="seconds of each turn")
    parser.add_argument("--rounds", type=int, default=2, help="shop/floor turns")
    parser.add_argument("--stock", type=int, default=100_000)
    harness.add_server_arguments(parser)
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
        product, floor_product, tokens = seed(stock=args.stock, buyers=args.buyers)
        from django.db import connections

        connections.close_all()
        fake = subprocess.Popen(
            [sys.executable, "manage.py", "fake_yookassa", "--port", str(fake_port)],
            cwd=harness.ROOT,
            env={**environment, "DEBUG": "true"},
            stdout=subprocess.DEVNULL,
        )
        try:
            with harness.server(args, port=port, environment=environment) as server:
                print(
                    f"one hot product ({args.stock} units) · {args.buyers} buyers, own accounts · PostgreSQL · "
                    f"gunicorn {args.workers} workers × {args.threads} threads · payments via the fake YooKassa · "
                    f"{args.seconds:g} s · {os.cpu_count()} cores"
                )
                runs = {"shop": ([], 0.0), "floor": ([], 0.0)}
                paths = {"shop": "/api/v1/orders/", "floor": f"/bench/order-floor/{floor_product.pk}/"}
                for turn in range(args.rounds):
                    for side in ("shop", "floor"):
                        profiling = args.py_spy and side == "shop" and turn == 0
                        profiler = harness.py_spy(server, args.py_spy, seconds=args.seconds) if profiling else None
                        results, elapsed = load(
                            port=port, path=paths[side], product_id=product.pk, tokens=tokens, seconds=args.seconds
                        )
                        if profiler:
                            profiler.wait()
                        runs[side] = (runs[side][0] + results, runs[side][1] + elapsed)
                rss = harness.workers_rss_mb(server)
        finally:
            fake.terminate()
            fake.wait(timeout=10)
        return report(runs=runs, products={"shop": product, "floor": floor_product}, stock=args.stock, rss=rss)


def seed(*, stock: int, buyers: int):
    from rest_framework_simplejwt.tokens import RefreshToken

    from accounts.models import User
    from catalog.models import Product, ProductStock

    products = []
    for article in ("BENCH-HOT", "BENCH-FLOOR"):
        product = Product.objects.create(
            name="Худи дропа", article=article, price="4990.00", sizes=["S", "M", "L"]
        )
        ProductStock.objects.create(product=product, size="M", quantity=stock)
        products.append(product)
    users = [User.objects.create_user(phone=f"+7999{n:07d}", password=None) for n in range(buyers)]
    return *products, [str(RefreshToken.for_user(user).access_token) for user in users]


def load(*, port: int, path: str, product_id: int, tokens: list[str], seconds: float):
    body = json.dumps(
        {
            "items": [{"product": product_id, "size": "M", "quantity": 1}],
            "delivery_address": "Москва, Тверская, 1",
            "personal_data_consent": True,
        }
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
                connection.request("POST", path, body=body, headers=headers)
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


def report(*, runs: dict, products: dict, stock: int, rss: list[float]) -> int:
    from django.db.models import Sum

    from catalog.models import ProductStock
    from orders.models import Order, OrderItem

    print(f"{'':6} {'orders/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'oversold':>9}  answers")
    rates, failed = {}, 0
    for side, (results, elapsed) in runs.items():
        statuses = Counter(status for status, _ in results)
        latencies = sorted(latency for _, latency in results)
        errors = sum(count for status, count in statuses.items() if status not in (201, 409))
        product = products[side]
        sold = OrderItem.objects.filter(product=product).aggregate(n=Sum("quantity"))["n"] or 0
        left = ProductStock.objects.get(product=product, size="M").quantity
        oversold = max(sold - stock, 0) + abs(stock - left - sold) + (1 if left < 0 else 0)
        p50 = statistics.median(latencies) * 1000 if latencies else 0
        p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else 0
        rates[side] = statuses[201] / elapsed if elapsed else 0
        failed += errors + oversold
        print(
            f"{side:6} {rates[side]:9.0f} {p50:8.1f} {p99:8.1f} {errors:7d} {oversold:9d}  {dict(sorted(statuses.items()))}"
        )
    print(f"{'ratio (shop / floor orders/s)':30} {rates['shop'] / rates['floor'] if rates['floor'] else 0:.2f}")
    print(f"{'payments created':30} {Order.objects.exclude(payment_id='').count()}")
    print(f"{'worker memory MB':30} {', '.join(f'{mb:.0f}' for mb in rss)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
