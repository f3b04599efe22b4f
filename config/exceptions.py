"""One error format for the whole API: `{"detail": ..., "code": ...}`; field errors add `fields` (code `invalid`)."""

import math

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler
from rest_framework_simplejwt.exceptions import AuthenticationFailed as TokenAuthenticationFailed
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from config.errors import DomainError

TOKEN_NOT_VALID = "Токен недействителен или срок его действия истёк."


def api_exception_handler(exc, context):
    if isinstance(exc, DomainError):
        response = Response(exc.as_dict(), status=exc.status)
        if exc.status == status.HTTP_429_TOO_MANY_REQUESTS and "retry_after" in exc.extra:
            response["Retry-After"] = str(exc.extra["retry_after"])
        return response
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        # A model or service check that a serializer did not catch is still the client's mistake.
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, TokenError):
        exc = InvalidToken()
    if isinstance(exc, InvalidToken) or _token_outlived(exc):
        # simplejwt answers with its own nested, untranslated body: keep ours. A token issued under an earlier
        # password is as dead as an expired one, for the client too.
        exc = exceptions.AuthenticationFailed(TOKEN_NOT_VALID, code="token_not_valid")
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.APIException) and isinstance(response.data, dict) and "detail" in response.data:
        codes = exc.get_codes()
        given = response.data.get("code")  # simplejwt's errors carry their own code beside the detail
        response.data["code"] = codes if isinstance(codes, str) else str(given) if given else "error"
        response.data.pop("messages", None)
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            retry_after = max(math.ceil(exc.wait), 1)
            response.data["retry_after"] = retry_after
            # DRF's own text is only half translated; say it whole, with the wait a person can act on.
            response.data["detail"] = f"Слишком много запросов. Повторите через {retry_after} с."
            response["Retry-After"] = str(retry_after)
    elif response.status_code == status.HTTP_400_BAD_REQUEST and isinstance(response.data, list):
        response.data = {"detail": " ".join(str(message) for message in response.data), "code": "invalid"}
    elif response.status_code == status.HTTP_400_BAD_REQUEST and isinstance(response.data, dict):
        response.data = _field_errors(response.data)
    return response


def _field_errors(errors: dict) -> dict:
    """Field errors as every 400 reads: `code: invalid`, a `detail` to show, and the errors by field in
    `fields`; the fields stay at the top level too, as clients read them before (`fields` wins for a field
    named `code` or `detail`)."""
    first = next(iter(errors.values()), "")
    while isinstance(first, (list, dict)) and first:
        first = first[0] if isinstance(first, list) else next(iter(first.values()))
    detail = f"Проверьте поля: {', '.join(map(str, errors))}." if not isinstance(first, str) else str(first)
    return {**errors, "detail": detail, "code": "invalid", "fields": errors}


def _token_outlived(exc) -> bool:
    """simplejwt's refusal of a token issued under an earlier password of its account."""
    if not isinstance(exc, TokenAuthenticationFailed) or not isinstance(exc.detail, dict):
        return False
    return str(exc.detail.get("code", "")) == "password_changed"
