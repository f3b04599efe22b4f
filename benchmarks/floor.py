"""The floor the catalog is measured against: a bare Django view returning a JSON body of a given size from
memory, behind the same middleware, settings and gunicorn as the shop."""

from functools import lru_cache

from django.http import HttpResponse


@lru_cache(maxsize=64)
def _body(size: int) -> bytes:
    filler = max(size - len(b'{"floor":""}'), 0)
    return b'{"floor":"' + b"x" * filler + b'"}'


def floor(request, size: int):
    return HttpResponse(_body(min(size, 1_000_000)), content_type="application/json")
