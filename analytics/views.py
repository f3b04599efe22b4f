"""The admin dashboard: the analytics report for staff, inside the admin's frame."""

from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render

from analytics.charts import column_chart, horizontal_chart
from analytics.control import SNAPSHOT_SECONDS, control_snapshot, control_snapshot_fresh
from analytics.forms import PeriodForm
from analytics.selectors import analytics_comparison, analytics_summary, period_build
from analytics.templatetags.analytics_tags import pct
from catalog.models import Product
from config.csv_export import csv_response
from config.money import rub
from orders.models import OrderStatus


def _day_label(day, *, first: bool) -> str:
    """A day under its column: the day of the month, with the month where one starts («1.12», «2», «3»…)."""
    return f"{day.day}.{day.month:02d}" if first or day.day == 1 else str(day.day)


def _period(request) -> tuple[PeriodForm, object]:
    form = PeriodForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["period"]
    period = period_build()
    if not form.is_bound:
        form = PeriodForm(initial={"date_from": period.date_from, "date_to": period.date_to})
    return form, period


def _charts(summary: dict) -> dict:
    return {
        "revenue_by_day": column_chart(
            [
                (
                    _day_label(day["date"], first=index == 0),
                    day["revenue"],
                    f"{day['date']:%d.%m.%Y}: {rub(day['revenue'])}, "
                    f"заказов {day['orders_count']}, оплачено {day['paid_orders_count']}",
                )
                for index, day in enumerate(summary["revenue_by_day"])
            ],
            tick_format=rub,
        ),
        "refunds_by_day": column_chart(
            [
                (
                    _day_label(day["date"], first=index == 0),
                    day["refunds"],
                    f"{day['date']:%d.%m.%Y}: возвраты {rub(day['refunds'])}",
                )
                for index, day in enumerate(summary["revenue_by_day"])
            ],
            tick_format=rub,
        ),
        "orders_by_status": horizontal_chart(
            [
                (label, summary["orders_by_status"][value], f"{label}: {summary['orders_by_status'][value]}")
                for value, label in OrderStatus.choices
            ]
        ),
        "top_by_revenue": horizontal_chart(
            [
                (row["name"], row["revenue"], f"{row['name']} ({row['article']}): {row['units']} шт.")
                for row in summary["top_products_by_revenue"]
            ],
            value_format=rub,
        ),
        "top_by_units": horizontal_chart(
            [
                (row["name"], row["units"], f"{row['name']} ({row['article']}): {rub(row['revenue'])}")
                for row in summary["top_products_by_units"]
            ],
            value_format=lambda units: f"{units} шт.",
        ),
    }


# The cards on top of the dashboard: figure, its element id, label, how it reads.
CARDS = [
    ("revenue", "revenue", "Выручка", rub),
    ("orders_count", "orders", "Заказов создано", str),
    ("paid_orders_count", "paid", "Оплачено", str),
    ("average_check", "average", "Средний чек", rub),
    ("conversion_percent", "conversion", "Конверсия в оплату", pct),
    ("discount_total", "discount", "Скидки по промокодам", rub),
    ("refunds_total", "refunds", "Возвраты", rub),
]


@staff_member_required
def dashboard(request):
    form, period = _period(request)
    summary = analytics_summary(period=period)
    comparison = analytics_comparison(period=period)
    cards = [
        {
            "id": html_id,
            "label": label,
            "value": shown(summary[key]),
            "previous": shown(comparison["figures"][key]["previous"]),
            "change": comparison["figures"][key]["change_percent"],
        }
        for key, html_id, label, shown in CARDS
    ]
    context = {
        **admin.site.each_context(request),
        "title": "Аналитика",
        "form": form,
        "period": period,
        "summary": summary,
        "charts": _charts(summary),
        "cards": cards,
        "comparison": comparison,
        "export_query": urlencode({"date_from": period.date_from, "date_to": period.date_to}),
    }
    return render(request, "analytics/dashboard.html", context)


@staff_member_required
def export_csv(request):
    """The period's figures by day, then the totals, as CSV for Russian Excel (`;`, decimal commas, BOM)."""
    _, period = _period(request)
    summary = analytics_summary(period=period)
    response, writer = csv_response(
        filename=f"analytics-{period.date_from:%Y-%m-%d}-{period.date_to:%Y-%m-%d}.csv",
        header=["Дата", "Заказов создано", "Оплачено", "Выручка за вычетом возвратов, ₽", "Возвраты, ₽"],
    )
    for day in summary["revenue_by_day"]:
        writer.writerow(
            [
                f"{day['date']:%d.%m.%Y}",
                day["orders_count"],
                day["paid_orders_count"],
                _decimal(day["revenue"]),
                _decimal(day["refunds"]),
            ]
        )
    writer.writerow([])
    writer.writerow(
        [
            "Итого",
            summary["orders_count"],
            summary["paid_orders_count"],
            _decimal(summary["revenue"]),
            _decimal(summary["refunds_total"]),
        ]
    )
    writer.writerow(["Средний чек, ₽", "", "", _decimal(summary["average_check"])])
    writer.writerow(["Конверсия в оплату, %", "", "", _decimal(summary["conversion_percent"])])
    writer.writerow(["Скидки по промокодам, ₽", "", "", _decimal(summary["discount_total"])])
    return response


def _decimal(value) -> str:
    return f"{value:.2f}".replace(".", ",")


# --- The drop's control room -----------------------------------------------------------------------------------
@staff_member_required
def control_room(request, product_id: int):
    """A product's sale, live: the page, whose script asks `control_room_data` every 5 seconds."""
    product = get_object_or_404(Product, pk=product_id)
    snapshot = control_snapshot_fresh(product_id=product.pk)
    minutes = [
        (admitted["minute"], admitted["count"], orders["count"])
        for admitted, orders in zip(snapshot["admitted_per_minute"], snapshot["orders_per_minute"], strict=True)
    ]
    context = {
        **admin.site.each_context(request),
        "title": f"Пульт дропа: {product.name}",
        "product": product,
        "snapshot": snapshot,
        "minutes": minutes,
        "every_ms": SNAPSHOT_SECONDS * 1000,
        "every_seconds": SNAPSHOT_SECONDS,
    }
    return render(request, "analytics/control_room.html", context)


@staff_member_required
def control_room_data(request, product_id: int):
    """The figures as JSON, from the shared cache (see `analytics.control`)."""
    try:
        return JsonResponse(control_snapshot(product_id=product_id))
    except Product.DoesNotExist as missing:
        raise Http404("Товар не найден") from missing
