"""SQLite, as Django's backend, with a LIKE that ignores the case of every letter, not only of ASCII ones.

Django maps `contains`/`icontains` to LIKE on SQLite, and SQLite's own LIKE folds only A–Z, so «худи» would not
find «Худи». Registering our LIKE on each connection makes every search (API filters, admin search) behave as it
does on PostgreSQL.
"""

import re
from functools import lru_cache

from django.db.backends.sqlite3 import base


@lru_cache(maxsize=512)
def _like_regex(pattern: str, escape: str | None) -> re.Pattern:
    parts, chars = [], iter(pattern)
    for char in chars:
        if escape and char == escape:
            parts.append(re.escape(next(chars, "")))
        elif char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def unicode_like(pattern, value, escape=None):
    if pattern is None or value is None:
        return None
    return _like_regex(str(pattern), escape).fullmatch(str(value)) is not None


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        connection.create_function("like", 2, unicode_like, deterministic=True)
        connection.create_function("like", 3, unicode_like, deterministic=True)
        return connection
