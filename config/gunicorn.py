"""gunicorn configuration: `gunicorn -c config/gunicorn.py config.wsgi`."""

import multiprocessing
import os

import gunicorn.http.wsgi

# Responses say nothing of the server's software (gunicorn would write `Server: gunicorn`).
gunicorn.http.wsgi.SERVER = "DWC"

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 2))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def child_exit(server, worker):
    """With several workers, metrics live in PROMETHEUS_MULTIPROC_DIR: a worker that ends leaves its gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
