"""The API's JSON parser: DRF's, with a bound on nesting and Russian refusals."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

# No request of the shop nests deeper than a handful of levels; deep nesting only costs recursion.
MAX_JSON_DEPTH = 20
INVALID_JSON = "Тело запроса — некорректный JSON."
TOO_DEEP = f"Тело запроса вложено глубже {MAX_JSON_DEPTH} уровней."


def json_depth_exceeds(data, limit: int) -> bool:
    """Whether lists and objects nest deeper than `limit`, found without recursion."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except ParseError as exc:
            raise ParseError(INVALID_JSON, code="parse_error") from exc
        except RecursionError as exc:
            raise ParseError(TOO_DEEP, code="parse_error") from exc
        if json_depth_exceeds(data, MAX_JSON_DEPTH):
            raise ParseError(TOO_DEEP, code="parse_error")
        return data
