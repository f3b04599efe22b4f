"""Products in the admin: the list with thumbnails, stock and wave fill; inlines and actions through the services."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from catalog.models import Product, ProductStock
from catalog.tests.factories import ProductFactory, ProductMediaFactory
from orders.tests.factories import OrderFactory, OrderItemFactory
from preorders.models import PreorderStatus, PreorderWave, WaitlistEntry, WaveStatus
from preorders.tests.factories import PreorderProductFactory, WaitlistEntryFactory
from tests.admin_helpers import texts

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:catalog_product_changelist")
ADD = reverse("admin:catalog_product_add")


def change_url(product):
    return reverse("admin:catalog_product_change", args=[product.pk])


# --- The list -------------------------------------------------------------------------------------------------------
def test_list_shows_thumbnail_article_price_type_stock_and_wave_fill(staff):
    shirt = ProductFactory(name="Футболка", article="T-1", price=Decimal("2490.00"), stock={"S": 2, "M": 5})
    ProductMediaFactory(product=shirt, position=1)
    bomber = PreorderProductFactory(
        name="Бомбер", article="B-1", preorder_waves_total=3, preorder_wave_capacity=20
    )
    bomber.waves.filter(wave_number=1).update(current_count=20)
    bomber.waves.filter(wave_number=2).update(current_count=14)
    response = staff.get(CHANGELIST)
    html = response.content.decode()
    assert "T-1" in html and "2 490 ₽" in html and "2490,00" not in html
    assert "В наличии" in html and "Предзаказ" in html
    assert '<img src="/media/products/' in html
    rows = {p.article: p for p in response.context["cl"].result_list}
    assert rows["T-1"].stock_total == 7
    assert "14/20 · волна 2 из 3" in html


def test_waiting_product_shows_its_last_wave_full(staff):
    product = PreorderProductFactory(
        order_type=Product.OrderType.WAITING, preorder_waves_total=2, preorder_wave_capacity=4
    )
    product.waves.update(current_count=4)
    assert "4/4 · волна 2 из 2" in staff.get(CHANGELIST).content.decode()


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(CHANGELIST).status_code == 200
    return len(ctx.captured_queries)


def test_changelist_query_count_does_not_grow(staff):
    def some(n):
        for _ in range(n):
            ProductMediaFactory(product=ProductFactory(stock={"S": 1, "M": 2}))
            PreorderProductFactory()

    some(2)
    few = _queries(staff)
    some(10)
    assert _queries(staff) == few


def test_filters_and_search(staff):
    hoodie = ProductFactory(name="Худи", article="H-77")
    archived = ProductFactory(name="Старое", is_archived=True)
    preorder = PreorderProductFactory(name="Бомбер")
    assert list(staff.get(CHANGELIST, {"q": "H-77"}).context["cl"].result_list) == [hoodie]
    assert list(staff.get(CHANGELIST, {"q": "Худи"}).context["cl"].result_list) == [hoodie]
    assert list(staff.get(CHANGELIST, {"is_archived__exact": "1"}).context["cl"].result_list) == [archived]
    assert list(staff.get(CHANGELIST, {"order_type__exact": "preorder"}).context["cl"].result_list) == [preorder]


# --- Actions ------------------------------------------------------------------------------------------------------------
def test_archive_and_activate(staff):
    first, second = ProductFactory(), ProductFactory(is_active=False)
    staff.post(CHANGELIST, {"action": "archive", "_selected_action": [first.pk, second.pk]})
    assert set(Product.objects.filter(is_archived=True)) == {first, second}
    staff.post(CHANGELIST, {"action": "activate", "_selected_action": [first.pk, second.pk]})
    assert Product.objects.filter(is_archived=False, is_active=True).count() == 2


def test_add_wave_action_reopens_a_waiting_product(staff, django_capture_on_commit_callbacks, sms_outbox):
    product = PreorderProductFactory(
        order_type=Product.OrderType.WAITING, preorder_waves_total=1, preorder_wave_capacity=2
    )
    product.waves.update(current_count=2)
    WaitlistEntryFactory(product=product, phone="+79990001122")
    in_stock = ProductFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            CHANGELIST, {"action": "add_wave", "_selected_action": [product.pk, in_stock.pk]}, follow=True
        )
    product.refresh_from_db()
    assert product.order_type == Product.OrderType.PREORDER and product.waves.count() == 2
    assert [m.phone for m in sms_outbox] == ["+79990001122"]
    assert not in_stock.waves.exists()
    assert any("предзаказа" in text for text in texts(response))


# --- Add and change -------------------------------------------------------------------------------------------------
def form_data(**fields):
    data = {
        "name": "Худи",
        "slug": "",
        "article": "H-1",
        "price": "4990.00",
        "order_type": "in_stock",
        "is_active": "on",
        "description": "",
        "care_instructions": "",
        "sizes": '["S", "M"]',
        "size_table": "[]",
        "preorder_waves_total": "0",
        "preorder_wave_capacity": "0",
        "media-TOTAL_FORMS": "0",
        "media-INITIAL_FORMS": "0",
        "stock-TOTAL_FORMS": "0",
        "stock-INITIAL_FORMS": "0",
    }
    data.update(fields)
    return data


def test_add_in_stock_product_with_stock(staff):
    response = staff.post(
        ADD,
        form_data(
            **{
                "stock-TOTAL_FORMS": "2",
                "stock-0-size": "S",
                "stock-0-quantity": "3",
                "stock-1-size": "M",
                "stock-1-quantity": "4",
            }
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    product = Product.objects.get(article="H-1")
    assert dict(product.stock.values_list("size", "quantity")) == {"S": 3, "M": 4}


def test_stock_of_a_size_the_product_lacks_is_refused(staff):
    response = staff.post(
        ADD, form_data(**{"stock-TOTAL_FORMS": "1", "stock-0-size": "XXL", "stock-0-quantity": "3"})
    )
    assert response.status_code == 200
    assert not Product.objects.filter(article="H-1").exists()
    assert "нет размера" in response.content.decode()


def test_adding_a_preorder_product_creates_its_waves(staff):
    response = staff.post(
        ADD, form_data(order_type="preorder", preorder_waves_total="3", preorder_wave_capacity="20")
    )
    assert response.status_code == 302
    product = Product.objects.get(article="H-1")
    assert list(product.waves.values_list("wave_number", "capacity", "status")) == [
        (1, 20, "collecting"),
        (2, 20, "collecting"),
        (3, 20, "collecting"),
    ]


def test_a_preorder_product_needs_waves(staff):
    response = staff.post(ADD, form_data(order_type="preorder"))
    assert response.status_code == 200
    assert "волн" in str(response.context["adminform"].form.errors)
    assert not Product.objects.exists()


def wave_rows(product, **changes):
    """The management form and rows of the waves inline as the page posts them, with `changes` applied."""
    waves = list(product.waves.order_by("wave_number"))
    data = {"waves-TOTAL_FORMS": str(len(waves)), "waves-INITIAL_FORMS": str(len(waves))}
    for i, wave in enumerate(waves):
        data.update(
            {
                f"waves-{i}-id": str(wave.pk),
                f"waves-{i}-product": str(product.pk),
                f"waves-{i}-capacity": str(wave.capacity),
                f"waves-{i}-status": wave.status,
                f"waves-{i}-status_message": "",
            }
        )
    data.update(changes)
    return data


def preorder_form(product, **changes):
    data = form_data(
        name=product.name,
        slug=product.slug,
        article=product.article,
        price=str(product.price),
        order_type=product.order_type,
        sizes='["S", "M", "L"]',
        preorder_waves_total=str(product.preorder_waves_total),
        preorder_wave_capacity=str(product.preorder_wave_capacity),
        **wave_rows(product),
    )
    data.update(changes)
    # The page posts the JSON fields' initial values too (fields with a callable default): unchanged here.
    data.update({"initial-sizes": data["sizes"], "initial-size_table": data["size_table"]})
    return data


def test_change_page_opens_with_the_inlines(staff):
    product = PreorderProductFactory()
    ProductMediaFactory(product=product)
    response = staff.get(change_url(product))
    assert response.status_code == 200
    html = response.content.decode()
    assert "волны предзаказа" in html.lower() and "Сообщение покупателям" in html and "<img" in html


def test_wave_status_from_the_product_page(staff, django_capture_on_commit_callbacks, sms_outbox):
    product = PreorderProductFactory(preorder_waves_total=2)
    wave = product.waves.get(wave_number=1)
    order = OrderFactory(user=UserFactory(phone="+79995554433"))
    OrderItemFactory(order=order, product=product, is_preorder=True, preorder_wave=wave)
    change = {"waves-0-status": "production", "waves-0-status_message": "Шьём!"}
    unconfirmed = staff.post(change_url(product), preorder_form(product, **change))
    assert unconfirmed.status_code == 200 and "SMS получит 1 покупатель" in unconfirmed.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            change_url(product), preorder_form(product, **change, **{"waves-0-confirm_sms": "on"})
        )
    assert response.status_code == 302
    wave.refresh_from_db()
    assert wave.status == WaveStatus.PRODUCTION
    assert PreorderStatus.objects.get(order=order, status="production").status_message == "Шьём!"
    assert [m.phone for m in sms_outbox] == ["+79995554433"]


def test_wave_status_cannot_go_back_from_the_product_page(staff):
    product = PreorderProductFactory()
    product.waves.filter(wave_number=1).update(status=WaveStatus.SHIPPING)
    page = staff.get(change_url(product))
    first_row = page.context["inline_admin_formsets"][-1].formset.forms[0]
    assert [value for value, _ in first_row.fields["status"].choices] == ["shipping", "completed"]
    assert first_row.fields["capacity"].disabled
    response = staff.post(
        change_url(product), preorder_form(product, **{"waves-0-status": "collecting", "waves-0-capacity": "99"})
    )
    assert response.status_code == 200 and response.context["errors"]
    wave = product.waves.get(wave_number=1)
    assert (wave.status, wave.capacity) == (WaveStatus.SHIPPING, 5)


def test_new_wave_row_adds_a_wave_and_reopens_a_waiting_product(
    staff, django_capture_on_commit_callbacks, sms_outbox
):
    product = PreorderProductFactory(
        order_type=Product.OrderType.WAITING, preorder_waves_total=2, preorder_wave_capacity=5
    )
    product.waves.update(current_count=5)
    WaitlistEntryFactory(product=product, phone="+79990009988")
    data = preorder_form(product)
    data.update(
        {
            "waves-TOTAL_FORMS": "3",
            "waves-2-capacity": "12",
            "waves-2-status": "collecting",
            "waves-2-product": str(product.pk),
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(change_url(product), data)
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.order_type == Product.OrderType.PREORDER
    assert list(product.waves.values_list("wave_number", "capacity")) == [(1, 5), (2, 5), (3, 12)]
    assert [m.phone for m in sms_outbox] == ["+79990009988"]
    assert WaitlistEntry.objects.get().notified_at is not None


def test_raising_waves_total_reopens_a_waiting_product(staff, django_capture_on_commit_callbacks, sms_outbox):
    product = PreorderProductFactory(
        order_type=Product.OrderType.WAITING, preorder_waves_total=2, preorder_wave_capacity=5
    )
    product.waves.update(current_count=5)
    WaitlistEntryFactory(product=product, phone="+79990007766")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(change_url(product), preorder_form(product, preorder_waves_total="3"))
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.order_type == Product.OrderType.PREORDER and product.waves.count() == 3
    assert [m.phone for m in sms_outbox] == ["+79990007766"]


def test_future_wave_capacity_changes_but_never_below_its_count(staff):
    product = PreorderProductFactory(preorder_waves_total=2, preorder_wave_capacity=5)
    product.waves.filter(wave_number=1).update(current_count=3)
    response = staff.post(change_url(product), preorder_form(product, **{"waves-0-capacity": "2"}))
    assert response.status_code == 200
    assert product.waves.get(wave_number=1).capacity == 5
    response = staff.post(change_url(product), preorder_form(product, **{"waves-0-capacity": "8"}))
    assert response.status_code == 302
    assert product.waves.get(wave_number=1).capacity == 8


def test_customers_are_sent_to_login(client):
    product = ProductFactory()
    client.force_login(UserFactory())
    for url in [CHANGELIST, ADD, change_url(product)]:
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_stock_and_media_admin_pages(staff):
    stock = ProductStock.objects.create(product=ProductFactory(), size="M", quantity=2)
    media = ProductMediaFactory()
    for url in [
        reverse("admin:catalog_productstock_change", args=[stock.pk]),
        reverse("admin:catalog_productmedia_change", args=[media.pk]),
    ]:
        assert staff.get(url).status_code == 200
    response = staff.post(
        reverse("admin:catalog_productstock_change", args=[stock.pk]),
        {"product": stock.product_id, "size": "XXL", "quantity": "1"},
    )
    assert response.status_code == 200 and ProductStock.objects.get(pk=stock.pk).size == "M"
    response = staff.post(
        reverse("admin:catalog_productstock_change", args=[stock.pk]),
        {"product": stock.product_id, "size": "M", "quantity": "9"},
    )
    assert response.status_code == 302 and ProductStock.objects.get(pk=stock.pk).quantity == 9


def test_wave_rows_are_not_deleted(staff):
    product = PreorderProductFactory()
    assert PreorderWave.objects.filter(product=product).count() == 3
    data = preorder_form(product, **{"waves-0-DELETE": "on"})
    staff.post(change_url(product), data)
    assert PreorderWave.objects.filter(product=product).count() == 3


def test_saving_a_preorder_product_syncs_its_waves(staff):
    # A preorder product whose waves are missing (made outside the services) gets them on any save.
    product = ProductFactory(
        order_type=Product.OrderType.PREORDER, preorder_waves_total=2, preorder_wave_capacity=4
    )
    assert not product.waves.exists()
    data = form_data(
        name=product.name,
        slug=product.slug,
        article=product.article,
        price=str(product.price),
        order_type="preorder",
        sizes='["S", "M", "L"]',
        preorder_waves_total="2",
        preorder_wave_capacity="4",
        **{"waves-TOTAL_FORMS": "0", "waves-INITIAL_FORMS": "0"},
    )
    assert staff.post(change_url(product), data).status_code == 302
    assert list(product.waves.values_list("wave_number", "capacity")) == [(1, 4), (2, 4)]


def test_a_wave_of_its_own_capacity_keeps_it_until_the_product_capacity_changes(staff):
    product = PreorderProductFactory(preorder_waves_total=2, preorder_wave_capacity=5)
    assert staff.post(change_url(product), preorder_form(product, **{"waves-1-capacity": "9"})).status_code == 302
    assert product.waves.get(wave_number=2).capacity == 9
    # Saved again without touching the capacity: wave 2 keeps its own.
    assert staff.post(change_url(product), preorder_form(product, description="Новое")).status_code == 302
    assert product.waves.get(wave_number=2).capacity == 9
    # The product's wave capacity changes: every empty future wave follows it.
    assert staff.post(change_url(product), preorder_form(product, preorder_wave_capacity="7")).status_code == 302
    assert list(product.waves.values_list("capacity", flat=True)) == [7, 7]


# --- Sizes and the size table without JSON -------------------------------------------------------------------------
def test_product_form_edits_sizes_as_a_list_and_the_size_table_as_a_grid(staff):
    page = staff.get(ADD).content.decode()
    assert 'name="sizes"' in page and 'name="size_table__r0c0"' in page
    assert '<textarea name="sizes"' not in page and '<textarea name="size_table"' not in page
    data = form_data(sizes=["S", "M", " ", "L"], size_table="")
    data.pop("size_table")
    data.update(
        {
            "size_table__r0c0": "Размер",
            "size_table__r0c1": "Грудь, см",
            "size_table__r0c2": "",
            "size_table__r1c0": "S",
            "size_table__r1c1": "100",
            "size_table__r2c0": "",
            "size_table__r2c1": "",
        }
    )
    response = staff.post(ADD, data)
    assert response.status_code == 302
    product = Product.objects.get(article="H-1")
    assert product.sizes == ["S", "M", "L"]
    assert product.size_table == [["Размер", "Грудь, см"], ["S", "100"]]
    page = staff.get(reverse("admin:catalog_product_change", args=[product.pk])).content.decode()
    assert 'value="Грудь, см"' in page and 'name="sizes" value="L"' in page


def test_a_new_size_table_starts_with_real_headers_and_headers_alone_are_no_table(staff):
    page = staff.get(ADD).content.decode()
    head = page.split("<thead>")[1].split("</thead>")[0]
    assert 'name="size_table__r0c0" value="Размер"' in head and "<th" in head  # a header, visibly
    data = form_data(sizes=["S"], size_table="")
    data.pop("size_table")
    headers = {"size_table__r0c0": "Размер", "size_table__r0c1": "Грудь, см", "size_table__r0c2": "Длина, см"}
    assert staff.post(ADD, {**data, **headers}).status_code == 302
    assert Product.objects.get(article="H-1").size_table == []


def test_product_form_refuses_a_repeated_size_next_to_the_sizes(staff):
    response = staff.post(ADD, form_data(sizes=["S", "S"]))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["sizes"]


def test_a_preorder_has_waves_and_no_stock_rows_a_stock_product_the_reverse(staff):
    drop = PreorderProductFactory()
    shirt = ProductFactory(stock={"S": 1})
    drop_page = staff.get(reverse("admin:catalog_product_change", args=[drop.pk])).content.decode()
    shirt_page = staff.get(reverse("admin:catalog_product_change", args=[shirt.pk])).content.decode()
    assert 'name="waves-TOTAL_FORMS"' in drop_page and 'name="stock-TOTAL_FORMS"' not in drop_page
    assert 'name="stock-TOTAL_FORMS"' in shirt_page and 'name="waves-TOTAL_FORMS"' not in shirt_page
    # The preorder section is marked for the form's script to hide on a stock product.
    assert "dwc-preorder-only" in shirt_page and "backoffice/product_form.js" in shirt_page


def test_a_default_heading_left_without_values_is_no_column(staff):
    data = form_data(sizes=["S"], size_table="")
    data.pop("size_table")
    cells = {
        "size_table__r0c0": "Размер",
        "size_table__r0c1": "Грудь, см",
        "size_table__r0c2": "Длина, см",
        "size_table__r1c0": "S",
        "size_table__r1c1": "98",
        "size_table__r1c2": "",
    }
    assert staff.post(ADD, {**data, **cells}).status_code == 302
    assert Product.objects.get(article="H-1").size_table == [["Размер", "Грудь, см"], ["S", "98"]]
