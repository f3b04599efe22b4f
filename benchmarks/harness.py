"""What the HTTP benchmarks share: a throw-away PostgreSQL database, the shop on gunicorn, wrk, and figures.

The shop runs as in production (`DEBUG=false`, `config/gunicorn.py`), with `benchmarks.settings`, which only
adds the floor view (`benchmarks/floor.py`).
"""

import argparse
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dwc_bench"


def argument_parser(description: str) -> argparse.ArgumentParser:
    """The options every HTTP benchmark starts with: the database beside which it makes its own, and Redis."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", ""))
    return parser


def add_server_arguments(parser: argparse.ArgumentParser) -> None:
    """gunicorn's options, with the defaults of config/gunicorn.py."""
    parser.add_argument("--workers", type=int, default=int(os.environ.get("GUNICORN_WORKERS", os.cpu_count() + 1)))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("GUNICORN_THREADS", 4)))
    parser.add_argument("--worker-class", default="")


def require_wrk() -> str:
    path = shutil.which("wrk")
    if not path:
        sys.exit("wrk is needed to load the shop: apt-get install -y wrk (Debian/Ubuntu) or brew install wrk.")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def shop_environment(*, database_url: str, redis_url: str, **extra) -> dict[str, str]:
    """The environment of the shop under benchmark, as production would set it (plus what a bench needs)."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": "benchmark-secret-key-0123456789abcdef0123456789abcdef",
        "SECURE_SSL_REDIRECT": "false",
        "THROTTLE_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
        "YOOKASSA_API_URL": extra.pop("YOOKASSA_API_URL", "http://127.0.0.1:9/v3"),
        # A new key prefix per run: what an earlier run left in a shared Redis is never read.
        "CACHE_KEY_PREFIX": f"bench-{uuid.uuid4().hex[:8]}",
        **{key: str(value) for key, value in extra.items()},
    }
    if redis_url:
        environment["REDIS_URL"] = redis_url
    else:
        environment.pop("REDIS_URL", None)
    return environment


@contextlib.contextmanager
def bench_database(database_url: str, *, keep: bool = False):
    """A fresh database `test_<name>` next to the one named (created, migrated; dropped afterwards)."""
    import psycopg

    parts = urlsplit(database_url)
    name = "test_" + (parts.path.lstrip("/") or "dwc")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    url = urlunsplit(parts._replace(path="/" + name))
    try:
        yield url
    finally:
        if not keep:
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def django_setup(environment: dict[str, str]) -> None:
    """Django in this process, on the benchmark's database, migrated (to seed it)."""
    os.environ.update(environment)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


@contextlib.contextmanager
def gunicorn(*, port: int, environment: dict[str, str], workers: int, threads: int, worker_class: str = ""):
    """The shop on gunicorn with the project's config, on 127.0.0.1:`port`, until the block ends."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        str(ROOT / "config" / "gunicorn.py"),
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
    ]
    environment = {
        **environment,
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_THREADS": str(threads),
        **({"GUNICORN_WORKER_CLASS": worker_class} if worker_class else {}),
    }
    (ROOT / "var").mkdir(exist_ok=True)
    log = open(ROOT / "var" / f"gunicorn-{port}.log", "w")  # noqa: SIM115 (closed with the server)
    process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/api/v1/health/", process)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def server(args: argparse.Namespace, *, port: int, environment: dict[str, str]):
    """`gunicorn` as the options of `add_server_arguments` ask."""
    return gunicorn(
        port=port,
        environment=environment,
        workers=args.workers,
        threads=args.threads,
        worker_class=args.worker_class,
    )


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped (exit {process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {timeout} s")


def workers_rss_mb(process: subprocess.Popen) -> list[float]:
    """Resident memory of each gunicorn worker (the master's children), in MB."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    sizes = []
    for pid in children.read_text().split() if children.exists() else []:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
    return sizes


def py_spy(process: subprocess.Popen, output: str, *, seconds: float) -> subprocess.Popen:
    """Record the first gunicorn worker with py-spy (`pip install py-spy`) for `seconds`, raw stacks."""
    worker = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()[0]
    command = ["py-spy", "record", "-p", worker, "-d", str(int(seconds)), "-f", "raw", "-o", output, "-r", "200"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def wrk(url: str, *, seconds: int, connections: int, threads: int = 2) -> dict:
    """One wrk run: requests per second, p50 and p99 in ms, non-2xx/3xx answers, requests and socket errors."""
    output = subprocess.run(
        [require_wrk(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    latency = dict(re.findall(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+(?:us|ms|s|m))", output, re.MULTILINE))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": _ms(latency["50"]) if "50" in latency else float("nan"),
        "p99": _ms(latency["99"]) if "99" in latency else float("nan"),
        "non2xx": int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", output)) else 0,
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "socket_errors": sum(int(n) for n in errors.groups()[1:]) if errors else 0,
    }
