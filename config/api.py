"""Shared API building blocks: pagination, permissions and the documented error bodies."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
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


# A 400 is either `{"detail", "code"}` or field errors `{"<field>": ["message", ...]}`.
ValidationErrorSerializer = inline_serializer(
    name="ValidationError",
    fields={
        "detail": serializers.CharField(required=False),
        "code": serializers.CharField(required=False),
        "non_field_errors": serializers.ListField(child=serializers.CharField(), required=False),
    },
)

_ERRORS = {
    400: (ValidationErrorSerializer, "Некорректный запрос: ошибки полей или `{detail, code}`."),
    401: (ErrorSerializer, "Нет или неверные учётные данные (`not_authenticated`, `token_not_valid`)."),
    403: (ErrorSerializer, "Недостаточно прав (`permission_denied`)."),
    404: (ErrorSerializer, "Не найдено (`not_found`)."),
    409: (ErrorSerializer, "Состояние магазина не позволяет выполнить запрос."),
    429: (ThrottledSerializer, "Слишком много запросов (`throttled`); см. заголовок Retry-After."),
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """Documented error responses for `extend_schema(responses={...})`."""
    return {status: OpenApiResponse(_ERRORS[status][0], description=_ERRORS[status][1]) for status in statuses}
