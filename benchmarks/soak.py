"""Soak: a bounded mix of customers and staff against the whole shop, with faults injected, then the books.

Run from the project root (a fresh database is made for the run and removed after it):

    .venv/bin/python benchmarks/soak.py [--seconds 60] [--clients 16]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dwc .venv/bin/python benchmarks/soak.py  # PostgreSQL: test_dwc

What runs, all on loopback: the shop on gunicorn (`--workers` × 4 threads, production settings), the task worker
(`db_worker`: payment creation, SMS), the scheduler loop (`expire_unpaid_orders --every 10`: reconciliation and
expiry) and the fake YooKassa. The database is migrated and loaded with the demo data (`seed_demo`), whose wave
counts are real orders, so the books balance from the first second.

`--clients` threads browse the catalog (API and pages), register, place orders (an `Idempotency-Key` each, some
sent twice), pay them on the fake's payment page (some payments cancelled there), cancel them, and staff refund
paid ones. Faults, in turns: YooKassa answers 500 for 3 s, then YooKassa hangs for 3 s (answers held; the shop's
calls time out); the SMS gateway is down for the whole run (every SMS fails and is retried with backoff).
Notifications that arrive while YooKassa cannot be read back are lost on purpose; the reconciliation settles them.

Then the books, which must balance (exit status 1 otherwise):
- no 500 answer, no request without an answer;
- no oversell: no stock below 0, no wave above its capacity;
- per size, stock + units held by orders = the initial figure (held: orders neither cancelled nor refunded);
- per wave, its count = the preorder units held in it; per promo code, its uses = the orders holding it;
- every payment YooKassa took is on an order that is paid (or was refunded): the amount is the order's;
  money taken for an order that was closed meanwhile went back.
"""

import random
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import fault_harness, harness  # noqa: E402
from benchmarks.fault_harness import books, manage, percentile  # noqa: E402

SHOP_ID, SECRET_KEY = "soak-shop", "soak-secret"


# --- HTTP ---------------------------------------------------------------------------------------------------------
class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.answers = Counter()  # (action, status)
        self.latency = defaultdict(list)  # (kind, fault) -> seconds
        self.notes = Counter()

    def record(self, action, status, seconds, fault):
        with self.lock:
            self.answers[(action, status)] += 1
            kind = "page" if action.startswith("browse") else "order" if action == "order" else None
            if kind and isinstance(status, int) and status < 500:
                self.latency[(kind, fault)].append(seconds)

    def note(self, what, n=1):
        with self.lock:
            self.notes[what] += n


class Shop:
    def __init__(self, url, stats, faults):
        self.url, self.stats, self.faults = url, stats, faults

    def call(self, action, method, path, body=None, token=None, headers=None, base=None):
        fault = self.faults.state
        started = time.monotonic()
        status, answer = fault_harness.call((base or self.url) + path, method, body, token, headers)
        self.stats.record(action, status, time.monotonic() - started, fault)
        return status, answer


class Faults(threading.Thread):
    """YooKassa answers 500 for 3 s, works for 7 s, hangs for 3 s, works for 7 s, and so on."""

    def __init__(self, fake, stop):
        super().__init__(daemon=True)
        self.fake, self.stop, self.state, self.injected = fake, stop, "none", Counter()

    def run(self):
        turn = 0
        while not self.stop.wait(7):
            kind = ("yookassa 500", "yookassa hang")[turn % 2]
            turn += 1
            self.injected[kind] += 1
            self.state = kind
            if kind == "yookassa 500":
                self.fake.outage = 500
            else:
                self.fake.stall = threading.Event()
            self.stop.wait(3)
            stall, self.fake.outage, self.fake.stall = self.fake.stall, None, None
            if stall is not None:
                stall.set()
            self.state = "none"


