"""What Swagger (`/api/v1/docs/`) says about each operation: a short Russian summary and an example.

A postprocessing hook of drf-spectacular. Summaries are written here per operation; an operation added
elsewhere without one gets the first sentence of its description. Examples: the main flows have written ones;
every other operation gets one built from its schema (field names and types with plausible values), so Swagger
shows a filled-in body for every request and response.
"""

import re

from django.utils.functional import Promise

SUMMARIES = {
    "auth_register": "Регистрация по телефону и паролю",
    "auth_login": "Вход по телефону и паролю",
    "auth_refresh": "Обновить токены",
    "users_me_retrieve": "Мой профиль",
    "users_me_partial_update": "Изменить профиль",
    "health": "Проверка работоспособности",
    "products_list": "Каталог товаров",
    "products_create": "Создать товар (сотрудники)",
    "products_retrieve": "Товар",
    "products_update": "Заменить товар (сотрудники)",
    "products_partial_update": "Изменить товар (сотрудники)",
    "products_destroy": "Убрать товар в архив (сотрудники)",
    "pages_list": "Страницы сайта",
    "pages_retrieve": "Страница сайта",
    "promo_codes_list": "Промокоды (сотрудники)",
    "promo_codes_create": "Создать промокод (сотрудники)",
    "promo_codes_retrieve": "Промокод (сотрудники)",
    "promo_codes_update": "Заменить промокод (сотрудники)",
    "promo_codes_partial_update": "Изменить промокод (сотрудники)",
    "promo_codes_destroy": "Удалить неиспользованный промокод (сотрудники)",
    "promo_codes_validate_create": "Проверить промокод для корзины",
    "orders_list": "Мои заказы",
    "orders_create": "Оформить заказ",
    "orders_retrieve": "Заказ по номеру",
    "orders_partial_update": "Статус и трек-номер заказа (сотрудники)",
    "orders_cancel_create": "Отменить неоплаченный заказ",
    "orders_pay_create": "Оплатить заказ ещё раз",
    "orders_refund_create": "Вернуть деньги (сотрудники)",
    "payments_yookassa_notifications_create": "Уведомление ЮKassa",
    "analytics_summary_retrieve": "Сводка для аналитики (сотрудники)",
}

# The examples' product: the demo's white logo tee «Футболка «Логотип» белая» (2 490 ₽), id 3 in a freshly seeded
# demo database (`make run`); WELCOME10 is the demo's first-order code and MSK65 a pickup point the fake CDEK lists.
# `tests/test_api_examples.py` posts every written request below against the seeded demo.
EXAMPLE_PRODUCT_ARTICLE = "DWC-TS-001"
EXAMPLE_PRODUCT_ID = 3

ORDER_EXAMPLE = {
    "order_number": "DWC-2026-000123",
    "status": "pending",
    "payment_status": "pending",
    "tracking_number": "",
    "total_amount": "4980.00",
    "discount_amount": "498.00",
    "delivery_amount": "310.00",
    "final_amount": "4792.00",
    "refunded_amount": "0.00",
    "net_amount": "0.00",
    "delivery_address": "Москва, ул. Тверская, д. 1, кв. 1",
    "delivery_method": "cdek_pickup",
    "cdek_point": "MSK65",
    "cdek_point_name": "На Тверской",
    "items": [
        {
            "id": 1,
            "product": EXAMPLE_PRODUCT_ID,
            "size": "M",
            "quantity": 2,
            "price": "2490.00",
            "discount_amount": "498.00",
            "final_amount": "4482.00",
            "is_preorder": False,
            "preorder_wave": None,
        }
    ],
    "payment_url": "https://yoomoney.ru/checkout/payments/v2/contract?orderId=2e1b…",
}

