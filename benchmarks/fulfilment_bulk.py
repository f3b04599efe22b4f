"""Fulfilment bulk benchmark: hand N paid orders to the fake CDEK at once, print their labels, run it again.

Run (from the project root; a throw-away test database is created and dropped):

    .venv/bin/python benchmarks/fulfilment_bulk.py --orders 300
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dwc_bench .venv/bin/python benchmarks/fulfilment_bulk.py

Prints the seconds the bulk registration takes (each order: `POST /v2/orders`, then its state read back), the
seconds CDEK's labels and waybills of all of them take as one PDF (its pages), and the second run over the same
orders (nothing posted again). The fake answers at once, so the figures are the shop's own cost per order plus a
loopback HTTP round trip; against CDEK add its latency (about 0.2–0.5 s a call) × 2 per order.
"""

import argparse
import io
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import in_process  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=300)
    args = parser.parse_args()

    in_process.django_setup()
    with in_process.throwaway_database():
        return run(args)


def run(args) -> int:
    import pypdf
    from django.conf import settings

    from accounts.models import User
    from catalog.models import Product
    from delivery.fake_cdek import FakeCdek
    from fulfilment.models import Shipment, ShipmentState
    from fulfilment.services import shipment_batch_create, shipment_batch_work, shipment_documents_pdf
    from orders.models import Order, OrderItem, OrderStatus, PaymentStatus

    fake = FakeCdek().start()
    settings.CDEK_API_URL, settings.CDEK_CLIENT_ID, settings.CDEK_CLIENT_SECRET = (
        fake.api_url, fake.client_id, fake.client_secret,
    )  # fmt: skip
    settings.CDEK_TIMEOUT = 30
    settings.CDEK_PRINT_WAIT = 300
    product = Product.objects.create(name="Футболка", article="BENCH-TEE", price="2490.00", weight_grams=300)
    users = User.objects.bulk_create(
        User(phone=f"+7999{n:07d}", full_name=f"Покупатель {n}") for n in range(args.orders)
    )
    orders = Order.objects.bulk_create(
        Order(user=user, order_number=f"DWC-BENCH-{n:06d}", status=OrderStatus.PAID,
              payment_status=PaymentStatus.SUCCEEDED, total_amount=Decimal("2490.00"),
              final_amount=Decimal("2490.00"), delivery_method="cdek_pickup", cdek_point="MSK65")
        for n, user in enumerate(users)
    )  # fmt: skip
    OrderItem.objects.bulk_create(
        OrderItem(order=order, product=product, size="M", quantity=1, price=Decimal("2490.00"),
                  final_amount=Decimal("2490.00"))
        for order in orders
    )  # fmt: skip
    try:
        started = time.perf_counter()
        batch = shipment_batch_work(batch_id=shipment_batch_create(orders=orders).pk)
        registered = time.perf_counter() - started
        at_cdek = Shipment.objects.filter(state=ShipmentState.REGISTERED).count()

        started = time.perf_counter()
        pdf = shipment_documents_pdf(orders=orders)
        printed = time.perf_counter() - started
        pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)

        started = time.perf_counter()
        again = shipment_batch_work(batch_id=shipment_batch_create(orders=orders).pk)
        repeated = time.perf_counter() - started
        posts = len(fake.api_requests("POST", "/v2/orders"))
    finally:
        fake.stop()

    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, orders: {args.orders}")
    print(f"registered at CDEK: {at_cdek}, failed: {batch.failed}, POST /v2/orders: {posts}")
    print(f"bulk registration: {registered:.1f} s ({registered / args.orders * 1000:.0f} ms an order)")
    print(f"labels and waybills: {printed:.1f} s, one PDF of {pages} pages, {len(pdf) / 1e6:.1f} MB")
    print(f"second run over the same orders: {repeated:.1f} s, failed: {again.failed}, nothing posted again")
    return 0 if at_cdek == args.orders and posts == args.orders and pages == 2 * args.orders else 1


if __name__ == "__main__":
    sys.exit(main())
