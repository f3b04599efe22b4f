"""What the runs under fault share (soak, redis_fault, db_outage): the demo shop on production settings in a
throw-away database, its processes, a loopback client that counts what went unanswered, and the books.

Unlike the HTTP benchmarks (`benchmarks/harness.py`), these runs use the shop's own settings (`config.settings`)
and its own processes (gunicorn from `config/gunicorn.py`, the task worker), as a server would.
"""

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

from benchmarks import harness

ROOT = harness.ROOT
# Every call goes to loopback: a proxy from the environment must not stand in between.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
GUNICORN = [str(Path(sys.executable).parent / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi"]


def manage(*arguments: str) -> list[str]:
    """A management command of the shop, run by this Python."""
    return [sys.executable, "manage.py", *arguments]


def argument_parser(description: str, *, seconds: int, clients: int) -> argparse.ArgumentParser:
    """The options every run under fault starts with: how long it runs and how many clients load the shop."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seconds", type=int, default=seconds)
    parser.add_argument("--clients", type=int, default=clients)
    return parser


def postgres_required() -> bool:
    """Whether DATABASE_URL names PostgreSQL; says what to set when it does not."""
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return True
    print("This run needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
    return False


def percentile(values, share):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * share))]


# --- The shop -----------------------------------------------------------------------------------------------------
@contextlib.contextmanager
def run_database(workdir: Path):
    """A fresh database for the run: a SQLite file in `workdir`, or a new PostgreSQL database `test_<name>` beside
    DATABASE_URL's (as the test runner names its throw-away one), dropped when the block ends."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        yield f"sqlite:///{workdir / 'soak.sqlite3'}"
        return
    with harness.bench_database(base) as database_url:
        yield database_url


def production_environment(*, name: str, database_url: str, port: int, workers: int, **extra) -> dict[str, str]:
    """The shop's environment as a server's (`config.settings`, DEBUG off), gunicorn on 127.0.0.1:`port` with
    `workers` × 4 threads; `extra` adds to it or overrides it."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": f"{name}-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "THROTTLE_ENABLED": "false",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_THREADS": "4",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def fake_yookassa_environment(*, shop_id: str, secret_key: str, port: int, shop_url: str) -> dict[str, str]:
    """What points the shop at the fake YooKassa on `port` and lets its notifications in."""
    return {
        "SITE_URL": shop_url,
        "YOOKASSA_API_URL": f"http://127.0.0.1:{port}/v3",
        "YOOKASSA_SHOP_ID": shop_id,
        "YOOKASSA_SECRET_KEY": secret_key,
        "YOOKASSA_TRUSTED_NETWORKS": "127.0.0.1/32",
    }


@contextlib.contextmanager
def demo_shop(environment: dict[str, str]):
    """Django in this process on the run's database, migrated and seeded with the demo (`seed_demo`); its
    connections are closed when the block ends, so that the database can be dropped."""
    harness.django_setup(environment)
    from django.core.management import call_command
    from django.db import connections

    try:
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        yield
    finally:
        connections.close_all()


@contextlib.contextmanager
def fake_yookassa(*, shop_id: str, secret_key: str, port: int, shop_url: str):
    """The fake YooKassa on `port`, sending its notifications to the shop, until the block ends."""
    from orders.fake_yookassa import NOTIFICATIONS_PATH, FakeYooKassa

    fake = FakeYooKassa(shop_id=shop_id, secret_key=secret_key, port=port,
                        webhook_url=f"{shop_url}{NOTIFICATIONS_PATH}").start()  # fmt: skip
    try:
        yield fake
    finally:
        fake.stop()


@contextlib.contextmanager
def shop_served(environment: dict[str, str], *, log: Path, tasks: list[list[str]] = ()):
    """gunicorn and the `tasks` processes, logged to `log`, answering before the block starts; stopped after it.

    With tasks, one batch of the worker runs first: the demo's photo renditions are built before the clock starts,
    so the run measures the shop, not the seed."""
    with log.open("w") as output:
        if tasks:
            subprocess.run(manage("db_worker", "--batch", "--no-reload"), cwd=ROOT, env=environment, stdout=output,
                           stderr=subprocess.STDOUT, check=True)  # fmt: skip
        with processes([GUNICORN, *tasks], environment=environment, output=output):
            wait_for(f"http://{environment['GUNICORN_BIND']}/api/v1/health/")
            yield


@contextlib.contextmanager
def processes(commands: list[list[str]], *, environment: dict[str, str], output):
    """Each command from the project root in a session of its own (its children stop with it), until the block
    ends."""
    started = [
        subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )  # fmt: skip
        for command in commands
    ]
    try:
        yield started
    finally:
        for process in started:
            os.killpg(process.pid, signal.SIGTERM)
        for process in started:
            process.wait(timeout=30)


def wait_for(url):
    deadline = time.monotonic() + 60
    while True:
        try:
            with OPENER.open(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.3)


# --- The clients --------------------------------------------------------------------------------------------------
def call(url, method="GET", body=None, token=None, headers=None, *, timeout=60):
    """One request to the shop: its status ("no answer" when none came) and its JSON body ({} when it has none)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with OPENER.open(request, timeout=timeout) as answer:
            status, raw = answer.status, answer.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    except OSError:
        return "no answer", {}
    try:
        return status, json.loads(raw) if raw else {}
    except ValueError:
        return status, {}


def failed_answers(answers: Counter) -> int:
    """Answers that were 500 or never came, of a count by (action, status): a run under fault must have none."""
    return sum(n for (_, status), n in answers.items() if status == 500 or status == "no answer")


def print_answers(answers: Counter, *, width: int) -> None:
    """A line per action: how many answers of each status it got."""
    by_action = defaultdict(Counter)
    for (action, status), n in answers.items():
        by_action[action][status] += n
    for action, statuses in sorted(by_action.items()):
        print(f"  {action:<{width}} " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items(), key=str)))


