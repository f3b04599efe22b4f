"""The staff report: what the shop sold over a date range, computed by the database.

Every figure is an aggregate query; Python only shapes the few result rows (statuses, products, days, codes),
never the orders themselves. The period is a range of calendar days in the shop's time zone (Europe/Moscow),
both ends included, and an order belongs to the day it was created.

Revenue is net of refunds: the orders that were paid and not given back whole (paid, processing, shipped,
delivered: their `final_amount`, after discounts) less what their succeeded refunds returned. Refunds are their own
figure and series: every succeeded refund of the period's orders (fully refunded ones too). Cancelled and still
unpaid orders bring no revenue. An order's figures belong to the day it was created.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, DecimalField, Q, Sum
from django.db.models.functions import Coalesce, TruncDate

from catalog.models import Product
from config.errors import DomainError
from config.money import KOPECK, ZERO, money
from orders.models import Order, OrderItem, OrderRefund, OrderRefundLine, OrderStatus, RefundStatus
from preorders.models import PreorderWave

SHOP_TIMEZONE = ZoneInfo("Europe/Moscow")
REVENUE_STATUSES = OrderStatus.HOLDS_PAYMENT
TOP_PRODUCTS_LIMIT = 10
MAX_PERIOD_DAYS = 3 * 366
DEFAULT_PERIOD_DAYS = 30

MONEY = DecimalField(max_digits=14, decimal_places=2)


def sum_money(value) -> Decimal:
    """A database sum in rubles to the kopeck: None (no rows) is zero, and SQLite's binary floats are rounded."""
    return money(value or 0)


def percent(part, whole) -> Decimal:
    if not whole:
        return ZERO
    return (Decimal(part) * 100 / Decimal(whole)).quantize(KOPECK, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Period:
    date_from: date
    date_to: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.date_from, time.min, tzinfo=SHOP_TIMEZONE)

    @property
    def end(self) -> datetime:
        """The first moment after the period (exclusive)."""
        return datetime.combine(self.date_to + timedelta(days=1), time.min, tzinfo=SHOP_TIMEZONE)

    @property
    def days(self) -> list[date]:
        return [self.date_from + timedelta(days=n) for n in range((self.date_to - self.date_from).days + 1)]

    @property
    def previous(self) -> "Period":
        """The period of the same length just before this one (what the figures are compared with)."""
        length = self.date_to - self.date_from + timedelta(days=1)
        return Period(date_from=self.date_from - length, date_to=self.date_from - timedelta(days=1))


class PeriodRejected(DomainError):
    code = "invalid_period"
    default_message = "Неверный период."


def period_build(
    *, date_from: date | None = None, date_to: date | None = None, today: date | None = None
) -> Period:
    """The report period: both days included; a missing end is today, a missing start 30 days before the end.

    The start must not be after the end, and a period is at most MAX_PERIOD_DAYS long.
    """
    today = today or datetime.now(SHOP_TIMEZONE).date()
    if date_to is None:
        date_to = max(today, date_from) if date_from else today
    if date_from is None:
        date_from = date_to - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    if date_from > date_to:
        raise PeriodRejected("Дата окончания раньше даты начала.", field="date_to")
    if (date_to - date_from).days + 1 > MAX_PERIOD_DAYS:
        raise PeriodRejected(f"Период не может быть длиннее {MAX_PERIOD_DAYS} дней.", field="date_to")
    return Period(date_from=date_from, date_to=date_to)


def _orders_in(period: Period):
    return Order.objects.filter(created_at__gte=period.start, created_at__lt=period.end)


def _refunds_in(period: Period):
    """Succeeded refunds of the period's orders."""
    return OrderRefund.objects.filter(
        order__created_at__gte=period.start, order__created_at__lt=period.end, status=RefundStatus.SUCCEEDED
    )


def _revenue_orders_in(period: Period):
    return _orders_in(period).filter(status__in=REVENUE_STATUSES)


