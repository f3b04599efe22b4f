"""Cached catalog reads stay exact: after every kind of change, each cached read equals a fresh one.

Each test reads every cached address (which stores it), makes one change, then reads again: the answer must be
the one the shop gives with the cache off. A writer that forgot to bump its versions leaves the old body in
place and fails here.
"""

import contextlib
import re
from datetime import date

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from catalog.models import Product, ProductMedia, ProductStock
from catalog.tests.factories import ProductFactory, ProductMediaFactory
from config.cache_versions import versions_bump, versions_get
from orders.services import order_cancel, order_place
from pages.tests.factories import PageFactory
from preorders.models import PreorderWave, WaveStatus
from preorders.services import wave_add, wave_set_capacity, wave_set_status, wave_update
from preorders.tests.factories import PreorderProductFactory

# Committed writes: versions move when a writer's transaction commits, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

ADDRESS = "Москва, Тверская ул., 1"
_CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def _addresses(product) -> list[str]:
    return [
        "/api/v1/products/",
        f"/api/v1/products/{product.pk}/",
        "/api/v1/products/?ordering=price&search=%D1%84",
        "/",
        "/?order_type=preorder",
        f"/products/{product.pk}/",
        f"/products/{product.slug}/",
    ]


def _read(address: str) -> tuple[int, bytes]:
    # A new visitor each time: no session, so storefront pages come from the shared page cache.
    response = Client().get(address)
    return response.status_code, _CSRF.sub(b"csrf", response.content)


def _fresh(settings, address: str) -> tuple[int, bytes]:
    settings.CATALOG_CACHE = False
    try:
        return _read(address)
    finally:
        settings.CATALOG_CACHE = True


def _assert_exact_after(settings, product, change) -> None:
    addresses = _addresses(product)
    before = {address: _read(address) for address in addresses}
    assert {address: _read(address) for address in addresses} == before  # served from the cache
    change()
    product.refresh_from_db()
    changed = []
    for address in addresses:
        fresh = _fresh(settings, address)
        assert _read(address) == fresh, address
        changed.append(fresh != before[address])
    # The change shows on the product's own item at least (else the test proves nothing).
    assert changed[1]


@pytest.fixture
def in_stock():
    product = ProductFactory(name="Футболка фоновая", stock={"S": 5, "M": 5, "L": 5})
    ProductMediaFactory(product=product, position=0)
    ProductFactory(name="Футболка соседняя", stock={"M": 3})
    return product


@pytest.fixture
def preorder():
    return PreorderProductFactory(name="Футболка дроп", preorder_waves_total=2, preorder_wave_capacity=5)


def test_reads_are_served_without_queries_once_cached(in_stock):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for address in _addresses(in_stock):
        # A slug's first visit learns its product before the versions are read, so the page is stored on the next.
        _read(address)
        _read(address)
        with CaptureQueriesContext(connection) as queries:
            _read(address)
        # Nothing but the versions' read from the shared cache (a table here, as without Redis).
        assert all("dwc_cache" in query["sql"] for query in queries.captured_queries), address
        assert len(queries.captured_queries) <= 1, address


def test_an_order_shows_at_once(settings, in_stock, user):
    _assert_exact_after(
        settings,
        in_stock,
        lambda: order_place(
            user=user, items=[{"product": in_stock.pk, "size": "M", "quantity": 2}], delivery_address=ADDRESS
        ),
    )


def test_an_order_of_two_products_and_its_cancel_show_at_once_on_both(settings, in_stock, user):
    neighbour = Product.objects.get(name="Футболка соседняя")
    items = [
        {"product": in_stock.pk, "size": "L", "quantity": 1},
        {"product": neighbour.pk, "size": "M", "quantity": 3},
    ]
    order = None

    def place():
        nonlocal order
        order = order_place(user=user, items=items, delivery_address=ADDRESS)

    for change in (place, lambda: order_cancel(order=order, by=user)):
        for address in _addresses(neighbour):
            _read(address)
        _assert_exact_after(settings, in_stock, change)
        for address in _addresses(neighbour):
            assert _read(address) == _fresh(settings, address), address


