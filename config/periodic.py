"""The scheduler's loop of periodic commands (`--every N`): one round, or a round every N seconds."""

import time
from collections.abc import Callable

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection


def run_rounds(run_round: Callable[[], None], *, every: int = 0, times: int = 0) -> None:
    """Run `run_round` once, or (with `every` > 0) every `every` seconds until stopped or `times` rounds.

    Before each round a long-running loop drops connections the database has closed or that outlived
    CONN_MAX_AGE.
    """
    rounds = 0
    while True:
        if not connection.in_atomic_block:
            close_old_connections()
        run_round()
        rounds += 1
        if every <= 0 or (times and rounds >= times):
            return
        time.sleep(every)


class PeriodicCommand(BaseCommand):
    """A management command the scheduler runs: one `round()`, or one every `--every` seconds."""

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="repeat every N seconds until stopped")
        parser.add_argument("--times", type=int, default=0, help="with --every: stop after this many rounds")

    def handle(self, *args, every: int, times: int, **options):
        run_rounds(self.round, every=every, times=times)

    def round(self) -> None:
        raise NotImplementedError
