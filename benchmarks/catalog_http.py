"""Catalog over HTTP against the floor: the shop on gunicorn and PostgreSQL, loaded by wrk.

Run from the project root (needs PostgreSQL and wrk; Redis optional):

    .venv/bin/python benchmarks/catalog_http.py [--database-url postgres://postgres@127.0.0.1:5432/dwc_bench]
        [--redis-url redis://127.0.0.1:6379/0] [--products 200] [--seconds 5] [--rounds 3] [--connections 16]
        [--workers N] [--threads 4]

A fresh database `test_<name>` is created, migrated, seeded and dropped. For each catalog address the shop and
the floor (a bare Django view returning a JSON body of the same size from memory, behind the same middleware and
gunicorn; see benchmarks/floor.py) are loaded in turns, `--rounds` times each, so that both see the same noise
of a shared machine. Prints per address: requests per second, p50, p99, non-2xx answers, and the ratio of the
shop's requests per second to the floor's; then the workers' resident memory.
"""

import os
import statistics
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import harness  # noqa: E402


def main() -> int:
    parser = harness.argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=5, help="seconds of each wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="shop/floor turns per address")
    parser.add_argument("--connections", type=int, default=16)
    harness.add_server_arguments(parser)
    parser.add_argument("--only", default="", help="comma-separated address names to run (default: all)")
    args = parser.parse_args()
    harness.require_wrk()

    with harness.bench_database(args.database_url) as database_url:
        environment = harness.shop_environment(database_url=database_url, redis_url=args.redis_url)
        harness.django_setup(environment)
        from benchmarks.catalog_read import seed

        products = seed(args.products)
        preorder = next(p for p in products if p.is_preorder)
        from django.db import connections

        connections.close_all()
        port = harness.free_port()
        base = f"http://127.0.0.1:{port}"
        addresses = {
            "GET /api/v1/products/": "/api/v1/products/",
            "GET /api/v1/products/{id}/": f"/api/v1/products/{preorder.pk}/",
            "GET / (catalog page)": "/",
            "GET /products/{slug}/": f"/products/{preorder.slug}/",
        }
        if args.only:
            wanted = args.only.split(",")
            addresses = {name: path for name, path in addresses.items() if any(w in name for w in wanted)}
        print(
            f"{args.products} products · PostgreSQL · cache {'Redis' if args.redis_url else 'local memory'} · "
            f"gunicorn {args.workers} workers × {args.threads} threads · wrk {args.connections} connections, "
            f"{args.rounds} × {args.seconds} s each side, shop and floor in turns · {os.cpu_count()} cores"
        )
        with harness.server(args, port=port, environment=environment) as server:
            print(f"{'address':28} {'':5} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8} {'ratio':>6}")
            for name, path in addresses.items():
                size = len(urllib.request.urlopen(base + path).read())
                runs = {"shop": [], "floor": []}
                for _ in range(args.rounds):
                    for side, url in (("shop", base + path), ("floor", f"{base}/bench/floor/{size}/")):
                        runs[side].append(harness.wrk(url, seconds=args.seconds, connections=args.connections))
                figures = {side: _summary(results) for side, results in runs.items()}
                ratio = figures["shop"]["rps"] / figures["floor"]["rps"]
                for side in ("shop", "floor"):
                    f = figures[side]
                    label = name if side == "shop" else f"  floor ({size} bytes)"
                    print(
                        f"{label:28} {side:5} {f['rps']:8.0f} {f['p50']:8.1f} {f['p99']:8.1f} {f['non2xx']:8d} "
                        + (f"{ratio:6.2f}" if side == "shop" else "")
                    )
            rss = harness.workers_rss_mb(server)
            print(f"worker resident memory after the runs: {', '.join(f'{mb:.0f}' for mb in rss)} MB")
    return 0


def _summary(results: list[dict]) -> dict:
    return {
        "rps": statistics.mean(r["rps"] for r in results),
        "p50": statistics.median(r["p50"] for r in results),
        "p99": statistics.median(r["p99"] for r in results),
        "non2xx": sum(r["non2xx"] for r in results),
    }


if __name__ == "__main__":
    sys.exit(main())
