import pytest
from django.urls import reverse

from catalog.models import Product
from catalog.tests.factories import ProductFactory, ProductMediaFactory
from preorders.models import WaitlistEntry
from preorders.tests.factories import PreorderProductFactory
from shop.cart import SESSION_KEY
from shop.selectors import FEW_LEFT

pytestmark = pytest.mark.django_db


def test_product_page_by_id_and_by_slug(client, hoodie):
    by_slug = client.get(hoodie.get_absolute_url())
    by_id = client.get(reverse("shop:product", kwargs={"key": hoodie.pk}))
    assert by_slug.status_code == by_id.status_code == 200
    html = by_slug.content.decode()
    assert hoodie.name in html and "4 990 ₽" in html
    assert "В корзину" in html


def test_product_page_shows_gallery_description_size_table_and_care(client, hoodie):
    html = client.get(hoodie.get_absolute_url()).content.decode()
    for picture in hoodie.media.all():
        assert picture.image.url in html
    assert hoodie.description in html
    assert "Таблица размеров" in html and '<th scope="col">Грудь</th>' in html
    assert hoodie.care_instructions in html


def test_sizes_are_radios_named_size_and_sold_out_ones_are_disabled(client, hoodie):
    html = client.get(hoodie.get_absolute_url()).content.decode()
    assert '<input type="radio" name="size" value="S" aria-describedby="size-left-1">' in html
    assert '<input type="radio" name="size" value="M" aria-describedby="size-left-2">' in html
    assert '<input type="radio" name="size" value="L" disabled>' in html
    assert 'name="quantity"' in html


def test_sizes_with_few_units_left_say_how_many(client, hoodie):
    """M has 2 left (few: «осталось 2»); S has 5 (the threshold, still few); a larger stock says nothing."""
    hoodie.stock.filter(size="S").update(quantity=FEW_LEFT + 1)
    html = client.get(hoodie.get_absolute_url()).content.decode()
    assert '<span class="size-choice__left" id="size-left-2">осталось 2</span>' in html
    assert "size-left-1" not in html and "осталось 0" not in html


def test_add_to_cart_says_what_went_in_without_nested_quotes(client, hoodie):
    cap = ProductFactory(name="Кепка", sizes=[], size_table=[], stock={"ONE SIZE": 9})
    response = client.post(hoodie.get_absolute_url(), {"size": "S", "quantity": "2"}, follow=True)
    assert "В корзине: Худи «Базовое», S — 2 шт." in response.content.decode()
    response = client.post(cap.get_absolute_url(), {"size": "ONE SIZE", "quantity": "1"}, follow=True)
    html = response.content.decode()
    assert "В корзине: Кепка — 1 шт." in html and "Размер ONE SIZE" not in html and "Кепка, ONE SIZE" not in html


def test_add_to_cart_never_puts_more_than_the_stock_in_the_cart(client, hoodie):
    client.post(hoodie.get_absolute_url(), {"size": "M", "quantity": "1"})
    response = client.post(hoodie.get_absolute_url(), {"size": "M", "quantity": "5"}, follow=True)
    assert client.session[SESSION_KEY] == {f"{hoodie.pk}:M": 2}
    assert "Худи «Базовое», M: осталось только 2 шт. — столько и лежит в корзине." in response.content.decode()


def test_hidden_and_unknown_products_are_404(client):
    hidden = ProductFactory(is_active=False)
    archived = ProductFactory(is_archived=True)
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert client.get(archived.get_absolute_url()).status_code == 404
    assert client.get(reverse("shop:product", kwargs={"key": "no-such-thing"})).status_code == 404
    assert client.get(reverse("shop:product", kwargs={"key": "99999999"})).status_code == 404


