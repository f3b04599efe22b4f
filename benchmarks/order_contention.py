"""Order contention benchmark: N concurrent buyers on one hot product, against PostgreSQL.

Run (from the project root; a throw-away database `test_<name>` is created and dropped):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dwc_bench .venv/bin/python benchmarks/order_contention.py

Options: `--buyers 40` threads (each its own database connection), `--stock 400` units of one size,
`--orders 20` orders each buyer tries, `--quantity 1` units per order, `--preorder` to fill preorder waves
(`--waves 4` × `--capacity 100`) instead of stock, `--promo-limit 50` to share one limited promo code.
Prints orders per second, refusals by reason and oversells, which must be 0 (the exit status is 1 otherwise).
Payments are not started: this measures the ordering core (locks, counters, writes), not YooKassa.
"""

import argparse
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import in_process  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=40)
    parser.add_argument("--stock", type=int, default=400)
    parser.add_argument("--orders", type=int, default=20, help="orders each buyer tries")
    parser.add_argument("--quantity", type=int, default=1)
    parser.add_argument("--preorder", action="store_true", help="fill preorder waves instead of stock")
    parser.add_argument("--waves", type=int, default=4)
    parser.add_argument("--capacity", type=int, default=100)
    parser.add_argument("--promo-limit", type=int, default=0, help="share one code with this many uses")
    parser.add_argument("--keepdb", action="store_true")
    args = parser.parse_args()

    in_process.django_setup()
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        print("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    with in_process.throwaway_database(keepdb=args.keepdb):
        return run(args, connections)


def run(args, connections) -> int:
    from accounts.models import User
    from catalog.models import Product, ProductStock
    from config.errors import DomainError
    from orders.models import OrderItem
    from orders.services import order_place, placing
    from preorders.models import PreorderWave
    from promos.models import PromoCode

    placing.order_payment_begin = lambda *, order_id: None

    if args.preorder:
        product = Product.objects.create(
            name="Горячий предзаказ",
            article=f"BENCH-P-{time.time_ns()}",
            price="4990.00",
            sizes=["S", "M", "L"],
            order_type=Product.OrderType.PREORDER,
            preorder_waves_total=args.waves,
            preorder_wave_capacity=args.capacity,
        )
        PreorderWave.objects.bulk_create(
            PreorderWave(product=product, wave_number=n, capacity=args.capacity) for n in range(1, args.waves + 1)
        )
        supply = args.waves * args.capacity
    else:
        product = Product.objects.create(
            name="Горячая футболка", article=f"BENCH-S-{time.time_ns()}", price="2490.00", sizes=["S", "M", "L"]
        )
        ProductStock.objects.create(product=product, size="M", quantity=args.stock)
        supply = args.stock
    promo = (
        PromoCode.objects.create(code="BENCH", discount_percent=10, max_uses=args.promo_limit)
        if args.promo_limit
        else None
    )
    users = [User.objects.create_user(phone=f"+7999{n:07d}", password=None) for n in range(args.buyers)]

    outcomes: Counter = Counter()
    latencies: list[float] = []
    guard = threading.Lock()
    barrier = threading.Barrier(args.buyers)

    def buyer(user, index):
        barrier.wait()
        try:
            for attempt in range(args.orders):
                size = ["S", "M", "L"][(index + attempt) % 3] if args.preorder else "M"
                started = time.perf_counter()
                try:
                    order_place(
                        delivery_address="Москва, ул. Тверская, 1",
                        user=user,
                        items=[{"product": product.pk, "size": size, "quantity": args.quantity}],
                        promo_code=promo.code if promo else None,
                    )
                    outcome = "placed"
                except DomainError as refusal:
                    outcome = refusal.code
                except Exception as error:  # noqa: BLE001 - a benchmark counts every failure
                    outcome = f"error {type(error).__name__}"
                with guard:
                    outcomes[outcome] += 1
                    latencies.append(time.perf_counter() - started)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=buyer, args=(user, i)) for i, user in enumerate(users)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began

    sold = sum(OrderItem.objects.filter(product=product).values_list("quantity", flat=True))
    if args.preorder:
        counted = sum(PreorderWave.objects.filter(product=product).values_list("current_count", flat=True))
        overfull = PreorderWave.objects.filter(product=product, current_count__gt=args.capacity).count()
        oversells = max(sold - supply, 0) + abs(counted - sold) + overfull
    else:
        left = ProductStock.objects.get(product=product, size="M").quantity
        oversells = max(sold - supply, 0) + abs(supply - left - sold) + (1 if left < 0 else 0)
    if promo:
        promo.refresh_from_db()
        oversells += max(promo.current_uses - args.promo_limit, 0)

    placed = outcomes.get("placed", 0)
    refusals = sum(
        count for outcome, count in outcomes.items() if outcome != "placed" and not outcome.startswith("error")
    )
    errors = sum(count for outcome, count in outcomes.items() if outcome.startswith("error"))
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1] if latencies else 0.0
    print(
        f"mode:          {'preorder waves' if args.preorder else 'stock'} ({supply} units), {args.buyers} buyers"
    )
    print(f"attempts:      {sum(outcomes.values())} in {elapsed:.2f} s")
    print(f"orders/second: {placed / elapsed:.1f} placed, {sum(outcomes.values()) / elapsed:.1f} attempts")
    print(f"placed:        {placed} orders, {sold} units")
    print(f"refusals:      {refusals} {dict((k, v) for k, v in outcomes.items() if k != 'placed')}")
    print(f"latency:       median {latencies[len(latencies) // 2] * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms")
    print(f"errors:        {errors}")
    print(f"oversells:     {oversells}")
    return 0 if oversells == 0 and errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