# Written examples: operationId → {"request": body, "response": body of the success answer}.
EXAMPLES = {
    "auth_register": {
        "request": {
            "phone": "+79161234567",
            "password": "secret-123",
            "full_name": "Анна Смирнова",
            "personal_data_consent": True,
        },
    },
    "auth_login": {
        "request": {"phone": "+79161234567", "password": "secret-123"},
        "response": {"access": "eyJhbGciOiJIUzI1NiIs…", "refresh": "eyJhbGciOiJIUzI1NiIs…"},
    },
    "promo_codes_validate_create": {
        "request": {"code": "WELCOME10", "items": [{"product": EXAMPLE_PRODUCT_ID, "size": "M", "quantity": 2}]},
        "response": {
            "valid": True,
            "promo_code": "WELCOME10",
            "discount_amount": "498.00",
            "total_amount": "4980.00",
            "final_amount": "4482.00",
        },
    },
    "orders_create": {
        "request": {
            "items": [{"product": EXAMPLE_PRODUCT_ID, "size": "M", "quantity": 2}],
            "promo_code": "WELCOME10",
            "delivery_address": "Москва, ул. Тверская, д. 1, кв. 1",
            "cdek_point": "MSK65",
        },
        "response": ORDER_EXAMPLE,
    },
    "orders_retrieve": {"response": ORDER_EXAMPLE},
    "orders_partial_update": {"request": {"tracking_number": "1234567890"}},
}

# Plausible values for fields by name, then by type, for examples built from a schema.
VALUES_BY_NAME = {
    "phone": "+79161234567",
    "password": "secret-123",
    "full_name": "Анна Смирнова",
    "email": "anna@example.com",
    "order_number": "DWC-2026-000123",
    "article": "HD-BASE-BLK",
    "name": "Худи «Базовое» чёрное",
    "size": "M",
    "code": "WELCOME10",
    "slug": "delivery",
    "title": "Доставка и оплата",
    "tracking_number": "1234567890",
    "cdek_point": "MSK65",
    "delivery_address": "Москва, ул. Тверская, д. 1, кв. 1",
    "currency": "RUB",
    "detail": "Текст ошибки по-русски.",
    "description": "Плотный хлопок, свободный крой.",
    "care_instructions": "Стирка при 30 °C.",
    "alt": "Худи спереди",
    "sizes": "M",
    "size_table": "M",
    "status": "collecting",
    "content": "## Доставка\n\nСДЭК по всей России.",
}
MONEY = re.compile(r"^-?\d{0,10}(?:\.\d{0,2})?$")

# Descriptions written in English in the code (docstrings of views and serializers, DRF's pagination) as the
# API's readers get them: in Russian.
DESCRIPTIONS_RU = {
    "A page number within the paginated result set.": "Номер страницы.",
    "Number of results to return per page.": "Сколько записей на странице.",
    "No response body": "Без тела ответа.",
    "Revenue, orders, best sellers, promo codes and wave fill over a range of days (Europe/Moscow).": (
        "Выручка за вычетом возвратов, возвраты, заказы, лидеры продаж, промокоды и заполнение волн за период "
        "(дни по московскому времени)."
    ),
    "For load balancers and monitoring: 200 while the database answers, 503 when it does not.": (
        "Для балансировщиков и мониторинга: 200, пока отвечает база данных, 503 — когда не отвечает."
    ),
    '`{"detail": <Russian message>, "code": <stable English identifier>}`.': (
        '`{"detail": <сообщение по-русски>, "code": <стабильный код на английском>}`; ошибки полей — '
        "ещё и `fields` (код `invalid`)."
    ),
    "What staff change on an order: its status and/or tracking number.": (
        "Что сотрудник меняет в заказе: статус и/или трек-номер."
    ),
    "A product as customers see it and as staff write it.": "Товар: как его видят покупатели и пишут сотрудники.",
    "Staff view of a code. `current_uses` is counted by orders and read-only.": (
        "Промокод для сотрудников. `current_uses` считают заказы (только чтение)."
    ),
    "The customer's profile; phone and access rights are read-only.": (
        "Профиль покупателя; телефон и права доступа только для чтения."
    ),
    "collecting, production, shipping, completed": "collecting (сбор), production (производство), "
    "shipping (отправка), completed (завершена)",
}
DESCRIPTION_PREFIXES_RU = {
    "A gallery photo: the cleaned original and its sized renditions": (
        "Фото галереи: очищенный оригинал и его уменьшенные копии (пусто, пока их не сделал фоновый обработчик)."
    ),
}


