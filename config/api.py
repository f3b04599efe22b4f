"""Shared API building blocks: pagination, permissions and the documented error bodies."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions, serializers
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """`{count, next, previous, results}`, 20 a page, `?page_size=` up to 100."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class IsStaffOrReadOnly(permissions.BasePermission):
    """Anyone reads; only staff write."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


class ErrorSerializer(serializers.Serializer):
    """`{"detail": <Russian message>, "code": <stable English identifier>}`."""

    detail = serializers.CharField()
    code = serializers.CharField()


class ThrottledSerializer(ErrorSerializer):
    retry_after = serializers.IntegerField(help_text="Через сколько секунд можно повторить запрос.")


# A 400 is either `{"detail", "code"}` or field errors `{"<field>": ["message", ...]}`: any object.
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": 'Ошибки полей `{"<поле>": ["сообщение", ...]}` или `{"detail", "code"}`.',
    "additionalProperties": True,
}
ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "required": ["detail", "code"],
    "additionalProperties": True,
}

_ERRORS = {
    400: (VALIDATION_ERROR_SCHEMA, "Некорректный запрос: ошибки полей или `{detail, code}`."),
    401: (ErrorSerializer, "Нет или неверные учётные данные (`not_authenticated`, `token_not_valid`)."),
    403: (ErrorSerializer, "Недостаточно прав (`permission_denied`)."),
    404: (ErrorSerializer, "Не найдено (`not_found`)."),
    409: (ErrorSerializer, "Состояние магазина не позволяет выполнить запрос."),
    415: (ErrorSerializer, "Тело запроса не в JSON (`unsupported_media_type`)."),
    422: (ErrorSerializer, "Idempotency-Key уже использован с другим телом запроса (`idempotency_key_reused`)."),
    429: (ThrottledSerializer, "Слишком много запросов (`throttled`); см. заголовок Retry-After."),
    503: (
        ErrorSerializer,
        "Внешняя служба не отвечает: СДЭК, или ЮKassa (`payment_unavailable`, `payment_circuit_open`, "
        "`payment_check_unavailable`); повторите позже, заказ сохранён.",
    ),
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """Documented error responses for `extend_schema(responses={...})`."""
    return {status: OpenApiResponse(_ERRORS[status][0], description=_ERRORS[status][1]) for status in statuses}


def schema_add_common_errors(result, generator, request, public):
    """drf-spectacular hook: document the errors any operation can answer with, wherever a view left them out.

    A token can be forged on every authenticated operation (401), a body can be malformed (400) or not JSON
    (415), a filter or page can be wrong (400, 404), an address can name nothing (404).
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ApiError", ERROR_SCHEMA)
    schemas.setdefault("ApiValidationError", VALIDATION_ERROR_SCHEMA)
    error = {"$ref": "#/components/schemas/ApiError"}
    invalid = {"$ref": "#/components/schemas/ApiValidationError"}

    def response(schema, description):
        return {"content": {"application/json": {"schema": schema}}, "description": description}

    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            parameters = operation.get("parameters", [])
            wanted = {}
            if any(requirement for requirement in operation.get("security", [])):
                wanted[401] = (error, _ERRORS[401][1])
            if "requestBody" in operation:
                wanted[400] = (invalid, _ERRORS[400][1])
                wanted[415] = (error, _ERRORS[415][1])
            if any(p.get("in") == "query" for p in parameters):
                wanted[400] = (invalid, _ERRORS[400][1])
            if any(p.get("in") == "path" for p in parameters) or any(p.get("name") == "page" for p in parameters):
                wanted[404] = (error, _ERRORS[404][1])
            for status, (schema, description) in wanted.items():
                responses.setdefault(str(status), response(schema, description))
            if "429" in responses:
                responses["429"].setdefault("headers", {})["Retry-After"] = {
                    "schema": {"type": "integer"},
                    "description": "Через сколько секунд можно повторить запрос.",
                }
    return result
