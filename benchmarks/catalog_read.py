"""Catalog read cost by catalog size: lists, a search and filtered lists, rendered afresh (cache off).

Run (from the project root; a throw-away test database is created and dropped for each size; SQLite by
default, PostgreSQL when DATABASE_URL says so):

    .venv/bin/python benchmarks/catalog_read.py [--products 100,10000] [--requests 100]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dwc_bench .venv/bin/python benchmarks/catalog_read.py

For each catalog size, seeds N products (stock per size, two pictures each, a third of them preorders with three
waves), then requests each address repeatedly through Django's test client with the catalog cache off (what a
miss costs) and prints, per address: requests per second, median and p95 latency, and SQL queries per request.
Both must stay about the same from 100 to 10,000 products (indexes for every filter, ordering and the search).
With `--cache` the cached answers are measured instead.
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
    parser.add_argument("--products", default="100,10000", help="catalog sizes, comma-separated")
    parser.add_argument("--requests", type=int, default=100, help="requests per address")
    parser.add_argument("--cache", action="store_true", help="measure cached answers instead of fresh ones")
    args = parser.parse_args()

    in_process.django_setup()
    from django.conf import settings

    settings.CATALOG_CACHE = args.cache
    for count in (int(n) for n in args.products.split(",")):
        with in_process.throwaway_database():
            run(args, count)
    return 0


def seed(count: int):
    from catalog.models import Product, ProductMedia, ProductStock
    from preorders.models import PreorderWave

    sizes = ["S", "M", "L"]
    products = Product.objects.bulk_create(
        Product(
            name=f"Товар {n}",
            slug=f"tovar-{n}",
            article=f"BENCH-{n:05d}",
            price=f"{1990 + n % 50 * 100}.00",
            sizes=sizes,
            order_type=Product.OrderType.PREORDER if n % 3 == 0 else Product.OrderType.IN_STOCK,
            preorder_waves_total=3 if n % 3 == 0 else 0,
            preorder_wave_capacity=20 if n % 3 == 0 else 0,
        )
        for n in range(count)
    )
    ProductStock.objects.bulk_create(
        ProductStock(product=p, size=s, quantity=5) for p in products if not p.is_preorder for s in sizes
    )
    ProductMedia.objects.bulk_create(
        ProductMedia(product=p, image=f"products/bench-{p.pk}-{i}.jpg", position=i)
        for p in products
        for i in range(2)
    )
    PreorderWave.objects.bulk_create(
        PreorderWave(product=p, wave_number=w, capacity=20, current_count=7 if w == 1 else 0)
        for p in products
        if p.is_preorder
        for w in (1, 2, 3)
    )
    return products


def measure(client, url: str, times: int) -> tuple[list[float], int]:
    from django.db import connection

    statements = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    latencies = []
    for _ in range(times):
        started = time.perf_counter()
        client.get(url)
        latencies.append(time.perf_counter() - started)
    return latencies, len(statements)


def run(args, count: int) -> int:
    from django.db import connection
    from django.test import Client

    products = seed(count)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    preorder = next(p for p in products if p.is_preorder)
    pages = {
        "API products/ (20 a page)": "/api/v1/products/",
        "API products/ (100 a page)": "/api/v1/products/?page_size=100",
        "API products/?search=": "/api/v1/products/?search=bench-0004",
        "API products/ filtered": "/api/v1/products/?order_type=preorder&min_price=2500&ordering=-price",
        "API products/{id}/ (preorder)": f"/api/v1/products/{preorder.pk}/",
        "page / (catalog)": "/",
        "page /?search=": "/?search=%D1%82%D0%BE%D0%B2%D0%B0%D1%80%2042",
        "page / filtered": "/?order_type=preorder&max_price=3000&ordering=price",
        "page /products/<slug>/": f"/products/{preorder.slug}/",
    }
    client = Client()
    cache = "cached answers" if args.cache else "cache off"
    print(f"\n{count} products, {args.requests} requests an address, database {_vendor()}, {cache}")
    print(f"{'page':34} {'req/s':>8} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for name, url in pages.items():
        client.cookies.clear()
        latencies, queries = measure(client, url, args.requests)
        p95 = statistics.quantiles(latencies, n=20)[-1]
        print(
            f"{name:34} {len(latencies) / sum(latencies):8.0f} {statistics.median(latencies) * 1000:10.1f} "
            f"{p95 * 1000:8.1f} {queries:8d}"
        )
    return 0


def _vendor() -> str:
    from django.db import connection

    return connection.vendor


if __name__ == "__main__":
    sys.exit(main())