def analytics_totals(*, period: Period) -> dict:
    paid = Q(status__in=REVENUE_STATUSES)
    row = _orders_in(period).aggregate(
        orders_count=Count("id"),
        paid_orders_count=Count("id", filter=paid),
        revenue=Sum("final_amount", filter=paid),
        discount_total=Sum("discount_amount", filter=paid),
    )
    by_status = dict(_orders_in(period).values_list("status").annotate(n=Count("id")).order_by())
    refunds = _refunds_in(period).aggregate(
        total=Sum("amount"), of_paid=Sum("amount", filter=Q(order__status__in=REVENUE_STATUSES))
    )
    revenue = sum_money(row["revenue"]) - sum_money(refunds["of_paid"])
    paid_count = row["paid_orders_count"]
    return {
        "revenue": revenue,
        "orders_count": row["orders_count"],
        "paid_orders_count": paid_count,
        "average_check": sum_money(revenue / paid_count) if paid_count else ZERO,
        "conversion_percent": percent(paid_count, row["orders_count"]),
        "discount_total": sum_money(row["discount_total"]),
        "refunds_total": sum_money(refunds["total"]),
        # Every status, in lifecycle order, zeros included.
        "orders_by_status": {value: by_status.get(value, 0) for value in OrderStatus.values},
    }


def analytics_top_products(*, period: Period, limit: int = TOP_PRODUCTS_LIMIT) -> dict:
    """Best sellers among paid orders: by units and by revenue (each line's stored sum after the discount), both
    net of the units and amounts refunded."""
    in_period = {
        "order__created_at__gte": period.start,
        "order__created_at__lt": period.end,
        "order__status__in": REVENUE_STATUSES,
    }
    sold = (
        OrderItem.objects.filter(**in_period)
        .values("product_id", "product__name", "product__article")
        .annotate(units=Sum("quantity"), revenue=Sum("final_amount"))
        .order_by()
    )
    refunded = {
        row["item__product_id"]: row
        for row in OrderRefundLine.objects.filter(
            refund__status=RefundStatus.SUCCEEDED, **{f"item__{key}": value for key, value in in_period.items()}
        )
        .values("item__product_id")
        .annotate(units=Sum("quantity"), amount=Sum("amount"))
        .order_by()
    }
    rows = []
    for row in sold:
        back = refunded.get(row["product_id"], {"units": 0, "amount": 0})
        units = row["units"] - back["units"]
        if units <= 0:
            continue
        rows.append(
            {
                "product_id": row["product_id"],
                "name": row["product__name"],
                "article": row["product__article"],
                "units": units,
                "revenue": sum_money(row["revenue"]) - sum_money(back["amount"]),
            }
        )
    return {
        "by_units": sorted(rows, key=lambda r: (-r["units"], -r["revenue"], r["product_id"]))[:limit],
        "by_revenue": sorted(rows, key=lambda r: (-r["revenue"], -r["units"], r["product_id"]))[:limit],
    }


def analytics_promo_usage(*, period: Period) -> dict:
    """How each promo code was used by the paid orders of the period, and the discount it gave."""
    rows = (
        _revenue_orders_in(period)
        .filter(promo_code__isnull=False)
        .values("promo_code_id", "promo_code__code", "promo_code__current_uses", "promo_code__max_uses")
        .annotate(orders_count=Count("id"), discount_total=Sum("discount_amount"), revenue=Sum("final_amount"))
        .order_by("-orders_count", "promo_code__code")
    )
    codes = [
        {
            "code": row["promo_code__code"],
            "orders_count": row["orders_count"],
            "discount_total": sum_money(row["discount_total"]),
            "revenue": sum_money(row["revenue"]),
            "current_uses": row["promo_code__current_uses"],
            "max_uses": row["promo_code__max_uses"],
        }
        for row in rows
    ]
    totals = (
        _revenue_orders_in(period)
        .filter(promo_code__isnull=False)
        .aggregate(orders_count=Count("id"), discount_total=Sum("discount_amount"))
    )
    return {
        "orders_count": totals["orders_count"],
        "discount_total": sum_money(totals["discount_total"]),
        "codes": codes,
    }