def test_a_cancel_shows_at_once(settings, in_stock, user):
    order = order_place(
        user=user, items=[{"product": in_stock.pk, "size": "S", "quantity": 5}], delivery_address=ADDRESS
    )
    _assert_exact_after(settings, in_stock, lambda: order_cancel(order=order, by=user))


def test_a_preorder_shows_at_once(settings, preorder, user):
    _assert_exact_after(
        settings,
        preorder,
        lambda: order_place(
            user=user, items=[{"product": preorder.pk, "size": "M", "quantity": 4}], delivery_address=ADDRESS
        ),
    )


def test_a_preorder_cancel_shows_at_once(settings, preorder, user):
    order = order_place(
        user=user, items=[{"product": preorder.pk, "size": "M", "quantity": 10}], delivery_address=ADDRESS
    )
    _assert_exact_after(
        settings, preorder, lambda: order_cancel(order=order, by=user)
    )  # waves free, preorder again
    preorder.refresh_from_db()
    assert preorder.order_type == "preorder"


def test_the_last_wave_filling_shows_at_once(settings, preorder, user):
    # Ten units fill both waves: the product turns `waiting`.
    _assert_exact_after(
        settings,
        preorder,
        lambda: order_place(
            user=user, items=[{"product": preorder.pk, "size": "M", "quantity": 10}], delivery_address=ADDRESS
        ),
    )
    preorder.refresh_from_db()
    assert preorder.order_type == "waiting"


def test_a_staff_price_edit_shows_at_once(settings, in_stock, staff_client):
    def change():
        response = staff_client.patch(f"/api/v1/products/{in_stock.pk}/", {"price": "1990.00"}, format="json")
        assert response.status_code == 200

    _assert_exact_after(settings, in_stock, change)


def test_a_staff_stock_edit_shows_at_once(settings, in_stock, staff_client):
    def change():
        response = staff_client.patch(
            f"/api/v1/products/{in_stock.pk}/", {"stock": {"S": 0, "M": 1, "L": 2}}, format="json"
        )
        assert response.status_code == 200

    _assert_exact_after(settings, in_stock, change)


def test_a_staff_edit_in_the_admin_shows_at_once(settings, in_stock, staff_user):
    from catalog.services import product_update

    _assert_exact_after(
        settings, in_stock, lambda: product_update(product=in_stock, data={"name": "Футболка новая"})
    )


def test_archiving_shows_at_once(settings, in_stock, staff_client):
    _assert_exact_after(settings, in_stock, lambda: staff_client.delete(f"/api/v1/products/{in_stock.pk}/"))
    assert _read(f"/api/v1/products/{in_stock.pk}/")[0] == 404


@pytest.mark.parametrize(
    "change",
    [
        lambda wave: wave_set_status(wave=wave, status=WaveStatus.PRODUCTION),
        lambda wave: wave_set_capacity(wave=wave, capacity=9),
        lambda wave: wave_add(product=wave.product, capacity=7),
        lambda wave: wave_update(wave=wave, ships_on=date(2027, 3, 1)),
    ],
    ids=["status", "capacity", "new-wave", "ship-date"],
)
def test_a_wave_change_shows_at_once(settings, preorder, change):
    wave = preorder.waves.get(wave_number=1)
    _assert_exact_after(settings, preorder, lambda: change(wave))


def test_new_and_removed_media_show_at_once(settings, in_stock):
    _assert_exact_after(settings, in_stock, lambda: ProductMediaFactory(product=in_stock, position=5))
    _assert_exact_after(settings, in_stock, lambda: ProductMedia.objects.filter(product=in_stock).delete())


