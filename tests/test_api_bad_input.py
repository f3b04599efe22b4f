"""Bad input anywhere in the API is a 4xx that says what is wrong, never a 500.

Each case names the endpoint, who calls it, what is sent and which statuses are acceptable. Every answer must
be JSON in one of the two error shapes: `{"detail", "code"}` or field errors `{"<field>": [messages]}`.
Endpoints that do not exist yet are skipped, so the matrix grows with the API.
"""

from datetime import timedelta

import pytest
from django.urls import Resolver404, resolve
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from catalog.tests.factories import ProductFactory
from conftest import client_for
from pages.tests.factories import PageFactory

pytestmark = pytest.mark.django_db

HUGE = 10**40
PRODUCT_ID = "{product}"  # replaced with a real product id


def expired_token(user) -> str:
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=-timedelta(minutes=1))
    return str(token)


def forged_token(user) -> str:
    token = str(AccessToken.for_user(user))
    header, payload, signature = token.split(".")
    return f"{header}.{payload}.{signature[::-1]}"


def clients(user, staff):
    forged = APIClient()
    forged.credentials(HTTP_AUTHORIZATION=f"Bearer {forged_token(user)}")
    expired = APIClient()
    expired.credentials(HTTP_AUTHORIZATION=f"Bearer {expired_token(user)}")
    garbage = APIClient()
    garbage.credentials(HTTP_AUTHORIZATION="Bearer \u00e9\u00e9\u00e9")
    refresh_as_access = APIClient()
    refresh_as_access.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user)}")
    return {
        "anon": APIClient(),
        "user": client_for(user),
        "staff": client_for(staff),
        "forged": forged,
        "expired": expired,
        "garbage": garbage,
        "refresh_as_access": refresh_as_access,
    }


NOT_JSON = object()  # send a body that is not valid JSON
FORM = object()  # send a form-encoded body
JSON_NULL = object()  # send the JSON document `null`