def analytics_wave_fill() -> list[dict]:
    """How full each preorder product's waves are now (a state, not a period figure)."""
    products = (
        Product.objects.filter(
            order_type__in=[Product.OrderType.PREORDER, Product.OrderType.WAITING],
            is_archived=False,
            waves__isnull=False,
        )
        .annotate(
            capacity_total=Coalesce(Sum("waves__capacity"), 0),
            ordered_total=Coalesce(Sum("waves__current_count"), 0),
            waves_count=Count("waves"),
        )
        .order_by("name", "id")
    )
    products = list(products)
    waves_of: dict[int, list[PreorderWave]] = {}
    for wave in PreorderWave.objects.filter(product__in=[p.pk for p in products]).order_by("wave_number"):
        waves_of.setdefault(wave.product_id, []).append(wave)
    result = []
    for product in products:
        waves = waves_of.get(product.pk, [])
        current = product.wave_current(waves)
        result.append(
            {
                "product_id": product.pk,
                "name": product.name,
                "article": product.article,
                "order_type": product.order_type,
                "capacity": product.capacity_total,
                "ordered": product.ordered_total,
                "fill_percent": percent(product.ordered_total, product.capacity_total),
                "waves_total": product.waves_count,
                "current_wave": current.wave_number if current else None,
                "waves": [
                    {
                        "wave_number": wave.wave_number,
                        "capacity": wave.capacity,
                        "current_count": wave.current_count,
                        "status": wave.status,
                        "fill_percent": percent(wave.current_count, wave.capacity),
                    }
                    for wave in waves
                ],
            }
        )
    return result


def analytics_revenue_by_day(*, period: Period) -> list[dict]:
    """Every day of the period (days without orders too): net revenue, refunds, orders created and orders paid."""
    paid = Q(status__in=REVENUE_STATUSES)
    refunds = {
        row["day"]: row
        for row in _refunds_in(period)
        .annotate(day=TruncDate("order__created_at", tzinfo=SHOP_TIMEZONE))
        .values("day")
        .annotate(total=Sum("amount"), of_paid=Sum("amount", filter=Q(order__status__in=REVENUE_STATUSES)))
        .order_by("day")
    }
    no_refunds = {"total": 0, "of_paid": 0}
    rows = {
        row["day"]: row
        for row in _orders_in(period)
        .annotate(day=TruncDate("created_at", tzinfo=SHOP_TIMEZONE))
        .values("day")
        .annotate(
            orders_count=Count("id"),
            paid_orders_count=Count("id", filter=paid),
            revenue=Sum("final_amount", filter=paid),
        )
        .order_by("day")
    }
    return [
        {
            "date": day,
            "revenue": (sum_money(rows[day]["revenue"]) if day in rows else ZERO)
            - sum_money(refunds.get(day, no_refunds)["of_paid"]),
            "refunds": sum_money(refunds.get(day, no_refunds)["total"]),
            "orders_count": rows[day]["orders_count"] if day in rows else 0,
            "paid_orders_count": rows[day]["paid_orders_count"] if day in rows else 0,
        }
        for day in period.days
    ]


def analytics_summary(*, period: Period) -> dict:
    """The whole report for the period, as the API and the admin dashboard show it."""
    top = analytics_top_products(period=period)
    return {
        "date_from": period.date_from,
        "date_to": period.date_to,
        "currency": "RUB",
        **analytics_totals(period=period),
        "top_products_by_units": top["by_units"],
        "top_products_by_revenue": top["by_revenue"],
        "promo_codes": analytics_promo_usage(period=period),
        "preorder_waves": analytics_wave_fill(),
        "revenue_by_day": analytics_revenue_by_day(period=period),
    }


# The figures of the dashboard's cards that are compared with the period before.
COMPARED = (
    "revenue",
    "orders_count",
    "paid_orders_count",
    "average_check",
    "conversion_percent",
    "discount_total",
    "refunds_total",
)


def analytics_comparison(*, period: Period) -> dict:
    """Each card's figure in the previous period of the same length and the change in percent (None from zero)."""
    now, before = analytics_totals(period=period), analytics_totals(period=period.previous)
    comparison = {}
    for key in COMPARED:
        old, new = Decimal(str(before[key])), Decimal(str(now[key]))
        change = ((new - old) * 100 / old).quantize(Decimal("0.1")) if old else None
        comparison[key] = {"previous": before[key], "change_percent": change}
    return {
        "date_from": period.previous.date_from,
        "date_to": period.previous.date_to,
        "figures": comparison,
    }
