"""What the browser benchmarks share (lighthouse, page_weight): the shop in this process on a throw-away SQLite
database and media folder, served on a loopback port by threads of this process."""

import contextlib
import os
import shutil
import tempfile
import threading
from pathlib import Path


@contextlib.contextmanager
def throwaway_shop(prefix: str, **environment: str):
    """Django set up on a fresh SQLite database and media folder in a temporary folder, migrated; the folder is
    removed when the block ends. `environment` adds to the tests' settings (`config.settings_test`)."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings_test",
            "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
            "MEDIA_ROOT": str(work / "media"),
            "THROTTLE_ENABLED": "false",
            **environment,
        }
    )
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        settings.MEDIA_ROOT = work / "media"
        call_command("migrate", verbosity=0)
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def serve(application, *, port: int = 0):
    """`application` on 127.0.0.1:`port` (a free one by default), in threads, without a log line a request."""
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadedWSGIServer(("127.0.0.1", port), QuietHandler)
    server.set_app(application)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
