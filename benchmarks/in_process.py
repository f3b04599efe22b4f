"""What the in-process benchmarks share: Django in this process on a throw-away test database.

The database is made and dropped as the test runner does (`test_<name>`): SQLite by default, PostgreSQL when
DATABASE_URL says so. The settings are the tests' (`config.settings_test`) unless DJANGO_SETTINGS_MODULE says
otherwise.
"""

import contextlib
import os


def django_setup() -> None:
    """Django set up once, as for the tests (outgoing mail kept in memory, and so on)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()


@contextlib.contextmanager
def throwaway_database(*, keepdb: bool = False):
    """A fresh test database for the block (kept afterwards with `keepdb`); every connection closed before it goes."""
    from django.db import connection, connections

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keepdb)
    try:
        yield
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=keepdb)
