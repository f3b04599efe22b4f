from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import Product
from catalog.tests.factories import ProductFactory, ProductMediaFactory
from preorders.tests.factories import PreorderProductFactory

pytestmark = pytest.mark.django_db

URL = reverse("shop:catalog")


def test_catalog_shows_cards_with_picture_name_price_and_badges(client, hoodie, drop):
    sold_out = ProductFactory(name="Брюки распроданы", stock={"S": 0})
    hidden = ProductFactory(name="Скрытый товар", is_active=False)
    archived = ProductFactory(name="Архивный товар", is_archived=True)

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ru">' in html
    assert hoodie.name in html and drop.name in html and sold_out.name in html
    assert hidden.name not in html and archived.name not in html
    assert "4 990 ₽" in html and "14 990 ₽" in html
    assert hoodie.media.first().image.url in html
    assert hoodie.get_absolute_url() in html
    assert html.count("предзаказ</span>") == 1
    assert html.count("нет в наличии</span>") == 1


def test_catalog_marks_a_waiting_product_as_not_available(client):
    PreorderProductFactory(name="Ждёт волну", order_type=Product.OrderType.WAITING)
    html = client.get(URL).content.decode()
    assert "нет в наличии</span>" in html


def test_catalog_filters_by_type(client, hoodie, drop):
    html = client.get(URL, {"order_type": "preorder"}).content.decode()
    assert drop.name in html and hoodie.name not in html
    html = client.get(URL, {"order_type": "in_stock"}).content.decode()
    assert hoodie.name in html and drop.name not in html


def test_catalog_filters_by_price(client, hoodie, drop):
    cheap = ProductFactory(name="Кепка", price=Decimal("1990"))
    html = client.get(URL, {"min_price": "2000", "max_price": "10000"}).content.decode()
    assert hoodie.name in html
    assert cheap.name not in html and drop.name not in html


def test_catalog_search_by_name_and_article(client, hoodie, drop):
    html = client.get(URL, {"search": "пуховик"}).content.decode()
    assert drop.name in html and hoodie.name not in html
    html = client.get(URL, {"search": hoodie.article}).content.decode()
    assert hoodie.name in html and drop.name not in html


def test_catalog_says_when_nothing_matches(client, hoodie):
    response = client.get(URL, {"search": "несуществующее"})
    assert "Ничего не нашлось" in response.content.decode()


def test_catalog_ignores_a_bad_price_and_says_so(client, hoodie):
    response = client.get(URL, {"min_price": "дёшево", "search": "Худи"})
    assert response.status_code == 200
    html = response.content.decode()
    assert hoodie.name in html
    assert "field__error" in html


def test_catalog_paginates_and_keeps_filters(client):
    ProductFactory.create_batch(14, name="Футболка", price=Decimal("1000"))
    first = client.get(URL, {"search": "Футболка"}).content.decode()
    assert first.count('class="card"') == 12
    assert "Страница 1 из 2" in first
    assert "?search=%D0%A4%D1%83%D1%82%D0%B1%D0%BE%D0%BB%D0%BA%D0%B0&amp;page=2" in first
    second = client.get(URL, {"search": "Футболка", "page": 2}).content.decode()
    assert second.count('class="card"') == 2
    assert client.get(URL, {"page": "999"}).status_code == 200


def _fill(count):
    for _ in range(count):
        product = ProductFactory(stock={"S": 1})
        ProductMediaFactory(product=product)
        ProductMediaFactory(product=product)
    for _ in range(count):
        PreorderProductFactory()


def test_catalog_query_count_does_not_grow_with_products(client, django_assert_num_queries):
    _fill(2)
    with django_assert_num_queries(5) as small:
        client.get(URL)
    _fill(5)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(URL).status_code == 200


def test_catalog_sorts_by_price(client, hoodie, drop):
    cheap = ProductFactory(name="Кепка", price=Decimal("1990"))
    html = client.get(URL, {"ordering": "price"}).content.decode()
    assert html.index(cheap.name) < html.index(hoodie.name) < html.index(drop.name)
    html = client.get(URL, {"ordering": "-price"}).content.decode()
    assert html.index(drop.name) < html.index(hoodie.name) < html.index(cheap.name)
    newest_first = client.get(URL).content.decode()
    assert newest_first.index(cheap.name) < newest_first.index(drop.name)


@pytest.mark.parametrize(
    ("count", "text"), [(1, "1 товар"), (3, "3 товара"), (5, "5 товаров"), (11, "11 товаров"), (21, "21 товар")]
)
def test_the_product_count_agrees_with_its_number(client, count, text):
    ProductFactory.create_batch(count)
    html = client.get(reverse("shop:catalog")).content.decode()
    assert f'<p class="muted">{text}</p>' in html


def test_plurals_come_from_the_compiled_russian_catalog():
    from django.utils import translation

    with translation.override("ru"):
        forms = [translation.ngettext("%(count)s line", "%(count)s lines", n) % {"count": n} for n in (1, 2, 5)]
    assert forms == ["1 позиция", "2 позиции", "5 позиций"]
