"""Waiting-room benchmark: what one refresh of a place costs the shop (SQL queries, cache calls, time).

Run (from the project root; a throw-away test database is created and dropped; SQLite by default,
PostgreSQL when DATABASE_URL says so, Redis as the cache when REDIS_URL says so):

    .venv/bin/python benchmarks/queue_refresh.py [--customers 500] [--refreshes 2000]

Seeds a drop with N customers who joined before the start, passes the start (one draw), then refreshes places
through the API (`GET products/{id}/queue/`, JWT) with and without the signed token, and prints, per kind:
requests per second, median latency, SQL queries and cache calls per request (the API's figures include the one
query JWT authentication makes to read the user). Also the join and the start's draw.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import in_process  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--refreshes", type=int, default=2000)
    args = parser.parse_args()

    in_process.django_setup()
    with in_process.throwaway_database():
        return run(args)


class CacheCalls:
    """Counts calls to the default cache while active."""

    METHODS = ("get", "set", "add", "delete", "get_many", "set_many", "incr", "decr")

    def __init__(self):
        from django.core.cache import cache

        self.cache, self.count, self.depth, self.saved = cache, 0, 0, {}

    def __enter__(self):
        for name in self.METHODS:
            original = getattr(self.cache, name)
            self.saved[name] = original

            def counted(*args, _original=original, **kwargs):
                # One call of the caller's; a backend's get() that calls its own get_many() counts once.
                if self.depth == 0:
                    self.count += 1
                self.depth += 1
                try:
                    return _original(*args, **kwargs)
                finally:
                    self.depth -= 1

            setattr(self.cache, name, counted)
        return self

    def __exit__(self, *exc):
        for name, original in self.saved.items():
            setattr(self.cache, name, original)


def measure(label, calls):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings, queries = [], 0
    with CacheCalls() as cache_calls, CaptureQueriesContext(connection) as captured:
        for call in calls:
            started = time.perf_counter()
            call()
            timings.append(time.perf_counter() - started)
        queries = len(captured)
    n = len(timings)
    print(
        f"{label:<38} {n / sum(timings):8.0f} req/s  median {statistics.median(timings) * 1000:6.2f} ms  "
        f"{queries / n:5.2f} queries  {cache_calls.count / n:5.2f} cache calls  per request"
    )


def run(args) -> int:
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import RefreshToken

    from accounts.models import User
    from catalog.models import Product, ProductStock
    from drops.services import queue_join, queue_place

    settings.THROTTLE_ENABLED = False
    start = timezone.now() + timedelta(seconds=2)
    drop = Product.objects.create(
        name="Релиз", article="BENCH-1", price=5000, sale_starts_at=start, queue_enabled=True, queue_rate=50
    )
    ProductStock.objects.create(product=drop, size="M", quantity=1000)
    users = User.objects.bulk_create(
        User(phone=f"+7916{i:07d}", password="!", phone_verified=True) for i in range(args.customers)
    )
    early = start - timedelta(minutes=1)
    t0 = time.perf_counter()
    for user in users:
        queue_join(product=drop, user=user, now=early)
    print(
        f"{args.customers} joins before the start: {(time.perf_counter() - t0) * 1000 / args.customers:.2f} ms each"
    )
    time.sleep(max((start - timezone.now()).total_seconds(), 0) + 0.1)
    t0 = time.perf_counter()
    queue_place(product_id=drop.pk, user=users[0])  # the first reader after the start draws every place
    print(f"the start's draw of {args.customers} places: {(time.perf_counter() - t0) * 1000:.0f} ms, once")

    clients, tokens = [], []
    for user in users[:50]:
        # A real bearer token: the request pays for authentication as a frontend's would (one user read).
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
        clients.append(client)
        tokens.append(client.get(f"/api/v1/products/{drop.pk}/queue/").json()["token"])
    url = f"/api/v1/products/{drop.pk}/queue/"
    k = len(clients)
    measure(
        "API refresh with the token",
        [lambda i=i: clients[i % k].get(url, {"token": tokens[i % k]}) for i in range(args.refreshes)],
    )
    measure("API refresh without a token", [lambda i=i: clients[i % k].get(url) for i in range(args.refreshes)])
    measure(
        "service refresh with the token",
        [
            lambda i=i: queue_place(product_id=drop.pk, user=users[i % k], token=tokens[i % k])
            for i in range(args.refreshes)
        ],
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