def test_add_to_cart_puts_the_line_in_the_session_cart(client, hoodie):
    response = client.post(hoodie.get_absolute_url(), {"size": "S", "quantity": "2"})
    assert response.status_code == 302 and response["Location"] == reverse("shop:cart")
    assert client.session[SESSION_KEY] == {f"{hoodie.pk}:S": 2}
    client.post(hoodie.get_absolute_url(), {"size": "S", "quantity": "1"})
    assert client.session[SESSION_KEY] == {f"{hoodie.pk}:S": 3}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"quantity": "1"}, "Выберите размер."),
        ({"size": "M", "quantity": "0"}, "Количество должно быть не меньше 1."),
        ({"size": "M", "quantity": "-3"}, "Количество должно быть не меньше 1."),
        ({"size": "M", "quantity": "много"}, "Введите целое число."),
        ({"size": "M", "quantity": "1000"}, "Не больше 100 шт. в одной позиции."),
        ({"size": "L", "quantity": "1"}, "Этого размера сейчас нет: выберите другой."),
        ({"size": "XXL", "quantity": "1"}, "Выберите корректный вариант."),
    ],
)
def test_add_to_cart_refuses_bad_input_next_to_the_field(client, hoodie, data, message):
    response = client.post(hoodie.get_absolute_url(), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert SESSION_KEY not in client.session


def test_product_without_sizes_has_one_size_preselected(client):
    cap = ProductFactory(sizes=[], size_table=[], stock={"ONE SIZE": 3})
    html = client.get(cap.get_absolute_url()).content.decode()
    assert 'value="ONE SIZE" checked' in html
    assert client.post(cap.get_absolute_url(), {"size": "ONE SIZE", "quantity": "1"}).status_code == 302


def test_sold_out_product_disables_the_button(client):
    product = ProductFactory(stock={"S": 0, "M": 0, "L": 0})
    html = client.get(product.get_absolute_url()).content.decode()
    assert "нет в наличии</span>" in html
    assert "disabled>В корзину" in html


def test_preorder_shows_wave_progress_as_a_progress_bar(client, drop):
    html = client.get(drop.get_absolute_url()).content.decode()
    assert "Волна 2 из 3 · 2 из 5" in html
    assert '<progress class="wave__bar" value="2" max="5"' in html
    assert "предзаказ</span>" in html
    assert '<input type="radio" name="size" value="M">' in html
    assert client.post(drop.get_absolute_url(), {"size": "M", "quantity": "4"}).status_code == 302


def test_waiting_product_shows_a_waitlist_form_instead_of_the_button(client):
    product = PreorderProductFactory(order_type=Product.OrderType.WAITING, preorder_wave_capacity=2)
    product.waves.update(current_count=2)
    html = client.get(product.get_absolute_url()).content.decode()
    assert "В корзину" not in html
    assert 'name="phone"' in html
    assert "Волна 3 из 3 · 2 из 2" in html
    refused = client.post(product.get_absolute_url(), {"size": "M", "quantity": "1"})
    assert refused.status_code == 200


def test_waitlist_join_keeps_the_phone_once(client, customer_client, customer):
    product = PreorderProductFactory(order_type=Product.OrderType.WAITING)
    url = reverse("shop:waitlist", kwargs={"key": product.slug})
    response = client.post(url, {"phone": "8 (916) 555-12-34"})
    assert response.status_code == 302
    client.post(url, {"phone": "+79165551234"})
    assert list(WaitlistEntry.objects.filter(product=product).values_list("phone", flat=True)) == ["+79165551234"]
    customer_client.post(url, {"phone": customer.phone})
    assert WaitlistEntry.objects.get(product=product, phone=customer.phone).user == customer


def test_waitlist_refuses_a_bad_phone(client):
    product = PreorderProductFactory(order_type=Product.OrderType.WAITING)
    response = client.post(reverse("shop:waitlist", kwargs={"key": product.slug}), {"phone": "12"})
    assert response.status_code == 200
    assert "Некорректный номер телефона." in response.content.decode()
    assert not WaitlistEntry.objects.exists()


def _fill(count):
    for _ in range(count):
        ProductMediaFactory(product=ProductFactory(stock={"S": 1}))
        PreorderProductFactory()


@pytest.mark.parametrize("kind", ["hoodie", "drop"])
def test_product_page_query_count_does_not_grow_with_products(client, django_assert_num_queries, kind, request):
    product = request.getfixturevalue(kind)
    ProductMediaFactory.create_batch(3, product=product)
    _fill(2)
    with django_assert_num_queries(5) as small:
        client.get(product.get_absolute_url())
    _fill(6)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(product.get_absolute_url()).status_code == 200


def test_an_id_beyond_any_database_id_is_404_not_500(client):
    assert client.get(reverse("shop:product", kwargs={"key": "9" * 30})).status_code == 404
