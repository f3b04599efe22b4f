"""The table of the database cache that every worker shares when `REDIS_URL` is unset (see settings, Cache).

Created by `migrate`, whatever the cache settings of the moment, so switching Redis off later needs no extra step.
"""

from django.core.management.commands.createcachetable import Command
from django.db import migrations

CACHE_TABLE = "dwc_cache"


def cache_table_create(apps, schema_editor):
    command = Command()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, CACHE_TABLE, dry_run=False)


def cache_table_drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):
    initial = True
    dependencies: list = []
    operations = [migrations.RunPython(cache_table_create, cache_table_drop)]