# --- The customers ------------------------------------------------------------------------------------------------
def customer(shop, fake, catalog, staff_token, paid_orders, deadline, seed):
    rng = random.Random(seed)
    phone = f"+7900{seed:07d}"
    status, body = shop.call(
        "register",
        "POST",
        "/api/v1/auth/register/",
        {"phone": phone, "password": "soak-pass-1", "personal_data_consent": True},
    )
    token = body.get("access") if status == 201 else None
    if token is None:
        shop.stats.note("register failed")
        return
    mine = []
    while time.monotonic() < deadline:
        roll = rng.random()
        if roll < 0.45:
            product = rng.choice(catalog)
            if rng.random() < 0.5:
                shop.call("browse api", "GET", "/api/v1/products/")
            else:
                shop.call("browse page", "GET", rng.choice(["/", f"/products/{product['pk']}/"]))
        elif roll < 0.70:
            product = rng.choice(catalog)
            body = {"items": [{"product": product["pk"], "size": rng.choice(product["sizes"]),
                               "quantity": rng.choice([1, 1, 2])}], "delivery_address": "Москва, ул. Тверская, 1"}  # fmt: skip
            if rng.random() < 0.2:
                body["promo_code"] = rng.choice(["MINUS500", "WELCOME10", "DROP15"])
            key = {"Idempotency-Key": uuid.uuid4().hex}
            status, answer = shop.call("order", "POST", "/api/v1/orders/", body, token, key)
            if status == 201:
                mine.append(answer["order_number"])
                if rng.random() < 0.15:  # a double submit: the same order comes back
                    again_status, again = shop.call("order (repeat)", "POST", "/api/v1/orders/", body, token, key)
                    shop.stats.note("repeat gave the same order" if again.get("order_number") ==
                                    answer["order_number"] else "repeat gave ANOTHER order")  # fmt: skip
        elif roll < 0.85 and mine:
            number = rng.choice(mine)
            status, answer = shop.call("pay", "POST", f"/api/v1/orders/{number}/pay/", None, token)
            if status == 200 and answer.get("payment_url"):
                payment_path = urlsplit(answer["payment_url"]).path
                button = "cancel" if rng.random() < 0.15 else "succeed"
                shop.call(f"payment page {button}", "POST", f"{payment_path}/{button}", base=fake.url)
                if button == "succeed":
                    with shop.stats.lock:
                        paid_orders.append(number)
        elif roll < 0.93 and mine:
            shop.call("cancel", "POST", f"/api/v1/orders/{rng.choice(mine)}/cancel/", None, token)
        elif roll < 0.98 and paid_orders:
            with shop.stats.lock:
                number = rng.choice(paid_orders)
            shop.call("refund (staff)", "POST", f"/api/v1/orders/{number}/refund/", {}, staff_token,
                      headers={"Idempotency-Key": f"refund-{number}"})  # fmt: skip
        else:
            shop.call("register", "POST", "/api/v1/auth/register/",
                      {"phone": f"+7901{rng.randrange(10**7):07d}", "password": "soak-pass-1",
                       "personal_data_consent": True})  # fmt: skip


