from decimal import Decimal

import pytest

from catalog.models import Product, ProductStock
from catalog.tests.factories import ProductFactory, ProductMediaFactory
from preorders.models import PreorderWave, WaveStatus
from preorders.tests.factories import PreorderProductFactory

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products/"


def detail(product) -> str:
    return f"{PRODUCTS}{product.pk}/"


def names(response) -> list[str]:
    return [item["name"] for item in response.json()["results"]]


# --- Reading ------------------------------------------------------------------------------------------------
def test_list_is_paginated_and_shows_visible_products_only(api_client):
    visible = ProductFactory(name="Худи")
    ProductFactory(name="Скрытый", is_active=False)
    ProductFactory(name="Архивный", is_archived=True)
    response = api_client.get(PRODUCTS)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1
    assert body["results"][0]["id"] == visible.pk


def test_hidden_and_archived_products_are_404_for_customers(api_client, user_client):
    hidden = ProductFactory(is_active=False)
    archived = ProductFactory(is_archived=True)
    for client in (api_client, user_client):
        assert client.get(detail(hidden)).status_code == 404
        assert client.get(detail(archived)).status_code == 404


def test_staff_list_hidden_products_only_on_request(staff_client, user_client):
    ProductFactory(name="Худи")
    ProductFactory(name="Архивный", is_archived=True)
    assert names(staff_client.get(PRODUCTS)) == ["Худи"]
    assert sorted(names(staff_client.get(PRODUCTS, {"include_hidden": "true"}))) == ["Архивный", "Худи"]
    assert names(user_client.get(PRODUCTS, {"include_hidden": "true"})) == ["Худи"]


def test_staff_see_archived_products_to_restore_them(staff_client):
    archived = ProductFactory(is_archived=True)
    assert staff_client.get(detail(archived)).status_code == 200
    response = staff_client.patch(detail(archived), {"is_archived": False}, format="json")
    assert response.status_code == 200
    archived.refresh_from_db()
    assert not archived.is_archived


def test_in_stock_product_representation(api_client):
    product = ProductFactory(price=Decimal("3490.00"), stock={"S": 2, "M": 0})
    ProductMediaFactory(product=product, position=2, alt="Сзади")
    ProductMediaFactory(product=product, position=1, alt="Спереди")
    body = api_client.get(detail(product)).json()
    assert body["id"] == product.pk
    assert body["name"] == product.name
    assert body["slug"] == product.slug
    assert body["article"] == product.article
    assert body["description"] == product.description
    assert body["price"] == "3490.00"
    assert body["order_type"] == "in_stock"
    assert body["sizes"] == ["S", "M", "L"]
    assert body["size_table"] == product.size_table
    assert body["care_instructions"] == product.care_instructions
    assert body["stock"] == {"S": 2, "M": 0, "L": 0}
    assert body["stock_count"] == 2
    assert body["is_active"] is True and body["is_archived"] is False
    assert [m["alt"] for m in body["media"]] == ["Спереди", "Сзади"]
    assert [m["position"] for m in body["media"]] == [1, 2]
    assert body["media"][0]["url"].startswith("http://testserver/media/products/")
    assert body["waves"] == [] and body["current_wave"] is None and body["current_wave_count"] is None


def test_product_without_sizes_has_one_size(api_client):
    product = ProductFactory(sizes=[], stock={"ONE SIZE": 4})
    body = api_client.get(detail(product)).json()
    assert body["sizes"] == ["ONE SIZE"]
    assert body["stock"] == {"ONE SIZE": 4}


def test_preorder_product_shows_its_waves_and_current_wave(api_client):
    product = PreorderProductFactory(preorder_waves_total=3, preorder_wave_capacity=5)
    PreorderWave.objects.filter(product=product, wave_number=1).update(current_count=5)
    PreorderWave.objects.filter(product=product, wave_number=2).update(current_count=3)
    body = api_client.get(detail(product)).json()
    assert body["order_type"] == "preorder"
    assert body["preorder_waves_total"] == 3 and body["preorder_wave_capacity"] == 5
    assert body["waves"] == [
        {"wave_number": 1, "capacity": 5, "current_count": 5, "status": "collecting", "ships_on": None},
        {"wave_number": 2, "capacity": 5, "current_count": 3, "status": "collecting", "ships_on": None},
        {"wave_number": 3, "capacity": 5, "current_count": 0, "status": "collecting", "ships_on": None},
    ]
    assert body["current_wave"] == 2
    assert body["current_wave_count"] == 3