# --- Bulk writes invalidate by themselves: nobody has to remember to ---------------------------------------------
@pytest.mark.parametrize(
    "change",
    [
        lambda product: Product.objects.filter(pk=product.pk).update(price=1234),
        lambda product: ProductStock.objects.filter(product=product, size="M").update(quantity=0),
        lambda product: product.stock.filter(size="S").update(quantity=1),
        lambda product: ProductMedia.objects.filter(product=product).update(alt="Новая подпись"),
        lambda product: ProductStock.objects.bulk_update(
            [ProductStock(pk=row.pk, product_id=product.pk, quantity=9) for row in product.stock.all()],
            ["quantity"],
        ),
        lambda product: ProductStock.objects.bulk_update(
            [ProductStock(pk=row.pk, quantity=0) for row in product.stock.all()], ["quantity"]
        ),
        lambda product: Product.objects.bulk_update([Product(pk=product.pk, name="Футболка другая")], ["name"]),
    ],
    ids=[
        "product-update",
        "stock-update",
        "related-update",
        "media-update",
        "bulk-update",
        "bulk-update-by-pk",
        "product-bulk",
    ],
)
def test_a_bulk_write_shows_at_once(settings, in_stock, change):
    _assert_exact_after(settings, in_stock, lambda: change(in_stock))


def test_stock_rows_made_in_bulk_show_at_once(settings, in_stock):
    ProductStock.objects.filter(product=in_stock, size="L").delete()
    _assert_exact_after(
        settings,
        in_stock,
        lambda: ProductStock.objects.bulk_create([ProductStock(product=in_stock, size="L", quantity=7)]),
    )


def test_a_wave_update_shows_at_once(settings, preorder):
    _assert_exact_after(
        settings, preorder, lambda: PreorderWave.objects.filter(product=preorder).update(capacity=4)
    )


def test_a_write_that_names_its_products_reads_nothing_first(in_stock):
    rows = ProductStock.objects.of_products([in_stock.pk]).filter(product=in_stock)
    with transaction.atomic():  # the versions move at commit, outside what is counted
        with CaptureQueriesContext(connection) as named:
            rows.filter(size="M").update(quantity=4)  # the hint survives filtering
        with CaptureQueriesContext(connection) as unnamed:
            ProductStock.objects.filter(product=in_stock, size="M").update(quantity=3)
        assert [len(named), len(unnamed)] == [1, 2]
        [(_, bump, _)] = connection.run_on_commit  # the two writes move the versions once, together
        assert list(bump.versions) == ["catalog", f"product:{in_stock.pk}"]


def test_bumps_join_within_a_savepoint_and_roll_back_with_it():
    names = ["catalog", "product:1", "product:2", "product:3"]
    before = versions_get(names=names)
    with transaction.atomic():
        versions_bump(names=["product:1"])
        with contextlib.suppress(RuntimeError), transaction.atomic():
            versions_bump(names=["product:2"])
            raise RuntimeError
        versions_bump(names=["catalog"])
        versions_bump(names=["product:3"])
        assert len(connection.run_on_commit) == 1  # product:1, catalog and product:3 share one fate: one bump
    after = versions_get(names=names)
    assert [old != new for old, new in zip(before, after, strict=True)] == [True, True, False, True]


def test_a_write_that_matches_nothing_invalidates_nothing(in_stock):
    with transaction.atomic(), CaptureQueriesContext(connection):
        assert ProductStock.objects.filter(product=in_stock, size="XXL").update(quantity=1) == 0
        assert connection.run_on_commit == []


def test_a_locking_queryset_can_write_outside_a_transaction(in_stock):
    # The look-up of the products drops the lock it cannot take outside a transaction; the write is the same.
    assert ProductStock.objects.select_for_update().filter(product=in_stock, size="S").update(quantity=2) == 1
    assert ProductStock.objects.get(product=in_stock, size="S").quantity == 2


def test_a_footer_page_shows_at_once(settings, in_stock):
    _read("/")
    PageFactory(title="Доставка и оплата", slug="delivery", is_published=True, show_in_footer=True)
    assert _read("/") == _fresh(settings, "/")
    assert "Доставка и оплата" in _read("/")[1].decode()


def test_visitors_with_a_session_get_their_own_page(in_stock, client):
    client.post(f"/products/{in_stock.slug}/", {"size": "M", "quantity": 1})
    page = client.get("/").content.decode()
    assert 'aria-label="товаров в корзине">1<' in page
    assert 'aria-label="товаров в корзине"' not in Client().get("/").content.decode()