# --- The run ------------------------------------------------------------------------------------------------------
def main() -> int:
    parser = fault_harness.argument_parser(__doc__.splitlines()[0], seconds=60, clients=12)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (4 threads each)")
    parser.add_argument("--redis", default="", help="REDIS_URL for the shop's shared cache (breaker, throttles)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="dwc-soak-"))
    shop_port, fake_port = harness.free_port(), harness.free_port()
    shop_url = f"http://127.0.0.1:{shop_port}"
    tasks = [
        manage("db_worker", "--no-reload", "--interval", "1"),
        manage("expire_unpaid_orders", "--every", "10"),
    ]
    try:
        with fault_harness.run_database(workdir) as database_url:
            env = environment(args, database_url=database_url, shop_port=shop_port, fake_port=fake_port)
            print(f"Database: {database_url.split('@')[-1]}; preparing (migrate, seed_demo)…", flush=True)
            with fault_harness.demo_shop(env):
                initial = books()
                with (
                    fault_harness.fake_yookassa(shop_id=SHOP_ID, secret_key=SECRET_KEY, port=fake_port,
                                                shop_url=shop_url) as fake,
                    fault_harness.shop_served(env, log=workdir / "processes.log", tasks=tasks),
                ):  # fmt: skip
                    return soak(args, shop_url, fake, initial)
    finally:
        print(f"Process logs: {workdir / 'processes.log'}")


def environment(args, *, database_url: str, shop_port: int, fake_port: int) -> dict[str, str]:
    shop_url = f"http://127.0.0.1:{shop_port}"
    return fault_harness.production_environment(
        name="soak",
        database_url=database_url,
        port=shop_port,
        workers=args.workers,
        **fault_harness.fake_yookassa_environment(
            shop_id=SHOP_ID, secret_key=SECRET_KEY, port=fake_port, shop_url=shop_url
        ),
        YOOKASSA_BREAKER_RESET="5",
        ORDER_PAYMENT_TIMEOUT="1",
        # The SMS gateway is down for the whole run: every SMS fails and is queued again with a growing delay.
        SMS_BACKEND="smsru",
        SMSRU_API_ID="soak",
        SMSRU_API_URL="http://127.0.0.1:9/sms/send",
        REDIS_URL=args.redis,
    )


def soak(args, shop_url, fake, initial) -> int:
    from catalog.models import Product

    catalog = [{"pk": p.pk, "sizes": p.size_labels} for p in Product.objects.visible()]
    stats, stop = Stats(), threading.Event()
    faults = Faults(fake, stop)
    shop = Shop(shop_url, stats, faults)
    status, tokens = shop.call("staff login", "POST", "/api/v1/auth/login/",
                               {"phone": "+79990000001", "password": "dwc-admin-2026"})  # fmt: skip
    staff_token = tokens.get("access")
    paid_orders: list[str] = []
    print(f"Soak: {args.clients} clients for {args.seconds} s against {shop_url}…", flush=True)
    started = time.monotonic()
    deadline = started + args.seconds
    faults.start()
    clients = [
        threading.Thread(target=customer, args=(shop, fake, catalog, staff_token, paid_orders, deadline, n))
        for n in range(args.clients)
    ]
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    stop.set()
    faults.join()
    elapsed = time.monotonic() - started

    # The scheduler's reconciliation waits 2 minutes for notifications; at the end it is run at once.
    time.sleep(2)
    from datetime import timedelta

    from orders.services import payments_reconcile

    reconciled = payments_reconcile(quiet_for=timedelta(0))
    final = books()
    return report(stats, faults, fake, initial, final, reconciled, elapsed)


def report(stats, faults, fake, initial, final, reconciled, elapsed) -> int:
    answers = stats.answers
    served = sum(answers.values())
    print(f"\nRequests: {served} in {elapsed:.0f} s ({served / elapsed:.0f}/s)")
    fault_harness.print_answers(answers, width=24)
    errors = fault_harness.failed_answers(answers)
    print(f"Faults injected: {dict(faults.injected)}; SMS gateway down throughout")
    for kind in ("page", "order"):
        line = []
        for fault in ("none", "yookassa 500", "yookassa hang"):
            seconds = stats.latency.get((kind, fault), [])
            if seconds:
                line.append(f"{fault}: p50 {percentile(seconds, .5) * 1000:.0f} ms, "
                            f"p95 {percentile(seconds, .95) * 1000:.0f} ms (n={len(seconds)})")  # fmt: skip
        print(f"  {kind} latency by fault: " + "; ".join(line))
    from django_tasks_db.models import DBTaskResult

    sms = Counter(DBTaskResult.objects.filter(task_path__endswith="sms_deliver").values_list("status", flat=True))
    print(f"SMS tasks (gateway down): {dict(sms)}")
    print(f"Notes: {dict(stats.notes)}")
    print(f"Reconciliation at the end: {reconciled}")
    print(f"Orders by status: {dict(final['orders'] - initial['orders'])} new; all: {dict(final['orders'])}")

    problems = []
    if errors:
        problems.append(f"{errors} answers were 500 or none")
    if stats.notes.get("repeat gave ANOTHER order"):
        problems.append("a repeated Idempotency-Key placed another order")
    problems += fault_harness.books_problems(initial, final)
    problems += payments_problems(fake)
    if problems:
        fault_harness.print_problems("THE BOOKS DO NOT BALANCE", problems)
        return 1
    print("\nThe books balance: no 500, no oversell, stock + held = initial, waves and promo uses match their "
          "orders, every payment is on its order.")  # fmt: skip
    return 0


def payments_problems(fake) -> list[str]:
    """Every payment YooKassa took is on an order that holds it (its amount) or went back; prints the money lost."""
    from decimal import Decimal

    from orders.models import Order, OrderStatus, PaymentStatus

    problems = []
    lost = Decimal("0")
    paid_checked = 0
    for payment in list(fake.payments.values()):
        number = payment["metadata"].get("order_number")
        order = Order.objects.filter(order_number=number).first()
        amount = Decimal(payment["amount"]["value"])
        if payment["status"] != "succeeded":
            continue
        refunded = Decimal((payment.get("refunded_amount") or {}).get("value", "0"))
        if order is None:
            problems.append(f"payment {payment['id']} has no order")
            lost += amount - refunded
        elif order.status in OrderStatus.HOLDS_PAYMENT or order.status == OrderStatus.REFUNDED:
            paid_checked += 1
            if order.payment_id == payment["id"] and order.final_amount != amount:
                problems.append(f"order {number}: amount {order.final_amount} ≠ payment {amount}")
            if order.status == OrderStatus.REFUNDED and refunded != amount:
                problems.append(f"order {number} refunded but YooKassa returned {refunded} of {amount}")
        elif refunded != amount:
            problems.append(f"order {number} is {order.status} but its payment of {amount} was kept")
            lost += amount - refunded
    for order in Order.objects.filter(status__in=OrderStatus.HOLDS_PAYMENT).exclude(payment_id=""):
        payment = fake.payments.get(order.payment_id)
        if payment is None or payment["status"] != "succeeded":
            problems.append(f"order {order.order_number} is paid but YooKassa has no such payment")
    pending_paid = Order.objects.filter(status=OrderStatus.PENDING, payment_status=PaymentStatus.SUCCEEDED)
    if pending_paid.exists():
        problems.append(f"{pending_paid.count()} pending orders marked paid")
    print(f"Payments checked against orders: {paid_checked}; money lost: {lost} ₽")
    return problems


if __name__ == "__main__":
    sys.exit(main())
