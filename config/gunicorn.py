"""gunicorn configuration: `gunicorn -c config/gunicorn.py config.wsgi`.

Threaded workers (`gthread`), cores + 1 processes of 4 threads: a request mostly waits (on Redis for a cached
catalog read, on PostgreSQL row locks and YooKassa for an order), and threads let a worker serve others meanwhile.
Chosen by `benchmarks/catalog_http.py` and `benchmarks/orders_http.py` (README, *Speed*).
"""

import multiprocessing
import os

import gunicorn.http.wsgi

# Responses say nothing of the server's software (gunicorn would write `Server: gunicorn`).
gunicorn.http.wsgi.SERVER = "DWC"

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread" if threads > 1 else "sync")
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 20000))
max_requests_jitter = max_requests // 10
# One line per request is written by the worker itself, in the request's time: the proxy in front logs requests.
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG", "false").lower() in ("1", "true", "yes") else None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def child_exit(server, worker):
    """With several workers, metrics live in PROMETHEUS_MULTIPROC_DIR: a worker that ends leaves its gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