# (case id, who, method, path, body, acceptable statuses)
CASES = [
    # --- auth/register/
    ("register-empty", "anon", "post", "auth/register/", {}, {400}),
    ("register-not-json", "anon", "post", "auth/register/", NOT_JSON, {400}),
    ("register-form", "anon", "post", "auth/register/", FORM, {415}),
    ("register-list", "anon", "post", "auth/register/", [1, 2], {400}),
    ("register-null", "anon", "post", "auth/register/", JSON_NULL, {400}),
    ("register-string", "anon", "post", "auth/register/", "phone", {400}),
    ("register-phone-number", "anon", "post", "auth/register/", {"phone": HUGE, "password": "secret1"}, {400}),
    ("register-phone-dict", "anon", "post", "auth/register/", {"phone": {"a": 1}, "password": "secret1"}, {400}),
    ("register-phone-null-byte", "anon", "post", "auth/register/", {"phone": "+7916\x00", "password": "x"}, {400}),
    ("register-long-phone", "anon", "post", "auth/register/", {"phone": "9" * 5000, "password": "secret1"}, {400}),
    ("register-password-list", "anon", "post", "auth/register/", {"phone": "+79160000001", "password": []}, {400}),
    (
        "register-password-long",
        "anon",
        "post",
        "auth/register/",
        {"phone": "+79160000001", "password": "x" * 5000},
        {400},
    ),
    (
        "register-email-int",
        "anon",
        "post",
        "auth/register/",
        {"phone": "+79160000001", "password": "secret1", "email": 5},
        {400},
    ),
    (
        "register-name-null-byte",
        "anon",
        "post",
        "auth/register/",
        {"phone": "+79160000001", "password": "secret1", "full_name": "a\x00"},
        {400},
    ),
    ("register-get", "anon", "get", "auth/register/", None, {405}),
    # --- auth/login/
    ("login-empty", "anon", "post", "auth/login/", {}, {400}),
    ("login-not-json", "anon", "post", "auth/login/", NOT_JSON, {400}),
    ("login-list", "anon", "post", "auth/login/", [], {400}),
    ("login-types", "anon", "post", "auth/login/", {"phone": True, "password": 1}, {400, 401}),
    ("login-null-byte", "anon", "post", "auth/login/", {"phone": "\x00", "password": "x"}, {400, 401}),
    ("login-unknown", "anon", "post", "auth/login/", {"phone": "+79990000000", "password": "secret1"}, {401}),
    ("login-huge", "anon", "post", "auth/login/", {"phone": str(HUGE), "password": "secret1"}, {400, 401}),
    # --- auth/refresh/
    ("refresh-empty", "anon", "post", "auth/refresh/", {}, {400}),
    ("refresh-int", "anon", "post", "auth/refresh/", {"refresh": 5}, {400, 401}),
    ("refresh-forged", "anon", "post", "auth/refresh/", {"refresh": "eyJ.eyJ.sig"}, {401}),
    ("refresh-null", "anon", "post", "auth/refresh/", {"refresh": None}, {400}),
    ("refresh-not-json", "anon", "post", "auth/refresh/", NOT_JSON, {400}),
    # --- users/me/
    ("me-anon", "anon", "get", "users/me/", None, {401}),
    ("me-forged", "forged", "get", "users/me/", None, {401}),
    ("me-expired", "expired", "get", "users/me/", None, {401}),
    ("me-garbage-token", "garbage", "get", "users/me/", None, {401}),
    ("me-refresh-as-access", "refresh_as_access", "get", "users/me/", None, {401}),
    ("me-patch-anon", "anon", "patch", "users/me/", {"full_name": "x"}, {401}),
    ("me-patch-email", "user", "patch", "users/me/", {"email": "nope"}, {400}),
    ("me-patch-types", "user", "patch", "users/me/", {"full_name": ["x"], "vk": {"a": 1}}, {400}),
    ("me-patch-long", "user", "patch", "users/me/", {"telegram": "x" * 1000}, {400}),
    ("me-patch-not-json", "user", "patch", "users/me/", NOT_JSON, {400}),
    ("me-patch-list", "user", "patch", "users/me/", [{"full_name": "x"}], {400}),
    ("me-delete-without-code", "user", "delete", "users/me/", None, {400}),
    ("me-delete-bad-code", "user", "delete", "users/me/", {"code": "12ab56"}, {400}),
    # --- products/
    ("products-bad-type", "anon", "get", "products/?order_type=nope", None, {400}),
    ("products-price-string", "anon", "get", "products/?min_price=cheap", None, {400}),
    ("products-price-huge", "anon", "get", f"products/?max_price={HUGE}", None, {400}),
    ("products-ordering", "anon", "get", "products/?ordering=secret", None, {400}),
    ("products-page", "anon", "get", "products/?page=0", None, {404}),
    ("products-page-size", "anon", "get", "products/?page_size=abc", None, {200}),
    ("products-search-null", "anon", "get", "products/?search=%00", None, {400}),
    ("products-forged", "forged", "get", "products/", None, {401}),
    ("product-unknown", "anon", "get", "products/999999/", None, {404}),
    ("product-huge-id", "anon", "get", f"products/{HUGE}/", None, {404}),
    ("product-text-id", "anon", "get", "products/abc/", None, {404}),
    ("product-create-anon", "anon", "post", "products/", {"name": "x"}, {401}),
    ("product-create-customer", "user", "post", "products/", {"name": "x", "article": "A", "price": "1"}, {403}),
    ("product-patch-customer", "user", "patch", f"products/{PRODUCT_ID}/", {"price": "1.00"}, {403}),
    ("product-delete-customer", "user", "delete", f"products/{PRODUCT_ID}/", None, {403}),
    ("product-create-empty", "staff", "post", "products/", {}, {400}),
    ("product-create-not-json", "staff", "post", "products/", NOT_JSON, {400}),
    ("product-create-form", "staff", "post", "products/", FORM, {415}),
    ("product-create-list", "staff", "post", "products/", [], {400}),
    (
        "product-price-string",
        "staff",
        "post",
        "products/",
        {"name": "x", "article": "A", "price": "дорого"},
        {400},
    ),
    ("product-price-huge", "staff", "post", "products/", {"name": "x", "article": "A", "price": HUGE}, {400}),
    (
        "product-price-float-huge",
        "staff",
        "post",
        "products/",
        {"name": "x", "article": "A", "price": 1e308},
        {400},
    ),
    ("product-price-negative", "staff", "post", "products/", {"name": "x", "article": "A", "price": "-5"}, {400}),
    ("product-price-bool", "staff", "post", "products/", {"name": "x", "article": "A", "price": True}, {400}),
    ("product-name-int", "staff", "post", "products/", {"name": {"ru": "x"}, "article": "A", "price": "1"}, {400}),
    (
        "product-sizes-nested",
        "staff",
        "post",
        "products/",
        {"name": "x", "article": "A", "price": "1", "sizes": [["S"]]},
        {400},
    ),
    (
        "product-size-table-flat",
        "staff",
        "post",
        "products/",
        {"name": "x", "article": "A", "price": "1", "size_table": ["S"]},
        {400},
    ),
    ("product-stock-string", "staff", "patch", f"products/{PRODUCT_ID}/", {"stock": "S=5"}, {400}),
    ("product-stock-negative", "staff", "patch", f"products/{PRODUCT_ID}/", {"stock": {"S": -1}}, {400}),
    ("product-stock-huge", "staff", "patch", f"products/{PRODUCT_ID}/", {"stock": {"S": HUGE}}, {400}),
    ("product-stock-words", "staff", "patch", f"products/{PRODUCT_ID}/", {"stock": {"S": "five"}}, {400}),
    ("product-stock-unknown-size", "staff", "patch", f"products/{PRODUCT_ID}/", {"stock": {"XXXL": 1}}, {400}),
    ("product-stock-null", "staff", "patch", f"products/{PRODUCT_ID}/", {"stock": None}, {400}),
    ("product-waves-huge", "staff", "patch", f"products/{PRODUCT_ID}/", {"preorder_waves_total": HUGE}, {400}),
    (
        "product-waves-string",
        "staff",
        "patch",
        f"products/{PRODUCT_ID}/",
        {"preorder_wave_capacity": "many"},
        {400},
    ),
    ("product-preorder-no-waves", "staff", "patch", f"products/{PRODUCT_ID}/", {"order_type": "preorder"}, {400}),
    ("product-order-type", "staff", "patch", f"products/{PRODUCT_ID}/", {"order_type": 1}, {400}),
    ("product-patch-unknown", "staff", "patch", "products/999999/", {"price": "1"}, {404}),
    ("product-delete-unknown", "staff", "delete", "products/999999/", None, {404}),
    # --- pages/
    ("page-unknown", "anon", "get", "pages/nope/", None, {404}),
    ("page-unicode-slug", "anon", "get", "pages/%D1%81%D1%82%D1%80/", None, {404}),
    ("page-post", "staff", "post", "pages/", {"slug": "x"}, {405}),
    ("page-null-byte", "anon", "get", "pages/%00/", None, {404}),
    # --- addresses that name nothing
    ("unknown-address", "anon", "get", "nothing/here/", None, {404}),
    ("unknown-address-newline", "staff", "delete", "products/1%0A/", None, {404}),
    # --- other apps' endpoints, once they exist
    (
        "orders-anon",
        "anon",
        "post",
        "orders/",
        {"delivery_address": "Москва, ул. Тверская, 1", "items": []},
        {401},
    ),
    ("orders-empty", "user", "post", "orders/", {}, {400}),
    ("orders-not-json", "user", "post", "orders/", NOT_JSON, {400}),
    (
        "orders-items-string",
        "user",
        "post",
        "orders/",
        {"delivery_address": "Москва, ул. Тверская, 1", "items": "all"},
        {400},
    ),
    (
        "orders-unknown-product",
        "user",
        "post",
        "orders/",
        {
            "delivery_address": "Москва, ул. Тверская, 1",
            "items": [{"product": 999999, "size": "S", "quantity": 1}],
        },
        {400, 404, 409},
    ),
    (
        "orders-huge-product",
        "user",
        "post",
        "orders/",
        {"delivery_address": "Москва, ул. Тверская, 1", "items": [{"product": HUGE, "size": "S", "quantity": 1}]},
        {400, 404},
    ),
    (
        "orders-huge-quantity",
        "user",
        "post",
        "orders/",
        {
            "delivery_address": "Москва, ул. Тверская, 1",
            "items": [{"product": PRODUCT_ID, "size": "S", "quantity": HUGE}],
        },
        {400, 409},
    ),
    (
        "orders-quantity-string",
        "user",
        "post",
        "orders/",
        {
            "delivery_address": "Москва, ул. Тверская, 1",
            "items": [{"product": PRODUCT_ID, "size": "S", "quantity": "две"}],
        },
        {400},
    ),
    (
        "orders-price-sent",
        "user",
        "post",
        "orders/",
        {
            "delivery_address": "Москва, ул. Тверская, 1",
            "items": [{"product": PRODUCT_ID, "size": "S", "quantity": 0}],
        },
        {400},
    ),
    (
        "orders-promo-int",
        "user",
        "post",
        "orders/",
        {
            "delivery_address": "Москва, ул. Тверская, 1",
            "items": [{"product": PRODUCT_ID, "size": "S", "quantity": 1}],
            "promo_code": {"a": 1},
        },
        {400},
    ),
    ("order-unknown", "user", "get", "orders/DWC-0000-000000/", None, {404}),
    ("order-patch-customer", "user", "patch", "orders/DWC-0000-000000/", {"status": "shipped"}, {403, 404}),
    ("order-cancel-unknown", "user", "post", "orders/DWC-0000-000000/cancel/", None, {404}),
    ("order-pay-unknown", "user", "post", "orders/DWC-0000-000000/pay/", None, {404}),
    ("order-cancel-anon", "anon", "post", "orders/DWC-0000-000000/cancel/", None, {401}),
    ("orders-list-forged", "forged", "get", "orders/", None, {401}),
    (
        "orders-items-huge-list",
        "user",
        "post",
        "orders/",
        {
            "delivery_address": "Москва, ул. Тверская, 1",
            "items": [{"product": PRODUCT_ID, "size": "S", "quantity": 1}] * 500,
        },
        {400},
    ),
    ("promo-validate-empty", "anon", "post", "promo-codes/validate/", {}, {400}),
    (
        "promo-validate-huge-quantity",
        "anon",
        "post",
        "promo-codes/validate/",
        {"code": "X", "items": [{"product": PRODUCT_ID, "size": "S", "quantity": HUGE}]},
        {400},
    ),
    ("promo-validate-code-list", "anon", "post", "promo-codes/validate/", {"code": ["X"], "items": []}, {400}),
    ("promo-unknown", "staff", "get", "promo-codes/999999/", None, {404}),
    ("promo-huge-id", "staff", "get", f"promo-codes/{HUGE}/", None, {404}),
    ("promo-patch-unknown", "staff", "patch", "promo-codes/999999/", {"is_active": False}, {404}),
    ("promo-list-customer", "user", "get", "promo-codes/", None, {403}),
    ("promo-validate-not-json", "anon", "post", "promo-codes/validate/", NOT_JSON, {400}),
    (
        "promo-validate-items",
        "anon",
        "post",
        "promo-codes/validate/",
        {"code": "X", "items": [{"product": "abc"}]},
        {400},
    ),
    ("promo-create-customer", "user", "post", "promo-codes/", {"code": "X", "discount_percent": 10}, {403}),
    ("promo-create-huge", "staff", "post", "promo-codes/", {"code": "X", "discount_percent": HUGE}, {400}),
    (
        "promo-create-both",
        "staff",
        "post",
        "promo-codes/",
        {"code": "X", "discount_percent": 10, "discount_amount": "5"},
        {400},
    ),
    ("analytics-customer", "user", "get", "analytics/summary/", None, {403}),
    ("analytics-bad-date", "staff", "get", "analytics/summary/?date_from=yesterday", None, {400}),
]


