import pytest
from django.apps import apps
from django.core.management import call_command

from catalog.models import Product
from preorders.models import PreorderWave

pytestmark = pytest.mark.django_db


def _snapshot():
    return {
        model._meta.label: sorted(model.objects.values_list("pk", flat=True))
        for model in apps.get_models()
        if model._meta.app_label in {"accounts", "catalog", "preorders", "promos", "orders", "pages"}
    }


def test_seed_demo_is_idempotent():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = _snapshot()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _snapshot() == first


def test_seed_demo_looks_like_a_drop_shop():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Product.objects.visible().count() >= 12
    assert all(product.media.exists() for product in Product.objects.all())
    drop = Product.objects.get(article="DWC-DROP-01")
    counts = list(PreorderWave.objects.filter(product=drop).values_list("current_count", "capacity"))
    assert len(counts) == 3 and 0 < sum(c for c, _ in counts) < sum(cap for _, cap in counts)
    for slug in ("about", "delivery", "offer"):
        assert apps.get_model("pages", "Page").objects.filter(slug=slug).exists()
    staff = apps.get_model("accounts", "User").objects.get(is_staff=True)
    assert staff.check_password("dwc-admin-2026")


def test_seed_demo_has_a_release_starting_minutes_after_launch():
    from django.utils import timezone

    from promos.models import PromoCode

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    release = Product.objects.get(article="DWC-DROP-02")
    minutes = (release.sale_starts_at - timezone.now()).total_seconds() / 60
    assert 3 < minutes <= 5
    assert release.queue_enabled and release.max_per_customer == 2
    assert all(wave.ships_on for wave in release.waves.all()) and release.waves.count() == 2
    assert PromoCode.objects.get(code="WELCOME10").first_order_only


def test_the_drops_wave_counts_are_backed_by_real_orders():
    from django.db.models import Sum

    from orders.models import Order, OrderItem, OrderStatus

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    drop = Product.objects.get(article="DWC-DROP-01")
    waves = list(PreorderWave.objects.filter(product=drop).order_by("wave_number"))
    assert [(wave.current_count, wave.status) for wave in waves] == [
        (20, "production"),
        (7, "collecting"),
        (0, "collecting"),
    ]
    for wave in waves:
        live = OrderItem.objects.filter(preorder_wave=wave, order__status__in=OrderStatus.LIVE)
        assert (live.aggregate(units=Sum("quantity"))["units"] or 0) == wave.current_count
    assert set(Order.objects.filter(items__product=drop).values_list("status", flat=True)) == {"paid"}


def test_the_demo_coheres_with_the_fake_cdek_and_the_readme(fake_cdek):
    """The demo customer's saved point is one the fake CDEK lists, and README's drop code applies to README's
    drops."""
    from pathlib import Path

    from accounts.models import User
    from delivery.selectors import delivery_point_get
    from promos.models import PromoCode
    from shop.management.commands.seed_demo import CUSTOMER_PHONE

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    customer = User.objects.get(phone=CUSTOMER_PHONE)
    assert delivery_point_get(code=customer.cdek_point).name == "На Тверской"
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    drop_code = PromoCode.objects.get(code="DROP15")
    for product in Product.objects.filter(article__in=["DWC-DROP-01", "DWC-DROP-02"]):
        assert product.name in readme or product.article == "DWC-DROP-01"
        assert drop_code.products.filter(pk=product.pk).exists()
    for code in ("WELCOME10", "MINUS500", "DROP15", "SUMMER25"):
        assert f"`{code}`" in readme and PromoCode.objects.filter(code=code).exists()


def test_seed_demo_has_a_draw_closing_ten_minutes_after_launch():
    from django.utils import timezone

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    jacket = Product.objects.get(article="DWC-DRAW-03")
    minutes = (jacket.draw_closes_at - timezone.now()).total_seconds() / 60
    assert jacket.is_draw and jacket.draw_opens_at <= timezone.now() and 8 < minutes <= 10
    assert jacket.stock_count == 10
