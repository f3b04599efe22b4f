"""`manage.py db_worker`: django-tasks' database worker that outlives a cut database connection.

The library's worker stops for good at the first database error outside a task (a restarted PostgreSQL, a
connection cut by a proxy): it opens its polling transaction on the dead connection. Ours closes the broken
connections and polls again after a pause; a task that was running keeps the library's own handling. (`make run`
also starts it again if it ever exits.)
"""

import logging
import time

from django.db import DatabaseError, connections
from django_tasks_db.management.commands import db_worker

logger = logging.getLogger("dwc.tasks")

#: Seconds between attempts while the database does not answer.
RECONNECT_PAUSE = 1.0


LibraryWorker = db_worker.Worker


class ReconnectingWorker(LibraryWorker):
    def run(self) -> None:
        while True:
            try:
                return super().run()
            except DatabaseError as error:
                if not self.running:
                    return None
                logger.warning("Task worker: the database connection broke (%s); reconnecting", error)
                connections.close_all()
                time.sleep(RECONNECT_PAUSE)


class Command(db_worker.Command):
    help = "Run the database task worker; it reconnects when its database connection drops."

    def handle(self, *args, **options):
        # The library builds its worker by this module-level name: ours while this command runs.
        library_worker, db_worker.Worker = db_worker.Worker, ReconnectingWorker
        try:
            return super().handle(*args, **options)
        finally:
            db_worker.Worker = library_worker
