"""Cache keys of shared reads, built from the parameters a read knows and nothing else.

A key taken from the whole address lets anyone store a new body per junk query string (`?x=1`, `?x=2`…) and fill
the shared cache; a key made of the path and the known parameters, in a fixed order, names one entry for every
spelling of the same read. A parameter given twice counts as the form reads it: its last value. A body that is
to be stored is rendered from the known parameters only (`request_known_only`), so its links (the next page)
carry nothing another visitor typed.
"""

from collections.abc import Iterable
from urllib.parse import urlencode

from django.http import QueryDict


def _known(request, params: Iterable[str]) -> list[tuple[str, str]]:
    return [(name, request.GET.getlist(name)[-1]) for name in sorted(set(params)) if name in request.GET]


def cache_key_for(request, *, prefix: str, params: Iterable[str] = ()) -> str:
    return f"{prefix}:{request.scheme}://{request.get_host()}{request.path}?{urlencode(_known(request, params))}"


def request_known_only(request, *, params: Iterable[str] = ()) -> None:
    """Leave the request's query with the known parameters only (before rendering a body to be shared)."""
    query = QueryDict(mutable=True)
    for name, value in _known(request, params):
        query[name] = value
    query._mutable = False
    request.GET = query
    request.META["QUERY_STRING"] = query.urlencode()