def test_a_first_visit_is_cookie_free_and_its_forms_ask_for_a_token(in_stock):
    page = Client().get(f"/products/{in_stock.slug}/")
    assert not page.cookies and "Set-Cookie" not in page
    assert b'name="csrfmiddlewaretoken" value="csrf-token-of-the-visitor-goes-here"' in page.content
    # With JavaScript the form asks for a token (and its cookie) as it is sent, then adds to the cart.
    visitor = Client(enforce_csrf_checks=True)
    token = visitor.get("/csrf-token/").json()["token"]
    assert "csrftoken" in visitor.cookies
    added = visitor.post(f"/products/{in_stock.slug}/", {"size": "M", "quantity": 1, "csrfmiddlewaretoken": token})
    assert added.status_code == 302


def test_without_javascript_the_refusal_resends_the_form_with_a_token(in_stock):
    visitor = Client(enforce_csrf_checks=True)
    sent = {"size": "M", "quantity": "2", "csrfmiddlewaretoken": "csrf-token-of-the-visitor-goes-here"}
    refused = visitor.post(f"/products/{in_stock.slug}/", sent)
    assert refused.status_code == 403 and "csrftoken" in refused.cookies
    html = refused.content.decode()
    assert "Отправить ещё раз" in html
    assert f'action="/products/{in_stock.slug}/"' in html
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    assert fields["size"] == "M" and fields["quantity"] == "2"
    assert fields["csrfmiddlewaretoken"] != sent["csrfmiddlewaretoken"]
    assert visitor.post(f"/products/{in_stock.slug}/", fields).status_code == 302


def test_a_forged_or_old_form_is_still_refused_outright(in_stock):
    visitor = Client(enforce_csrf_checks=True)
    refused = visitor.post(f"/products/{in_stock.slug}/", {"size": "M", "csrfmiddlewaretoken": "x" * 64})
    assert refused.status_code == 403 and "Отправить ещё раз" not in refused.content.decode()


def test_a_slug_taken_by_another_product_shows_that_product(settings, in_stock):
    old_slug = in_stock.slug
    _read(f"/products/{old_slug}/")
    _read(f"/products/{old_slug}/")
    in_stock.slug = "renamed"
    in_stock.save()
    other = ProductFactory(name="Другая", slug=old_slug, stock={"M": 1})
    for _ in range(2):
        status, body = _read(f"/products/{old_slug}/")
        assert status == 200 and "Другая" in body.decode()
    other.price = "10.00"
    other.save()
    assert _read(f"/products/{old_slug}/") == _fresh(settings, f"/products/{old_slug}/")


def test_reads_inside_a_transaction_see_its_own_writes(in_stock):
    from django.db import transaction

    from catalog.models import ProductStock

    item = f"/api/v1/products/{in_stock.pk}/"
    assert Client().get(item).json()["stock"]["M"] == 5  # stored
    with transaction.atomic():
        # Not committed, so no version moved: only skipping the cache inside a transaction shows the change.
        ProductStock.objects.filter(product=in_stock, size="M").update(quantity=1)
        assert Client().get(item).json()["stock"]["M"] == 1
        transaction.set_rollback(True)
    assert Client().get(item).json()["stock"]["M"] == 5


def test_links_keep_the_scheme_they_were_asked_with(in_stock):
    address = "/api/v1/products/?page_size=1"
    assert Client().get(address, secure=True).json()["next"].startswith("https://")
    assert Client().get(address).json()["next"].startswith("http://")


def test_a_drops_page_follows_the_clock_not_only_its_rows(settings):
    """Before its start a drop's page counts down; once the start passes with no write at all, the next visitor
    sees it on sale: a page that changes with time is never served from the cache."""
    from datetime import timedelta

    from django.utils import timezone

    from catalog.models import Product

    drop = ProductFactory(stock={"M": 5}, sale_starts_at=timezone.now() + timedelta(hours=1))
    address = f"/products/{drop.pk}/"
    assert "До старта" in Client().get(address).content.decode()
    # The start passes without a save (no signal, no version bump): as the clock would move it.
    Product.objects.filter(pk=drop.pk).update(sale_starts_at=timezone.now() - timedelta(minutes=1))
    assert "До старта" not in Client().get(address).content.decode()
