"""Redis goes away under load: the shop slows down, never fails; orders placed meanwhile get their payments.

Run by hand, from the project root, against PostgreSQL (a throw-away database `test_<name>` is made and dropped):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dwc .venv/bin/python benchmarks/redis_fault.py \
        [--seconds 40] [--clients 8] [--redis-port 8119] [--freeze]

The run starts a private `redis-server` on `--redis-port` (nobody else's Redis is touched), the fake YooKassa,
gunicorn (production settings, `REDIS_URL` at the private Redis) and the task worker. `--clients` threads browse the
catalog (API with junk query strings, pages), sign in, read their orders, ask for delivery points and place orders.
A quarter into the run Redis is killed (SIGKILL; with `--freeze` it is stopped with SIGSTOP instead: it accepts
connections and never answers); half-way it is started again (or continued).

Prints: requests by status, the 500s and requests without an answer (both must be 0), latency before, during and
after the outage, the orders placed during the outage and the payments created for them (by the worker, through the
fake YooKassa), `health/` during the outage, and the books (stock + units held = initial, waves and promo uses
match their orders). Exit status 1 if anything was a 500, an outage order has no payment, or the books do not
balance.
"""

import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import fault_harness, harness  # noqa: E402
from benchmarks.fault_harness import books, call, manage, percentile  # noqa: E402

SHOP_ID, SECRET_KEY = "redis-fault-shop", "redis-fault-secret"
CUSTOMER = ("+79990000002", "dwc-demo-2026")