def print_problems(title: str, problems: list[str]) -> None:
    print(f"\n{title}:")
    for problem in problems[:50]:
        print(f"  - {problem}")


# --- The books ----------------------------------------------------------------------------------------------------
def books() -> dict:
    """Stock and the units orders hold, per size; each wave's count, capacity and held units; each promo code's
    uses and the orders holding it; orders by status."""
    from django.db.models import Count, Q, Sum

    from catalog.models import ProductStock
    from orders.models import Order, OrderItem, OrderStatus
    from preorders.models import PreorderWave
    from promos.models import PromoCode

    # Cancelled orders gave their units back, and so did refunds (the runs' paid orders never ship).
    held = OrderItem.objects.exclude(order__status__in=OrderStatus.CLOSED)
    units = {
        (row["product_id"], row["size"]): row["n"]
        for row in held.filter(preorder_wave=None).values("product_id", "size").annotate(n=Sum("quantity"))
    }
    stock = {(s.product_id, s.size): s.quantity for s in ProductStock.objects.all()}
    return {
        "stock": stock,
        "held": units,
        "waves": {
            w.pk: (
                w.current_count,
                w.capacity,
                held.filter(preorder_wave=w).aggregate(n=Sum("quantity"))["n"] or 0,
            )
            for w in PreorderWave.objects.all()
        },
        "promos": {
            p.code: (p.current_uses, p.n)
            for p in PromoCode.objects.annotate(
                n=Count("orders", filter=~Q(orders__status__in=OrderStatus.CLOSED))
            )
        },
        "orders": Counter(Order.objects.values_list("status", flat=True)),
    }


def books_problems(initial: dict, final: dict) -> list[str]:
    """What does not balance between two `books()`: no stock below 0 and no wave above its capacity; per size,
    stock + held units as at first; per wave, its count = its held units; per promo code, uses = orders."""
    problems = []
    oversold = [key for key, quantity in final["stock"].items() if quantity < 0]
    oversold += [pk for pk, (count, capacity, _) in final["waves"].items() if count > capacity]
    if oversold:
        problems.append(f"oversold: {oversold}")
    for key in set(initial["stock"]) | set(final["stock"]):
        before = initial["stock"].get(key, 0) + initial["held"].get(key, 0)
        after = final["stock"].get(key, 0) + final["held"].get(key, 0)
        if before != after:
            problems.append(f"stock {key}: stock + held {after} ≠ initial {before}")
    for pk, (count, _, held) in final["waves"].items():
        if count != held:
            problems.append(f"wave {pk}: count {count} ≠ held preorder units {held}")
    for code, (uses, held) in final["promos"].items():
        if uses != held:
            problems.append(f"promo {code}: uses {uses} ≠ orders holding it {held}")
    return problems
