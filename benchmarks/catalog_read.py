"""Catalog read benchmark: the product list and product page, through the API and the storefront.

Run (from the project root; a throw-away test database is created and dropped; SQLite by default,
PostgreSQL when DATABASE_URL says so):

    .venv/bin/python benchmarks/catalog_read.py [--products 200] [--requests 200]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dwc_bench .venv/bin/python benchmarks/catalog_read.py

Seeds N products (stock per size, two pictures each, a third of them preorders with three waves), then requests
each page repeatedly through Django's test client and prints, per page: requests per second, median and p95
latency, and SQL queries per request (which must not grow with the number of products).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=200)
    parser.add_argument("--requests", type=int, default=200, help="requests per page")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        return run(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


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


def run(args) -> int:
    from django.test import Client

    products = seed(args.products)
    preorder = next(p for p in products if p.is_preorder)
    pages = {
        "API products/ (20 a page)": "/api/v1/products/",
        "API products/ (100 a page)": "/api/v1/products/?page_size=100",
        "API products/{id}/ (preorder)": f"/api/v1/products/{preorder.pk}/",
        "page / (catalog)": "/",
        "page /products/<slug>/": f"/products/{preorder.slug}/",
    }
    client = Client()
    print(f"{args.products} products, {args.requests} requests a page, database {_vendor()}")
    print(f"{'page':34} {'req/s':>8} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for name, url in pages.items():
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
