"""What the local fakes of outside services (YooKassa, CDEK) share: a threaded WSGI server on a loopback port,
start and stop, the request log, a stall that holds answers, and helpers to read requests and write answers."""

import contextlib
import logging
import threading
from collections.abc import Callable
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

STATUS_TEXT = {200: "OK", 202: "Accepted", 303: "See Other", 400: "Bad Request", 401: "Unauthorized",
               404: "Not Found", 405: "Method Not Allowed", 500: "Internal Server Error",
               503: "Service Unavailable"}  # fmt: skip


class FakeServer:
    """The running part of a fake. A subclass is a dataclass with the fields `host`, `port`, `requests` (a list of
    the calls received, each with `method` and `path`) and `stall` (an Event or None), and a WSGI app `wsgi`."""

    thread_name = "fake-server"
    logger_name = "dwc.fake_server"

    host: str
    port: int
    requests: list
    stall: threading.Event | None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self):
        server = make_server(self.host, self.port, self.wsgi, server_class=_ThreadingWSGIServer,
                             handler_class=_QuietHandler)  # fmt: skip
        server.logger_name = self.logger_name
        self._server = server
        self.port = server.server_port
        self._thread = threading.Thread(target=server.serve_forever, name=self.thread_name, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self.stall is not None:
            self.stall.set()
        server = getattr(self, "_server", None)
        if server is not None:
            server.shutdown()
            server.server_close()
            self._server = None

    def api_requests(self, method: str | None = None, path: str | None = None) -> list:
        """The calls received, of one method and path when given."""
        return [r for r in list(self.requests) if method in (None, r.method) and path in (None, r.path)]

    def hold_if_stalled(self) -> None:
        """A stalled fake holds its answer until the stall is set (or a minute passes): a hanging service."""
        if self.stall is not None:
            self.stall.wait(timeout=60)

    def release_stall(self) -> None:
        """Let held answers go and stop stalling (part of a reset)."""
        if self.stall is not None:
            self.stall.set()
        self.stall = None

    def serve_until_stopped(self, *, announce: Callable[["FakeServer"], str], stdout) -> None:
        """Run in the foreground (`manage.py fake_…`): start, say where with `announce(self)`, serve until Ctrl+C."""
        self.start()
        stdout.write(f"{announce(self)} Stop with Ctrl+C.")
        stdout.flush()
        try:
            with contextlib.suppress(KeyboardInterrupt):
                threading.Event().wait()
        finally:
            self.stop()


def request_headers(environ) -> dict[str, str]:
    """The HTTP headers of a WSGI request, named as sent (`Idempotence-Key`, `Authorization`)."""
    return {key[5:].replace("_", "-").title(): value for key, value in environ.items() if key.startswith("HTTP_")}


def request_query(environ) -> dict[str, str]:
    """The query string's parameters, the last value of each."""
    return {key: values[-1] for key, values in parse_qs(environ.get("QUERY_STRING", "")).items()}


def request_body(environ) -> bytes:
    return environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))


def respond(start_response, status: int, data: bytes, content_type: str) -> list[bytes]:
    start_response(
        f"{status} {STATUS_TEXT.get(status, 'Error')}",
        [("Content-Type", content_type), ("Content-Length", str(len(data)))],
    )
    return [data]


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    logger_name = FakeServer.logger_name


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the signature of BaseHTTPRequestHandler
        logging.getLogger(self.server.logger_name).debug("%s %s", self.address_string(), format % args)
