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

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from soak import OPENER, ROOT, books, free_port, percentile, soak_database, wait_for  # noqa: E402

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=40)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--redis-port", type=int, default=8119)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes (4 threads each)")
    parser.add_argument("--freeze", action="store_true", help="SIGSTOP Redis (silent) instead of killing it")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("This run needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2

    workdir = Path(tempfile.mkdtemp(prefix="dwc-redis-fault-"))
    redis = PrivateRedis(args.redis_port, workdir)
    redis.start()
    database_url, drop_database = soak_database(workdir)
    shop_port, fake_port = free_port(), free_port()
    shop_url = f"http://127.0.0.1:{shop_port}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": "redis-fault-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SITE_URL": shop_url,
        "REDIS_URL": f"redis://127.0.0.1:{args.redis_port}/0",
        "YOOKASSA_API_URL": f"http://127.0.0.1:{fake_port}/v3",
        "YOOKASSA_SHOP_ID": SHOP_ID,
        "YOOKASSA_SECRET_KEY": SECRET_KEY,
        "YOOKASSA_TRUSTED_NETWORKS": "127.0.0.1/32",
        "THROTTLE_ENABLED": "false",
        "SMS_BACKEND": "console",
        "GUNICORN_BIND": f"127.0.0.1:{shop_port}",
        "GUNICORN_WORKERS": str(args.workers),
        "GUNICORN_THREADS": "4",
        "LOG_LEVEL": "WARNING",
        "LOG_FORMAT": "plain",
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    from orders.fake_yookassa import NOTIFICATIONS_PATH, FakeYooKassa

    print(f"Database: {database_url.split('@')[-1]}; Redis: 127.0.0.1:{args.redis_port}; preparing…", flush=True)
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    initial = books()
    from catalog.models import Product, ProductStock

    stocked = list(ProductStock.objects.filter(quantity__gt=0).values_list("product_id", "size"))
    products = list(Product.objects.visible().values_list("pk", flat=True))
    from django.db import connections

    connections.close_all()

    fake = FakeYooKassa(shop_id=SHOP_ID, secret_key=SECRET_KEY, port=fake_port,
                        webhook_url=f"{shop_url}{NOTIFICATIONS_PATH}").start()  # fmt: skip
    logs = (workdir / "processes.log").open("w")
    python = sys.executable
    subprocess.run([python, "manage.py", "db_worker", "--batch", "--no-reload"], cwd=ROOT, env=env, stdout=logs,
                   stderr=subprocess.STDOUT, check=True)  # fmt: skip
    processes = [
        subprocess.Popen([str(Path(python).parent / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi"],
                         cwd=ROOT, env=env, stdout=logs, stderr=subprocess.STDOUT, start_new_session=True),
        subprocess.Popen([python, "manage.py", "db_worker", "--no-reload", "--interval", "0.5"],
                         cwd=ROOT, env=env, stdout=logs, stderr=subprocess.STDOUT, start_new_session=True),
    ]  # fmt: skip
    code = 1
    try:
        wait_for(f"{shop_url}/api/v1/health/")
        code = run(args, shop_url, fake, redis, stocked, products, initial)
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
        fake.stop()
        redis.stop()
        logs.close()
        connections.close_all()
        drop_database()
        print(f"Process logs: {workdir / 'processes.log'}")
    return code


def call(url, method="GET", body=None, token=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with OPENER.open(request, timeout=60) as answer:
            status, raw = answer.status, answer.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    except OSError:
        return "no answer", {}
    try:
        return status, json.loads(raw) if raw else {}
    except ValueError:
        return status, {}


def run(args, url, fake, redis, stocked, products, initial) -> int:
    lock = threading.Lock()
    answers: Counter = Counter()  # (action, status)
    latency: dict[str, list[float]] = defaultdict(list)  # phase -> seconds
    placed: list[tuple[str, str]] = []  # (order number, phase)
    phase = {"now": "before"}
    status, tokens = call(f"{url}/api/v1/auth/login/", "POST", {"phone": CUSTOMER[0], "password": CUSTOMER[1]})
    if status != 200:
        print(f"Cannot sign the demo customer in: {status} {tokens}")
        return 1
    token = tokens["access"]
    started = time.monotonic()
    deadline = started + args.seconds

    def client(seed):
        rng = random.Random(seed)
        while time.monotonic() < deadline:
            roll, current = rng.random(), phase["now"]
            body, headers, who = None, None, None
            if roll < 0.25:
                action, method, path = "catalog api", "GET", f"/api/v1/products/?junk={rng.randrange(10**9)}"
            elif roll < 0.40:
                action, method, path = (
                    "catalog page",
                    "GET",
                    rng.choice(["/", f"/products/{rng.choice(products)}/"]),
                )
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
            began = time.monotonic()
            status, answer = call(url + path, method, body, who, headers)
            seconds = time.monotonic() - began
            with lock:
                answers[(action, status)] += 1
                if isinstance(status, int) and status < 500:
                    latency[current].append(seconds)
                if action == "order" and status == 201:
                    placed.append((answer["order_number"], current))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    for thread in threads:
        thread.start()
    how = "frozen (SIGSTOP: accepts, never answers)" if args.freeze else "killed (SIGKILL)"
    time.sleep(args.seconds / 4)
    redis.freeze() if args.freeze else redis.kill()
    phase["now"] = "during"
    down_at = time.monotonic() - started
    time.sleep(1)
    health = call(f"{url}/api/v1/health/")
    time.sleep(max(0.0, args.seconds / 4 - 1))
    redis.thaw() if args.freeze else redis.start()
    phase["now"] = "after"
    up_at = time.monotonic() - started
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started

    # The worker creates the payments of orders placed meanwhile; give it a moment to catch up.
    from orders.models import Order

    during = [number for number, when in placed if when == "during"]
    wait_until = time.monotonic() + 60
    while time.monotonic() < wait_until:
        if not Order.objects.filter(order_number__in=during, payment_id="").exists():
            break
        time.sleep(1)
    with_payment = [
        number
        for number, payment_id in Order.objects.filter(order_number__in=during).values_list("order_number", "payment_id")
        if payment_id and payment_id in fake.payments
    ]  # fmt: skip

    served = sum(answers.values())
    errors = sum(n for (_, status), n in answers.items() if status == 500 or status == "no answer")
    print(f"\nRedis {how} at {down_at:.0f} s, back at {up_at:.0f} s of {elapsed:.0f} s")
    print(f"Requests: {served} ({served / elapsed:.0f}/s)")
    by_action = defaultdict(Counter)
    for (action, status), n in answers.items():
        by_action[action][status] += n
    for action, statuses in sorted(by_action.items()):
        print(f"  {action:<16} " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items(), key=str)))
    print(f"500s or no answer: {errors}")
    for name in ("before", "during", "after"):
        seconds = latency.get(name, [])
        print(f"  latency {name:<6} p50 {percentile(seconds, .5) * 1000:.0f} ms, "
              f"p95 {percentile(seconds, .95) * 1000:.0f} ms, max {max(seconds or [0]) * 1000:.0f} ms (n={len(seconds)})")  # fmt: skip
    print(f"health/ during the outage: {health[0]} {health[1]}")
    print(f"Orders placed: {len(placed)}; during the outage: {len(during)}, payments created for them: "
          f"{len(with_payment)}")  # fmt: skip

    problems = books_problems(initial, books())
    if errors:
        problems.append(f"{errors} answers were 500 or none")
    if not during:
        problems.append("no order was placed during the outage")
    if len(with_payment) != len(during):
        problems.append(f"{len(during) - len(with_payment)} orders placed during the outage have no payment")
    if problems:
        print("\nTHE RUN FAILED:")
        for problem in problems[:50]:
            print(f"  - {problem}")
        return 1
    print("The books balance: stock + held = initial, waves and promo uses match their orders; no 500.")
    return 0


def books_problems(initial: dict, final: dict) -> list[str]:
    problems = []
    for key in set(initial["stock"]) | set(final["stock"]):
        before = initial["stock"].get(key, 0) + initial["held"].get(key, 0)
        after = final["stock"].get(key, 0) + final["held"].get(key, 0)
        if before != after or final["stock"].get(key, 0) < 0:
            problems.append(f"stock {key}: stock + held {after} ≠ initial {before}")
    for pk, (count, capacity, held) in final["waves"].items():
        if count != held or count > capacity:
            problems.append(f"wave {pk}: count {count} ≠ held preorder units {held} (capacity {capacity})")
    for code, (uses, held) in final["promos"].items():
        if uses != held:
            problems.append(f"promo {code}: uses {uses} ≠ orders holding it {held}")
    return problems


if __name__ == "__main__":
    sys.exit(main())