def _descriptions_in_russian(node) -> None:
    """Replace the English descriptions the code and DRF give with their Russian ones, everywhere in the schema."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "description" and isinstance(value, (str, Promise)):
                text = str(value)  # drf-spectacular's own texts are lazy translations
                prefix = next((p for p in DESCRIPTION_PREFIXES_RU if text.startswith(p)), None)
                node[key] = DESCRIPTIONS_RU.get(text.strip(), DESCRIPTION_PREFIXES_RU.get(prefix, value))
            else:
                _descriptions_in_russian(value)
    elif isinstance(node, list):
        for value in node:
            _descriptions_in_russian(value)


def _resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
    if "allOf" in schema and schema["allOf"]:
        return _resolve(schema["allOf"][0], components)
    if "oneOf" in schema and schema["oneOf"]:
        return _resolve(schema["oneOf"][0], components)
    return schema


def example_from_schema(schema: dict, components: dict, *, name: str = "", depth: int = 0):
    """A plausible value for a JSON schema (objects, lists, enums, money strings, dates…)."""
    schema = _resolve(schema, components)
    if depth > 6:
        return None
    if "enum" in schema and schema["enum"]:
        return next((value for value in schema["enum"] if value not in ("", None)), schema["enum"][0])
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties") or {}
        return {
            field: example_from_schema(sub, components, name=field, depth=depth + 1)
            for field, sub in properties.items()
        }
    if kind == "array":
        return [example_from_schema(schema.get("items", {}), components, name=name, depth=depth + 1)]
    if name in VALUES_BY_NAME and kind in (None, "string"):
        return VALUES_BY_NAME[name]
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    formats = {"date": "2026-11-27", "date-time": "2026-11-27T12:00:00+03:00", "uri": "https://example.com/"}
    if schema.get("format") in formats:
        return formats[schema["format"]]
    if schema.get("format") == "decimal" or (schema.get("pattern") and "\\." in schema.get("pattern", "")):
        return "4990.00"
    return "строка"


def _first_sentence(text: str) -> str:
    sentence = re.split(r"(?<=[.!?])\s", (text or "").strip(), maxsplit=1)[0]
    return sentence.rstrip(".")[:80]


def schema_add_summaries_and_examples(result, generator, request, public):
    """drf-spectacular postprocessing hook: a summary and examples on every operation, descriptions in Russian."""
    _descriptions_in_russian(result)
    components = result.get("components", {}).get("schemas", {})
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            # Operation ids may carry the API's version as a prefix, depending on the schema settings.
            operation_id = operation.get("operationId", "").removeprefix("v1_")
            written = EXAMPLES.get(operation_id, {})
            operation["summary"] = (
                SUMMARIES.get(operation_id)
                or operation.get("summary")
                or _first_sentence(operation.get("description", ""))
            )
            body = operation.get("requestBody", {}).get("content", {})
            for media in body.values():
                value = written.get("request") or example_from_schema(media.get("schema", {}), components)
                media.setdefault("examples", {"example": {"summary": "Пример", "value": value}})
            # The success answer's body; an operation answering with no body (204) shows its refusal instead.
            for status, response in sorted(operation["responses"].items()):
                content = response.get("content") or {}
                if not content or not (str(status).startswith("2") or not body_examples_set(operation)):
                    continue
                for media in content.values():
                    value = written.get("response") if str(status).startswith("2") else None
                    value = value or example_from_schema(media.get("schema", {}), components)
                    media.setdefault(
                        "examples", {"example": {"summary": f"Пример ответа {status}", "value": value}}
                    )
                break
    return result


def body_examples_set(operation: dict) -> bool:
    """Whether a 2xx answer of the operation has a body to show an example of."""
    return any(
        str(status).startswith("2") and response.get("content")
        for status, response in operation["responses"].items()
    )