class PrivateRedis:
    """A redis-server of the run's own on a port of its own: killed, frozen and started again at will."""

    def __init__(self, port: int, workdir: Path):
        self.port, self.workdir, self.process = port, workdir, None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while (
            subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True).stdout.strip()
            != b"PONG"
        ):
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.1)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def freeze(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(timeout=10)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()


def main() -> int:
    parser = fault_harness.argument_parser(__doc__.splitlines()[0], seconds=40, clients=8)
    parser.add_argument("--redis-port", type=int, default=8119)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes (4 threads each)")
    parser.add_argument("--freeze", action="store_true", help="SIGSTOP Redis (silent) instead of killing it")
    args = parser.parse_args()
    if not fault_harness.postgres_required():
        return 2

    workdir = Path(tempfile.mkdtemp(prefix="dwc-redis-fault-"))
    shop_port, fake_port = harness.free_port(), harness.free_port()
    shop_url = f"http://127.0.0.1:{shop_port}"
    tasks = [manage("db_worker", "--no-reload", "--interval", "0.5")]
    try:
        with PrivateRedis(args.redis_port, workdir) as redis, fault_harness.run_database(workdir) as database_url:
            env = environment(args, database_url=database_url, shop_port=shop_port, fake_port=fake_port)
            print(f"Database: {database_url.split('@')[-1]}; Redis: 127.0.0.1:{args.redis_port}; preparing…",
                  flush=True)  # fmt: skip
            with fault_harness.demo_shop(env):
                initial, stocked, products = books(), *catalog()
                with (
                    fault_harness.fake_yookassa(shop_id=SHOP_ID, secret_key=SECRET_KEY, port=fake_port,
                                                shop_url=shop_url) as fake,
                    fault_harness.shop_served(env, log=workdir / "processes.log", tasks=tasks),
                ):  # fmt: skip
                    return run(args, shop_url, fake, redis, stocked, products, initial)
    finally:
        print(f"Process logs: {workdir / 'processes.log'}")


def environment(args, *, database_url: str, shop_port: int, fake_port: int) -> dict[str, str]:
    return fault_harness.production_environment(
        name="redis-fault",
        database_url=database_url,
        port=shop_port,
        workers=args.workers,
        REDIS_URL=f"redis://127.0.0.1:{args.redis_port}/0",
        **fault_harness.fake_yookassa_environment(
            shop_id=SHOP_ID, secret_key=SECRET_KEY, port=fake_port, shop_url=f"http://127.0.0.1:{shop_port}"
        ),
        SMS_BACKEND="console",
        LOG_FORMAT="plain",
    )


def catalog() -> tuple[list, list]:
    """The sizes in stock, as (product, size), and the visible products; the connection closed after reading."""
    from django.db import connections

    from catalog.models import Product, ProductStock

    stocked = list(ProductStock.objects.filter(quantity__gt=0).values_list("product_id", "size"))
    products = list(Product.objects.visible().values_list("pk", flat=True))
    connections.close_all()
    return stocked, products


class Load:
    """What the clients saw: answers by (action, status), latency by phase, the orders placed and in which phase."""

    def __init__(self):
        self.lock = threading.Lock()
        self.answers: Counter = Counter()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.placed: list[tuple[str, str]] = []
        self.phase = "before"


def run(args, url, fake, redis, stocked, products, initial) -> int:
    status, tokens = call(f"{url}/api/v1/auth/login/", "POST", {"phone": CUSTOMER[0], "password": CUSTOMER[1]})
    if status != 200:
        print(f"Cannot sign the demo customer in: {status} {tokens}")
        return 1
    load = Load()
    started = time.monotonic()
    deadline = started + args.seconds
    threads = [
        threading.Thread(target=client, args=(load, url, tokens["access"], stocked, products, deadline, n))
        for n in range(args.clients)
    ]
    for thread in threads:
        thread.start()
    down_at, health, up_at = outage(args, url, redis, load, started)
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    during = [number for number, when in load.placed if when == "during"]
    with_payment = payments_created(during, fake)

    served = sum(load.answers.values())
    errors = fault_harness.failed_answers(load.answers)
    how = "frozen (SIGSTOP: accepts, never answers)" if args.freeze else "killed (SIGKILL)"
    print(f"\nRedis {how} at {down_at:.0f} s, back at {up_at:.0f} s of {elapsed:.0f} s")
    print(f"Requests: {served} ({served / elapsed:.0f}/s)")
    fault_harness.print_answers(load.answers, width=16)
    print(f"500s or no answer: {errors}")
    for name in ("before", "during", "after"):
        seconds = load.latency.get(name, [])
        print(f"  latency {name:<6} p50 {percentile(seconds, .5) * 1000:.0f} ms, "
              f"p95 {percentile(seconds, .95) * 1000:.0f} ms, max {max(seconds or [0]) * 1000:.0f} ms (n={len(seconds)})")  # fmt: skip
    print(f"health/ during the outage: {health[0]} {health[1]}")
    print(f"Orders placed: {len(load.placed)}; during the outage: {len(during)}, payments created for them: "
          f"{len(with_payment)}")  # fmt: skip

    problems = fault_harness.books_problems(initial, books())
    if errors:
        problems.append(f"{errors} answers were 500 or none")
    if not during:
        problems.append("no order was placed during the outage")
    if len(with_payment) != len(during):
        problems.append(f"{len(during) - len(with_payment)} orders placed during the outage have no payment")
    if problems:
        fault_harness.print_problems("THE RUN FAILED", problems)
        return 1
    print("The books balance: stock + held = initial, waves and promo uses match their orders; no 500.")
    return 0


def outage(args, url, redis, load, started) -> tuple[float, tuple, float]:
    """Redis goes away a quarter into the run and comes back half-way; `health/` is asked a second into it.
    Returns when it went (seconds into the run), what `health/` said, and when it came back."""
    time.sleep(args.seconds / 4)
    redis.freeze() if args.freeze else redis.kill()
    load.phase = "during"
    down_at = time.monotonic() - started
    time.sleep(1)
    health = call(f"{url}/api/v1/health/")
    time.sleep(max(0.0, args.seconds / 4 - 1))
    redis.thaw() if args.freeze else redis.start()
    load.phase = "after"
    return down_at, health, time.monotonic() - started


def client(load, url, token, stocked, products, deadline, seed):
    rng = random.Random(seed)
    while time.monotonic() < deadline:
        current = load.phase
        action, method, path, body, headers, who = request(rng, token, stocked, products)
        began = time.monotonic()
        status, answer = call(url + path, method, body, who, headers)
        seconds = time.monotonic() - began
        with load.lock:
            load.answers[(action, status)] += 1
            if isinstance(status, int) and status < 500:
                load.latency[current].append(seconds)
            if action == "order" and status == 201:
                load.placed.append((answer["order_number"], current))


def request(rng, token, stocked, products) -> tuple:
    """A customer's next request: (action, method, path, body, headers, token or None)."""
    roll = rng.random()
    body, headers, who = None, None, None
    if roll < 0.25:
        action, method, path = "catalog api", "GET", f"/api/v1/products/?junk={rng.randrange(10**9)}"
    elif roll < 0.40:
        action, method, path = "catalog page", "GET", rng.choice(["/", f"/products/{rng.choice(products)}/"])
    elif roll < 0.50:
        action, method, path = "product api", "GET", f"/api/v1/products/{rng.choice(products)}/"
    elif roll < 0.58:
        action, method, path = "login", "POST", "/api/v1/auth/login/"
        body = {"phone": CUSTOMER[0], "password": CUSTOMER[1] if rng.random() < 0.7 else "wrong-pass"}
    elif roll < 0.66:
        action, method, path, who = "orders list", "GET", "/api/v1/orders/", token
    elif roll < 0.72:
        action, method, path = "delivery points", "GET", f"/api/v1/delivery/points/?city={quote('Москва')}"
    elif roll < 0.75:
        action, method, path = "health", "GET", "/api/v1/health/"
    else:
        product, size = rng.choice(stocked)
        action, method, path, who = "order", "POST", "/api/v1/orders/", token
        body = {"items": [{"product": product, "size": size, "quantity": 1}],
                "delivery_address": "ул. Тверская, 1", "city": "Москва", "personal_data_consent": True}  # fmt: skip
        headers = {"Idempotency-Key": str(uuid.uuid4())}
    return action, method, path, body, headers, who


def payments_created(during: list[str], fake) -> list[str]:
    """The orders of `during` whose payment the fake YooKassa has, once the worker has caught up (a minute at most)."""
    from orders.models import Order

    wait_until = time.monotonic() + 60
    while time.monotonic() < wait_until:
        if not Order.objects.filter(order_number__in=during, payment_id="").exists():
            break
        time.sleep(1)
    return [
        number
        for number, payment_id in Order.objects.filter(order_number__in=during).values_list("order_number", "payment_id")
        if payment_id and payment_id in fake.payments
    ]  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