def test_waiting_product_points_at_its_last_full_wave(api_client):
    product = PreorderProductFactory(preorder_waves_total=2, preorder_wave_capacity=4, order_type="waiting")
    PreorderWave.objects.filter(product=product).update(current_count=4, status=WaveStatus.PRODUCTION)
    body = api_client.get(detail(product)).json()
    assert body["current_wave"] == 2 and body["current_wave_count"] == 4


@pytest.mark.parametrize("count", [1, 50])
def test_list_query_count_does_not_grow_with_products(api_client, django_assert_num_queries, count):
    for n in range(count):
        product = (PreorderProductFactory if n % 2 else ProductFactory)(stock={"S": 1, "M": 2})
        ProductMediaFactory(product=product)
    with django_assert_num_queries(4):
        response = api_client.get(PRODUCTS, {"page_size": 100})
    assert response.json()["count"] == count


@pytest.mark.parametrize(
    "params",
    [
        {"search": "футболка"},
        {"order_type": "preorder", "min_price": "100", "ordering": "-price"},
        {"max_price": "100000", "ordering": "name"},
    ],
    ids=["search", "type-and-price", "price-by-name"],
)
def test_searched_and_filtered_lists_make_as_many_queries_however_long(
    api_client, django_assert_num_queries, params
):
    def fill(count):
        for n in range(count):
            product = (PreorderProductFactory if n % 2 else ProductFactory)(stock={"S": 1, "M": 2})
            ProductMediaFactory(product=product)

    fill(2)
    with django_assert_num_queries(4):
        short = api_client.get(PRODUCTS, {**params, "page_size": 100}).json()["count"]
    fill(12)
    with django_assert_num_queries(4):
        assert api_client.get(PRODUCTS, {**params, "page_size": 100}).json()["count"] > short


def test_list_query_count_is_the_same_for_a_signed_in_customer(user_client, django_assert_num_queries):
    for _ in range(10):
        ProductMediaFactory(product=PreorderProductFactory(stock={"S": 1}))
    # One more query than anonymous: loading the user the token names.
    with django_assert_num_queries(5):
        user_client.get(PRODUCTS)


# --- Filters --------------------------------------------------------------------------------------------------
def test_filter_by_order_type(api_client):
    ProductFactory(name="Футболка")
    PreorderProductFactory(name="Куртка")
    assert names(api_client.get(PRODUCTS, {"order_type": "preorder"})) == ["Куртка"]
    assert names(api_client.get(PRODUCTS, {"order_type": "in_stock"})) == ["Футболка"]


def test_filter_by_price_range(api_client):
    for name, price in [("A", "1000.00"), ("B", "2000.00"), ("C", "3000.00")]:
        ProductFactory(name=name, price=Decimal(price))
    response = api_client.get(PRODUCTS, {"min_price": "1500", "max_price": "3000", "ordering": "price"})
    assert names(response) == ["B", "C"]


@pytest.mark.parametrize("query", ["худи", "ХУДИ", "Худи", "dwc-77", "флис"])
def test_search_over_name_article_and_description_ignores_case(api_client, query):
    ProductFactory(name="Худи чёрное", article="DWC-77", description="Тёплый флис")
    ProductFactory(name="Футболка", article="DWC-1", description="Хлопок")
    assert names(api_client.get(PRODUCTS, {"search": query})) == ["Худи чёрное"]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("price", ["B", "C", "A"]),
        ("-price", ["A", "C", "B"]),
        ("name", ["A", "B", "C"]),
        ("-name", ["C", "B", "A"]),
        ("created_at", ["A", "B", "C"]),
        ("-created_at", ["C", "B", "A"]),
        ("date", ["A", "B", "C"]),
    ],
)
def test_ordering(api_client, ordering, expected):
    for name, price in [("A", "3000.00"), ("B", "1000.00"), ("C", "2000.00")]:
        ProductFactory(name=name, price=Decimal(price))
    assert names(api_client.get(PRODUCTS, {"ordering": ordering})) == expected