def _served(path: str) -> bool:
    """Whether the endpoint's app serves its collection yet (the exact path may well be meant not to resolve)."""
    collection = path.split("?")[0].split("/")[0] + "/"
    for candidate in (path.split("?")[0].replace(PRODUCT_ID, "1"), collection):
        try:
            match = resolve("/api/v1/" + candidate)
        except Resolver404:
            continue
        if match.url_name != "api-not-found":
            return True
    return False


@pytest.mark.parametrize(
    ("who", "method", "path", "body", "statuses"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_is_a_clear_4xx(user, staff_user, who, method, path, body, statuses):
    if not path.startswith(("nothing/", "products/1%0A")) and not _served(path):
        pytest.skip(f"/api/v1/{path} is not served yet")
    product = ProductFactory(sizes=["S", "M"], stock={"S": 3})
    PageFactory(slug="about")
    path = "/api/v1/" + path.replace(PRODUCT_ID, str(product.pk))
    if isinstance(body, dict):
        body = {k: product.pk if v == PRODUCT_ID else v for k, v in body.items()}
        for item in body.get("items", []) if isinstance(body.get("items"), list) else []:
            if isinstance(item, dict) and item.get("product") == PRODUCT_ID:
                item["product"] = product.pk
    client = clients(user, staff_user)[who]
    call = getattr(client, method)
    if body is NOT_JSON:
        response = call(path, data='{"phone": "+7916', content_type="application/json")
    elif body is JSON_NULL:
        response = call(path, data="null", content_type="application/json")
    elif body is FORM:
        response = call(path, data="phone=1&password=2", content_type="application/x-www-form-urlencoded")
    elif body is None and method in ("get", "delete", "post"):
        response = call(path)
    else:
        response = call(path, data=body, format="json")
    assert response.status_code in statuses, (response.status_code, response.content[:500])
    if response.status_code == 200:
        return
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    error = response.json()
    assert isinstance(error, dict) and error, error
    if "detail" in error:
        assert isinstance(error["detail"], str) and error["detail"]
        assert isinstance(error.get("code"), str), error
    else:
        assert all(isinstance(messages, (list, dict)) for messages in error.values()), error


def test_messages_are_russian(api_client, user_client):
    assert api_client.get("/api/v1/users/me/").json()["detail"] == "Учётные данные не были предоставлены."
    assert api_client.get("/api/v1/products/999999/").json() == {
        "detail": "Страница не найдена.",
        "code": "not_found",
    }
    response = user_client.post("/api/v1/products/", {}, format="json")
    assert response.json()["code"] == "permission_denied"
    assert "прав" in response.json()["detail"].lower() or "разрешени" in response.json()["detail"].lower()
    bad_json = api_client.post("/api/v1/auth/login/", data="{", content_type="application/json")
    assert bad_json.json()["code"] == "parse_error"
    assert "JSON" in bad_json.json()["detail"]