@pytest.mark.parametrize(
    "params",
    [
        {"order_type": "bogus"},
        {"min_price": "abc"},
        {"max_price": "-1"},
        {"min_price": "1" * 40},
        {"ordering": "password"},
        {"search": "x" * 500},
        {"page": "9999"},
        {"page": "abc"},
    ],
)
def test_bad_filters_are_400_or_404_not_500(api_client, params):
    ProductFactory()
    response = api_client.get(PRODUCTS, params)
    assert response.status_code in (400, 404)
    assert response.json()


# --- Staff writes ---------------------------------------------------------------------------------------------
def new_product(**overrides) -> dict:
    return {
        "name": "Худи «Ночь»",
        "article": "DWC-HD-01",
        "description": "Плотный футер.",
        "price": "5490.00",
        "sizes": ["S", "M", "L"],
        "size_table": [["Размер", "Грудь"], ["S", "100"], ["M", "106"], ["L", 112]],
        "care_instructions": "Стирка при 30 °C.",
        "order_type": "in_stock",
        "stock": {"S": 5, "M": 0, "L": 2},
        **overrides,
    }


def test_staff_create_in_stock_product_with_stock(staff_client):
    response = staff_client.post(PRODUCTS, new_product(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    product = Product.objects.get(pk=body["id"])
    assert product.price == Decimal("5490.00")
    assert product.slug == "hudi-noch-dwc-hd-01"
    assert body["stock"] == {"S": 5, "M": 0, "L": 2}
    assert body["stock_count"] == 7
    assert body["size_table"][3] == ["L", "112"]
    assert dict(ProductStock.objects.filter(product=product).values_list("size", "quantity")) == {
        "S": 5,
        "M": 0,
        "L": 2,
    }


def test_staff_create_preorder_product_gets_its_waves(staff_client):
    payload = new_product(order_type="preorder", preorder_waves_total=3, preorder_wave_capacity=20)
    del payload["stock"]
    response = staff_client.post(PRODUCTS, payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [w["wave_number"] for w in body["waves"]] == [1, 2, 3]
    assert {w["capacity"] for w in body["waves"]} == {20}
    assert body["current_wave"] == 1 and body["current_wave_count"] == 0
    assert PreorderWave.objects.filter(product_id=body["id"]).count() == 3


def test_preorder_without_waves_is_refused(staff_client):
    response = staff_client.post(PRODUCTS, new_product(order_type="preorder"), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "preorder_waves_required"
    assert not Product.objects.exists()


def test_staff_patch_updates_fields_and_stock(staff_client):
    product = ProductFactory(stock={"S": 1, "M": 1})
    response = staff_client.patch(detail(product), {"price": "999.90", "stock": {"M": 7, "L": 3}}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["stock"] == {"S": 1, "M": 7, "L": 3}
    assert response.json()["price"] == "999.90"


def test_staff_put_replaces_the_product(staff_client):
    product = ProductFactory()
    response = staff_client.put(detail(product), new_product(sizes=["42", "44"], stock={"42": 1}), format="json")
    assert response.status_code == 200, response.json()
    product.refresh_from_db()
    assert product.sizes == ["42", "44"] and product.article == "DWC-HD-01"
    assert response.json()["stock"] == {"42": 1, "44": 0}


def test_dropping_a_size_drops_its_stock(staff_client):
    product = ProductFactory(stock={"S": 1, "M": 4})
    response = staff_client.patch(detail(product), {"sizes": ["M"]}, format="json")
    assert response.json()["stock"] == {"M": 4}


def test_growing_preorder_waves_adds_waves(staff_client):
    product = PreorderProductFactory(preorder_waves_total=2, preorder_wave_capacity=5)
    response = staff_client.patch(detail(product), {"preorder_waves_total": 4}, format="json")
    assert response.status_code == 200
    assert [w["wave_number"] for w in response.json()["waves"]] == [1, 2, 3, 4]


def test_preorder_waves_never_shrink(staff_client):
    product = PreorderProductFactory(preorder_waves_total=3, preorder_wave_capacity=5)
    response = staff_client.patch(detail(product), {"preorder_waves_total": 2}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "waves_total_too_low"
    assert PreorderWave.objects.filter(product=product).count() == 3


def test_new_wave_capacity_reaches_empty_future_waves_only(staff_client):
    product = PreorderProductFactory(preorder_waves_total=3, preorder_wave_capacity=5)
    PreorderWave.objects.filter(product=product, wave_number=1).update(current_count=2)
    response = staff_client.patch(detail(product), {"preorder_wave_capacity": 8}, format="json")
    assert [w["capacity"] for w in response.json()["waves"]] == [5, 8, 8]


def test_editing_other_fields_keeps_a_wave_capacity_staff_set_by_hand(staff_client):
    product = PreorderProductFactory(preorder_waves_total=2, preorder_wave_capacity=5)
    PreorderWave.objects.filter(product=product, wave_number=2).update(capacity=12)
    payload = {"name": "Новое имя", "preorder_wave_capacity": 5, "preorder_waves_total": 2}
    response = staff_client.patch(detail(product), payload, format="json")
    assert [w["capacity"] for w in response.json()["waves"]] == [5, 12]


def test_stock_for_a_size_the_product_lacks_is_refused(staff_client):
    product = ProductFactory(stock={"S": 1})
    response = staff_client.patch(detail(product), {"stock": {"XXL": 1}}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_size"
    assert "XXL" in response.json()["detail"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"price": "-1"}, "price"),
        ({"price": "abc"}, "price"),
        ({"price": "1e40"}, "price"),
        ({"price": 12.345}, "price"),
        ({"stock": {"S": -1}}, "stock"),
        ({"stock": {"S": "many"}}, "stock"),
        ({"stock": {"S": 10**30}}, "stock"),
        ({"stock": ["S", 5]}, "stock"),
        ({"sizes": "S,M"}, "sizes"),
        ({"sizes": ["S", "S"]}, "sizes"),
        ({"sizes": [""]}, "sizes"),
        ({"order_type": "sold"}, "order_type"),
        ({"preorder_waves_total": 10**12}, "preorder_waves_total"),
        ({"preorder_wave_capacity": -5}, "preorder_wave_capacity"),
        ({"size_table": "table"}, "size_table"),
        ({"name": ""}, "name"),
        ({"name": "x" * 300}, "name"),
        ({"article": None}, "article"),
        ({"is_active": "maybe"}, "is_active"),
    ],
)
def test_staff_bad_input_is_a_field_error(staff_client, overrides, field):
    response = staff_client.post(PRODUCTS, new_product(**overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Product.objects.exists()


def test_duplicate_article_is_400(staff_client):
    ProductFactory(article="DWC-HD-01")
    response = staff_client.post(PRODUCTS, new_product(), format="json")
    assert response.status_code == 400
    assert "article" in response.json()


def test_delete_archives_and_keeps_the_product(staff_client, api_client):
    product = ProductFactory()
    response = staff_client.delete(detail(product))
    assert response.status_code == 204
    product.refresh_from_db()
    assert product.is_archived
    assert api_client.get(detail(product)).status_code == 404
    assert staff_client.delete(detail(product)).status_code == 204  # archiving twice changes nothing


def test_delete_keeps_a_product_with_orders(staff_client, user):
    from orders.models import Order, OrderItem

    product = ProductFactory()
    order = Order.objects.create(
        user=user, total_amount=Decimal("1"), discount_amount=Decimal("0"), final_amount=Decimal("1")
    )
    OrderItem.objects.create(order=order, product=product, size="S", quantity=1, price=Decimal("1"))
    assert staff_client.delete(detail(product)).status_code == 204
    assert Product.objects.filter(pk=product.pk, is_archived=True).exists()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_customers_cannot_write_products(user_client, api_client, method):
    product = ProductFactory()
    url = PRODUCTS if method == "post" else detail(product)
    response = getattr(user_client, method)(url, new_product(), format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert getattr(api_client, method)(url, new_product(), format="json").status_code == 401
    product.refresh_from_db()
    assert not product.is_archived and Product.objects.count() == 1


@pytest.mark.parametrize("pk", ["0", "999999", "99999999999999999999"])
def test_unknown_product_is_404(api_client, staff_client, pk):
    assert api_client.get(f"{PRODUCTS}{pk}/").status_code == 404
    assert staff_client.patch(f"{PRODUCTS}{pk}/", {"name": "x"}, format="json").status_code == 404
